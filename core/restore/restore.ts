/**
 * Getting files back: files or folders of a snapshot pulled to their original place (or into
 * another folder), with progress and cancel. Nothing is overwritten silently: a file here that
 * differs from the snapshot's is first renamed beside itself (`report.txt.before-restore-<time>`,
 * rsync's own `--backup`, so no name is ever handled outside rsync); files here that the snapshot
 * lacks are left alone; a symlinked folder here is followed, never replaced (here.ts), but only
 * when it is the user's own: a link that may have come from a snapshot is never written through
 * (links.ts), and inside the restored tree a link is restored as a link (rsync's own rule); stopped
 * midway, rsync leaves no half-written file under its final name. Folders keep the snapshot's
 * times wherever they are restored (folder-times.ts).
 */
import { isUtf8 } from 'node:buffer';
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { EVERY_HOME } from '../backup/own-files.js';
import { parseProgress, type Progress } from '../backup/progress.js';
import type { DestinationContext } from '../destination/ops.js';
import type { Snapshot } from '../destination/snapshot.js';
import { snapshotCaveat } from './choose.js';
import { pullFailure } from './failure.js';
import { setFolderTimes } from './folder-times.js';
import { checkInto } from './into.js';
import { restoreKeepingBoth } from './keep-both.js';
import { deepestFolder, linkBetween, linkTarget, restoreTarget, type Target } from './here.js';
import { linksFromSnapshots } from './links.js';
import { modesOf, ownershipArgs, ownershipOf } from './ownership.js';
import { baseName, below, isWithin, joinPath } from './paths.js';
import { decodeRsyncName, displayPath, joinBytes, pathBytes, pathText } from './remote-names.js';
import { notFound, type RestoreFailure, type Result } from './result.js';
import { restoreSource } from './source.js';
import { pull, withEmptyFolder } from './rsync-call.js';

export type RestoreEvent =
  /** `folder-times`: the second pass, which sends no file (folder-times.ts). */
  | { type: 'phase'; phase: 'locating' | 'transferring' | 'folder-times' }
  | { type: 'snapshot'; name: string }
  | { type: 'progress'; progress: Progress }
  | { type: 'warning'; message: string };

/** What a restore does where something here differs from the snapshot's (RestoreRequest). */
export type ConflictChoice = 'replace' | 'keep-both';

export interface RestoreRequest {
  /** Absolute paths as they were backed up, in path text. */
  paths: readonly string[];
  /** A snapshot by name, or the newest complete one holding every path (before a time). */
  from: { snapshot: string } | { before: Date | null };
  /** A folder here to restore into (each path's last component is created in it); null: in place. */
  to: string | null;
  /**
   * The one folder here that receives the one path's contents, whatever its name (into.ts); it
   * takes the path's place, so `to` is then null.
   */
  into?: string | null;
  /** Bring back only what is missing here. */
  missingOnly: boolean;
  /**
   * What happens where something here differs from the snapshot's: `replace` (the default) keeps
   * the current file aside (`NAME.before-restore-TIME`) and writes the snapshot's in its place;
   * `keep-both` leaves the current one untouched and writes the snapshot's version beside it, under
   * a name that says what it is (`report (restored from 2026-12-01 00.42).txt`; keep-both.ts).
   * Where nothing differs, or nothing is here, both restore as usual.
   */
  conflicts?: ConflictChoice;
  dryRun: boolean;
  /** Whether this process runs as root (only root restores owners). */
  asRoot: boolean;
  /** For the kept-aside names. */
  now: Date;
  /**
   * Whether someone watches the progress. Unwatched, rsync reports no progress, and a restore into
   * a place where nothing is yet reads rsync's totals instead of a line per file: on a machine
   * with few cores, reading 10,000 lines costs the transfer a noticeable share of its time.
   */
  watched: boolean;
  prefix: string;
  /** The profile's rsync options that a restore honours. */
  options?: { acls: boolean; xattrs: boolean };
  /**
   * False when the destination's marker says its disk keeps no file modes: snapshots whose
   * manifests predate the `modes` field are then restored without modes or owners.
   */
  diskKeepsModes?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: RestoreEvent) => void;
}

