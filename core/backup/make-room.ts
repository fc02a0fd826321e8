/**
 * retention.makeRoom: the one deletion after a failed run. When the destination is full, this
 * owner's oldest snapshots go, down to the number the user chose to keep, before one retry.
 */
import { deleteAndConfirm } from '../destination/delete-confirmed.js';
import type { DestinationContext } from '../destination/ops.js';
import type { Claim } from '../destination/ownership.js';
import { isComplete, isOwn, type Snapshot } from '../destination/snapshot.js';

/**
 * Deletes this owner's oldest snapshots until `keep` complete ones are left, for a run that
 * failed on a full disk. The newest complete snapshot and the failed run's own folder stay.
 */
export async function makeRoom(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  claim: Claim,
  failedRun: string,
  keep: number,
): Promise<{ deleted: string[]; warnings: string[] }> {
  const own = snapshots.filter((s) => isOwn(s, claim) && s.name !== failedRun);
  const complete = own.filter(isComplete);
  const doomedComplete = complete.slice(0, Math.max(0, complete.length - Math.max(1, keep)));
  const newestComplete = complete.at(-1);
  const staleUnfinished = own.filter(
    (s) =>
      s.state === 'unfinished' &&
      newestComplete !== undefined &&
      s.latestTime.getTime() < newestComplete.sequenceTime.getTime(),
  );
  const doomed = [...staleUnfinished, ...doomedComplete].map((s) => s.name);
  if (doomed.length === 0) {
    return {
      deleted: [],
      warnings: [
        `The destination is full, and makeRoom found nothing to delete: only the ${keep} newest snapshot(s) it must keep are there.`,
      ],
    };
  }
  return deleteAndConfirm(ctx, claim.prefix, doomed);
}
