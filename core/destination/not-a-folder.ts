/**
 * A destination path that names a file (or runs through one) is told apart from a missing folder:
 * "does not exist" would send the user looking for an unmounted disk, and `init` would offer to
 * create a folder that cannot be made there.
 */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { failure, type Failure } from '../errors.js';

/** The failure for a local `path` that is, or lies under, something other than a folder; else null. */
export async function localNonFolder(path: string): Promise<Failure | null> {
  const ways: string[] = [];
  for (let at = path; ; at = dirname(at)) {
    ways.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const at of ways) {
    const found = await stat(at).catch(() => null);
    if (found === null) return null;
    if (!found.isDirectory()) return nonFolder(path, at === path ? null : at);
  }
  return null;
}

/**
 * `blocking`: the file on the way to `path`, when it is not `path` itself; undefined when it is not
 * known which of the two it is (over ssh rsync says only "Not a directory").
 */
export function nonFolder(path: string, blocking: string | null | undefined): Failure {
  const fix = 'The destination names the folder that holds the snapshots: check the path.';
  if (blocking === null) {
    return failure(
      'destination-not-folder',
      `The destination ${path} is a file, not a folder. ${fix}`,
    );
  }
  if (blocking !== undefined) {
    return failure(
      'destination-not-folder',
      `The destination ${path} cannot be a folder: ${blocking}, on its way, is a file. ${fix}`,
    );
  }
  return failure(
    'destination-not-folder',
    `The destination ${path} is not a folder: it, or a folder on its way, is a file ` +
      `("Not a directory"). ${fix}`,
  );
}
