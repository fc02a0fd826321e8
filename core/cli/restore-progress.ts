/**
 * Progress of a restore or a verify on a terminal (stderr), drawn as a backup's is
 * (progress-bar.ts): the same line, redrawn a few times a second, cleared at the end. Silent
 * when stderr is not a terminal. Warnings are printed once, with the result.
 */
import { safeName } from '../terminal-text.js';
import { ProgressTracker } from '../backup/progress-estimate.js';
import type { RestoreEvent } from '../restore/restore.js';
import type { VerifyEvent } from '../restore/verify.js';
import { progressLine, REDRAW_MS } from './progress-bar.js';

export interface Reporter<E> {
  onEvent(event: E): void;
  /** Clears the line; call it when the command has ended, whatever the outcome. */
  done(): void;
}

function terminalLine(stream: NodeJS.WriteStream, now: () => number) {
  let drawn = '';
  let drawnAt = -Infinity;
  const clear = () => {
    if (drawn !== '') stream.write('\r\x1b[2K');
    drawn = '';
  };
  // A Ctrl-C that ends the process before the command returns must not leave half a line behind.
  const onExit = () => clear();
  process.once('exit', onExit);
  return {
    draw(text: string) {
      const line = safeName(text).slice(0, Math.max(20, (stream.columns || 80) - 1));
      if (line === drawn) return;
      stream.write(`\r\x1b[2K${line}`);
      drawn = line;
      drawnAt = now();
    },
    clear,
    recently: () => now() - drawnAt < REDRAW_MS,
    done() {
      clear();
      process.off('exit', onExit);
    },
  };
}

export function createRestoreReporter(
  stream: NodeJS.WriteStream,
  now: () => number = () => performance.now(),
): Reporter<RestoreEvent> {
  if (!stream.isTTY) return { onEvent: () => undefined, done: () => undefined };
  const line = terminalLine(stream, now);
  const tracker = new ProgressTracker();
  tracker.plan(null);
  let copying = false;
  return {
    onEvent(event) {
      switch (event.type) {
        case 'phase':
          copying = false;
          line.draw(RESTORE_PHASE_WORDS[event.phase]);
          return;
        case 'snapshot':
          line.clear();
          stream.write(`From ${safeName(event.name)}\n`);
          return;
        case 'progress': {
          tracker.update(event.progress, now());
          const first = !copying;
          copying = true;
          if (!first && line.recently()) return;
          line.draw(progressLine(tracker.estimate(now()), stream.columns || 80));
          return;
        }
        case 'warning':
          return;
      }
    },
    done: () => line.done(),
  };
}

const RESTORE_PHASE_WORDS: Record<Extract<RestoreEvent, { type: 'phase' }>['phase'], string> = {
  locating: 'Finding the snapshot…',
  transferring: 'Listing files…',
  'folder-times': 'Setting the times of the folders…',
};

export function createVerifyReporter(
  stream: NodeJS.WriteStream,
  now: () => number = () => performance.now(),
): Reporter<VerifyEvent> {
  if (!stream.isTTY) return { onEvent: () => undefined, done: () => undefined };
  const line = terminalLine(stream, now);
  return {
    onEvent(event) {
      switch (event.type) {
        case 'phase':
          line.draw(PHASE_WORDS[event.phase]);
          return;
        case 'checked':
          line.draw(
            `Comparing checksums: ${event.done.toLocaleString('en-US')} of ` +
              `${event.total.toLocaleString('en-US')} files`,
          );
          return;
      }
    },
    done: () => line.done(),
  };
}

const PHASE_WORDS: Record<Extract<VerifyEvent, { type: 'phase' }>['phase'], string> = {
  listing: 'Listing the snapshot…',
  comparing: 'Comparing sizes and times with the files here…',
  checking: 'Comparing checksums…',
};
