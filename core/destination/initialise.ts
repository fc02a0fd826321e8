/**
 * Makes a folder a Snaptray destination by writing its marker, only once the user has said it is
 * the right folder (an unmounted disk's empty mount point looks just like a new folder), and only
 * on a disk that keeps what snapshots need (probe.ts).
 *
 * PERSISTED FORMAT: the marker `.snaptray-destination`, the same whoever writes it:
 *   {"format": 1, "createdAt": "<ISO-8601>", "createdBy": "<host>",
 *    "disk": {"hardLinks": true, "symlinks": true, "permissions": true},
 *    "allowFullCopies": true}          (only when the user allowed a disk that copies everything)
 * Older markers hold only the first three fields; any content counts as a marker.
 */
import { z } from 'zod';
import { pushTopFile, type DestinationContext, type OpResult } from './ops.js';
import { fullCopiesFailure, judgeDisk, probeDestination, type ProbeResult } from './probe.js';
import { MARKER_NAME } from './snapshot-name.js';
import type { DestinationListing } from './snapshot.js';

const markerSchema = z
  .object({
    format: z.number().optional(),
    allowFullCopies: z.boolean().optional(),
    // What a damaged record of the disk says is not known: it must not hide allowFullCopies.
    disk: z
      .object({ permissions: z.boolean().optional() })
      .passthrough()
      .optional()
      .catch(undefined),
  })
  .passthrough();

export interface Marker {
  allowFullCopies: boolean;
  /** False only when the probe found that the disk keeps no file modes (nor owners). */
  keepsModes: boolean;
  raw: Record<string, unknown>;
}

/** What the marker says; a marker that is not JSON (written by hand) allows nothing extra. */
export function readMarker(text: string | null): Marker {
  try {
    const json: unknown = JSON.parse(text ?? '');
    const parsed = markerSchema.safeParse(json);
    if (parsed.success) {
      return {
        allowFullCopies: parsed.data.allowFullCopies === true,
        keepsModes: parsed.data.disk?.permissions !== false,
        raw: json as Record<string, unknown>,
      };
    }
  } catch {
    // not JSON
  }
  return { allowFullCopies: false, keepsModes: true, raw: {} };
}

export interface Initialised {
  /** False when the marker was there already. */
  initialised: boolean;
  /** What the disk keeps, when it was probed (a new destination). */
  probe: ProbeResult | null;
}

/**
 * Writes the marker when it is missing, after probing the disk: a disk that keeps no links is
 * refused, one that would make full copies is refused unless `allowFullCopies`. A destination
 * that has a marker is left as it is, except that `allowFullCopies` is recorded in it.
 */
export async function initialiseDestination(
  ctx: DestinationContext,
  listing: Pick<DestinationListing, 'hasMarker' | 'marker'>,
  now: Date,
  host: string,
  opts: { allowFullCopies?: boolean } = {},
): Promise<OpResult<Initialised>> {
  const allow = opts.allowFullCopies === true;
  if (listing.hasMarker) {
    const marker = readMarker(listing.marker);
    if (allow && !marker.allowFullCopies) {
      const pushed = await pushTopFile(
        ctx,
        MARKER_NAME,
        JSON.stringify({ ...marker.raw, allowFullCopies: true }) + '\n',
      );
      if (!pushed.ok) return pushed;
    }
    return { ok: true, value: { initialised: false, probe: null } };
  }
  const probe = await probeDestination(ctx);
  if (!probe.ok) return probe;
  const verdict = judgeDisk(probe.value);
  if (verdict.unusable || (verdict.fullCopies && !allow)) {
    return { ok: false, failure: fullCopiesFailure(verdict) };
  }
  const { hardLinks, symlinks, permissions } = probe.value;
  const marker = {
    format: 1,
    createdAt: now.toISOString(),
    createdBy: host,
    disk: { hardLinks, symlinks, permissions },
    ...(verdict.fullCopies ? { allowFullCopies: true } : {}),
  };
  const pushed = await pushTopFile(ctx, MARKER_NAME, JSON.stringify(marker) + '\n');
  if (!pushed.ok) return pushed;
  return { ok: true, value: { initialised: true, probe: probe.value } };
}
