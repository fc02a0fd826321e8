/**
 * Listing a destination for someone who knows only its address: where ssh commands there do not
 * find rsync (Entware's /opt/bin on a router), it is looked for in the usual places as
 * `snaptray check` does (check-rsync.ts), and the listing is made again with the rsync found.
 * Every call goes through the command's one ssh connection.
 */
import { checkRsync } from './check-rsync.js';
import { listDestination, type DestinationContext, type OpResult } from './ops.js';
import type { DestinationListing } from './snapshot.js';
import { failure } from '../errors.js';

export interface FoundListing {
  listing: DestinationListing;
  /** Where rsync was found, and what to set, when the rsync path given did not reach it. */
  warning: string | null;
}

export async function listFindingRsync(
  ctx: DestinationContext,
  rsyncPath: string | null,
  signal?: AbortSignal,
): Promise<OpResult<FoundListing>> {
  const first = await listDestination(ctx);
  if (first.ok) return { ok: true, value: { listing: first.value, warning: null } };
  if (first.failure.kind !== 'remote-rsync-missing' || ctx.dest.kind !== 'ssh') return first;
  const found = await checkRsync(ctx, rsyncPath, signal);
  if (found.kind !== 'rsync-not-on-path') {
    return {
      ok: false,
      failure: failure(
        found.kind ?? first.failure.kind,
        found.ok ? first.failure.message : found.message,
      ),
    };
  }
  // rsync-not-on-path without a place found: it is on the PATH, and the rsync path set is wrong.
  const shell = ctx.rsyncShellArgs.filter((a) => !a.startsWith('--rsync-path='));
  const place = found.suggestedRsyncPath;
  const again = await listDestination({
    ...ctx,
    rsyncShellArgs: [...shell, ...(place !== undefined ? [`--rsync-path=${place}`] : [])],
  });
  if (!again.ok) return again;
  return {
    ok: true,
    value: { listing: again.value, warning: `${found.message} This listing used it.` },
  };
}
