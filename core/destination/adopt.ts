/**
 * Taking a prefix over for this owner: the one explicit way, after a reinstall (a new identity),
 * on a machine that replaces the one that made the snapshots, or for snapshots an older version
 * made under another host name. The earlier owners stay in the new owner file, so their snapshots
 * count as this owner's. The caller holds the profile's lock.
 */
import type { SourceMapping } from '../backup/moved-sources.js';
import { safeName } from '../terminal-text.js';
import { failure, type Failure } from '../errors.js';
import { checkHeld, writeClaim } from './hold-prefix.js';
import type { DestinationContext } from './ops.js';
import {
  claimFor,
  describeOwner,
  prefixOwner,
  previousOwnersOf,
  sameOwner,
  type Me,
  type PreviousOwner,
} from './ownership.js';
import { snapshotsOf, type DestinationListing } from './snapshot.js';

export type Adopted =
  | { ok: true; adopted: false; movedSources: SourceMapping[] }
  | {
      ok: true;
      adopted: true;
      was: string;
      previous: PreviousOwner | null;
      snapshots: number;
      movedSources: SourceMapping[];
    }
  | { ok: false; failure: Failure };

export async function adoptPrefix(
  ctx: DestinationContext,
  listing: DestinationListing,
  prefix: string,
  me: Me,
  now: Date,
  appVersion: string,
  maps: readonly SourceMapping[] = [],
): Promise<Adopted> {
  const set = snapshotsOf(prefix, listing);
  const owner = prefixOwner(set.claim, set.snapshots);
  if (owner.kind === 'claimed' && sameOwner(owner.claim.owner, me)) {
    if (maps.length === 0) {
      return { ok: true, adopted: false, movedSources: owner.claim.movedSources ?? [] };
    }
    // Already this profile's: only the folders that moved are added to its owner file.
    const movedSources = withMaps(owner.claim.movedSources ?? [], maps);
    const written = await writeClaim(ctx, { ...owner.claim, movedSources }, false);
    if (!written.ok) return written;
    const held = await checkHeld(ctx, prefix, me);
    if (!held.ok) return held;
    return { ok: true, adopted: false, movedSources };
  }
  if (owner.kind === 'unreadable') {
    return {
      ok: false,
      failure: failure(
        'prefix-owned',
        `The owner file of "${prefix}" cannot be read (${owner.reason}); update Snaptray before taking it over.`,
      ),
    };
  }
  const previous = previousOwnersOf(owner, now);
  const movedSources = withMaps([], maps);
  const written = await writeClaim(
    ctx,
    {
      ...claimFor(me, prefix, now, appVersion, previous),
      ...(movedSources.length > 0 ? { movedSources } : {}),
    },
    false,
  );
  if (!written.ok) return written;
  const held = await checkHeld(ctx, prefix, me);
  if (!held.ok) return held;
  const was =
    owner.kind === 'claimed'
      ? describeOwner(owner.claim)
      : owner.kind === 'unclaimed'
        ? `the machine "${safeName(owner.host)}" (before prefixes had owners)`
        : 'nobody';
  return {
    ok: true,
    adopted: true,
    was,
    previous: previous.at(-1) ?? null,
    snapshots: set.snapshots.length,
    movedSources,
  };
}

/** The map with `maps` added; a new place replaces what an earlier one said of it. */
function withMaps(
  before: readonly SourceMapping[],
  maps: readonly SourceMapping[],
): SourceMapping[] {
  return [...before.filter((b) => !maps.some((m) => m.to === b.to)), ...maps];
}
