/**
 * Runs, not clocks, order a prefix. A wall clock can be days off (a VM resumed from an old image,
 * a dead CMOS battery, a bad NTP answer), so each manifest records its place in the prefix's
 * sequence (`generation`: one more than the highest among the prefix's readable manifests).
 *
 * The sequence: snapshots without a generation (legacy folders, manifests of earlier versions,
 * unknown ones) by time, then the numbered ones by generation. Unfinished folders have no place
 * in it; they are ordered by their time, as before.
 *
 * Times made monotone along the sequence (`sequenceTime`): the longest run of snapshots whose
 * recorded times already increase is trusted (counting first the runs whose clock looked right,
 * then all of them); every other snapshot is moved to the time of its
 * nearest trusted neighbour, so a snapshot is never treated as older than the one before it nor
 * newer than the one after it. A future-dated snapshot then counts as made when the next run
 * was, a past-dated one as made with the run before it; neither makes a correct run delete its
 * neighbours.
 */

/** What the ordering reads of a snapshot. */
export interface Sequenced {
  name: string;
  time: Date;
  generation: number | null;
  /** Made by a run whose clock looked wrong (its manifest says so): trusted only when needed. */
  clockSuspect?: boolean;
}

/** Oldest first in the sequence: no generation (by time, then name), then by generation. */
export function compareSequence(a: Sequenced, b: Sequenced): number {
  if (a.generation === null && b.generation !== null) return -1;
  if (a.generation !== null && b.generation === null) return 1;
  if (a.generation !== null && b.generation !== null && a.generation !== b.generation) {
    return a.generation - b.generation;
  }
  const byTime = a.time.getTime() - b.time.getTime();
  if (byTime !== 0) return byTime;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The times of `ordered` (already in sequence order) made monotone, as described above. The
 * trusted run is a longest non-decreasing subsequence. Among equally long ones: the one that ends
 * with the newest snapshot it can, and before that the one with the later times, so that a
 * snapshot is moved back only when it lies ahead of the trusted one after it.
 */
export function monotoneTimes(ordered: readonly Sequenced[]): Date[] {
  const t = ordered.map((s) => s.time.getTime());
  const n = t.length;
  if (n === 0) return [];
  // A run whose clock looked right counts more than any number of runs whose clock did not.
  const weight = ordered.map((s) => (s.clockSuspect === true ? 1 : n + 1));
  // length[i]: the weight of the best non-decreasing run that ends at i; from[i]: its previous.
  const length = weight.slice();
  const from = new Array<number>(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (let j = i - 1; j >= 0; j--) {
      if (t[j]! > t[i]!) continue;
      const best = from[i]!;
      const through = length[j]! + weight[i]!;
      const longer = through > length[i]!;
      const asLongButLater = through === length[i]! && best !== -1 && t[j]! > t[best]!;
      if (longer || asLongButLater) {
        length[i] = through;
        from[i] = j;
      }
    }
  }
  let end = n - 1;
  for (let i = n - 2; i >= 0; i--) if (length[i]! > length[end]!) end = i;
  const trusted = new Array<boolean>(n).fill(false);
  for (let i = end; i !== -1; i = from[i]!) trusted[i] = true;

  // The time of the nearest trusted snapshot after each one.
  const nextTrusted = new Array<number>(n);
  let next = Infinity;
  for (let i = n - 1; i >= 0; i--) {
    nextTrusted[i] = next;
    if (trusted[i]) next = t[i]!;
  }
  const result = new Array<number>(n);
  let previous = -Infinity;
  for (let i = 0; i < n; i++) {
    if (trusted[i]) previous = t[i]!;
    result[i] = trusted[i] ? t[i]! : Math.min(Math.max(t[i]!, previous), nextTrusted[i]!);
  }
  // Two outliers between the same trusted neighbours may land on either side: keep the order.
  for (let i = 1; i < n; i++) result[i] = Math.max(result[i]!, result[i - 1]!);
  return result.map((ms) => new Date(ms));
}

/** The generation a new manifest of the prefix gets: one more than the highest there. */
export function nextGeneration(snapshots: readonly { generation: number | null }[]): number {
  let highest = 0;
  for (const s of snapshots)
    if (s.generation !== null && s.generation > highest) highest = s.generation;
  return highest + 1;
}