export interface RestoreResult {
  outcome: 'ok' | 'partial' | 'cancelled';
  snapshot: string;
  /**
   * Where each path went (or would go). `keptBoth`: something different was here, left as it is,
   * and the snapshot's version went beside it, to `to` (a new name).
   */
  placed: Array<{ path: string; to: string; keptBoth: boolean }>;
  /** Files (and symlinks, devices) written. */
  restored: number;
  /** Files here that differed and were renamed beside themselves first. */
  keptAside: Array<{ path: string; keptAs: string }>;
  /** What was not restored, and why. */
  skipped: Array<{ path: string; why: string }>;
  dryRun: boolean;
  restoresOwners: boolean;
  /** False for a snapshot on a disk that kept no modes: restored files got private ones. */
  restoresModes: boolean;
  warnings: string[];
}

export async function restorePaths(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  req: RestoreRequest,
): Promise<Result<RestoreResult>> {
  if (req.conflicts === 'keep-both') return restoreKeepingBoth(ctx, snapshots, req, restorePaths);
  const emit = (e: RestoreEvent) => req.onEvent?.(e);
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    emit({ type: 'warning', message });
  };
  const paths = outermost(req.paths);
  if (paths.length === 0) return notFound('Name at least one path to restore.');

  emit({ type: 'phase', phase: 'locating' });
  const chosen = await restoreSource(ctx, snapshots, paths, req);
  if (!chosen.ok) return chosen;
  const { snapshot, holdings } = chosen.value;
  emit({ type: 'snapshot', name: snapshot.name });
  const into = req.into ?? null;
  let intoState: 'missing' | 'empty' | 'holds-files' | null = null;
  if (into !== null) {
    const path = paths[0] ?? '/';
    if (paths.length !== 1 || req.to !== null) {
      return refused('--into takes exactly one path, and no --to.');
    }
    const checked = await checkInto(
      path,
      holdings.get(path)?.get(snapshot.name),
      snapshot.name,
      into,
      req.missingOnly,
    );
    if (!checked.ok) return refused(checked.message);
    intoState = checked.state;
    // As for --to: the folder is made, or written into, only below the user's own links.
    const way = await deepestFolder(into);
    if (!way.ok) return refused(way.message);
    const throughLink = await refuseLinksFromSnapshots(ctx, snapshots, way.links, req.signal);
    if (throughLink !== null) return throughLink;
    if (intoState === 'missing' && !req.dryRun) {
      await mkdir(pathBytes(into), { recursive: true });
    }
  }
  const caveat = snapshotCaveat(snapshot);
  if (caveat !== null) warn(caveat);

  const owners = ownershipArgs(
    ownershipOf(snapshot),
    req.asRoot,
    ctx.dest.kind,
    modesOf(snapshot, req.diskKeepsModes !== false),
  );
  if (owners.note !== null) warn(owners.note);

  // Folders to restore into are made first, so that each path lands below a real folder: not
  // through a link that may have come from a snapshot.
  const toMissing = req.to !== null && !(await exists(pathBytes(req.to)));
  if (req.to !== null) {
    const way = await deepestFolder(req.to);
    if (!way.ok) return { ok: false, failure: { kind: 'refused', message: way.message } };
    const throughLink = await refuseLinksFromSnapshots(ctx, snapshots, way.links, req.signal);
    if (throughLink !== null) return throughLink;
  }
  if (req.to !== null && toMissing && !req.dryRun) {
    await mkdir(pathBytes(req.to), { recursive: true });
  }
  const groups = new Map<string, Group>();
  const placed: RestoreResult['placed'] = [];
  for (const path of paths) {
    const entry = holdings.get(path)?.get(snapshot.name);
    const local = into ?? (req.to === null ? path : joinPath(req.to, baseName(path)));
    const isFolder = entry?.type === 'dir';
    const resolved =
      intoState === 'missing' && req.dryRun
        ? dryIntoTarget(snapshot.name, path, local)
        : req.to !== null && toMissing && req.dryRun
          ? dryTarget(snapshot.name, path, req.to)
          : await restoreTarget(snapshot.name, path, local, isFolder);
    if (!resolved.ok) return refused(resolved.message);
    const key = `${resolved.target.real}\0${resolved.target.shown}`;
    const group = groups.get(key) ?? {
      target: resolved.target,
      entries: [],
      replaces: false,
      folders: false,
    };
    group.entries.push(resolved.target.entry);
    // A folder of the snapshot, or a file whose folders are made on its way here.
    group.folders ||= isFolder || below(local, resolved.target.shown).includes('/');
    // Where nothing is here yet, nothing can be kept aside: rsync's --backup is left out, which
    // saves it a look for a file to rename at every file it writes.
    if (!group.replaces) {
      group.replaces =
        intoState === null ? await exists(pathBytes(local)) : intoState === 'holds-files';
    }
    groups.set(key, group);
    placed.push({ path, to: local, keptBoth: false });
  }
  const links = [...groups.values()].flatMap((g) => g.target.links);
  const throughLink = await refuseLinksFromSnapshots(ctx, snapshots, links, req.signal);
  if (throughLink !== null) return throughLink;

  // A local restore with fake-super names its entries as arguments (rsync-call.ts), which must be UTF-8.
  const named = [...groups.values()].flatMap((g) => g.entries);
  if (owners.args.some((a) => a.startsWith('-M')) && named.some((e) => !isUtf8(e))) {
    return {
      ok: false,
      failure: {
        kind: 'refused',
        message:
          'A path whose name is not UTF-8 cannot be restored with its owners from a local ' +
          'destination by itself; restore the folder that holds it.',
      },
    };
  }
  const suffix = await freeSuffix(
    req.now,
    placed.map((p) => p.to),
  );
  const result: RestoreResult = {
    outcome: 'ok',
    snapshot: snapshot.name,
    placed,
    restored: 0,
    keptAside: [],
    skipped: [],
    dryRun: req.dryRun,
    restoresOwners: owners.restoresOwners,
    restoresModes: owners.restoresModes,
    warnings,
  };
  emit({ type: 'phase', phase: 'transferring' });
  for (const { target, entries, replaces, folders } of groups.values()) {
    // Only links that were here before the restore are followed: an earlier part of this one may
    // have put a link where a folder on the way to this part was.
    if (target.real !== '' && (await realpath(target.real).catch(() => null)) !== target.real) {
      result.outcome = 'partial';
      result.skipped.push({
        path: target.shown,
        why: 'a folder on its way changed during this restore; restore it again by itself',
      });
      continue;
    }
    const keepAside = replaces ? suffix : null;
    const done = await transfer(
      ctx,
      snapshots,
      target,
      entries,
      keepAside,
      owners.args,
      req,
      result,
      emit,
    );
    if (!done.ok) return done;
    if (result.outcome === 'cancelled') break;
    // Keeping files aside makes rsync leave folder times alone: a second pass sets them.
    if (keepAside !== null && folders && !req.dryRun) {
      emit({ type: 'phase', phase: 'folder-times' });
      const reported = result.skipped.map((s) => s.path);
      const times = await setFolderTimes(ctx, target, entries, reported, req.signal);
      if (times.kind === 'cancelled') {
        result.outcome = 'cancelled';
        break;
      }
      if (times.kind === 'not-set') warn(times.warning);
    }
  }
  return { ok: true, value: result };
}

