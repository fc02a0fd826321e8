/**
 * What `snaptray prune` would do to each snapshot of a prefix, in words, for the settings window
 * to show before the user saves a retention policy.
 */
import { planRetention, supersededIncomplete, type RetentionPolicy } from './retention.js';
import { prefixOwner, type Snapshot, type SnapshotState } from '../destination/snapshot.js';

export interface RetentionPreviewEntry {
  name: string;
  /** ISO 8601. */
  time: string;
  state: SnapshotState;
  action: 'keep' | 'delete' | 'leave';
  /** In words: "newest of its week", "older than 30 days", "another machine's prefix"... */
  reason: string;
}

/** The same decisions as prune: retention for complete ones, superseding for unfinished ones. */
export function previewRetention(
  snapshots: readonly Snapshot[],
  policy: RetentionPolicy,
  now: Date,
  host: string,
): RetentionPreviewEntry[] {
  const sorted = [...snapshots].sort(
    (a, b) =>
      a.time.getTime() - b.time.getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const entry = (s: Snapshot, action: RetentionPreviewEntry['action'], reason: string) => ({
    name: s.name,
    time: s.time.toISOString(),
    state: s.state,
    action,
    reason,
  });
  const owner = prefixOwner(sorted);
  if (owner !== null && owner !== host) {
    return sorted.map((s) =>
      entry(
        s,
        'leave',
        `another machine's prefix: these snapshots belong to "${owner}", so nothing is pruned from here`,
      ),
    );
  }
  const plan = planRetention(sorted, policy, now);
  const keep = new Map(plan.keep.map((k) => [k.name, k.reasons.join(', ')]));
  const remove = new Map(plan.delete.map((d) => [d.name, d.reason]));
  const superseded = new Set(supersededIncomplete(sorted));
  const newestUnfinished = sorted.findLast(
    (s) => s.state === 'incomplete' && !superseded.has(s.name),
  );
  return sorted.map((s) => {
    const kept = keep.get(s.name);
    if (kept !== undefined) return entry(s, 'keep', kept);
    const removed = remove.get(s.name);
    if (removed !== undefined) return entry(s, 'delete', removed);
    if (superseded.has(s.name)) {
      return entry(s, 'delete', 'unfinished, and a newer complete snapshot exists');
    }
    return s === newestUnfinished
      ? entry(s, 'leave', 'unfinished; the next backup resumes it')
      : entry(s, 'leave', 'unfinished; the next backup reuses its files, then deletes it');
  });
}
