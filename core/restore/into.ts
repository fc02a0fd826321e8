/**
 * `restore PATH --into NEWPATH`: one folder's contents, from any prefix, into a folder of another
 * name (the old machine's /home/ann into the new machine's /home/ann2). NEWPATH takes the place of
 * PATH: its own mode and time become the folder's in the snapshot, and what lies below it is the
 * snapshot's. A folder that already holds something is refused unless nothing there can change
 * (`--missing-only`) or NEWPATH is PATH itself (a restore in place, which keeps differing files
 * aside as every restore does).
 */
import { readdir, stat } from 'node:fs/promises';
import type { ListedEntry } from './listing.js';
import { displayPath, pathBytes, pathText } from './remote-names.js';

export type IntoCheck =
  { ok: true; state: 'missing' | 'empty' | 'holds-files' } | { ok: false; message: string };

export async function checkInto(
  path: string,
  entry: ListedEntry | undefined,
  snapshot: string,
  into: string,
  missingOnly: boolean,
): Promise<IntoCheck> {
  if (entry !== undefined && entry.type !== 'dir') {
    return {
      ok: false,
      message:
        `--into restores a folder's contents, and ${displayPath(path)} is not a folder in ` +
        `${snapshot}. Restore it with --to DIR instead.`,
    };
  }
  const info = await stat(pathBytes(into)).catch((e: NodeJS.ErrnoException) => e);
  if (info instanceof Error) {
    if (info.code === 'ENOENT') return { ok: true, state: 'missing' };
    return { ok: false, message: `${displayPath(into)} cannot be read here: ${info.message}` };
  }
  if (!info.isDirectory()) {
    return {
      ok: false,
      message: `${displayPath(into)} is a file, not a folder: --into needs a folder, new or empty.`,
    };
  }
  const names = await readdir(pathBytes(into), { encoding: 'buffer' });
  if (names.length === 0) return { ok: true, state: 'empty' };
  if (missingOnly || into === path) return { ok: true, state: 'holds-files' };
  const shown = names
    .slice(0, 3)
    .map((n) => displayPath(pathText(n)))
    .join(', ');
  return {
    ok: false,
    message:
      `${displayPath(into)} is not empty (it holds ${names.length} item${names.length === 1 ? '' : 's'}: ` +
      `${shown}${names.length > 3 ? ', …' : ''}), so the snapshot's files would mix with them. ` +
      'Name a new or empty folder, or add --missing-only to bring back only what is missing there ' +
      '(nothing there is changed).',
  };
}
