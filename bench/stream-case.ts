/**
 * Case 4: captured rsync output, repeated, fed through the line splitter, the progress parser and
 * the log writer as the backup runner does, in chunks that yield to the event loop like a pipe.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineSplitter, parseProgress } from '../core/backup/progress.js';
import { openLog } from '../core/state/logs.js';

const FIXTURES = [
  'rsync-progress2-local.txt',
  'rsync-progress2-changes.txt',
  'rsync-progress2-bwlimit.txt',
];

export interface StreamResult {
  lines: number;
  ms: number;
  linesPerSecond: number;
  progressLines: number;
  loggedLines: number;
  /** Lines the log writer dropped because the disk lagged (it notes them in the log). */
  droppedLines: number;
  rssBeforeMiB: number;
  /** How much the peak grew while the second half of the lines went through. */
  secondHalfGrowthMiB: number;
  peakRssGrowthMiB: number;
  problems: string[];
}

/** Lines in the text by rsync's own breaks (`\r`, `\n`, `\r\n`). */
function countLines(text: string): number {
  return text.split(/\r\n|\r|\n/).length - 1;
}

export async function runStreamCase(lineTarget: number, scratch: string): Promise<StreamResult> {
  const dir = join(import.meta.dirname, '..', 'test', 'fixtures');
  const sample = (await Promise.all(FIXTURES.map((f) => readFile(join(dir, f), 'utf8')))).join('');
  const perSample = countLines(sample);
  const repeats = Math.ceil(lineTarget / perSample);
  const chunkSize = 64 * 1024;
  const logPath = join(scratch, 'logs', 'stream.log');
  const log = await openLog(logPath);
  const splitter = new LineSplitter();
  let lines = 0;
  let progressLines = 0;
  let loggedLines = 0;
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  let peakAtHalf = rssBefore;
  const handle = (batch: string[]) => {
    for (const line of batch) {
      lines++;
      if (parseProgress(line)) {
        progressLines++;
        continue;
      }
      if (line === '') continue;
      log.write(line);
      loggedLines++;
    }
  };
  const started = performance.now();
  for (let r = 0; r < repeats; r++) {
    for (let off = 0; off < sample.length; off += chunkSize) {
      handle(splitter.push(sample.slice(off, off + chunkSize)));
      // A pipe hands over one chunk per event-loop turn; the log stream drains meanwhile.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (r % 16 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    if (r === Math.floor(repeats / 2)) peakAtHalf = peak;
  }
  handle(splitter.end());
  await log.close();
  const ms = performance.now() - started;
  peak = Math.max(peak, process.memoryUsage().rss);

  const written = await readFile(logPath, 'utf8');
  const droppedNotes = [...written.matchAll(/^\[snaptray\] (\d+) lines were not logged/gm)];
  const droppedLines = droppedNotes.reduce((n, m) => n + Number(m[1]), 0);
  const problems: string[] = [];
  const inLog = countLines(written) - droppedNotes.length;
  if (inLog + droppedLines !== loggedLines) {
    problems.push(
      `the log holds ${inLog} lines (+${droppedLines} dropped), ${loggedLines} were written`,
    );
  }
  if (lines !== perSample * repeats) {
    problems.push(`${lines} lines came out of the splitter, ${perSample * repeats} went in`);
  }
  if (progressLines === 0) problems.push('no progress line was recognised');
  const mib = 1024 * 1024;
  return {
    lines,
    ms,
    linesPerSecond: lines / (ms / 1000),
    progressLines,
    loggedLines,
    droppedLines,
    rssBeforeMiB: rssBefore / mib,
    peakRssGrowthMiB: (peak - rssBefore) / mib,
    secondHalfGrowthMiB: (peak - peakAtHalf) / mib,
    problems,
  };
}
