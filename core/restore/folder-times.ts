/**
 * The second, folders-only pass of a restore into a place where something already was. There the
 * restore keeps current files aside with rsync's `--backup --suffix`, and rsync then leaves every
 * folder's time alone ("--backup implies --omit-dir-times unless --backup-dir", its manual says):
 * each restored folder would show the time of the restore, and the next backups would store it.
 *
 * So the same entries are pulled again, folders only, times only:
 *   1. a dry run names the folders here whose time differs from the snapshot's;
 *   2. exactly those folders, and nothing below them, get the snapshot's times: the folder a
 *      restore writes into (`<snapshot>/…/./.`) in a call of its own with everything below it
 *      excluded (rsync would take a name ending in "." as the folder with its contents), the
 *      others named one by one.
 * One recursive call would do on its own, but rsync then also stamps the folder's time on whatever
 * is here in a folder's place (a file, a dangling link; `--ignore-existing` spares their contents,
 * not their times), and without `--ignore-existing` it replaces them with folders.
 * Every call uses `--existing --ignore-existing` (nothing is created, nothing of another kind is
 * replaced) and `-K` (a folder that is a symbolic link here is followed as the restore follows it,
 * never replaced; its own time is set, as rsync sets it). All pull, as the restore does, so a
 * read-only (`rrsync -ro`) key works for them too.
 */
import type { DestinationContext } from '../destination/ops.js';
import type { Target } from './here.js';
import { isWithin, joinPath } from './paths.js';
import { decodeRsyncName, pathText } from './remote-names.js';
import { pull } from './rsync-call.js';

const GUARDS = ['-K', '--existing', '--ignore-existing'];

/** Step 1: which folders would get another time (`.d..t...... name/`), changing nothing. */
export const FOLDER_LIST_OPTIONS: readonly string[] = [
  '-n',
  '-rt',
  ...GUARDS,
  '--include=*/',
  '--exclude=*',
  '--out-format=%i %n',
];

/** Step 2: the named folders only, their times only. */
export const FOLDER_TIMES_OPTIONS: readonly string[] = ['-t', ...GUARDS, '--no-implied-dirs'];

/** Step 2 for the folder written into: rsync never excludes a transfer's own ".". */
const ANCHOR_TIMES_OPTIONS: readonly string[] = [...FOLDER_TIMES_OPTIONS, '--exclude=*'];

const FOLDER_LINE = /^\.d[^ ]{9} (.+)\/$/;
// `rsync: [generator] failed to set times on "/data/x": Operation not permitted (1)`
const ERROR_LINE = /^rsync: (?:\[\w+\] )?.*?"(.+)"(?: failed)?: (.+?)(?: \(\d+\))?$/;

export type FolderTimes =
  | { kind: 'set' }
  | { kind: 'cancelled' }
  /** Folders whose time could not be set, or why none could: said to the user as a warning. */
  | { kind: 'not-set'; warning: string };

/**
 * Sets the times of the folders the snapshot's `entries` hold below `target`. Problems with paths
 * in `reported` (the restore already named them as not restored) are not said twice.
 */
export async function setFolderTimes(
  ctx: DestinationContext,
  target: Target,
  entries: readonly Buffer[],
  reported: readonly string[],
  signal: AbortSignal | undefined,
): Promise<FolderTimes> {
  const problems: string[] = [];
  const onErrorLine = (line: string) => {
    const m = ERROR_LINE.exec(line);
    if (m === null) return;
    const path = shownPath(target, m[1] ?? '');
    if (!reported.some((r) => isWithin(path, r))) problems.push(`${path} (${m[2] ?? ''})`);
  };
  const stopped = () => (signal ?? ctx.signal)?.aborted === true;
  const from = { on: 'destination', folder: ctx.dest.path } as const;

  const differing: Buffer[] = [];
  const listed = await pull(ctx, {
    options: FOLDER_LIST_OPTIONS,
    from,
    to: target.real,
    list: entries,
    signal,
    onLine: (line) => {
      const m = FOLDER_LINE.exec(line);
      const entry = m === null ? null : entryFor(entries, decodeRsyncName(m[1] ?? ''));
      if (entry !== null) differing.push(entry);
    },
    onErrorLine,
  });
  if (listed.cancelled || stopped()) return { kind: 'cancelled' };
  if (!passed(listed.exitCode, problems)) return notSet(problems, listed.stderr, listed.exitCode);
  const anchors = differing.filter(isAnchor);
  const named = differing.filter((e) => !isAnchor(e));
  const calls: Array<[readonly string[], Buffer[]]> = [
    [ANCHOR_TIMES_OPTIONS, anchors],
    [FOLDER_TIMES_OPTIONS, named],
  ];
  for (const [options, list] of calls) {
    if (list.length === 0) continue;
    const set = await pull(ctx, { options, from, to: target.real, list, signal, onErrorLine });
    if (set.cancelled || stopped()) return { kind: 'cancelled' };
    if (!passed(set.exitCode, problems)) return notSet(problems, set.stderr, set.exitCode);
  }
  return { kind: 'set' };
}

/** Exit 23 from problems the restore already reported alone is no new problem. */
function passed(exitCode: number | null, problems: readonly string[]): boolean {
  return exitCode === 0 || exitCode === 24 || (exitCode === 23 && problems.length === 0);
}

function notSet(problems: readonly string[], stderr: string, exitCode: number | null): FolderTimes {
  const what =
    problems.length > 0
      ? `${problems.slice(0, 3).join(', ')}${problems.length > 3 ? ` and ${problems.length - 3} more` : ''}`
      : stderr.trim().split('\n').at(-1) || `rsync exit ${String(exitCode)}`;
  return {
    kind: 'not-set',
    warning:
      'The files were restored, but not every restored folder got its time back, so some show ' +
      `the time of the restore: ${what}. Run the same restore again to set them.`,
  };
}

/**
 * The list entry for a folder rsync printed relative to the transfer's anchor (the `/./` of the
 * entries): the entry whose part below the anchor holds it, or lies below it (a folder made on the
 * way to a file), with that part replaced by the folder's.
 */
function entryFor(entries: readonly Buffer[], name: Buffer): Buffer | null {
  for (const entry of entries) {
    const at = entry.indexOf('/./');
    if (at < 0) continue;
    const anchor = entry.subarray(0, at + 3);
    const rest = entry.subarray(at + 3);
    if (rest.equals(Buffer.from('.')) || within(name, rest) || within(rest, name)) {
      return Buffer.concat([anchor, name]);
    }
  }
  return null;
}

/** Whether an entry names the folder written into itself (`<snapshot>/…/./.`). */
function isAnchor(entry: Buffer): boolean {
  return entry.length >= 4 && entry.subarray(-4).equals(Buffer.from('/./.'));
}

/** Whether the relative path `a` is `b` or lies below it. */
function within(a: Buffer, b: Buffer): boolean {
  return (
    a.equals(b) ||
    (a.length > b.length && a[b.length] === 0x2f && a.subarray(0, b.length).equals(b))
  );
}

/** A path rsync names in an error, as the user names it. */
function shownPath(target: Target, printed: string): string {
  const text = pathText(decodeRsyncName(printed));
  if (target.real !== '' && isWithin(text, target.real)) {
    return joinPath(target.shown, text.slice(target.real === '/' ? 1 : target.real.length + 1));
  }
  return text;
}
