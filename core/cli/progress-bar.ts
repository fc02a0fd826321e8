/**
 * A one-line progress display for a terminal (stderr), silent when stderr is not one. It names
 * the phase (connecting, checking, listing, copying, finishing), shows files and bytes done, the
 * speed, a percent and the time left once they mean something (progress-estimate.ts), redraws at
 * most a few times a second, and clears its line when the run ends or is interrupted.
 */
import { safeName, safeText } from '../terminal-text.js';
import type { BackupEvent, Phase } from '../backup/run.js';
import { ProgressTracker, type ProgressEstimate } from '../backup/progress-estimate.js';
import { formatBytes, formatCount, formatDuration } from '../format.js';

/** At most four redraws a second: a terminal over ssh keeps up, and the eye does too. */
export const REDRAW_MS = 250;

const PHASE_WORDS: Record<Phase, string> = {
  connecting: 'Connecting to the destination…',
  checking: 'Checking the destination…',
  'pre-hook': 'Preparing the snapshot…',
  transferring: 'Listing files…',
  finishing: 'Finishing: writing the manifest…',
  pruning: 'Finishing: applying the retention policy…',
  'after-hook': 'Finishing…',
};

/** "Copying [####------] 42%  8,400/20,000 files, 120 copied  245 MB  12.0 MB/s  3 min left" */
export function progressLine(e: ProgressEstimate, width: number): string {
  if (e.phase === 'listing') return PHASE_WORDS.transferring;
  const about = e.estimated ? '~' : '';
  const bar = (cells: number) => {
    const filled = Math.round(((e.percent ?? 0) / 100) * cells);
    return `[${'#'.repeat(filled)}${'-'.repeat(cells - filled)}] `;
  };
  const percent = e.percent === null ? '' : `${about}${e.percent}%`;
  const files =
    e.filesChecked === null
      ? null
      : e.filesTotal === null
        ? `${formatCount(e.filesChecked)} files`
        : `${formatCount(e.filesChecked)}/${about}${formatCount(e.filesTotal)} files`;
  const copied = `${formatCount(e.filesCopied ?? 0)} copied`;
  const rest = [
    formatBytes(e.bytes),
    ...(e.bytesPerSecond !== null ? [`${formatBytes(e.bytesPerSecond)}/s`] : []),
    ...(e.etaSeconds !== null
      ? [`${e.estimated ? 'about ' : ''}${formatDuration(e.etaSeconds * 1000)} left`]
      : []),
  ];
  // The time left matters most; on a narrow terminal the bar and the copied count go first.
  const room = Math.max(20, width - 1);
  for (const [cells, withCopied] of [
    [Math.max(10, Math.min(30, width - 70)), true],
    [10, false],
    [0, false],
  ] as const) {
    const head = `Copying ${e.percent === null ? '' : `${cells > 0 ? bar(cells) : ''}${percent}`}`;
    const counts = files === null ? [copied] : withCopied ? [`${files}, ${copied}`] : [files];
    const line = [head.trimEnd(), ...counts, ...rest].join('  ');
    if (line.length <= room) return line;
  }
  return [`Copying ${percent}`.trimEnd(), ...rest].join('  ').slice(0, room);
}

export interface ProgressReporter {
  onEvent(event: BackupEvent): void;
  /** Clears the line; call it when the run has ended, whatever the outcome. */
  done(): void;
}

export function createProgressReporter(
  stream: NodeJS.WriteStream,
  now: () => number = () => performance.now(),
): ProgressReporter {
  if (!stream.isTTY) return { onEvent: () => undefined, done: () => undefined };
  const tracker = new ProgressTracker();
  let drawn = '';
  let drawnAt = -Infinity;
  let copying = false;
  const draw = (text: string) => {
    const line = safeName(text).slice(0, Math.max(20, (stream.columns || 80) - 1));
    if (line === drawn) return;
    stream.write(`\r\x1b[2K${line}`);
    drawn = line;
    drawnAt = now();
  };
  const clear = () => {
    if (drawn !== '') stream.write('\r\x1b[2K');
    drawn = '';
  };
  // A Ctrl-C that ends the process before the run returns must not leave half a line behind.
  const onExit = () => clear();
  process.once('exit', onExit);
  return {
    onEvent(event) {
      switch (event.type) {
        case 'plan':
          tracker.plan(event.previous);
          copying = false;
          return;
        case 'progress': {
          tracker.update(event.progress, now());
          const first = !copying;
          copying = true;
          if (!first && now() - drawnAt < REDRAW_MS) return;
          const estimate = tracker.estimate(now());
          // rsync repeats its last line; once the whole list is done there is nothing new to say.
          if (estimate.percent === 100 && drawn.includes('100%')) return;
          draw(progressLine(estimate, stream.columns || 80));
          return;
        }
        case 'phase':
          copying = false;
          draw(PHASE_WORDS[event.phase]);
          return;
        case 'snapshot':
          clear();
          stream.write(`Snapshot ${safeName(event.name)}\n`);
          return;
        case 'listing':
          return;
        case 'warning': {
          const line = drawn;
          clear();
          stream.write(`Warning: ${safeText(event.message)}\n`);
          if (line !== '') draw(line);
          return;
        }
      }
    },
    done() {
      clear();
      process.off('exit', onExit);
    },
  };
}
