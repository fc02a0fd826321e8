import { isUtf8 } from 'node:buffer';
import { lstat, mkdir, mkdtemp, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * File names that break code which builds shell strings or option lists. The two command
 * substitutions hold a `/`, so as names they make folders: `$(touch ` / `tmp` / `pwned)`.
 * If any of them ever runs, PWNED_MARKER appears.
 */
export const HOSTILE_NAMES: ReadonlyArray<string | Buffer> = [
  'with space.txt',
  "single 'quote'.txt",
  'double "quote".txt',
  '-n leading dash.txt',
  'new\nline.txt',
  '$(touch /tmp/pwned)',
  '`touch /tmp/pwned`.txt',
  Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x74, 0x78, 0x74]),
];

export const PWNED_MARKER = '/tmp/pwned';

const SLASH = 0x2f;

/** A fresh folder under the system's temporary folder. */
export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * The key readTree uses for a relative path: the text itself when it is UTF-8, otherwise every
 * byte above 0x7f written as `\xNN` (so `f\xff\xfe.txt`).
 */
export function treeKey(path: string | Buffer): string {
  if (typeof path === 'string') return path;
  if (isUtf8(path)) return path.toString('utf8');
  let key = '';
  for (const byte of path) {
    key += byte < 0x80 ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return key;
}

function joinBytes(root: string | Buffer, relative: string | Buffer): Buffer {
  const base = typeof root === 'string' ? Buffer.from(root) : root;
  const rel = typeof relative === 'string' ? Buffer.from(relative) : relative;
  return Buffer.concat([base, Buffer.from('/'), rel]);
}

/**
 * Writes files below `root`, creating their folders. Paths are relative and use `/`; give
 * entries instead of a record to use names that are not UTF-8.
 */
export async function writeTree(
  root: string,
  files:
    | Record<string, string | Buffer>
    | ReadonlyArray<readonly [path: string | Buffer, content: string | Buffer]>,
): Promise<void> {
  const entries = Array.isArray(files) ? files : Object.entries(files);
  for (const [relative, content] of entries) {
    const path = joinBytes(root, relative);
    await mkdir(path.subarray(0, path.lastIndexOf(SLASH)), { recursive: true });
    await writeFile(path, content);
  }
}

async function collectFiles(
  dir: Buffer,
  relative: Buffer | null,
  into: Array<[Buffer, Buffer]>,
): Promise<void> {
  const entries = await readdir(dir, { encoding: 'buffer', withFileTypes: true });
  for (const entry of entries) {
    const rel = relative === null ? entry.name : joinBytes(relative, entry.name);
    const path = joinBytes(dir, entry.name);
    if (entry.isDirectory()) await collectFiles(path, rel, into);
    else if (entry.isFile()) into.push([rel, await readFile(path)]);
  }
}

/**
 * Every regular file below `root` (symbolic links and other kinds are left out), keyed by its
 * relative path (see treeKey), in byte order of the paths.
 */
export async function readTree(root: string): Promise<Map<string, Buffer>> {
  const files: Array<[Buffer, Buffer]> = [];
  await collectFiles(Buffer.from(root), null, files);
  files.sort(([a], [b]) => Buffer.compare(a, b));
  return new Map(files.map(([path, content]) => [treeKey(path), content]));
}

/** How many names the file has (1 unless hard-linked). */
export async function linkCount(path: string | Buffer): Promise<number> {
  return (await lstat(path)).nlink;
}

/** The inode number: two names with the same one are the same file. */
export async function inode(path: string | Buffer): Promise<number> {
  return (await lstat(path)).ino;
}

async function collectFolders(dir: string, relative: string, into: Map<string, number>) {
  into.set(relative, (await lstat(dir)).mtimeMs);
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const rel = relative === '.' ? entry.name : `${relative}/${entry.name}`;
    await collectFolders(join(dir, entry.name), rel, into);
  }
}

/**
 * The modification time (ms) of `root` (as ".") and of every folder below it, by relative path in
 * sorted order; symbolic links to folders are not followed.
 */
export async function folderTimes(root: string): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  await collectFolders(root, '.', times);
  return new Map([...times].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Gives `root` and every folder below it a time of its own in the past: `base` plus one minute per
 * folder in sorted order, so that a restored folder stamped with the time of the restore, or with
 * another folder's time, shows.
 */
export async function stampFolders(root: string, base: Date): Promise<void> {
  const folders = [...(await folderTimes(root)).keys()];
  for (const [i, rel] of folders.entries()) {
    const when = new Date(base.getTime() + i * 60_000);
    await utimes(rel === '.' ? root : join(root, rel), when, when);
  }
}
