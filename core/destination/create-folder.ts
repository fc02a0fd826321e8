/**
 * Creates a destination's folder on the user's word (`snaptray init --create`). Only the last
 * folder is made, never its parents: a missing parent is what an unmounted disk looks like, and
 * it must still stop the command. Over ssh this needs rsync alone: syncing an empty folder to the
 * path makes that one folder, as rsync creates only the last component of a destination.
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { failure, type Failure } from '../errors.js';
import { classifyRsyncFailure, remote, runRsync, scratchDir } from './ops.js';
import type { DestinationContext, OpResult } from './ops.js';

export async function createDestinationFolder(ctx: DestinationContext): Promise<OpResult<null>> {
  const path = ctx.dest.path;
  if (ctx.dest.kind === 'local') {
    try {
      await mkdir(path, { mode: 0o755 });
      return { ok: true, value: null };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return { ok: true, value: null };
      if (code === 'ENOENT') return { ok: false, failure: parentMissing(path) };
      return {
        ok: false,
        failure: failure('refused', `${path} could not be created: ${(e as Error).message}`),
      };
    }
  }
  const empty = await scratchDir(ctx, 'create');
  try {
    await chmod(empty, 0o755);
    const result = await runRsync(ctx, ['--dirs', `${empty}/`, `${remote(ctx, path)}/`]);
    if (result.exitCode === 0) return { ok: true, value: null };
    const reason = classifyRsyncFailure(result, `Creating ${path}`);
    return {
      ok: false,
      failure: reason.kind === 'destination-missing' ? parentMissing(path) : reason,
    };
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
}

function parentMissing(path: string): Failure {
  return failure(
    'destination-missing',
    `${dirname(path)}, the folder that would hold ${path}, does not exist either. Is the disk ` +
      'mounted? --create makes only the last folder, so that an unmounted disk is never written to.',
  );
}
