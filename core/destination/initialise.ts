/**
 * Makes a folder a Snaptray destination by writing its marker, only once the user has said it is
 * the right folder (an unmounted disk's empty mount point looks just like a new folder).
 */
import { pushTopFile, type DestinationContext, type OpResult } from './ops.js';
import { MARKER_NAME } from './snapshot-name.js';

/** Writes the marker when it is missing; a destination that has one is left as it is. */
export async function initialiseDestination(
  ctx: DestinationContext,
  hasMarker: boolean,
  now: Date,
  host: string,
): Promise<OpResult<{ initialised: boolean }>> {
  if (hasMarker) return { ok: true, value: { initialised: false } };
  // PERSISTED FORMAT: the marker's contents, the same as `snaptray init` writes.
  const marker =
    JSON.stringify({ format: 1, createdAt: now.toISOString(), createdBy: host }) + '\n';
  const pushed = await pushTopFile(ctx, MARKER_NAME, marker);
  if (!pushed.ok) return pushed;
  return { ok: true, value: { initialised: true } };
}
