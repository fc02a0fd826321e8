/**
 * Making sure the run's owner holds the prefix before it writes or deletes anything under it:
 * read the owner file from the listing, claim a free prefix (pushed without replacing a file
 * that is there, then read back), or refuse in words.
 */
import { failure, type Failure } from '../errors.js';
import { listDestination, pushTopFile, type DestinationContext } from './ops.js';
import {
  claimFor,
  decideOwnership,
  prefixOwner,
  type Claim,
  type Me,
  type PreviousOwner,
} from './ownership.js';
import { ownerFileName } from './snapshot-name.js';
import { snapshotsOf, type DestinationListing, type SnapshotSet } from './snapshot.js';

export type Held =
  | { ok: true; claim: Claim; set: SnapshotSet; listing: DestinationListing; claimed: boolean }
  | { ok: false; failure: Failure };

/** Whether `me` holds the prefix, or may claim it, by the listing alone; writes nothing. */
export function mayHold(
  listing: DestinationListing,
  prefix: string,
  me: Me,
): { ok: true } | { ok: false; failure: Failure } {
  const set = snapshotsOf(prefix, listing);
  const decision = decideOwnership(prefixOwner(set.claim, set.snapshots), me, prefix);
  return decision.kind === 'refuse'
    ? { ok: false, failure: failure('prefix-owned', decision.message) }
    : { ok: true };
}

/**
 * Holds the prefix for `me`: it is already `me`'s, or it is free (or this account's from before
 * owners) and is claimed now. `recheck` lists again even when nothing was claimed, for a caller
 * whose listing may be old (a pre hook ran in between).
 */
export async function holdPrefix(
  ctx: DestinationContext,
  listing: DestinationListing,
  prefix: string,
  me: Me,
  now: Date,
  appVersion: string,
  opts: { recheck?: boolean } = {},
): Promise<Held> {
  const set = snapshotsOf(prefix, listing);
  const decision = decideOwnership(prefixOwner(set.claim, set.snapshots), me, prefix);
  if (decision.kind === 'ours') {
    if (opts.recheck === true) return checkHeld(ctx, prefix, me);
    return { ok: true, claim: decision.claim, set, listing, claimed: false };
  }
  if (decision.kind === 'refuse') {
    return { ok: false, failure: failure('prefix-owned', decision.message) };
  }
  const pushed = await writeClaim(ctx, claimFor(me, prefix, now, appVersion), true);
  if (!pushed.ok) return pushed;
  const again = await checkHeld(ctx, prefix, me);
  return again.ok ? { ...again, claimed: true } : again;
}

/** Lists again and confirms the owner file there is `me`'s (after a claim, or a long pre hook). */
export async function checkHeld(ctx: DestinationContext, prefix: string, me: Me): Promise<Held> {
  const listing = await listDestination(ctx);
  if (!listing.ok) return listing;
  const set = snapshotsOf(prefix, listing.value);
  const decision = decideOwnership(prefixOwner(set.claim, set.snapshots), me, prefix);
  if (decision.kind === 'ours') {
    return { ok: true, claim: decision.claim, set, listing: listing.value, claimed: false };
  }
  return {
    ok: false,
    failure: failure(
      'prefix-owned',
      decision.kind === 'refuse'
        ? decision.message
        : `The owner file of "${prefix}" did not stay in place; nothing was written.`,
    ),
  };
}

/** Pushes an owner file; `keepExisting` leaves one that is already there (a first claim). */
export async function writeClaim(
  ctx: DestinationContext,
  claim: Claim,
  keepExisting: boolean,
): Promise<{ ok: true } | { ok: false; failure: Failure }> {
  const pushed = await pushTopFile(
    ctx,
    ownerFileName(claim.prefix),
    JSON.stringify(claim, null, 2) + '\n',
    { keepExisting },
  );
  return pushed.ok ? { ok: true } : pushed;
}

export type { PreviousOwner };
