/**
 * Every distinct version of a file across a prefix's snapshots, with one rsync call for all of
 * them. A version is a run of consecutive snapshots in which the file's type, size and
 * modification time stay the same (hard-linked copies share an inode, which a listing does not
 * show; size and time are what rsync itself compares). A snapshot without the file ends a run.
 */
import type { DestinationContext } from '../destination/ops.js';
import type { Snapshot } from '../destination/snapshot.js';
import type { EntryType, ListedEntry } from './listing.js';
import { locatePaths, missingPath } from './locate.js';
import type { Result } from './result.js';

export interface Version {
  /** The first snapshot that holds this version, and its time. */
  snapshot: string;
  time: Date;
  type: EntryType;
  size: number;
  mtime: Date;
  /** Every snapshot holding this version, oldest first. */
  snapshots: string[];
}

export interface Versions {
  path: string;
  /** Oldest first. */
  versions: Version[];
  /** How many snapshots were searched. */
  searched: number;
}

/** The versions of `path` in `snapshots` (oldest first; normally the prefix's complete ones). */
export async function fileVersions(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  path: string,
  opts: { prefix: string; signal?: AbortSignal },
): Promise<Result<Versions>> {
  const located = await locatePaths(ctx, snapshots, [path], opts.signal);
  if (!located.ok) return located;
  const held = located.value.get(path) ?? new Map<string, ListedEntry>();
  if (held.size === 0) {
    return missingPath(
      ctx,
      snapshots,
      path,
      `the ${snapshots.length} complete snapshots of "${opts.prefix}"`,
      opts.signal,
    );
  }
  return {
    ok: true,
    value: { path, versions: versionRuns(snapshots, held), searched: snapshots.length },
  };
}

/** Groups the snapshots holding a path into runs of the same type, size and time. Pure. */
export function versionRuns(
  snapshots: readonly Snapshot[],
  held: ReadonlyMap<string, ListedEntry>,
): Version[] {
  const versions: Version[] = [];
  let current: Version | null = null;
  for (const s of snapshots) {
    const e = held.get(s.name);
    if (e === undefined) {
      current = null;
      continue;
    }
    const same =
      current !== null &&
      current.type === e.type &&
      current.size === e.size &&
      current.mtime.getTime() === e.mtime.getTime();
    if (same && current !== null) {
      current.snapshots.push(s.name);
      continue;
    }
    current = {
      snapshot: s.name,
      time: s.time,
      type: e.type,
      size: e.size,
      mtime: e.mtime,
      snapshots: [s.name],
    };
    versions.push(current);
  }
  return versions;
}
