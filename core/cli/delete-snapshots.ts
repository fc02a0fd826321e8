/** Deleting snapshots and saying only what really went: the destination is listed again after. */
import { deleteSnapshots, listDestination, type DestinationContext } from '../destination/ops.js';

export async function deleteAndConfirm(
  dest: DestinationContext,
  prefix: string,
  names: readonly string[],
): Promise<{ deleted: string[]; warnings: string[] }> {
  const warnings: string[] = [];
  const result = await deleteSnapshots(dest, names);
  // The message names what was being deleted and why it was not (a -no-del key, a full disk…).
  if (!result.ok) warnings.push(result.failure.message);
  const after = await listDestination(dest);
  if (!after.ok) {
    warnings.push(
      `The destination could not be listed again to confirm the deletion: ${after.failure.message}`,
    );
    return { deleted: [], warnings };
  }
  const still = new Set(after.value.directories);
  const deleted = names.filter((n) => !still.has(n));
  const left = names.filter((n) => still.has(n));
  if (left.length > 0 && result.ok) {
    warnings.push(`These are still on the destination of "${prefix}": ${left.join(', ')}.`);
  }
  return { deleted, warnings };
}
