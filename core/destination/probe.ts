/**
 * What the destination's disk keeps, tried with rsync alone in a probe folder that is removed
 * again: hard links, symbolic links and permissions. A disk that drops any of them makes every
 * snapshot a full copy (FAT and exFAT keep neither links; ntfs-3g without `permissions` shows
 * every file as mode 777, so `--link-dest` never matches).
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { joinDest } from './address.js';
import { failure, type Failure } from '../errors.js';
import {
  classifyRsyncFailure,
  deleteTopEntries,
  remote,
  remoteOption,
  remoteSource,
  runRsync,
  scratchDir,
  type DestinationContext,
  type OpResult,
} from './ops.js';

export interface ProbeResult {
  hardLinks: boolean;
  symlinks: boolean;
  permissions: boolean;
  /** False when the probe folder could not be removed; `leftover` names it, `why` says why. */
  cleanedUp: boolean;
  leftover: string | null;
  why?: Failure;
}

const PROBE_MODE = 0o640;

export async function probeDestination(ctx: DestinationContext): Promise<OpResult<ProbeResult>> {
  const local = await scratchDir(ctx, 'probe');
  const probeName = `.snaptray-check-${randomBytes(4).toString('hex')}`;
  const probeRemote = joinDest(ctx.dest.path, probeName);
  try {
    const up = join(local, 'up');
    const files = join(up, 'a');
    await mkdir(files, { recursive: true });
    await writeFile(join(files, 'probe'), randomBytes(64).toString('hex'), { mode: PROBE_MODE });
    await symlink('probe', join(files, 'link'));
    // Exit 23 is what a disk that refuses links or modes gives: what it kept is read back below.
    const write = await runRsync(ctx, ['-a', `${up}/`, `${remote(ctx, probeRemote)}/`]);
    if (write.exitCode !== 0 && write.exitCode !== 23) {
      await deleteTopEntries(ctx, [probeName], 'folders');
      return { ok: false, failure: classifyRsyncFailure(write, 'Writing a test file', ctx.dest) };
    }
    const link = await runRsync(ctx, [
      '-a',
      `--link-dest=${remoteOption(ctx, joinDest(probeRemote, 'a'))}`,
      `${files}/`,
      `${remote(ctx, probeRemote)}/b/`,
    ]);
    const back = join(local, 'back');
    const read = await runRsync(ctx, ['-aH', `${remoteSource(ctx, probeRemote)}/`, `${back}/`]);
    const result: ProbeResult = {
      hardLinks: false,
      symlinks: false,
      permissions: false,
      cleanedUp: true,
      leftover: null,
    };
    if (read.exitCode === 0 || read.exitCode === 23) {
      const [a, b, l] = await Promise.all([
        lstat(join(back, 'a', 'probe')).catch(() => null),
        lstat(join(back, 'b', 'probe')).catch(() => null),
        lstat(join(back, 'a', 'link')).catch(() => null),
      ]);
      result.permissions = a !== null && (a.mode & 0o777) === PROBE_MODE;
      result.hardLinks = link.exitCode === 0 && a !== null && b !== null && a.ino === b.ino;
      result.symlinks = l?.isSymbolicLink() === true;
    }
    const removed = await deleteTopEntries(ctx, [probeName], 'folders');
    if (!removed.ok) {
      result.cleanedUp = false;
      result.leftover = probeRemote;
      result.why = removed.failure;
    }
    return { ok: true, value: result };
  } finally {
    await rm(local, { recursive: true, force: true });
  }
}

/** What the probe says about the disk, in words, and whether snapshots on it would be copies. */
export interface DiskVerdict {
  /** Every unchanged file would take space again in each snapshot. */
  fullCopies: boolean;
  /** Neither kind of link: a FAT or exFAT disk, refused even with --allow-full-copies. */
  unusable: boolean;
  message: string;
}

export function judgeDisk(p: ProbeResult): DiskVerdict {
  if (!p.hardLinks && !p.symlinks) {
    return {
      fullCopies: true,
      unusable: true,
      message:
        'The destination keeps neither hard links nor symbolic links: it is most likely a FAT or ' +
        'exFAT disk. Every snapshot would be a full copy, and symbolic links would be lost. ' +
        'Format the disk as ext4 (on the router, or on any Linux machine), or use an NTFS disk ' +
        'mounted with the "permissions" option.',
    };
  }
  if (!p.permissions) {
    return {
      fullCopies: true,
      unusable: false,
      message:
        'The destination does not keep file permissions (every file comes back with another ' +
        'mode: an NTFS disk mounted without the "permissions" option?), so unchanged files can ' +
        'never be hard-linked and every snapshot would be a full copy. Mount it with ' +
        '"-o permissions" (ntfs-3g), or format it as ext4.',
    };
  }
  if (!p.hardLinks) {
    return {
      fullCopies: true,
      unusable: false,
      message:
        'The destination does not keep hard links, so every snapshot would be a full copy of ' +
        'everything. Use a disk formatted as ext4 (or another Linux file system).',
    };
  }
  return {
    fullCopies: false,
    unusable: false,
    message:
      'Hard links, symbolic links and permissions are kept: unchanged files take no extra space.',
  };
}

/** The failure that stops `init` (and a backup) on a disk that would only hold full copies. */
export function fullCopiesFailure(verdict: DiskVerdict): Failure {
  return failure(
    'full-copies',
    verdict.unusable
      ? verdict.message
      : `${verdict.message} To use it anyway, run "snaptray init --allow-full-copies".`,
  );
}
