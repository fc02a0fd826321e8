/**
 * Listing files in snapshots (or on this machine) with one rsync dry run: the entries to list go
 * in a `--files-from` list, rsync pulls them into an empty folder with `-n`, and prints one line
 * per item, `%i %l %M %n`: its itemized kind, size, modification time and name. This works the
 * same through an `rrsync -ro` key, with any number of snapshots in one call, and never puts a
 * name on the command line.
 *
 * `--files-from` implies `--relative`: each name is printed as it appears in the list, below the
 * list's folder. An entry `a/./b` prints only `b…` (the `/./` marks where the printed part
 * begins); an entry ending in `/.` lists a folder's contents (with `-d`) or a file itself.
 */
import { pathText, decodeRsyncName } from './remote-names.js';
import { pullFailure } from './failure.js';
import type { Result } from './result.js';
import { pull, withEmptyFolder, type PullCall } from './rsync-call.js';
import type { DestinationContext } from '../destination/ops.js';

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface ListedEntry {
  /** Path text of the item relative to the list's folder, without a trailing `/`. */
  path: string;
  type: EntryType;
  /** Bytes (a symlink's: the length of its target). */
  size: number;
  /** Whole seconds, as rsync compares them. */
  mtime: Date;
}

// `>f+++++++++ 1234 2026/11/29-10:15:00 home/ben/report.txt`, the time in UTC (rsync-call.ts).
const LINE = /^[<>ch.*]([fdLDS])[^ ]{9} (\d+) (\d{4})\/(\d\d)\/(\d\d)-(\d\d):(\d\d):(\d\d) (.+)$/;

const TYPES: Record<string, EntryType> = {
  f: 'file',
  d: 'dir',
  L: 'symlink',
  D: 'other',
  S: 'other',
};

/** One `%i %l %M %n` line, or null for any other line. */
export function parseListLine(line: string): ListedEntry | null {
  const m = LINE.exec(line);
  if (m === null) return null;
  const [, kind, size, year, month, day, hour, minute, second, name] = m;
  let printed = name ?? '';
  if (printed.endsWith('/')) printed = printed.slice(0, -1);
  return {
    path: pathText(decodeRsyncName(printed)),
    type: TYPES[kind ?? 'f'] ?? 'other',
    size: Number(size),
    mtime: new Date(
      Date.UTC(
        Number(year),
        Number(month) - 1,
        Number(day),
        Number(hour),
        Number(minute),
        Number(second),
      ),
    ),
  };
}

export interface ListRequest {
  from: PullCall['from'];
  list: readonly Buffer[];
  /** Recurse into folders (`-r`); otherwise list each entry (or, for `dir/.`, its contents). */
  recursive: boolean;
  /** Entries missing in some snapshots are expected (versions, locating a path). */
  ignoreMissing?: boolean;
  /** rsync filter rules (`--include=…`, `--exclude=…`), applied below the listed entries. */
  filters?: readonly string[];
  signal?: AbortSignal;
  /** What the failure message calls this listing. */
  what: string;
}

export interface ListOutcome {
  /** Items rsync could not read (on this machine: permissions), in its words. */
  warnings: string[];
}

/** Lists, calling `onEntry` for each item as rsync prints it (nothing is kept here). */
export async function listEntries(
  ctx: DestinationContext,
  req: ListRequest,
  onEntry: (entry: ListedEntry) => void,
): Promise<Result<ListOutcome>> {
  const warnings: string[] = [];
  const result = await withEmptyFolder(ctx, (empty) =>
    pull(ctx, {
      options: [
        '-n',
        '-l',
        '-D',
        req.recursive ? '-r' : '-d',
        '--no-implied-dirs',
        ...(req.ignoreMissing === true ? ['--ignore-missing-args'] : []),
        '--out-format=%i %l %M %n',
        ...(req.filters ?? []),
      ],
      from: req.from,
      to: empty,
      list: req.list,
      signal: req.signal,
      onLine: (line) => {
        const entry = parseListLine(line);
        if (entry !== null) onEntry(entry);
      },
      onErrorLine: (line) => {
        if (MISSING.test(line)) return;
        if (line.startsWith('rsync: ')) warnings.push(line);
      },
    }),
  );
  if (result.exitCode === 0 || result.exitCode === 24) return { ok: true, value: { warnings } };
  if (result.exitCode === 23 && !result.cancelled) return { ok: true, value: { warnings } };
  return { ok: false, failure: pullFailure(result, req.what, ctx.dest) };
}

/** Collects a listing into an array. */
export async function listAll(
  ctx: DestinationContext,
  req: ListRequest,
): Promise<Result<{ entries: ListedEntry[]; warnings: string[] }>> {
  const entries: ListedEntry[] = [];
  const listed = await listEntries(ctx, req, (e) => entries.push(e));
  return listed.ok ? { ok: true, value: { entries, warnings: listed.value.warnings } } : listed;
}

/** An entry that is simply not there (in this snapshot, or a file where a folder was). */
const MISSING = /link_stat ".*" failed: (?:No such file or directory|Not a directory) \(\d+\)$/;
