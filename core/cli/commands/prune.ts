/** `snaptray prune`: the retention policy applied now, under the profile's lock. */
import { hostname } from 'node:os';
import { planRetention, supersededIncomplete } from '../../backup/retention.js';
import { deleteSnapshots } from '../../destination/ops.js';
import { snapshotsOf } from '../../destination/snapshot.js';
import type { Failure } from '../../errors.js';
import { acquireLock } from '../../state/lock.js';
import { profileStateDir } from '../../state/paths.js';
import type { CliArgs } from '../args.js';
import { withListing } from '../destination.js';
import { failedOutput, type CommandContext, type Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { dryRun: false, keep: [], delete: [], warnings: [], error };
}

export async function prune(
  args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  const stateDir = profileStateDir(ctx.places.stateRoot, r.name);
  const lock = args.dryRun
    ? null
    : await acquireLock(stateDir, {
        pid: process.pid,
        startedAt: new Date().toISOString(),
        source: 'cli',
      });
  if (lock?.kind === 'held') {
    return failedOutput(failureJson, 4, {
      kind: 'refused',
      message: `A backup of this profile is running (process ${lock.pid}); prune later.`,
    });
  }
  try {
    return await withListing(r, ctx, failureJson, async ({ ctx: dest, listing }) => {
      const { snapshots, warnings } = snapshotsOf(r.profile.prefix, listing);
      const owner = [...snapshots].reverse().find((s) => s.manifest)?.manifest?.host;
      if (owner !== undefined && owner !== hostname()) {
        return failedOutput(failureJson, 1, {
          kind: 'prefix-owned',
          message: `The snapshots named "${r.profile.prefix}-…" belong to "${owner}", not to this machine; nothing is pruned.`,
        });
      }
      const plan = planRetention(snapshots, r.profile.retention, new Date());
      const doomed = [
        ...supersededIncomplete(snapshots).map((name) => ({
          name,
          reason: 'unfinished, and a newer complete snapshot exists',
        })),
        ...plan.delete,
      ];
      if (!args.dryRun && doomed.length > 0) {
        const deleted = await deleteSnapshots(
          dest,
          doomed.map((d) => d.name),
        );
        if (!deleted.ok) warnings.push(`Deleting failed: ${deleted.failure.message}`);
      }
      const json = { dryRun: args.dryRun, keep: plan.keep, delete: doomed, warnings };
      const verb = args.dryRun ? 'Would delete' : 'Deleted';
      const text =
        plan.keep.map((k) => `keep    ${k.name}  (${k.reasons.join(', ')})`).join('\n') +
        (plan.keep.length ? '\n' : '') +
        doomed.map((d) => `${verb.toLowerCase().padEnd(7)} ${d.name}  (${d.reason})`).join('\n') +
        (doomed.length ? '\n' : '');
      return { exitCode: 0, json, text, warnings };
    });
  } finally {
    if (lock?.kind === 'acquired') await lock.release();
  }
}
