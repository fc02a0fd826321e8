/**
 * Deleting snapshots and saying only what really went: the destination is listed again after,
 * so a warning names what stayed, never what rsync merely complained about on the way.
 */
import { deleteSnapshots, listDestination, type DestinationContext } from './ops.js';
import { MANIFEST_SUFFIX } from './snapshot-name.js';

export async function deleteAndConfirm(
  dest: DestinationContext,
  prefix: string,
  names: readonly string[],
): Promise<{ deleted: string[]; warnings: string[] }> {
  if (names.length === 0) return { deleted: [], warnings: [] };
  const result = await deleteSnapshots(dest, names);
  const after = await listDestination(dest);
  if (!after.ok) {
    const why = result.ok ? '' : ` (${result.failure.message})`;
    return {
      deleted: [],
      warnings: [
        `The destination could not be listed again to confirm the deletion of ` +
          `${names.join(', ')}${why}: ${after.failure.message}`,
      ],
    };
  }
  // A folder, or a manifest left by a deletion stopped half-way, is still there.
  const still = new Set([
    ...after.value.directories,
    ...[...after.value.manifests.keys()]
      .filter((m) => m.endsWith(MANIFEST_SUFFIX))
      .map((m) => m.slice(0, -MANIFEST_SUFFIX.length)),
  ]);
  const deleted = names.filter((n) => !still.has(n));
  const left = names.filter((n) => still.has(n));
  if (left.length === 0) return { deleted, warnings: [] };
  // The message names why they stayed (a -no-del key, a folder it could not read…).
  const why = result.ok ? '' : `: ${result.failure.message}`;
  return {
    deleted,
    warnings: [`These are still on the destination of "${prefix}"${why} — ${left.join(', ')}.`],
  };
}
