import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The run history of one profile: `<state dir>/history.jsonl`, one JSON object per line, oldest
 * first. PERSISTED FORMAT: the CLI appends, the tray reads (and appends); add fields freely,
 * never change or remove them. Readers skip lines they cannot read.
 */

const HISTORY_NAME = 'history.jsonl';
/** How much of the file's end to read at a time when only the last entries are wanted. */
const TAIL_CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

export type HistoryOutcome = 'ok' | 'partial' | 'failed' | 'cancelled' | 'locked' | 'paused';

export interface HistoryEntry {
  profile: string;
  startedAt: string;
  endedAt: string;
  outcome: HistoryOutcome;
  exitCode: number;
  rsyncExitCode: number | null;
  files: number | null;
  bytesSent: number | null;
  snapshot: string | null;
  logPath: string | null;
  error: { kind: string; message: string } | null;
  warnings: string[];
  /** Who started the run; lines written before this field existed have none. */
  source?: 'cli' | 'tray';
  /** The snapshots the run deleted, each with why; missing when it deleted none. */
  deleted?: { name: string; reason: string }[];
  /**
   * Set when the run was not the profile's own backup but a one-off (the command line named
   * another destination, prefix or sources): where it went. A one-off is kept in the history
   * for the record, but it is not the profile's last run or last backup (`profileRuns`).
   */
  oneOff?: OneOffTarget;
}

/** Where a one-off run went. Fields a line lacks (written by a later version) read as null. */
export interface OneOffTarget {
  destination: string | null;
  prefix: string | null;
  sources: string[] | null;
}

/**
 * Any object (or `true`) marks a one-off: a line a later version wrote with a richer marking must
 * still keep that run out of the profile's schedule, so unreadable parts read as null.
 */
const oneOffSchema = z.preprocess(
  (v) =>
    v === undefined || v === null || v === false ? undefined : typeof v === 'object' ? v : {},
  z
    .object({
      destination: z.string().nullable().catch(null).default(null),
      prefix: z.string().nullable().catch(null).default(null),
      sources: z.array(z.string()).nullable().catch(null).default(null),
    })
    .optional(),
);

const historyEntrySchema = z.object({
  profile: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  outcome: z.enum(['ok', 'partial', 'failed', 'cancelled', 'locked', 'paused']),
  exitCode: z.number().int(),
  rsyncExitCode: z.number().int().nullable(),
  files: z.number().nullable(),
  bytesSent: z.number().nullable(),
  snapshot: z.string().nullable(),
  logPath: z.string().nullable(),
  error: z.object({ kind: z.string(), message: z.string() }).nullable(),
  warnings: z.array(z.string()),
  // A source a later version adds reads as unknown rather than hiding the whole run.
  source: z.enum(['cli', 'tray']).optional().catch(undefined),
  deleted: z
    .array(z.object({ name: z.string(), reason: z.string() }))
    .optional()
    .catch(undefined),
  oneOff: oneOffSchema,
}) as z.ZodType<HistoryEntry>;

/**
 * The runs that are the profile's own: one-offs left out. Its schedule, status, overdue clock,
 * the tray's last backup and its log read only these; the History page shows every run.
 */
export function profileRuns(history: readonly HistoryEntry[]): HistoryEntry[] {
  return history.filter((e) => e.oneOff === undefined);
}

/**
 * Appends one entry as one line, in one write(2) on an O_APPEND file, so lines from processes
 * appending at once do not interleave (appendFile would split lines over 512 KiB in several).
 */
export async function appendHistory(dir: string, entry: HistoryEntry): Promise<void> {
  const path = join(dir, HISTORY_NAME);
  // A line torn by a crash or a full disk would swallow this one: end it first.
  const lead = (await endsMidLine(path)) ? '\n' : '';
  const line = Buffer.from(lead + JSON.stringify(entry) + '\n', 'utf8');
  const handle = await open(path, 'a', 0o600);
  try {
    let written = 0;
    // Only a full disk or a signal makes a short write; finish the line rather than tear it.
    while (written < line.length) {
      written += (await handle.write(line, written)).bytesWritten;
    }
  } finally {
    await handle.close();
  }
}

/**
 * The entries, oldest first; with `last`, only the newest `last` of them, read from the end of
 * the file so that a history of many years costs no more than a short one.
 */
export async function readHistory(
  dir: string,
  opts: { last?: number } = {},
): Promise<HistoryEntry[]> {
  const path = join(dir, HISTORY_NAME);
  try {
    if (opts.last === undefined) return parseHistory(await readFile(path));
    return await readTail(path, Math.max(0, Math.floor(opts.last)));
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return [];
    throw error;
  }
}

/** Every readable entry of a history file's content; torn and garbage lines are skipped. */
export function parseHistory(content: Buffer | string): HistoryEntry[] {
  const text = typeof content === 'string' ? content : content.toString('utf8');
  const entries: HistoryEntry[] = [];
  for (const line of text.split('\n')) {
    const entry = parseLine(line);
    if (entry !== null) entries.push(entry);
  }
  return entries;
}

function parseLine(line: string): HistoryEntry | null {
  const trimmed = line.trim();
  if (trimmed === '') return null;
  try {
    const result = historyEntrySchema.safeParse(JSON.parse(trimmed));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

/** Reads backwards chunk by chunk until `last` readable entries are found or the start is hit. */
async function readTail(path: string, last: number): Promise<HistoryEntry[]> {
  if (last === 0) return [];
  const handle = await open(path, 'r');
  try {
    const newestFirst: HistoryEntry[] = [];
    let position = (await handle.stat()).size;
    // Bytes after `position` not yet split into lines: the start of the earliest line seen.
    let carry = Buffer.alloc(0);
    while (position > 0 && newestFirst.length < last) {
      const start = Math.max(0, position - TAIL_CHUNK);
      const chunk = Buffer.alloc(position - start);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, start);
      position = start;
      const buffer = Buffer.concat([chunk.subarray(0, bytesRead), carry]);
      // A newline byte never occurs inside a multi-byte UTF-8 character, so splitting bytes is safe.
      let end = buffer.length;
      for (
        let cut = buffer.lastIndexOf(NEWLINE, end - 1);
        cut >= 0 && newestFirst.length < last;
        cut = buffer.lastIndexOf(NEWLINE, end - 1)
      ) {
        const entry = parseLine(buffer.subarray(cut + 1, end).toString('utf8'));
        if (entry !== null) newestFirst.push(entry);
        end = cut;
        if (end === 0) break;
      }
      carry = buffer.subarray(0, end);
    }
    if (position === 0 && newestFirst.length < last) {
      const entry = parseLine(carry.toString('utf8'));
      if (entry !== null) newestFirst.push(entry);
    }
    return newestFirst.reverse();
  } finally {
    await handle.close();
  }
}

async function endsMidLine(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return false;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, size - 1);
    return byte[0] !== NEWLINE;
  } finally {
    await handle.close();
  }
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
