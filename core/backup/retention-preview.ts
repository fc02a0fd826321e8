/**
 * What prune would do to each snapshot of a prefix, in words: `snaptray prune` carries it out,
 * and the settings window shows it before the user saves a retention policy.
 */
import { safeName } from '../terminal-text.js';
import type { Claim } from '../destination/ownership.js';
import {
  compareSnapshots,
  isOwn,
  type Snapshot,
  type SnapshotState,
} from '../destination/snapshot.js';
import { planRetention, supersededIncomplete, type RetentionPolicy } from './retention.js';

export interface RetentionPreviewEntry {
  name: string;
  /** ISO 8601. */
  time: string;
  state: SnapshotState;
  action: 'keep' | 'delete' | 'leave';
  /** In words: "newest of its week", "older than 30 days", "another owner's snapshot"... */
  reason: string;
}

export interface PruneOptions {
  /** Also delete every unfinished snapshot that is not the newest (`prune --unfinished`). */
  unfinished?: boolean;
}

/**
 * The same decisions as a run's clean-up, for the prefix's owner `claim`: retention for its
 * complete snapshots, superseding for its unfinished ones. Another owner's snapshots and unknown
 * ones are left alone. With `claim` null (the prefix is not this profile's), everything is left.
 */
export function previewRetention(
  snapshots: readonly Snapshot[],
  policy: RetentionPolicy,
  now: Date,
  claim: Claim | null,
  notOursBecause = 'the prefix belongs to another owner, so nothing is pruned from here',
  opts: PruneOptions = {},
): RetentionPreviewEntry[] {
  const sorted = [...snapshots].sort(compareSnapshots);
  const entry = (s: Snapshot, action: RetentionPreviewEntry['action'], reason: string) => ({
    name: s.name,
    time: s.time.toISOString(),
    state: s.state,
    action,
    reason,
  });
  if (claim === null) return sorted.map((s) => entry(s, 'leave', notOursBecause));
  const own = sorted.filter((s) => isOwn(s, claim));
  const plan = planRetention(own, policy, now);
  const keep = new Map(plan.keep.map((k) => [k.name, k.reasons.join(', ')]));
  const remove = new Map(plan.delete.map((d) => [d.name, d.reason]));
  const superseded = new Set(supersededIncomplete(own));
  const unfinished = own.filter((s) => s.state === 'unfinished' && !superseded.has(s.name));
  const newestUnfinished = unfinished.at(-1);
  return sorted.map((s) => {
    if (s.state === 'unknown') {
      return entry(
        s,
        'leave',
        `its manifest cannot be read (${s.problem ?? 'unknown'}); never deleted automatically`,
      );
    }
    if (!isOwn(s, claim)) {
      return entry(
        s,
        'leave',
        `written by another owner (${safeName(s.manifest?.user ?? 'unknown user')} on "${safeName(s.manifest?.host ?? '?')}")`,
      );
    }
    const kept = keep.get(s.name);
    if (kept !== undefined) return entry(s, 'keep', kept);
    const removed = remove.get(s.name);
    if (removed !== undefined) return entry(s, 'delete', removed);
    if (superseded.has(s.name)) {
      return entry(s, 'delete', 'unfinished, and a newer complete snapshot exists');
    }
    if (opts.unfinished === true) return entry(s, 'delete', 'unfinished (--unfinished)');
    return s === newestUnfinished
      ? entry(s, 'leave', 'unfinished; the next backup resumes it')
      : entry(s, 'leave', 'unfinished; the next backup reuses its files, then deletes it');
  });
}
