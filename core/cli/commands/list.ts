/** `snaptray list`: this prefix's snapshots and their state. */
import { formatDestination } from '../../destination/address.js';
import { snapshotsOf } from '../../destination/snapshot.js';
import type { Failure } from '../../errors.js';
import type { CliArgs } from '../args.js';
import { withListing } from '../destination.js';
import type { CommandContext, Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { snapshots: [], error };
}

export async function list(
  _args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  return withListing(r, ctx, failureJson, async ({ listing }) => {
    const { snapshots, warnings } = snapshotsOf(r.profile.prefix, listing);
    const rows = snapshots.map((s) => ({
      name: s.name,
      time: s.time.toISOString(),
      state: s.state,
      status: s.status,
    }));
    const text =
      rows.length === 0
        ? `No snapshots named ${r.profile.prefix}-… on ${formatDestination(r.dest)}.\n`
        : rows
            .map(
              (s) =>
                `${s.name}  ${s.state}${s.status && s.state !== 'legacy' ? ` (${s.status})` : ''}`,
            )
            .join('\n') + '\n';
    return { exitCode: 0, json: { snapshots: rows, warnings }, text, warnings };
  });
}
