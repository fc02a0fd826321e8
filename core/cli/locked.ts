/**
 * Commands that change what is under the prefix (prune, delete, adopt) run like a backup: under
 * the profile's lock, after stopping an rsync a dead run left, as this account's owner.
 */
import type { Me } from '../destination/ownership.js';
import type { Failure } from '../errors.js';
import { stopLeftover } from '../state/liveness.js';
import { acquireLock } from '../state/lock.js';
import { ensurePrivateDir, profileStateDir } from '../state/paths.js';
import { withListing, type ListedDestination } from './destination.js';
import { failedOutput, type CommandContext, type Output } from './output.js';
import { commandOwner } from './owner.js';
import type { ResolvedProfile } from './profile.js';

export async function withLockedDestination(
  r: ResolvedProfile,
  ctx: CommandContext,
  failureJson: (error: Failure) => Record<string, unknown>,
  opts: { lock: boolean; verb: string },
  body: (open: ListedDestination & { me: Me }) => Promise<Output>,
): Promise<Output> {
  const owner = await commandOwner(ctx, r.name);
  if (!owner.ok) return failedOutput(failureJson, 2, owner.failure);
  if (!opts.lock)
    return withListing(r, ctx, failureJson, (open) => body({ ...open, me: owner.me }));
  const stateDir = profileStateDir(ctx.places.stateRoot, r.name);
  const dir = await ensurePrivateDir(stateDir);
  if (dir.kind === 'refused') {
    return failedOutput(failureJson, 1, { kind: 'internal', message: dir.message });
  }
  const lock = await acquireLock(stateDir, {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    source: 'cli',
  });
  if (lock.kind === 'held') {
    return failedOutput(failureJson, 4, {
      kind: 'refused',
      message:
        `A backup of this profile is running (process ${lock.pid ?? 'unknown'}` +
        `${lock.source ? `, started from the ${lock.source}` : ''}); ${opts.verb} later.`,
    });
  }
  try {
    const stopped = await Promise.all(lock.leftovers.map((p) => stopLeftover(p.pid, p.startTime)));
    if (stopped.includes(false)) {
      return failedOutput(failureJson, 1, {
        kind: 'refused',
        message: `An rsync left running by an earlier run could not be stopped; ${opts.verb} later.`,
      });
    }
    return await withListing(r, ctx, failureJson, (open) => body({ ...open, me: owner.me }));
  } finally {
    await lock.release();
  }
}
