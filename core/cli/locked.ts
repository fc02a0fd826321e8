/**
 * Commands that change what is under the prefix (prune, delete, adopt) run like a backup: under
 * the profile's lock, after stopping an rsync a dead run left, as this account's owner.
 */
import type { Me } from '../destination/ownership.js';
import type { Failure } from '../errors.js';
import { profileStateDir } from '../state/paths.js';
import { takeProfileLock } from '../state/profile-lock.js';
import { withListing, type ListedDestination } from './destination.js';
import { failedOutput, type CommandContext, type Output } from './output.js';
import { commandOwner, withNews } from './owner.js';
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
  if (!opts.lock) {
    const output = await withListing(r, ctx, failureJson, (open) =>
      body({ ...open, me: owner.me }),
    );
    return withNews(output, owner.news);
  }
  const taken = await takeProfileLock(
    {
      stateDir: profileStateDir(ctx.places.stateRoot, r.name),
      configDir: ctx.places.configDir,
      profile: r.name,
    },
    'cli',
    opts.verb,
    new Date(),
  );
  if (!taken.ok) return failedOutput(failureJson, taken.held ? 4 : 1, taken.failure);
  try {
    const output = await withListing(r, ctx, failureJson, (open) =>
      body({ ...open, me: owner.me }),
    );
    return withNews(output, owner.news);
  } finally {
    await taken.lock.release();
  }
}
