/**
 * What changed between two snapshots, or between a snapshot and this machine now: added,
 * changed and deleted paths, with sizes. A file changed when its type, size or modification time
 * differs (what rsync compares; content with the same size and time is not read). A folder is
 * never "changed" by its own time, only added or deleted.
 */
import type { DestinationContext } from '../destination/ops.js';
import type { Snapshot } from '../destination/snapshot.js';
import { listEntries, type EntryType, type ListedEntry } from './listing.js';
import { inSnapshot, splitSnapshotPath } from './locate.js';
import { pathBytes } from './remote-names.js';
import type { Result } from './result.js';

export interface DiffItem {
  path: string;
  type: EntryType;
  size: number;
  mtime: Date;
}

export interface DiffChange {
  path: string;
  before: Omit<DiffItem, 'path'>;
  after: Omit<DiffItem, 'path'>;
}

export interface Diff {
  older: string;
  /** A snapshot's name, or "now" for this machine. */
  newer: string;
  /** The folders (or files) compared. */
  paths: string[];
  added: DiffItem[];
  changed: DiffChange[];
  deleted: DiffItem[];
  /** What could not be read on this machine (permissions), in rsync's words. */
  warnings: string[];
}

type Meta = Omit<DiffItem, 'path'>;

/** Both sides of each path as they are listed; one map, so each path is held once. */
class Sides {
  readonly byPath = new Map<string, { a?: Meta; b?: Meta }>();

  add(side: 'a' | 'b', path: string, e: ListedEntry): void {
    const meta: Meta = { type: e.type, size: e.size, mtime: e.mtime };
    const known = this.byPath.get(path);
    if (known === undefined) this.byPath.set(path, { [side]: meta });
    else known[side] = meta;
  }
}

/** Added, changed and deleted from both sides' listings. Pure. */
export function compareSides(
  sides: ReadonlyMap<string, { a?: Meta; b?: Meta }>,
): Pick<Diff, 'added' | 'changed' | 'deleted'> {
  const added: DiffItem[] = [];
  const changed: DiffChange[] = [];
  const deleted: DiffItem[] = [];
  for (const [path, { a, b }] of sides) {
    if (a === undefined && b !== undefined) added.push({ path, ...b });
    else if (b === undefined && a !== undefined) deleted.push({ path, ...a });
    else if (a !== undefined && b !== undefined && differs(a, b)) {
      changed.push({ path, before: a, after: b });
    }
  }
  const byPath = (x: { path: string }, y: { path: string }) =>
    x.path < y.path ? -1 : x.path > y.path ? 1 : 0;
  return {
    added: added.sort(byPath),
    changed: changed.sort(byPath),
    deleted: deleted.sort(byPath),
  };
}

function differs(a: Meta, b: Meta): boolean {
  if (a.type !== b.type) return true;
  if (a.type === 'dir') return false;
  return a.size !== b.size || a.mtime.getTime() !== b.mtime.getTime();
}

/** Two snapshots compared below `path` (`/`: all of them), with one rsync call. */
export async function diffSnapshots(
  ctx: DestinationContext,
  older: Snapshot,
  newer: Snapshot,
  path: string,
  opts: { signal?: AbortSignal } = {},
): Promise<Result<Diff>> {
  const sides = new Sides();
  const listed = await listEntries(
    ctx,
    {
      from: { on: 'destination', folder: ctx.dest.path },
      list: [inSnapshot(older.name, path), inSnapshot(newer.name, path)],
      recursive: true,
      ignoreMissing: true,
      signal: opts.signal,
      what: `Comparing ${older.name} and ${newer.name}`,
    },
    (e) => {
      const where = splitSnapshotPath(e.path);
      if (where.snapshot === older.name) sides.add('a', where.path, e);
      else if (where.snapshot === newer.name) sides.add('b', where.path, e);
    },
  );
  if (!listed.ok) return listed;
  return {
    ok: true,
    value: {
      older: older.name,
      newer: newer.name,
      paths: [path],
      ...compareSides(sides.byPath),
      warnings: [],
    },
  };
}

/**
 * A snapshot compared with this machine now, below each of `paths` (the snapshot's sources when
 * none is named). `excludes` are the profile's patterns, so that what backups leave out is not
 * reported as added.
 */
export async function diffWithNow(
  ctx: DestinationContext,
  snapshot: Snapshot,
  paths: readonly string[],
  opts: { excludes: readonly string[]; signal?: AbortSignal },
): Promise<Result<Diff>> {
  const sides = new Sides();
  const then = await listEntries(
    ctx,
    {
      from: { on: 'destination', folder: ctx.dest.path },
      list: paths.map((p) => inSnapshot(snapshot.name, p)),
      recursive: true,
      ignoreMissing: true,
      signal: opts.signal,
      what: `Listing ${snapshot.name}`,
    },
    (e) => {
      const where = splitSnapshotPath(e.path);
      if (where.snapshot === snapshot.name) sides.add('a', where.path, e);
    },
  );
  if (!then.ok) return then;
  const now = await listEntries(
    ctx,
    {
      from: { on: 'here', folder: '/' },
      list: paths.map((p) => (p === '/' ? Buffer.from('.') : pathBytes(p.slice(1)))),
      recursive: true,
      ignoreMissing: true,
      filters: opts.excludes.map((x) => `--exclude=${x}`),
      signal: opts.signal,
      what: 'Listing the files here',
    },
    (e) => sides.add('b', e.path === '.' ? '/' : `/${e.path}`, e),
  );
  if (!now.ok) return now;
  return {
    ok: true,
    value: {
      older: snapshot.name,
      newer: 'now',
      paths: [...paths],
      ...compareSides(sides.byPath),
      warnings: now.value.warnings,
    },
  };
}
