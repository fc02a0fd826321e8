/**
 * Which snapshots hold a path, with one rsync call for any number of snapshots: the list holds
 * `<snapshot>/<path>` for each, `--ignore-missing-args` lets the snapshots without it pass (rrsync
 * aborts the whole call without it), and nothing but the destination folder is on the command
 * line, which stays short for dropbear whatever the count.
 */
import type { DestinationContext } from '../destination/ops.js';
import type { Snapshot } from '../destination/snapshot.js';
import { listEntries, type ListedEntry } from './listing.js';
import { ancestorsOf } from './paths.js';
import { displayPath, joinBytes, shellWord } from './remote-names.js';
import { notFound, type RestoreFailure, type Result } from './result.js';

/** A path inside a snapshot, as a list entry relative to the destination folder. */
export function inSnapshot(snapshot: string, path: string, suffix = ''): Buffer {
  return joinBytes(snapshot, path === '/' ? '' : path.slice(1), suffix);
}

/** Splits a printed `<snapshot>/<path>` back into the two (the path absolute). */
export function splitSnapshotPath(printed: string): { snapshot: string; path: string } {
  const slash = printed.indexOf('/');
  if (slash < 0) return { snapshot: printed, path: '/' };
  return { snapshot: printed.slice(0, slash), path: printed.slice(slash) };
}

/** For each path, the snapshots holding it and what it is there (by snapshot name). */
export type Holdings = Map<string, Map<string, ListedEntry>>;

export async function locatePaths(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  paths: readonly string[],
  signal?: AbortSignal,
): Promise<Result<Holdings>> {
  const holdings: Holdings = new Map(paths.map((p) => [p, new Map()]));
  if (snapshots.length === 0 || paths.length === 0) return { ok: true, value: holdings };
  const listed = await listEntries(
    ctx,
    {
      from: { on: 'destination', folder: ctx.dest.path },
      list: snapshots.flatMap((s) => paths.map((p) => inSnapshot(s.name, p))),
      recursive: false,
      ignoreMissing: true,
      signal,
      what: 'Looking for the path in the snapshots',
    },
    (entry) => {
      const { snapshot, path } = splitSnapshotPath(entry.path);
      holdings.get(path)?.set(snapshot, { ...entry, path });
    },
  );
  return listed.ok ? { ok: true, value: holdings } : listed;
}

export interface Nearest {
  /** The deepest folder above the path that some snapshot holds (`/` when none does). */
  folder: string;
  /** The snapshots holding it, oldest first. */
  snapshots: string[];
}

/** The deepest folder above `path` that any of the snapshots holds. */
export async function nearestFolder(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  path: string,
  signal?: AbortSignal,
): Promise<Result<Nearest>> {
  const ancestors = ancestorsOf(path);
  const located = await locatePaths(ctx, snapshots, ancestors, signal);
  if (!located.ok) return located;
  for (const folder of ancestors) {
    const held = located.value.get(folder);
    const names = snapshots.filter((s) => held?.get(s.name)?.type === 'dir').map((s) => s.name);
    if (names.length > 0) return { ok: true, value: { folder, snapshots: names } };
  }
  return { ok: true, value: { folder: '/', snapshots: snapshots.map((s) => s.name) } };
}

/**
 * The failure for a path that none of `searched` holds, naming the nearest folder that is there;
 * `where` says what was searched when it is more than one snapshot ("the 12 snapshots of …").
 */
export async function missingPath(
  ctx: DestinationContext,
  searched: readonly Snapshot[],
  path: string,
  where: string,
  signal?: AbortSignal,
): Promise<{ ok: false; failure: RestoreFailure }> {
  const shown = displayPath(path);
  const only = searched.length === 1 ? searched[0] : undefined;
  if (searched.length === 0)
    return notFound(`"${shown}" cannot be looked for: ${where} holds no snapshot.`);
  const nearest = await nearestFolder(ctx, searched, path, signal);
  if (!nearest.ok) return nearest;
  const { folder, snapshots } = nearest.value;
  const newest = snapshots.at(-1) ?? '';
  const held =
    only !== undefined
      ? ''
      : ` (in ${snapshots.length === searched.length ? 'all of them' : `${snapshots.length} of them`}, the newest ${newest})`;
  const hint =
    folder === '/'
      ? ` No folder above it is there either; "snaptray ls ${newest}" shows what ${only ? 'it' : 'a snapshot'} holds.`
      : ` The nearest folder that is: ${displayPath(folder)}${held}; "snaptray ls ${newest} ${shellWord(displayPath(folder))}" lists it.`;
  const what = only !== undefined ? `is not in ${only.name}` : `is in none of ${where}`;
  return notFound(`"${shown}" ${what}.${hint}`);
}
