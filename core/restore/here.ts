/**
 * Where on this machine a snapshot's path is written (restore) or read (verify), without ever
 * replacing a symlink of the user's: a folder that is a symlink here (`~/Documents` → `/data`) is
 * followed, and rsync is given its real path as the folder to write into. Each link passed on the
 * way is named (`links`), so that the restore can refuse one that may have come from a snapshot
 * (restore.ts): only the user's own links are written through.
 *
 * rsync itself cannot be trusted with that: with `--relative` it replaces a symlinked parent with
 * a real folder, and with `-K` (rsync 3.5) it refuses to write through one. So the list entry is
 * `<snapshot>/<part above the folder>/./<rest>`: rsync creates only `<rest>` below the real folder
 * (the `/./` marks where the created part begins).
 */
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { below, components, isWithin, joinPath, parentOf } from './paths.js';
import { displayPath, joinBytes, pathBytes, pathText } from './remote-names.js';

export interface Target {
  /** The folder rsync writes into, its real path (a command-line argument, so valid UTF-8). */
  real: string;
  /** The same folder as the user names it (it may pass through symlinks), path text. */
  shown: string;
  /** The list entry, relative to the destination folder. */
  entry: Buffer;
  /** The symbolic links here that lie on the way to `real` (path text, as the user names them). */
  links: string[];
}

export type Resolved = { ok: true; target: Target } | { ok: false; message: string };

/**
 * The target for restoring the snapshot's `source` (a `type` there) as `local` here (`local` is
 * `source` itself, or `<--to folder>/<its name>`). The deepest folder of `local` that exists here
 * is followed to its real path; what lies below it is created there.
 */
export async function restoreTarget(
  snapshot: string,
  source: string,
  local: string,
  isFolder: boolean,
): Promise<Resolved> {
  const existing = await deepestFolder(isFolder ? local : parentOf(local));
  if (!existing.ok) return existing;
  const anchor = existing.folder;
  const rest = below(local, anchor);
  if (rest !== '' && !(source === `/${rest}` || source.endsWith(`/${rest}`))) {
    // Only with --to: its folder is created before, so `rest` is at most the path's own name.
    return {
      ok: false,
      message: `Cannot restore ${displayPath(source)} as ${displayPath(local)}.`,
    };
  }
  const above = rest === '' ? source : source.slice(0, source.length - rest.length - 1) || '/';
  const real = await realText(anchor);
  if (!real.ok) return real;
  return {
    ok: true,
    target: {
      real: real.text,
      shown: anchor,
      links: existing.links,
      entry: joinBytes(
        snapshot,
        above === '/' ? '' : above.slice(1),
        '.',
        rest === '' ? '.' : rest,
      ),
    },
  };
}

/**
 * The deepest folder on the way to `path` that exists here, each folder followed through
 * symlinks, with the symlinks so followed. A symlink that leads nowhere is refused: writing a
 * folder in its place would replace the user's link.
 */
export async function deepestFolder(
  path: string,
): Promise<{ ok: true; folder: string; links: string[] } | { ok: false; message: string }> {
  let folder = '/';
  const links: string[] = [];
  for (const name of components(path)) {
    const next = joinPath(folder, name);
    const bytes = pathBytes(next);
    const info = await stat(bytes).catch((e: NodeJS.ErrnoException) => e);
    if (!(info instanceof Error)) {
      if (!info.isDirectory()) break;
      if ((await lstat(bytes)).isSymbolicLink()) links.push(next);
      folder = next;
      continue;
    }
    if (info.code === 'ENOENT') {
      const link = await lstat(bytes).catch(() => null);
      if (link?.isSymbolicLink()) {
        return {
          ok: false,
          message:
            `${displayPath(next)} is a symbolic link to ${await linkTarget(next)}, which does not ` +
            'exist, and a restore never replaces a link. Create the folder it points to, or ' +
            'restore elsewhere with --to DIR.',
        };
      }
      break;
    }
    return { ok: false, message: `${displayPath(next)} cannot be read here: ${info.message}` };
  }
  return { ok: true, folder, links };
}

/**
 * Where the symbolic link `link` points, for a message: the folder it leads to (through any
 * further links), or its own text when that leads nowhere.
 */
export async function linkTarget(link: string): Promise<string> {
  const bytes = pathBytes(link);
  const real = await realpath(bytes, { encoding: 'buffer' }).catch(() => null);
  if (real !== null) return displayPath(pathText(real));
  const text = await readlink(bytes, { encoding: 'buffer' }).catch(() => null);
  return text === null ? 'a place that cannot be read' : displayPath(pathText(text));
}

/** The first symbolic link here below `folder` on the way to `path` (or `path` itself), or null. */
export async function linkBetween(path: string, folder: string): Promise<string | null> {
  let first: string | null = null;
  for (let p = path; p !== folder && isWithin(p, folder); p = parentOf(p)) {
    const info = await lstat(pathBytes(p)).catch(() => null);
    if (info?.isSymbolicLink()) first = p;
  }
  return first;
}

/** A folder's real path, when rsync can be given it (valid UTF-8). */
async function realText(
  folder: string,
): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  const real = await realpath(pathBytes(folder), { encoding: 'buffer' });
  if (!isUtf8(real)) {
    return {
      ok: false,
      message:
        `The folder ${displayPath(pathText(real))} has a name that is not UTF-8, which cannot be ` +
        'passed to rsync. Restore its parent folder instead, or elsewhere with --to DIR.',
    };
  }
  return { ok: true, text: real.toString('utf8') };
}

/**
 * For checking files in place (verify): the real folder to compare each file's folder with, and
 * the list entry that reaches the file from there. Folders are resolved once each (`cache`).
 * Null when the file's folder cannot be resolved here (gone, or not UTF-8).
 */
export async function readTarget(
  snapshot: string,
  file: string,
  cache: Map<string, { anchor: string; real: string } | null>,
): Promise<Target | null> {
  const folder = parentOf(file);
  let mapped = cache.get(folder);
  if (mapped === undefined) {
    mapped = await anchorOf(folder);
    cache.set(folder, mapped);
  }
  if (mapped === null) return null;
  const above = mapped.anchor;
  const rest = below(file, above);
  return {
    real: mapped.real,
    shown: above,
    entry: joinBytes(snapshot, above === '/' ? '' : above.slice(1), '.', rest),
    links: [],
  };
}

/**
 * The folder above which `folder` and its real path agree: for `/home/ben/Documents/sub` with
 * Documents → /data, the anchor /home/ben/Documents and its real path /data (sub is below both).
 */
async function anchorOf(folder: string): Promise<{ anchor: string; real: string } | null> {
  const real = await realpath(pathBytes(folder), { encoding: 'buffer' }).catch(() => null);
  if (real === null || !isUtf8(real)) return null;
  const realPath = real.toString('utf8');
  if (realPath === folder) return { anchor: '/', real: '/' };
  const a = components(folder);
  const b = components(pathText(real));
  let same = 0;
  while (same < a.length && same < b.length && a[a.length - 1 - same] === b[b.length - 1 - same]) {
    same++;
  }
  const anchor = `/${a.slice(0, a.length - same).join('/')}`;
  const realAnchor = `/${b.slice(0, b.length - same).join('/')}`;
  return { anchor, real: realAnchor };
}
