/**
 * The household: every prefix on a destination is a machine (or a profile of one), and any
 * account that can read the destination may see them all. From one listing, for each prefix:
 * who owns it (its owner file, or the newest manifest before there were owner files), its
 * snapshots by state, the newest good one, and whether it is overdue.
 *
 * Good means complete (ok, partial or legacy), as for linking and the tray's overdue clock: a
 * partial snapshot lacks only the files that could not be read, and the machine did back up.
 * Overdue: no good snapshot for longer than the owner's schedule allows, which each manifest
 * records (`scheduleHours`; the newest manifest that says counts, 7 days where none does), plus an
 * hour for a run still under way or a timer that fires late. Before its first good snapshot, a
 * prefix counts from the earlier of its claim and its oldest snapshot.
 */
import { parseClaim, prefixOwner, type PrefixOwner } from './ownership.js';
import { listingOf, prefixesOf } from './prefixes.js';
import {
  isComplete,
  snapshotsOf,
  type DestinationListing,
  type Snapshot,
  type SnapshotState,
} from './snapshot.js';
import { ownerFileName } from './snapshot-name.js';

/** What is taken when no manifest of the prefix records its schedule. */
export const DEFAULT_SCHEDULE_HOURS = 7 * 24;
/** How late a machine's next snapshot may be before it counts as overdue. */
export const OVERDUE_GRACE_HOURS = 1;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const STATES: readonly SnapshotState[] = ['ok', 'partial', 'legacy', 'unfinished', 'unknown'];

export interface Machine {
  prefix: string;
  /** An owner file is there (readable or not). */
  claimed: boolean;
  /** Only the old router script's folders: no owner file, no manifest. */
  legacy: boolean;
  /** As the owner file (or the newest manifest) says: text from the destination, unescaped. */
  host: string | null;
  user: string | null;
  profile: string | null;
  /**
   * The owner's identity (owner.id of the owner file, or of the newest manifest without one):
   * what says whether a prefix is this account's own; null where unknown.
   */
  ownerId: string | null;
  /** Why the owner file cannot be read; null when it can, or when there is none. */
  ownerProblem: string | null;
  snapshots: number;
  states: Record<SnapshotState, number>;
  /** The newest good snapshot, in the prefix's own order (runs, not clocks). */
  lastGood: Snapshot | null;
  overdue: boolean;
  /** Whole days since the newest good snapshot; null without one. */
  daysSinceGood: number | null;
  /** The owner's schedule as its newest manifest that says records it, in hours; else null. */
  scheduleHours: number | null;
}

export interface Household {
  machines: Machine[];
  /** Owner files and manifests that cannot be read, in words. */
  warnings: string[];
}

/** Every prefix of the listing as a machine, by prefix name. Pure: `now` is given. */
export function householdOf(listing: DestinationListing, now: Date): Household {
  const machines: Machine[] = [];
  const warnings: string[] = [];
  for (const folders of prefixesOf(listing)) {
    const set = snapshotsOf(folders.prefix, listingOf(listing, folders));
    warnings.push(...set.warnings);
    const claim = parseClaim(listing.manifests.get(ownerFileName(folders.prefix)));
    if (claim.kind === 'unreadable') {
      warnings.push(
        `The owner file of the prefix "${folders.prefix}" cannot be read (${claim.reason}): its owner is shown as unknown.`,
      );
    }
    const snapshots = set.snapshots;
    const owner = ownerNames(prefixOwner(claim, snapshots));
    const states = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<SnapshotState, number>;
    for (const s of snapshots) states[s.state]++;
    const claimedAt = claim.kind === 'claimed' ? new Date(claim.claim.claimedAt) : null;
    machines.push({
      prefix: folders.prefix,
      claimed: claim.kind !== 'none',
      legacy:
        claim.kind === 'none' &&
        states.legacy > 0 &&
        snapshots.every((s) => s.manifest === null && s.state !== 'unknown'),
      ...owner,
      ownerProblem: claim.kind === 'unreadable' ? claim.reason : null,
      snapshots: snapshots.length,
      states,
      ...overdueness(snapshots, claimedAt, now),
    });
  }
  return { machines, warnings };
}

/** The names people know the owner by: its owner file's, or the newest manifest's without one. */
function ownerNames(owner: PrefixOwner): Pick<Machine, 'host' | 'user' | 'profile' | 'ownerId'> {
  switch (owner.kind) {
    case 'claimed':
      return {
        host: owner.claim.host,
        user: owner.claim.user,
        profile: owner.claim.owner.profile,
        ownerId: owner.claim.owner.id,
      };
    case 'unclaimed':
      return {
        host: owner.host,
        user: owner.user,
        profile: owner.owner?.profile ?? null,
        ownerId: owner.owner?.id ?? null,
      };
    case 'unreadable':
    case 'free':
      return { host: null, user: null, profile: null, ownerId: null };
  }
}

/** The newest good snapshot and how late the next one is. Pure. */
export function overdueness(
  snapshots: readonly Snapshot[],
  claimedAt: Date | null,
  now: Date,
): Pick<Machine, 'lastGood' | 'overdue' | 'daysSinceGood' | 'scheduleHours'> {
  const scheduleHours =
    snapshots.findLast((s) => s.manifest?.scheduleHours !== undefined)?.manifest?.scheduleHours ??
    null;
  const allowedMs = ((scheduleHours ?? DEFAULT_SCHEDULE_HOURS) + OVERDUE_GRACE_HOURS) * HOUR_MS;
  const lastGood = snapshots.findLast(isComplete) ?? null;
  if (lastGood !== null) {
    // Its place among the runs: a snapshot dated before the one made ahead of it counts as made
    // with that one (sequence.ts).
    const age = now.getTime() - lastGood.sequenceTime.getTime();
    return {
      lastGood,
      overdue: age > allowedMs,
      daysSinceGood: Math.floor(Math.max(0, age) / DAY_MS),
      scheduleHours,
    };
  }
  const starts = [
    ...(claimedAt !== null && !Number.isNaN(claimedAt.getTime()) ? [claimedAt.getTime()] : []),
    ...snapshots.map((s) => s.time.getTime()),
  ];
  const since = starts.length > 0 ? Math.min(...starts) : null;
  return {
    lastGood: null,
    overdue: since !== null && now.getTime() - since > allowedMs,
    daysSinceGood: null,
    scheduleHours,
  };
}
