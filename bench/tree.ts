/** The benchmark's own data: a generated source tree, its changes, and checks of snapshot copies. */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, utimes, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TreeShape {
  files: number;
  filesPerFolder: number;
  /** Every Nth file is 1 MiB. */
  mediumEvery: number;
  largeFiles: number;
  largeBytes: number;
}

export interface TreeSummary {
  files: number;
  bytes: number;
}

/** Names of the files relative to the tree's root, in a fixed order. */
export function treeFileNames(shape: TreeShape): string[] {
  const names: string[] = [];
  for (let i = 0; i < shape.files; i++) {
    const folder = Math.floor(i / shape.filesPerFolder);
    const top = `d${String(Math.floor(folder / 20)).padStart(3, '0')}`;
    const sub = `s${String(folder % 20).padStart(2, '0')}`;
    names.push(join(top, sub, `f${String(i).padStart(6, '0')}.dat`));
  }
  return names;
}

/** Mostly small files (a few bytes to 8 KiB), some of 1 MiB, a few large ones. */
function sizeOf(i: number, shape: TreeShape): number {
  if (i < shape.largeFiles) return shape.largeBytes;
  if (shape.mediumEvery > 0 && i % shape.mediumEvery === 7) return 1024 * 1024;
  // A cheap deterministic spread, skewed towards small files as home folders are.
  const x = ((i * 2654435761) >>> 0) / 2 ** 32;
  return Math.floor(8 * 1024 * x * x * x);
}

/** Writes the tree under `root`; contents are random so nothing compresses or dedupes. */
export async function writeBenchTree(root: string, shape: TreeShape): Promise<TreeSummary> {
  const pool = randomBytes(Math.max(shape.largeBytes, 2 * 1024 * 1024));
  const names = treeFileNames(shape);
  const folders = new Set(names.map((n) => join(root, n, '..')));
  for (const f of folders) await mkdir(f, { recursive: true });
  let bytes = 0;
  const batch = 64;
  for (let start = 0; start < names.length; start += batch) {
    const jobs: Promise<void>[] = [];
    for (let i = start; i < Math.min(names.length, start + batch); i++) {
      const size = sizeOf(i, shape);
      bytes += size;
      const offset = (i * 7919) % Math.max(1, pool.length - size);
      jobs.push(writeFile(join(root, names[i] ?? ''), pool.subarray(offset, offset + size)));
    }
    await Promise.all(jobs);
  }
  return { files: names.length, bytes };
}

/** Changes 1% of the files (at least one), different ones each round; gives how many. */
export async function changeOnePercent(
  root: string,
  shape: TreeShape,
  round: number,
): Promise<number> {
  const names = treeFileNames(shape);
  const step = Math.min(100, names.length);
  const when = new Date(Date.now() + 1000);
  let changed = 0;
  for (let i = (round * 37) % step; i < names.length; i += step) {
    const path = join(root, names[i] ?? '');
    await appendFile(path, `changed in round ${round}\n`);
    await utimes(path, when, when);
    changed++;
  }
  return changed;
}

export interface CopyCheck {
  files: number;
  bytes: number;
  /** Regular files with a link count of 1: not shared with another snapshot. */
  unshared: number;
}

/** Counts the regular files below `root` (not following links). */
export async function inspectCopy(root: string): Promise<CopyCheck> {
  const out: CopyCheck = { files: 0, bytes: 0, unshared: 0 };
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    const files: string[] = [];
    for (const e of entries) {
      if (e.isDirectory()) await walk(join(dir, e.name));
      else if (e.isFile()) files.push(join(dir, e.name));
    }
    const stats = await Promise.all(files.map((f) => lstat(f)));
    for (const s of stats) {
      out.files++;
      out.bytes += s.size;
      if (s.nlink === 1) out.unshared++;
    }
  }
  await walk(root);
  return out;
}
