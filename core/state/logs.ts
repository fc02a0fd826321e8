import { createWriteStream } from 'node:fs';
import { mkdir, readdir, realpath, rm } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { finished } from 'node:stream/promises';

/**
 * Itemized run logs of one profile: `<state dir>/logs/<UTC start, to the millisecond>.log`, e.g.
 * `logs/2026-11-26T030000.123Z.log`. PERSISTED FORMAT: history entries point at these paths and
 * the tray opens them; the names sort by time, and only names of this shape are ever pruned.
 */

const LOGS_DIR = 'logs';
const LOG_NAME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{6}\.\d{3}Z\.log$/;
/** Past this much unwritten output, lines are dropped (and counted) rather than held in memory. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface LogWriter {
  /** Queues one line (a newline is added); never blocks, never throws. */
  write(line: string): void;
  /** Flushes and closes; rejects if the log could not be written (a full disk, say). */
  close(): Promise<void>;
}

/** The log file for a run that started at `startedAt`; runs of one profile never share a millisecond. */
export function logPathFor(dir: string, startedAt: Date): string {
  const iso = startedAt.toISOString(); // 2026-11-26T03:00:00.123Z
  const stamp = `${iso.slice(0, 11)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17)}`;
  return join(dir, LOGS_DIR, `${stamp}.log`);
}

/**
 * A run's log file, only if it really lies in this profile's log folder and is a log: the path
 * comes from the history file, and the desktop's opener would run a .desktop file or a script.
 */
export async function logFileOf(stateDir: string, logPath: string | null): Promise<string | null> {
  if (logPath === null) return null;
  try {
    const [file, folder] = await Promise.all([
      realpath(logPath),
      realpath(join(stateDir, LOGS_DIR)),
    ]);
    return file.startsWith(folder + sep) && file.endsWith('.log') ? file : null;
  } catch {
    return null;
  }
}

/** Opens (or appends to) a log file with mode 0600, creating its folder with mode 0700. */
export async function openLog(path: string): Promise<LogWriter> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  let failure: Error | null = null;
  // Kept for close(): an unhandled stream error would end the whole process.
  stream.on('error', (error) => {
    failure ??= error;
  });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  let dropped = 0;
  let closed = false;

  function write(line: string): void {
    if (closed || failure !== null) return;
    if (stream.writableLength > MAX_BUFFERED_BYTES) {
      dropped += 1;
      return;
    }
    if (dropped > 0) {
      stream.write(droppedNote(dropped));
      dropped = 0;
    }
    stream.write(line + '\n');
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    if (dropped > 0 && failure === null) stream.write(droppedNote(dropped));
    stream.end();
    await finished(stream).catch((error: unknown) => {
      failure ??= error instanceof Error ? error : new Error(String(error));
    });
    if (failure !== null) throw failure;
  }

  return { write, close };
}

function droppedNote(count: number): string {
  return `[snaptray] ${count} lines were not logged here: the disk did not keep up.\n`;
}

/** Deletes all but the newest `keep` logs; returns the deleted file names. Other files stay. */
export async function pruneLogs(dir: string, keep = 50): Promise<string[]> {
  const logsDir = join(dir, LOGS_DIR);
  let names: string[];
  try {
    names = await readdir(logsDir);
  } catch (error) {
    if (error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const logs = names.filter((name) => LOG_NAME_PATTERN.test(name)).sort();
  const doomed = logs.slice(0, Math.max(0, logs.length - Math.max(0, keep)));
  for (const name of doomed) await rm(join(logsDir, name), { force: true });
  return doomed;
}
