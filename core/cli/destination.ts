/** Opening the profile's destination for a command and listing its top level once. */
import { formatDestination } from '../destination/address.js';
import { listDestination, type DestinationContext, type OpResult } from '../destination/ops.js';
import { openDestination } from '../destination/session.js';
import type { DestinationListing } from '../destination/snapshot.js';
import { sessionEnvironment } from '../environment.js';
import type { Failure } from '../errors.js';
import { spawnProcess } from '../process.js';
import { failedOutput, type CommandContext, type Output } from './output.js';
import { withNews } from './owner.js';
import type { ResolvedProfile } from './profile.js';

export interface ListedDestination {
  ctx: DestinationContext;
  listing: DestinationListing;
}

/**
 * Runs `body` with the destination open and listed. A destination without the marker is refused
 * unless `allowUninitialised` (init is what writes it). A folder that does not exist is handed to
 * `whenMissing` when given (init creates it on request, or explains), then listed again.
 */
export async function withListing(
  r: ResolvedProfile,
  ctx: CommandContext,
  failureJson: (error: Failure) => Record<string, unknown>,
  body: (open: ListedDestination) => Promise<Output>,
  opts: {
    allowUninitialised?: boolean;
    whenMissing?: (dest: DestinationContext) => Promise<OpResult<null>>;
  } = {},
): Promise<Output> {
  const opened = await openDestination(
    sessionEnvironment(ctx.places, spawnProcess),
    r.dest,
    r.profile.ssh,
    ctx.signal,
  );
  if (!opened.ok) return failedOutput(failureJson, ctx.signal.aborted ? 5 : 1, opened.failure);
  const { warnings } = opened.value;
  const fail = (code: number, error: Failure) =>
    warnings.reduce(withNews, failedOutput(failureJson, code, error));
  try {
    let listing = await listDestination(opened.value.ctx);
    if (!listing.ok && listing.failure.kind === 'destination-missing' && opts.whenMissing) {
      const made = await opts.whenMissing(opened.value.ctx);
      if (!made.ok) return fail(ctx.signal.aborted ? 5 : 1, made.failure);
      listing = await listDestination(opened.value.ctx);
    }
    if (!listing.ok) return fail(ctx.signal.aborted ? 5 : 1, listing.failure);
    if (!listing.value.hasMarker && opts.allowUninitialised !== true) {
      return fail(1, {
        kind: 'not-initialised',
        message:
          `${formatDestination(r.dest)} has no .snaptray-destination marker: it is not set up, or the ` +
          'disk is not mounted. If it is the right folder on a mounted disk, run "snaptray init".',
      });
    }
    return warnings.reduce(withNews, await body({ ctx: opened.value.ctx, listing: listing.value }));
  } finally {
    await opened.value.close();
  }
}
