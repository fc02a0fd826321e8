/**
 * "Verify Backups": for files whose size and modification time here equal the snapshot's, compare
 * their content by checksum. rsync does it as a pull that writes nothing (`-n --checksum` from the
 * snapshot to here), so a read-only key works. Equal size and time but different content means
 * the snapshot's copy or the file here changed without a new modification time: disk corruption,
 * or a program that writes and then puts the old time back.
 */
import { lstat } from 'node:fs/promises';
import type { DestinationContext } from '../destination/ops.js';
import { isComplete, type Snapshot } from '../destination/snapshot.js';
import { readTarget, type Target } from './here.js';
import { listEntries } from './listing.js';
import { inSnapshot, locatePaths, splitSnapshotPath } from './locate.js';
import { joinPath } from './paths.js';
import { decodeRsyncName, pathBytes, pathText } from './remote-names.js';
import { pullFailure } from './failure.js';
import type { Result } from './result.js';
import { pull, withEmptyFolder } from './rsync-call.js';

export type VerifyEvent =
  | { type: 'phase'; phase: 'listing' | 'comparing' | 'checking' }
  | { type: 'checked'; done: number; total: number };

export interface VerifyRequest {
  /** What to check (default: the snapshot's sources, or all of it). */
  paths?: readonly string[];
  /** Check this share of the eligible files, chosen at random (1 to 100). */
  samplePercent: number;
  /**
   * The prefix's snapshots (oldest first): given, each damaged file's copies in the others are
   * looked at for a good copy (`damaged`); without them `damaged` stays empty.
   */
  snapshots?: readonly Snapshot[];
  /** A number in [0, 1): the sample's randomness (tests fix it). */
  random?: () => number;
  signal?: AbortSignal;
  onEvent?: (event: VerifyEvent) => void;
}

export interface VerifyResult {
  outcome: 'ok' | 'cancelled';
  snapshot: string;
  paths: string[];
  /** Files in the snapshot whose size and modification time here are the same. */
  eligible: number;
  /** Of those, compared by checksum. */
  checked: number;
  /** Same size and time, different content. */
  mismatched: string[];
  /**
   * For each of `mismatched`, where an intact copy is: hard links make one damaged copy appear in
   * every snapshot that linked it (`sharedBy`, oldest first, this one included). `goodCopy` is the
   * newest copy in another snapshot that is not linked to it (another inode) and whose content
   * equals the file here (by checksum); null when every snapshot holding this version shares the
   * damaged copy (or no other copy matches).
   */
  damaged: DamagedFile[];
  /** Eligible files that could not be compared, and why. */
  unchecked: Array<{ path: string; why: string }>;
}

export interface DamagedFile {
  path: string;
  goodCopy: { snapshot: string; path: string } | null;
  sharedBy: string[];
}

interface Candidate {
  path: string;
  size: number;
  mtime: number;
}

export async function verifySnapshot(
  ctx: DestinationContext,
  snapshot: Snapshot,
  req: VerifyRequest,
): Promise<Result<VerifyResult>> {
  const emit = (e: VerifyEvent) => req.onEvent?.(e);
  const paths = [...(req.paths ?? snapshot.manifest?.sources ?? ['/'])];
  emit({ type: 'phase', phase: 'listing' });
  const files: Candidate[] = [];
  const listed = await listEntries(
    ctx,
    {
      from: { on: 'destination', folder: ctx.dest.path },
      list: paths.map((p) => inSnapshot(snapshot.name, p)),
      recursive: true,
      ignoreMissing: true,
      signal: req.signal,
      what: `Listing ${snapshot.name}`,
    },
    (e) => {
      if (e.type !== 'file') return;
      const { path } = splitSnapshotPath(e.path);
      files.push({ path, size: e.size, mtime: e.mtime.getTime() });
    },
  );
  if (!listed.ok) return listed;

  emit({ type: 'phase', phase: 'comparing' });
  const same = await sameHere(files);
  const chosen = sample(same, req.samplePercent, req.random ?? Math.random);
  const result: VerifyResult = {
    outcome: 'ok',
    snapshot: snapshot.name,
    paths,
    eligible: same.length,
    checked: 0,
    mismatched: [],
    damaged: [],
    unchecked: [],
  };

  emit({ type: 'phase', phase: 'checking' });
  const cache = new Map<string, { anchor: string; real: string } | null>();
  const groups = new Map<string, { target: Target; entries: Buffer[]; paths: string[] }>();
  for (const c of chosen) {
    const target = await readTarget(snapshot.name, c.path, cache);
    if (target === null) {
      result.unchecked.push({ path: c.path, why: 'its folder here cannot be resolved' });
      continue;
    }
    const key = `${target.real}\0${target.shown}`;
    const group = groups.get(key) ?? { target, entries: [], paths: [] };
    group.entries.push(target.entry);
    group.paths.push(c.path);
    groups.set(key, group);
  }
  const total = chosen.length;
  const batch = Math.max(2000, Math.ceil(total / 20));
  let done = result.unchecked.length;
  for (const { target, entries } of groups.values()) {
    for (let i = 0; i < entries.length; i += batch) {
      const part = entries.slice(i, i + batch);
      const checked = await checkBatch(ctx, target, part, req.signal, result);
      if (!checked.ok) return checked;
      if (result.outcome === 'cancelled') return { ok: true, value: result };
      done += part.length;
      emit({ type: 'checked', done, total });
    }
  }
  result.checked = total - result.unchecked.length;
  result.mismatched.sort();
  if (req.snapshots !== undefined && result.mismatched.length > 0) {
    const found = await goodCopies(ctx, snapshot, req.snapshots, result.mismatched, req.signal);
    if (!found.ok) return found;
    if (found.value === null) result.outcome = 'cancelled';
    else result.damaged = found.value;
  }
  return { ok: true, value: result };
}

