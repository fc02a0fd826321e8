/**
 * One folder of one snapshot at a time, for `snaptray ls` and for browsing in the Backups window:
 * never the whole snapshot at once.
 */
import type { DestinationContext } from '../destination/ops.js';
import type { Snapshot } from '../destination/snapshot.js';
import { listEntries, type EntryType } from './listing.js';
import { inSnapshot, missingPath, splitSnapshotPath } from './locate.js';
import { baseName } from './paths.js';
import type { Result } from './result.js';

export interface FolderEntry {
  name: string;
  type: EntryType;
  size: number;
  mtime: Date;
}

export interface Folder {
  snapshot: string;
  path: string;
  /** What `path` is in the snapshot: a folder lists its entries, anything else only itself. */
  type: EntryType;
  /** Sorted by name. */
  entries: FolderEntry[];
}

export async function listFolder(
  ctx: DestinationContext,
  snapshot: Snapshot,
  path: string,
  opts: { signal?: AbortSignal } = {},
): Promise<Result<Folder>> {
  let self: FolderEntry | null = null;
  const entries: FolderEntry[] = [];
  const listed = await listEntries(
    ctx,
    {
      from: { on: 'destination', folder: ctx.dest.path },
      // `dir/.` lists the folder's contents (and the folder); a file's `file/.` is the file.
      list: [inSnapshot(snapshot.name, path, '.')],
      recursive: false,
      ignoreMissing: true,
      signal: opts.signal,
      what: `Listing ${path} in ${snapshot.name}`,
    },
    (e) => {
      const where = splitSnapshotPath(e.path).path;
      const entry = { name: baseName(where), type: e.type, size: e.size, mtime: e.mtime };
      if (where === path) self = entry;
      else entries.push(entry);
    },
  );
  if (!listed.ok) return listed;
  const found = self as FolderEntry | null;
  if (found === null) {
    return missingPath(ctx, [snapshot], path, snapshot.name, opts.signal);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    ok: true,
    value: {
      snapshot: snapshot.name,
      path,
      type: found.type,
      entries: found.type === 'dir' ? entries : [found],
    },
  };
}
