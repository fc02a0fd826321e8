/**
 * `<prefix>-latest`: a symlink beside the snapshots naming the prefix's newest complete one, so
 * that whoever restores by hand from the router's disk knows where to look. It points at the
 * bare snapshot name (relative), so it still works when the disk is mounted elsewhere.
 *
 * It is set with rsync alone (a symlink pushed with `-l` replaces the old one); a destination
 * that refuses it, or a disk without symlinks (FAT, exFAT), costs a warning, nothing more.
 * Nothing reads it back: the listing copies folders only, a symlink is never a snapshot, and
 * deletes name snapshots by their exact names.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { stderrTail } from '../errors.js';
import { remote, runRsync, scratchDir, type DestinationContext } from './ops.js';
import { latestLinkName } from './snapshot-name.js';
import { compareSnapshots, isComplete, type Snapshot } from './snapshot.js';

/** The newest complete snapshot's name, or null when there is none. */
export function newestCompleteName(snapshots: readonly Snapshot[]): string | null {
  return [...snapshots].filter(isComplete).sort(compareSnapshots).at(-1)?.name ?? null;
}

export type LinkResult = { ok: true; target: string | null } | { ok: false; warning: string };

/** Points `<prefix>-latest` at the newest complete snapshot among `snapshots`. */
export async function pointLatestLink(
  ctx: DestinationContext,
  prefix: string,
  snapshots: readonly Snapshot[],
): Promise<LinkResult> {
  const target = newestCompleteName(snapshots);
  if (target === null) return { ok: true, target: null };
  const name = latestLinkName(prefix);
  const problem =
    ctx.dest.kind === 'local'
      ? await linkLocally(ctx.dest.path, name, target)
      : await pushLink(ctx, name, target);
  if (problem === null) return { ok: true, target };
  return {
    ok: false,
    warning:
      `The link ${name} could not be pointed at ${target} (${problem}). The snapshot is complete; ` +
      'only the shortcut to the newest one is missing or out of date (a disk without symbolic ' +
      'links, such as FAT or exFAT, cannot hold it).',
  };
}

/** Made under a temporary name and renamed over the old link, so it is never missing midway. */
async function linkLocally(folder: string, name: string, target: string): Promise<string | null> {
  const temporary = join(folder, `.${name}.${randomBytes(4).toString('hex')}`);
  try {
    await symlink(target, temporary);
    await rename(temporary, join(folder, name));
    return null;
  } catch (e) {
    await rm(temporary, { force: true }).catch(() => undefined);
    return (e as Error).message;
  }
}

async function pushLink(
  ctx: DestinationContext,
  name: string,
  target: string,
): Promise<string | null> {
  const local = await scratchDir(ctx, 'latest');
  try {
    await symlink(target, join(local, name));
    const result = await runRsync(ctx, ['-l', join(local, name), `${remote(ctx, ctx.dest.path)}/`]);
    if (result.exitCode === 0) return null;
    return stderrTail(result.stderr, 2) || `rsync exit ${String(result.exitCode)}`;
  } finally {
    await rm(local, { recursive: true, force: true });
  }
}
