/**
 * Files Verify found differing from their copy in a snapshot: same size and modification time,
 * other content. rsync's quick check (size and time) would link the next snapshot's copy to that
 * same differing one again, so the next backup of the profile compares these files by content and
 * stores them as they are here (transfer.ts). Kept per profile, in its state folder.
 */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isWithin } from '../restore/paths.js';
import { pathBytes } from '../restore/remote-names.js';
import { ensurePrivateDir } from './paths.js';
import { writeAtomically } from './write-atomically.js';

const FILE = 'recheck.json';

export type RecheckList = { paths: string[]; problem: string | null };

export async function readRecheck(stateDir: string): Promise<RecheckList> {
  const path = join(stateDir, FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { paths: [], problem: null };
    return { paths: [], problem: `${path} cannot be read (${(e as Error).message})` };
  }
  try {
    const parsed = JSON.parse(text) as { paths?: unknown };
    if (Array.isArray(parsed.paths) && parsed.paths.every((p) => typeof p === 'string')) {
      return { paths: parsed.paths as string[], problem: null };
    }
  } catch {
    // Said below.
  }
  return { paths: [], problem: `${path} is not a list of files Snaptray can read` };
}

async function write(stateDir: string, paths: readonly string[]): Promise<void> {
  await writeAtomically(join(stateDir, FILE), JSON.stringify({ paths }, null, 2) + '\n');
}

/** Adds `paths` (snapshot paths, which are the paths here) to the profile's list. */
export async function addRecheck(stateDir: string, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  const dir = await ensurePrivateDir(stateDir);
  if (dir.kind === 'refused') throw new Error(dir.message);
  const known = await readRecheck(stateDir);
  await write(stateDir, [...new Set([...known.paths, ...paths])]);
}

/** Takes `done` off the list: compared by a backup, or no longer a file here to compare. */
export async function settleRecheck(stateDir: string, done: readonly string[]): Promise<void> {
  if (done.length === 0) return;
  const settled = new Set(done);
  const left = (await readRecheck(stateDir)).paths.filter((p) => !settled.has(p));
  await write(stateDir, left);
}

/**
 * Which listed paths a backup of `sources` compares: regular files here, inside a source. The
 * others (`gone`) have nothing to compare any more.
 */
export async function recheckable(
  paths: readonly string[],
  sources: readonly string[],
): Promise<{ files: string[]; gone: string[] }> {
  const files: string[] = [];
  const gone: string[] = [];
  for (const path of paths) {
    const inside = sources.some((s) => isWithin(path, s.replace(/(.)\/+$/, '$1')));
    const stat = inside ? await lstat(pathBytes(path)).catch(() => null) : null;
    if (stat?.isFile()) files.push(path);
    else gone.push(path);
  }
  return { files, gone };
}
