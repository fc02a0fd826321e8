/** `snaptray list`: this prefix's snapshots, their state and what each run sent. Reading only. */
import { formatDestination } from '../../destination/address.js';
import { householdOf } from '../../destination/household.js';
import { otherMachinesHint } from '../../destination/household-hint.js';
import { describeOwner } from '../../destination/ownership.js';
import { outOfSequence, snapshotsOf, type Snapshot } from '../../destination/snapshot.js';
import type { Failure } from '../../errors.js';
import { formatBytes } from '../../format.js';
import type { CliArgs } from '../args.js';
import { localTime } from '../reading.js';
import { withListing } from '../destination.js';
import type { CommandContext, Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { snapshots: [], owner: null, hint: null, warnings: [], error };
}

export async function list(
  _args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  return withListing(r, ctx, failureJson, async ({ listing }) => {
    const { snapshots, claim, warnings } = snapshotsOf(r.profile.prefix, listing);
    const rows = snapshots.map(row);
    const owner =
      claim.kind === 'claimed'
        ? {
            host: claim.claim.host,
            user: claim.claim.user,
            profile: claim.claim.owner.profile,
          }
        : null;
    // An empty prefix on a destination that holds others: most likely a new machine's name.
    const hint =
      rows.length === 0
        ? otherMachinesHint(householdOf(listing, new Date()), r.profile.prefix)
        : null;
    const lines =
      rows.length === 0
        ? [`No snapshots named ${r.profile.prefix}-… on ${formatDestination(r.dest)}.`]
        : snapshots.map(textLine);
    if (hint !== null) lines.push(hint);
    if (claim.kind === 'claimed') lines.push(`Owner: ${describeOwner(claim.claim)}.`);
    return {
      exitCode: 0,
      json: { snapshots: rows, owner, hint, warnings, error: null },
      text: lines.join('\n') + '\n',
      warnings,
    };
  });
}

function row(s: Snapshot): Record<string, unknown> {
  const m = s.manifest;
  return {
    name: s.name,
    time: s.time.toISOString(),
    state: s.state,
    ...(s.problem !== null ? { reason: s.problem } : {}),
    generation: s.generation,
    /** Its date disagrees with its place among the runs: a clock was wrong then, or later. */
    outOfOrder: outOfSequence(s),
    ...(outOfSequence(s) ? { orderedAs: s.sequenceTime.toISOString() } : {}),
    files: m?.files ?? null,
    bytesSent: m?.bytesSent ?? null,
    totalFiles: m?.totalFiles ?? null,
    totalBytes: m?.totalBytes ?? null,
    host: m?.host ?? null,
    user: m?.user ?? null,
  };
}

function textLine(s: Snapshot): string {
  const m = s.manifest;
  const parts = [s.name, s.state.padEnd(10)];
  if (m) {
    parts.push(`${m.files.toLocaleString('en-US')} sent (${formatBytes(m.bytesSent)})`);
    if (m.totalFiles !== undefined && m.totalBytes !== undefined) {
      parts.push(
        `holds ${m.totalFiles.toLocaleString('en-US')} files, ${formatBytes(m.totalBytes)}`,
      );
    }
  }
  if (s.problem !== null) parts.push(`manifest unreadable: ${s.problem}`);
  if (outOfSequence(s)) {
    parts.push(
      `dated out of order (a clock was wrong): counted as of ${localTime(s.sequenceTime)}, its place among the runs`,
    );
  }
  return parts.join('  ');
}
