/**
 * What Snaptray does on the destination, with rsync alone: no remote shell commands, so BusyBox
 * routers and rrsync-restricted keys work. A local destination is listed and given its small
 * files directly, which saves two rsync start-ups per run.
 */
import { randomBytes } from 'node:crypto';
import {
  link,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import type { Destination } from './address.js';
import { joinDest, rsyncLocation } from './address.js';
import { failure, type Failure } from '../errors.js';
import type { Spawn, SpawnResult } from '../process.js';
import { MODERN_STYLE, remoteName, remoteOptionValue, type RemoteArgStyle } from './remote-args.js';
import { classifyRsyncFailure } from './rsync-messages.js';
import { localNonFolder } from './not-a-folder.js';
import { MANIFEST_SUFFIX, MARKER_NAME, OWNER_SUFFIX, manifestName } from './snapshot-name.js';
import type { DestinationListing } from './snapshot.js';

export interface DestinationContext {
  dest: Destination;
  spawn: Spawn;
  /** What every rsync call to an ssh destination takes: `-e 'ssh -F …'` and any --rsync-path. */
  rsyncShellArgs: string[];
  /** How the local rsync hands remote paths to the far side (remote-args.ts); modern when unset. */
  argStyle?: RemoteArgStyle;
  /** A private scratch folder for this run. */
  scratch: string;
  signal?: AbortSignal;
}

export type OpResult<T> = { ok: true; value: T } | { ok: false; failure: Failure };

export { classifyRsyncFailure };

/**
 * A path on the destination as rsync names it when it writes there (`host:path` over ssh), escaped
 * so that the far side reads exactly this path.
 */
export function remote(ctx: DestinationContext, path: string): string {
  if (ctx.dest.kind === 'local') return path;
  return rsyncLocation(ctx.dest, remoteName(path, ctx.argStyle ?? MODERN_STYLE, 'target'));
}

/** A path on the destination as rsync names it when it reads from there. */
export function remoteSource(ctx: DestinationContext, path: string): string {
  if (ctx.dest.kind === 'local') return path;
  return rsyncLocation(ctx.dest, remoteName(path, ctx.argStyle ?? MODERN_STYLE, 'source'));
}

/** A destination path as the value of an option the far side reads, such as `--link-dest`. */
export function remoteOption(ctx: DestinationContext, path: string): string {
  return ctx.dest.kind === 'local' ? path : remoteOptionValue(path, ctx.argStyle ?? MODERN_STYLE);
}

/** Runs rsync with the destination's connection arguments first. */
export function runRsync(ctx: DestinationContext, args: string[]): Promise<SpawnResult> {
  return ctx.spawn({ file: 'rsync', args: [...ctx.rsyncShellArgs, ...args], signal: ctx.signal });
}
const rsync = runRsync;

export async function scratchDir(ctx: DestinationContext, name: string): Promise<string> {
  await mkdir(ctx.scratch, { recursive: true, mode: 0o700 });
  return mkdtemp(join(ctx.scratch, `${name}-`));
}

/**
 * One rsync call lists the destination's top level: folders (copied empty), manifests, owner
 * files and the marker, into a scratch folder.
 */
export async function listDestination(
  ctx: DestinationContext,
): Promise<OpResult<DestinationListing>> {
  if (ctx.dest.kind === 'local') return listLocalFolder(ctx.dest.path);
  const local = await scratchDir(ctx, 'list');
  try {
    const result = await rsync(ctx, [
      '--dirs',
      `--include=/*${MANIFEST_SUFFIX}`,
      `--include=/*${OWNER_SUFFIX}`,
      `--include=/${MARKER_NAME}`,
      '--include=/*/',
      '--exclude=*',
      `${remoteSource(ctx, ctx.dest.path)}/`,
      `${local}/`,
    ]);
    if (result.exitCode !== 0) {
      return {
        ok: false,
        failure: classifyRsyncFailure(result, 'Listing the destination', ctx.dest),
      };
    }
    return { ok: true, value: await readTopLevel(local) };
  } finally {
    await rm(local, { recursive: true, force: true });
  }
}

/**
 * Folders, manifests, owner files and the marker of one folder's top level; symlinks are not
 * followed. A file that cannot be read counts as unreadable text, never as missing.
 */
async function readTopLevel(folder: string): Promise<DestinationListing> {
  const entries = await readdir(folder, { withFileTypes: true });
  const directories: string[] = [];
  const fileNames: string[] = [];
  let hasMarker = false;
  for (const e of entries) {
    if (e.isDirectory()) directories.push(e.name);
    else if (!e.isFile()) continue;
    else if (e.name === MARKER_NAME) hasMarker = true;
    else if (e.name.endsWith(MANIFEST_SUFFIX) || e.name.endsWith(OWNER_SUFFIX)) {
      fileNames.push(e.name);
    }
  }
  const read = (name: string) => readFile(join(folder, name), 'utf8').catch(() => '');
  const contents = await Promise.all(fileNames.map(read));
  const manifests = new Map(fileNames.map((n, i) => [n, contents[i] ?? '']));
  const marker = hasMarker
    ? await readFile(join(folder, MARKER_NAME), 'utf8').catch(() => null)
    : null;
  return { hasMarker, marker, directories, manifests };
}

async function listLocalFolder(path: string): Promise<OpResult<DestinationListing>> {
  try {
    return { ok: true, value: await readTopLevel(path) };
  } catch (e) {
    const nonFolder =
      (e as NodeJS.ErrnoException).code === 'ENOTDIR' ? await localNonFolder(path) : null;
    return { ok: false, failure: nonFolder ?? localFailure(e, path, 'Listing the destination') };
  }
}

/** A local file-system error in the same words rsync's would get. */
function localFailure(e: unknown, path: string, what: string): Failure {
  const code = (e as NodeJS.ErrnoException).code;
  const message = (e as Error).message;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return failure(
      'destination-missing',
      `The destination folder "${path}" does not exist. Check the path, and that the disk is mounted.`,
    );
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return failure(
      'disk-full',
      `The destination is full (${what}). Delete old snapshots with "snaptray prune", lower the ` +
        'retention, or use a bigger disk.',
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return failure('refused', `The destination refused access (${what}: ${message}).`);
  }
  return failure('rsync-failed', `${what} failed: ${message}`);
}

/**
 * Pushes one small file into the destination's top folder. With `keepExisting`, a file already
 * there is left as it is (the caller reads the folder again to learn whose file stayed). With
 * `stampedThere`, its modification time is the destination's clock when it was written (no -t),
 * which `topFileTime` reads back.
 */
export async function pushTopFile(
  ctx: DestinationContext,
  name: string,
  contents: string,
  opts: { keepExisting?: boolean; stampedThere?: boolean } = {},
): Promise<OpResult<null>> {
  const keep = opts.keepExisting === true;
  if (ctx.dest.kind === 'local') return writeLocalTopFile(ctx.dest.path, name, contents, keep);
  const local = await scratchDir(ctx, 'push');
  try {
    await writeFile(join(local, name), contents, { mode: 0o644 });
    const result = await rsync(ctx, [
      ...(opts.stampedThere === true ? [] : ['-t']),
      ...(keep ? ['--ignore-existing'] : []),
      join(local, name),
      `${remote(ctx, ctx.dest.path)}/`,
    ]);
    if (result.exitCode !== 0) {
      return { ok: false, failure: classifyRsyncFailure(result, `Writing ${name}`, ctx.dest) };
    }
    return { ok: true, value: null };
  } finally {
    await rm(local, { recursive: true, force: true });
  }
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV']);

/**
 * Written under a temporary name and renamed, as rsync does, so no half file is ever seen; with
 * `keepExisting`, linked instead, which fails when the name exists.
 */
async function writeLocalTopFile(
  folder: string,
  name: string,
  contents: string,
  keepExisting: boolean,
): Promise<OpResult<null>> {
  const temporary = join(folder, `.${name}.${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(temporary, contents, { mode: 0o644, flag: 'wx' });
    if (keepExisting) {
      await link(temporary, join(folder, name)).catch(async (e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST') return;
        if (!NO_HARD_LINKS.has(e.code ?? '')) throw e;
        // A disk without hard links (exFAT): an exclusive create is the next best thing.
        await writeFile(join(folder, name), contents, { mode: 0o644, flag: 'wx' }).catch(
          (again: NodeJS.ErrnoException) => {
            if (again.code !== 'EEXIST') throw again;
          },
        );
      });
      await rm(temporary, { force: true });
    } else {
      await rename(temporary, join(folder, name));
    }
    return { ok: true, value: null };
  } catch (e) {
    await rm(temporary, { force: true }).catch(() => undefined);
    return { ok: false, failure: localFailure(e, folder, `Writing ${name}`) };
  }
}

/**
 * Deletes top-level entries by exact name: an empty folder synced over the destination with
 * `--delete`, including only those names. Never `-a`, which would change the folder's own mode.
 * Callers pass validated snapshot names only (no wildcards).
 */
export async function deleteTopEntries(
  ctx: DestinationContext,
  names: readonly string[],
  kind: 'files' | 'folders',
): Promise<OpResult<null>> {
  if (names.length === 0) return { ok: true, value: null };
  const empty = await scratchDir(ctx, 'empty');
  try {
    const includes = names.map((n) =>
      kind === 'folders' ? `--include=/${n}/***` : `--include=/${n}`,
    );
    const result = await rsync(ctx, [
      '--recursive',
      '--delete',
      ...includes,
      '--exclude=*',
      `${empty}/`,
      `${remote(ctx, ctx.dest.path)}/`,
    ]);
    if (result.exitCode !== 0) {
      return {
        ok: false,
        failure: classifyRsyncFailure(result, `Deleting ${names.join(', ')}`, ctx.dest),
      };
    }
    return { ok: true, value: null };
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
}

/**
 * Deletes snapshots: first all their manifests (so an interrupted delete leaves incomplete
 * snapshots, never complete-looking partial ones), then the folders.
 */
export async function deleteSnapshots(
  ctx: DestinationContext,
  names: readonly string[],
): Promise<OpResult<null>> {
  const manifests = await deleteTopEntries(ctx, names.map(manifestName), 'files');
  if (!manifests.ok) return manifests;
  return deleteTopEntries(ctx, names, 'folders');
}

// `-rw-r--r--            431 2026/12/06 10:15:00 name`: rsync prints the time in local time.
const LISTED_TIME = /^\S+\s+[\d,.]+\s+(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) /;

/**
 * The modification time of a file in the destination's top folder, as the destination stores it
 * (for a file pushed with `stampedThere`: the destination's clock), or null when it cannot be read.
 */
export async function topFileTime(ctx: DestinationContext, name: string): Promise<Date | null> {
  if (ctx.dest.kind === 'local') {
    return stat(join(ctx.dest.path, name)).then(
      (s) => s.mtime,
      () => null,
    );
  }
  const result = await rsync(ctx, [
    '--list-only',
    remoteSource(ctx, joinDest(ctx.dest.path, name)),
  ]);
  if (result.exitCode !== 0) return null;
  const m = LISTED_TIME.exec(result.stdout.split('\n')[0] ?? '');
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(year, month - 1, day, hour, minute, second);
}