/**
 * For each damaged file: the snapshots whose copy is the damaged one itself (hard-linked, the same
 * inode: rsync's `-H` names them as links of one another in a dry run, its only way to tell), and
 * the newest other copy of the same version (same size and time) whose content equals the file
 * here. Null when stopped.
 */
async function goodCopies(
  ctx: DestinationContext,
  damagedIn: Snapshot,
  all: readonly Snapshot[],
  paths: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Result<DamagedFile[] | null>> {
  const complete = all.filter((s) => s.name === damagedIn.name || isComplete(s));
  const located = await locatePaths(ctx, complete, paths, signal);
  if (!located.ok) return located;
  // The snapshots holding each path's damaged version: same type, size and time.
  const holders = new Map<string, Snapshot[]>();
  for (const path of paths) {
    const held = located.value.get(path);
    const bad = held?.get(damagedIn.name);
    holders.set(
      path,
      complete.filter((s) => {
        const e = held?.get(s.name);
        return (
          bad !== undefined &&
          e?.type === 'file' &&
          e.size === bad.size &&
          e.mtime.getTime() === bad.mtime.getTime()
        );
      }),
    );
  }
  const linked = await linkGroups(ctx, holders, signal);
  if (!linked.ok) return linked;
  if (linked.value === null) return { ok: true, value: null };
  const groupOf = linked.value;
  const damaged: DamagedFile[] = [];
  for (const path of paths) {
    const copies = holders.get(path) ?? [];
    const badGroup = groupOf.get(entryKey(damagedIn.name, path));
    const sharedBy = copies
      .filter((s) => groupOf.get(entryKey(s.name, path)) === badGroup)
      .map((s) => s.name);
    // One candidate per other copy, its newest snapshot first.
    const seen = new Set<string | undefined>([badGroup]);
    const candidates: Snapshot[] = [];
    for (const s of [...copies].reverse()) {
      const group = groupOf.get(entryKey(s.name, path));
      if (seen.has(group)) continue;
      seen.add(group);
      candidates.push(s);
    }
    let goodCopy: DamagedFile['goodCopy'] = null;
    for (const s of candidates) {
      const same = await sameAsHere(ctx, s, path, signal);
      if (!same.ok) return same;
      if (same.value === null) return { ok: true, value: null };
      if (same.value) {
        goodCopy = { snapshot: s.name, path };
        break;
      }
    }
    damaged.push({ path, goodCopy, sharedBy: sharedBy.length > 0 ? sharedBy : [damagedIn.name] });
  }
  return { ok: true, value: damaged };
}

function entryKey(snapshot: string, path: string): string {
  return `${snapshot}\0${path}`;
}

// `hf+++++++++ c-2/home/x => c-1/home/x`: rsync's -H names a copy as a link of an earlier one.
const LISTED = /^([>ch.*])f[^ ]{9} (.+)$/;

/**
 * Which copies are one file (hard links): each `<snapshot>\0<path>` mapped to a group (the first
 * copy of its inode rsync names). One dry run into an empty folder, for every copy at once.
 */
async function linkGroups(
  ctx: DestinationContext,
  holders: ReadonlyMap<string, readonly Snapshot[]>,
  signal: AbortSignal | undefined,
): Promise<Result<Map<string, string> | null>> {
  const printed = new Map<string, string>();
  const list: Buffer[] = [];
  for (const [path, snapshots] of holders) {
    for (const s of snapshots) {
      const entry = inSnapshot(s.name, path);
      list.push(entry);
      printed.set(pathText(entry), entryKey(s.name, path));
    }
  }
  const groups = new Map<string, string>();
  if (list.length === 0) return { ok: true, value: groups };
  const spawned = await withEmptyFolder(ctx, (empty) =>
    pull(ctx, {
      options: ['-n', '-H', '-l', '--out-format=%i %n%L'],
      from: { on: 'destination', folder: ctx.dest.path },
      to: empty,
      list,
      signal,
      onLine: (line) => {
        const m = LISTED.exec(line);
        if (m === null) return;
        const rest = m[2] ?? '';
        const whole = printed.get(pathText(decodeRsyncName(rest)));
        if (whole !== undefined) {
          if (!groups.has(whole)) groups.set(whole, whole);
          return;
        }
        // `NAME => TARGET`: the names are known, so the split is the one that gives two of them.
        for (let i = rest.indexOf(' => '); i >= 0; i = rest.indexOf(' => ', i + 1)) {
          const name = printed.get(pathText(decodeRsyncName(rest.slice(0, i))));
          const target = printed.get(pathText(decodeRsyncName(rest.slice(i + 4))));
          if (name !== undefined && target !== undefined) {
            groups.set(name, groups.get(target) ?? target);
            return;
          }
        }
      },
    }),
  );
  if (spawned.cancelled || signal?.aborted || ctx.signal?.aborted) return { ok: true, value: null };
  if (spawned.exitCode !== 0 && spawned.exitCode !== 24) {
    return { ok: false, failure: pullFailure(spawned, 'Looking for intact copies', ctx.dest) };
  }
  return { ok: true, value: groups };
}

/** Whether `snapshot`'s copy of `path` has the content of the file here (checksum); null: stopped. */
async function sameAsHere(
  ctx: DestinationContext,
  snapshot: Snapshot,
  path: string,
  signal: AbortSignal | undefined,
): Promise<Result<boolean | null>> {
  const target = await readTarget(snapshot.name, path, new Map());
  if (target === null) return { ok: true, value: false };
  // Unchanged by checksum, size and time, rsync names nothing: any line, or any error, is a no.
  let differs = false;
  const spawned = await pull(ctx, {
    options: ['-n', '--checksum', '-l', '-t', '-K', '--no-implied-dirs', '--out-format=%i %n'],
    from: { on: 'destination', folder: ctx.dest.path },
    to: target.real,
    list: [target.entry],
    signal,
    onLine: (line) => {
      if (ITEM.test(line)) differs = true;
    },
  });
  if (spawned.cancelled || signal?.aborted || ctx.signal?.aborted) return { ok: true, value: null };
  if (spawned.exitCode === 23 || spawned.exitCode === 24) return { ok: true, value: false };
  if (spawned.exitCode !== 0) {
    return { ok: false, failure: pullFailure(spawned, 'Looking for intact copies', ctx.dest) };
  }
  return { ok: true, value: !differs };
}

/** The files whose size and modification time (whole seconds) here equal the snapshot's. */
async function sameHere(files: readonly Candidate[]): Promise<Candidate[]> {
  const out: Candidate[] = [];
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++];
      if (f === undefined) break;
      const st = await lstat(pathBytes(f.path)).catch(() => null);
      if (st?.isFile() && st.size === f.size && Math.floor(st.mtimeMs / 1000) * 1000 === f.mtime) {
        out.push(f);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** `percent` of the files (at least one when there are any), chosen with `random`. */
export function sample<T>(items: readonly T[], percent: number, random: () => number): T[] {
  if (percent >= 100) return [...items];
  const count = Math.min(items.length, Math.max(1, Math.ceil((items.length * percent) / 100)));
  const pool = [...items];
  // A partial Fisher-Yates shuffle: the first `count` places are a uniform sample.
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, items.length === 0 ? 0 : count);
}

// `>fc........ home/ben/report.txt`: the checksum differs; `s` and `t` would mean size or time.
const ITEM = /^[<>ch.*]f(.)(.)(.)[^ ]{6} (.+)$/;
const ERROR_LINE = /^rsync: (?:\[\w+\] )?.*?"(.+)"(?: failed)?: (.+?)(?: \(\d+\))?$/;

async function checkBatch(
  ctx: DestinationContext,
  target: Target,
  entries: Buffer[],
  signal: AbortSignal | undefined,
  result: VerifyResult,
): Promise<Result<null>> {
  const name = (printed: string) => pathText(decodeRsyncName(printed));
  const spawned = await pull(ctx, {
    options: ['-n', '--checksum', '-l', '-t', '-K', '--no-implied-dirs', '--out-format=%i %n'],
    from: { on: 'destination', folder: ctx.dest.path },
    to: target.real,
    list: entries,
    signal,
    onLine: (line) => {
      const m = ITEM.exec(line);
      if (m === null) return;
      const [, checksum, size, time, printed] = m;
      if (checksum === 'c' && size === '.' && time === '.') {
        result.mismatched.push(joinPath(target.shown, name(printed ?? '')));
      }
    },
    onErrorLine: (line) => {
      const m = ERROR_LINE.exec(line);
      if (m === null || /^rsync error:/.test(line)) return;
      const printed = name(m[1] ?? '');
      const path =
        target.real !== '/' && printed.startsWith(`${target.real}/`)
          ? joinPath(target.shown, printed.slice(target.real.length + 1))
          : printed;
      result.unchecked.push({ path, why: m[2] ?? '' });
    },
  });
  if (spawned.cancelled || signal?.aborted || ctx.signal?.aborted) {
    result.outcome = 'cancelled';
    return { ok: true, value: null };
  }
  if (spawned.exitCode === 0 || spawned.exitCode === 23 || spawned.exitCode === 24) {
    return { ok: true, value: null };
  }
  return { ok: false, failure: pullFailure(spawned, 'Verifying', ctx.dest) };
}