interface Group {
  target: Target;
  entries: Buffer[];
  /** Something is here already where one of the entries goes: it may be kept aside. */
  replaces: boolean;
  /** The entries hold folders (restored, or made on the way to a file). */
  folders: boolean;
}

/**
 * The refusal for a restore whose way passes a link that a snapshot holds too (links.ts), naming
 * where the link points; null when every link on the way is the user's own.
 */
async function refuseLinksFromSnapshots(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  links: readonly string[],
  signal?: AbortSignal,
): Promise<{ ok: false; failure: RestoreFailure } | null> {
  const held = await linksFromSnapshots(ctx, snapshots, links, signal);
  if (!held.ok) return held;
  const [link, snapshot] = [...held.value][0] ?? [];
  if (link === undefined || snapshot === undefined) return null;
  return {
    ok: false,
    failure: {
      kind: 'refused',
      message:
        `${displayPath(link)} is a symbolic link here to ${await linkTarget(link)}, and the ` +
        `snapshot ${snapshot} holds a link in its place: it may have come from a restore, and a ` +
        'restore never writes through a link it may have made. Restore elsewhere with --to DIR; ' +
        'if you made that link yourself, name the folder it leads to with --to.',
    },
  };
}

/** Paths without those that lie inside another one given (restored with it anyway). */
function outermost(paths: readonly string[]): string[] {
  const unique = [...new Set(paths)];
  return unique.filter((p) => !unique.some((q) => q !== p && isWithin(p, q)));
}

