/**
 * A failed pull in words. In a restore the far side sends and this machine receives, so what the
 * receiving side reports (a full disk, a refused folder) is about this machine, not the
 * destination; the rest (a busy rrsync key, a missing folder, a broken connection) reads as any
 * rsync call on the destination does.
 */
import type { Destination } from '../destination/address.js';
import { classifyRsyncFailure } from '../destination/ops.js';
import { failure, stderrTail, type Failure } from '../errors.js';
import type { SpawnResult } from '../process.js';

const HERE = /\[(?:receiver|generator)\]/;

export function pullFailure(result: SpawnResult, what: string, dest: Destination): Failure {
  const err = result.stderr;
  if (result.cancelled || result.signal !== null) return classifyRsyncFailure(result, what, dest);
  if (HERE.test(err) && /No space left on device|Disk quota exceeded/.test(err)) {
    return failure(
      'disk-full',
      `This machine's disk is full (${what}). Free some space here, or restore onto another disk with --to.`,
    );
  }
  if (HERE.test(err) && /Permission denied|Read-only file system/.test(err)) {
    return failure(
      'refused',
      `This machine refused the files (${stderrTail(err, 1)}). Restore as a user who may write ` +
        'there, or elsewhere with --to.',
    );
  }
  return classifyRsyncFailure(result, what, dest);
}
