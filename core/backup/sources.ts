/** Checks on the sources a run is asked to back up, before anything is connected. */
import { realpath } from 'node:fs/promises';
import type { Destination } from '../destination/address.js';
import { failure, type Failure } from '../errors.js';

/**
 * A source that is the local destination or lies inside it: the destination is always left out
 * of a backup, so such a run would make an empty snapshot and call it a success.
 */
export async function sourceInsideDestination(
  sources: readonly string[],
  dest: Destination,
): Promise<Failure | null> {
  if (dest.kind !== 'local') return null;
  const destPath = await realOrSame(dest.path);
  for (const source of sources) {
    const path = await realOrSame(source);
    if (path === destPath || path.startsWith(`${destPath.replace(/\/+$/, '')}/`)) {
      return failure(
        'settings',
        `The source ${source} ${path === destPath ? 'is' : 'lies inside'} the destination ` +
          `${dest.path}, which a backup always leaves out, so nothing would be backed up. ` +
          'Choose sources outside the destination, or a destination outside the sources.',
      );
    }
  }
  return null;
}

/** Symbolic links resolved, so that two spellings of one folder compare equal. */
async function realOrSame(path: string): Promise<string> {
  return realpath(path).catch(() => path);
}