function refused(message: string): { ok: false; failure: { kind: 'refused'; message: string } } {
  return { ok: false, failure: { kind: 'refused', message } };
}

/** A dry run --into a folder that does not exist yet: the path's contents, all new. */
function dryIntoTarget(snapshot: string, path: string, into: string): { ok: true; target: Target } {
  return {
    ok: true,
    target: {
      real: '',
      shown: into,
      entry: joinBytes(snapshot, path === '/' ? '' : path.slice(1), '.', '.'),
      // The links on its way were looked at before (restorePaths).
      links: [],
    },
  };
}

/** A dry run into a --to folder that does not exist yet: everything in it would be new. */
function dryTarget(snapshot: string, path: string, to: string): { ok: true; target: Target } {
  const parent = path === '/' ? '' : path.slice(1, path.length - baseName(path).length - 1);
  return {
    ok: true,
    target: {
      real: '',
      shown: to,
      links: [],
      entry: Buffer.concat([
        pathBytes(snapshot),
        Buffer.from('/'),
        ...(parent === '' ? [] : [pathBytes(parent), Buffer.from('/')]),
        Buffer.from('./'),
        path === '/' ? Buffer.from('.') : pathBytes(baseName(path)),
      ]),
    },
  };
}

async function exists(path: Buffer): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** `.before-restore-2026-11-29-101500`, a second later while a name with it exists here. */
async function freeSuffix(now: Date, paths: readonly string[]): Promise<string> {
  for (let t = now.getTime(); ; t += 1000) {
    const suffix = `.before-restore-${localStamp(new Date(t))}`;
    const taken = await Promise.all(paths.map((p) => exists(pathBytes(`${p}${suffix}`))));
    if (!taken.includes(true)) return suffix;
  }
}

function localStamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-` +
    `${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`
  );
}

// `>f.st...... 1234 report.txt`: what rsync did (or, in a dry run, would do) to one item.
const ITEM = /^([<>ch.*])([fdLDS])([^ ]{9}) (\d+) (.+)$/;
const SKIPPED = / exists \((file change|type change|sum change)\)$/;
// `rsync: [generator] recv_generator: failed to stat "/data/x": Too many levels of symbolic links (40)`
const ERROR_LINE = /^rsync: (?:\[\w+\] )?.*?"(.+)"(?: failed)?: (.+?)(?: \(\d+\))?$/;

async function transfer(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  target: Target,
  entries: Buffer[],
  /** The kept-aside suffix, or null where nothing is here to keep aside. */
  suffix: string | null,
  ownerArgs: string[],
  req: RestoreRequest,
  result: RestoreResult,
  emit: (e: RestoreEvent) => void,
): Promise<Result<null>> {
  const shownOf = (printed: string): string => {
    const name = pathText(decodeRsyncName(printed.replace(/\/$/, '')));
    return name === '.' ? target.shown : joinPath(target.shown, name.replace(/^\.\//, ''));
  };
  const fromReal = (printed: string): string => {
    const text = pathText(decodeRsyncName(printed));
    if (target.real !== '' && isWithin(text, target.real)) {
      return joinPath(target.shown, text.slice(target.real === '/' ? 1 : target.real.length + 1));
    }
    return shownOf(text);
  };
  // Nothing is here to keep aside, no dry run lists items, and nobody watches: totals suffice.
  const quiet = !req.dryRun && !req.watched && suffix === null;
  const wouldReplace: string[] = [];
  let lastProgress = 0;
  const onLine = (line: string) => {
    if (quiet) {
      result.restored += createdItems(line);
      return;
    }
    const progress = parseProgress(line);
    if (progress !== null) {
      const t = Date.now();
      if (t - lastProgress >= 200 || progress.percent === 100) {
        lastProgress = t;
        emit({ type: 'progress', progress });
      }
      return;
    }
    if (suffix !== null && line.startsWith('backed up ') && line.endsWith(suffix)) {
      const nameLength = (line.length - 'backed up '.length - ' to '.length - suffix.length) / 2;
      const path = shownOf(line.slice('backed up '.length, 'backed up '.length + nameLength));
      result.keptAside.push({ path, keptAs: `${path}${suffix}` });
      return;
    }
    const skipped = SKIPPED.exec(line);
    if (skipped) {
      result.skipped.push({
        path: shownOf(line.slice(0, skipped.index)),
        why: 'exists here and differs from the snapshot (only missing files were restored)',
      });
      return;
    }
    const item = ITEM.exec(line);
    if (item === null) return;
    const [, change, kind, flags, , name] = item;
    if (change === '.' || change === '*') return;
    if (kind !== 'd') result.restored++;
    if (suffix !== null && req.dryRun && !req.missingOnly) {
      const path = shownOf(name ?? '');
      if (kind === 'f' && change === '>' && flags !== '+++++++++') {
        result.keptAside.push({ path, keptAs: `${path}${suffix}` });
      } else if (flags === '+++++++++') wouldReplace.push(path);
    }
  };
  const onErrorLine = (line: string) => {
    if (/^rsync error:/.test(line)) return;
    const m = ERROR_LINE.exec(line);
    if (m === null) return;
    const [, printed, reason] = m;
    result.skipped.push({ path: fromReal(printed ?? ''), why: explain(reason ?? '') });
  };
  const options = [
    '-rlptD',
    '-H',
    '-K',
    ...ownerArgs,
    // Snaptray's own files (an identity, locks, state) never come back from a snapshot that holds
    // them (one the old router script made): this account's own stay as they are.
    ...EVERY_HOME.map((pattern) => `--exclude=${pattern}`),
    // ACLs imply modes, which a snapshot that kept none must not bring back.
    ...(req.options?.acls === true && result.restoresModes ? ['--acls'] : []),
    ...(req.options?.xattrs === true ? ['--xattrs'] : []),
    ...(req.missingOnly ? ['--ignore-existing', '--info=skip2'] : []),
    ...(suffix === null ? [] : ['--backup', `--suffix=${suffix}`, '--info=backup']),
    ...(req.dryRun ? ['-n'] : []),
    ...(req.watched && !req.dryRun ? ['--info=progress2'] : []),
    ...(quiet ? ['--stats'] : ['--out-format=%i %l %n']),
  ];
  const run = (to: string) =>
    pull(ctx, {
      options,
      from: { on: 'destination', folder: ctx.dest.path },
      to,
      list: entries,
      signal: req.signal,
      onLine,
      onErrorLine,
    });
  const skippedBefore = result.skipped.length;
  const spawned = target.real === '' ? await withEmptyFolder(ctx, run) : await run(target.real);
  const described = await describeLinks(
    ctx,
    snapshots,
    target,
    result.skipped.slice(skippedBefore),
  );
  if (!described.ok) return described;
  // A dry run names the new items that would take the place of something of another kind here.
  for (const path of wouldReplace) {
    if (await exists(pathBytes(path))) result.keptAside.push({ path, keptAs: `${path}${suffix}` });
  }
  if (spawned.cancelled || (req.signal ?? ctx.signal)?.aborted) {
    result.outcome = 'cancelled';
    return { ok: true, value: null };
  }
  if (spawned.exitCode === 0 || spawned.exitCode === 24) return { ok: true, value: null };
  if (spawned.exitCode === 23) {
    result.outcome = 'partial';
    if (result.skipped.length === 0) {
      result.skipped.push({
        path: target.shown,
        why: explain(spawned.stderr.trim().split('\n').at(-1) ?? ''),
      });
    }
    return { ok: true, value: null };
  }
  return { ok: false, failure: pullFailure(spawned, 'The restore', ctx.dest) };
}

// `Number of created files: 10,101 (reg: 10,000, dir: 101)`: rsync names only the kinds it made.
const CREATED = /^Number of created files: ([\d,]+)(?: \((.*)\))?$/;

/** From rsync's totals: the items other than folders it created (where nothing was, all it wrote). */
function createdItems(line: string): number {
  const m = CREATED.exec(line);
  if (m === null) return 0;
  const count = (text: string | undefined) => Number((text ?? '0').replaceAll(',', ''));
  return count(m[1]) - count(/\bdir: ([\d,]+)/.exec(m[2] ?? '')?.[1]);
}

const THROUGH_LINK =
  'a folder on its way is a symbolic link here, which a restore neither replaces nor writes ' +
  'through; restore elsewhere with --to';

/**
 * Names the link in the way of each item rsync would not write through one, and where it points.
 * Only a link that is the user's own (links.ts) may be followed by restoring it by itself.
 */
async function describeLinks(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  target: Target,
  skipped: Array<{ path: string; why: string }>,
): Promise<Result<null>> {
  const blocked = skipped.filter((s) => s.why === THROUGH_LINK);
  const links = new Map<(typeof blocked)[number], string>();
  for (const item of blocked) {
    const link = await linkBetween(item.path, target.shown);
    if (link !== null) links.set(item, link);
  }
  const held = await linksFromSnapshots(ctx, snapshots, [...links.values()]);
  if (!held.ok) return held;
  for (const [item, link] of links) {
    const where = link === item.path ? 'it' : `a folder on its way, ${displayPath(link)},`;
    const shown = `${where} is a symbolic link here to ${await linkTarget(link)}`;
    const snapshot = held.value.get(link);
    item.why =
      snapshot === undefined
        ? `${shown}, which a restore never replaces; restore that folder by itself to follow ` +
          'the link, or restore elsewhere with --to'
        : `${shown}; the snapshot ${snapshot} holds a link in its place, so it may have come from ` +
          'a restore, and a restore neither replaces it nor writes through it; restore elsewhere ' +
          'with --to';
  }
  return { ok: true, value: null };
}

/** rsync's reason for an item it could not write, in the words a user can act on. */
function explain(reason: string): string {
  if (/Too many levels of symbolic links/.test(reason)) return THROUGH_LINK;
  if (/Permission denied/.test(reason)) return 'permission denied here';
  if (/cannot delete non-empty directory|could not make way/.test(reason)) {
    return 'a folder here is in the way of a file of the snapshot; move it, then restore again';
  }
  return reason;
}
