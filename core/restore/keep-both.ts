/**
 * "Keep both": where something here differs from the snapshot's, the current item stays untouched
 * under its name and the snapshot's version is written beside it, under a name that says what it
 * is: `report (restored from 2026-12-01 00.42).txt` (the snapshot's time, the extension kept), a
 * folder the same way, `, 2`, `, 3`… added while a name is taken.
 *
 * A plan comes first: a dry run of the usual restore names every item here it would replace. The
 * paths with none are restored as usual (where nothing differs or nothing is here). Each of the
 * others is restored into a private folder made beside it (same folder, same file system), with the
 * engine's own rsync call, and then moved to its new name: a file by a hard link that fails when the
 * name is taken, a folder by a rename onto an empty folder made for it. So no name reaches rsync
 * but as the engine's list, and nothing here is ever replaced.
 */
import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, rename, rm, unlink } from 'node:fs/promises';
import type { DestinationContext } from '../destination/ops.js';
import type { Snapshot } from '../destination/snapshot.js';
import { baseName, isWithin, joinPath, parentOf } from './paths.js';
import { displayPath, pathBytes, pathText } from './remote-names.js';
import type { Result } from './result.js';
import type { RestoreRequest, RestoreResult } from './restore.js';

type Restore = (
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  req: RestoreRequest,
) => Promise<Result<RestoreResult>>;

/** The longest name most file systems take, in bytes. */
const NAME_MAX = 255;

/** Extensions of two parts that stay together at the end of a name. */
const DOUBLE = /\.tar\.[A-Za-z0-9]{1,4}$/;

/**
 * The name the snapshot's version of `name` gets beside the current one: `count` 1 for the first
 * try, then 2, 3… Folders keep no extension apart. Bytes in, bytes out (any name).
 */
export function keptBothName(name: Buffer, time: Date, folder: boolean, count: number): Buffer {
  const text = name.toString('latin1');
  let cut = text.length;
  if (!folder) {
    const double = DOUBLE.exec(text);
    const dot = text.lastIndexOf('.');
    if (double !== null && double.index > 0) cut = double.index;
    else if (dot > 0 && text.length - dot <= 16 && !text.slice(dot).includes(' ')) cut = dot;
  }
  const label = Buffer.from(` (restored from ${stamp(time)}${count > 1 ? `, ${count}` : ''})`);
  const ext = name.subarray(cut);
  let stem = name.subarray(0, cut);
  const room = NAME_MAX - label.length - ext.length;
  if (stem.length > room) stem = shorten(stem, Math.max(room, 1));
  return Buffer.concat([stem, label, ext]);
}

/** `2026-12-01 00.42`: local time, no colon (file managers and Windows disks refuse it). */
function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}.${p(d.getMinutes())}`
  );
}

/** The first `bytes` bytes, without cutting a UTF-8 character of a UTF-8 name in two. */
function shorten(name: Buffer, bytes: number): Buffer {
  let end = bytes;
  if (isUtf8(name)) while (end > 0 && ((name[end] ?? 0) & 0xc0) === 0x80) end--;
  return name.subarray(0, Math.max(end, 1));
}

async function exists(path: Buffer): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** The name beside `local` for the snapshot's version, the `count`th try (path text). */
function nameBeside(local: string, time: Date, folder: boolean, count: number): string {
  const base = pathBytes(baseName(local));
  return joinPath(parentOf(local), pathText(keptBothName(base, time, folder, count)));
}

/** The first free name beside `local` for the snapshot's version (path text). */
async function freeName(local: string, time: Date, folder: boolean): Promise<string> {
  for (let count = 1; ; count++) {
    const candidate = nameBeside(local, time, folder, count);
    if (!(await exists(pathBytes(candidate)))) return candidate;
  }
}

/**
 * Moves `from` (made by this restore, in its private folder) to the first free name beside
 * `local`: never onto anything that is there, even one that appeared a moment ago.
 */
async function moveBeside(
  from: string,
  local: string,
  time: Date,
  folder: boolean,
): Promise<string> {
  const source = pathBytes(from);
  for (let count = 1; ; count++) {
    const to = nameBeside(local, time, folder, count);
    const target = pathBytes(to);
    if (await exists(target)) continue;
    try {
      if (folder) {
        // An empty folder of its own holds the name; a rename then takes its place.
        await mkdir(target);
        await rename(source, target);
      } else {
        await link(source, target);
        await unlink(source);
      }
      return to;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (!folder && (code === 'EPERM' || code === 'ENOTSUP' || code === 'EMLINK')) {
        // A file system without hard links: the name was free a moment ago.
        await rename(source, target);
        return to;
      }
      throw e;
    }
  }
}

/** A restore that keeps both where something here differs (RestoreRequest.conflicts). */
export async function restoreKeepingBoth(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  req: RestoreRequest,
  restore: Restore,
): Promise<Result<RestoreResult>> {
  const refuse = (message: string) => ({
    ok: false as const,
    failure: { kind: 'refused' as const, message },
  });
  if (req.missingOnly) {
    return refuse(
      '--keep-both and --missing-only do not go together: --missing-only leaves every file ' +
        'here as it is, so nothing is ever kept both ways. Choose one.',
    );
  }
  if ((req.into ?? null) !== null) {
    return refuse(
      '--keep-both does not go with --into: it writes each path beside itself under a new ' +
        'name. Use --to DIR instead.',
    );
  }
  const usual = { ...req, conflicts: 'replace' as const };
  // The plan: what a usual restore would replace here, changing nothing.
  const plan = await restore(ctx, snapshots, {
    ...usual,
    dryRun: true,
    watched: false,
    onEvent: (e) => {
      if (e.type === 'phase' && e.phase === 'locating') req.onEvent?.(e);
    },
  });
  if (!plan.ok) return plan;
  const from = { snapshot: plan.value.snapshot };
  const snapshot = snapshots.find((s) => s.name === plan.value.snapshot);
  const time = snapshot?.time ?? req.now;
  const replaced = plan.value.keptAside.map((k) => k.path);
  const conflicting = plan.value.placed.filter((p) =>
    replaced.some((r) => r === p.to || isWithin(r, p.to)),
  );
  const plain = req.paths.filter((p) => !conflicting.some((c) => c.path === p));

  const result: RestoreResult = {
    ...plan.value,
    outcome: 'ok',
    dryRun: req.dryRun,
    placed: plan.value.placed.map((p) => ({ ...p })),
    restored: 0,
    keptAside: [],
    skipped: [],
    warnings: [...plan.value.warnings],
  };
  const merge = (r: RestoreResult) => {
    result.restored += r.restored;
    result.keptAside.push(...r.keptAside);
    result.skipped.push(...r.skipped);
    for (const w of r.warnings) if (!result.warnings.includes(w)) result.warnings.push(w);
    if (r.outcome !== 'ok' && result.outcome !== 'cancelled') result.outcome = r.outcome;
  };
  if (plain.length > 0) {
    const done = await restore(ctx, snapshots, { ...usual, paths: plain, from });
    if (!done.ok) return done;
    merge(done.value);
    if (result.outcome === 'cancelled') return { ok: true, value: result };
  }
  for (const c of conflicting) {
    const placed = result.placed.find((p) => p.path === c.path);
    const parent = parentOf(c.to);
    if (req.dryRun) {
      // Something replaced inside it: the snapshot's is a folder too.
      const inside = replaced.some((r) => r !== c.to && isWithin(r, c.to));
      const name = await freeName(c.to, time, inside);
      // Into a folder that does not exist: every item counted as new, nothing made.
      const dry = await restore(ctx, snapshots, {
        ...usual,
        paths: [c.path],
        from,
        to: name,
      });
      if (!dry.ok) return dry;
      merge({ ...dry.value, keptAside: [] });
      if (placed !== undefined) Object.assign(placed, { to: name, keptBoth: true });
      continue;
    }
    const privateDir = joinPath(parent, `.snaptray-restoring-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(pathBytes(privateDir), { mode: 0o700 });
      const done = await restore(ctx, snapshots, {
        ...usual,
        paths: [c.path],
        from,
        to: privateDir,
      });
      if (!done.ok) return done;
      const made = joinPath(privateDir, baseName(c.path));
      const kind = await lstat(pathBytes(made)).catch(() => null);
      const cancelled = done.value.outcome === 'cancelled';
      const to =
        kind === null || cancelled
          ? c.path
          : await moveBeside(made, c.to, time, kind.isDirectory());
      // What was not restored is named where it would have been: never in the private folder.
      const skipped = done.value.skipped.map((x) => ({
        ...x,
        path: x.path === made || isWithin(x.path, made) ? to + x.path.slice(made.length) : x.path,
      }));
      merge({ ...done.value, keptAside: [], skipped });
      if (cancelled) return { ok: true, value: result };
      if (kind === null) continue;
      if (placed !== undefined) Object.assign(placed, { to, keptBoth: true });
    } catch (e) {
      result.outcome = 'partial';
      result.skipped.push({
        path: c.path,
        why: `it could not be put beside ${displayPath(c.to)}: ${(e as Error).message}`,
      });
    } finally {
      await rm(pathBytes(privateDir), { recursive: true, force: true });
    }
  }
  return { ok: true, value: result };
}
