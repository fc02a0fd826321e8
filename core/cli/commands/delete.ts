/**
 * `snaptray delete NAME…`: chosen snapshots of this profile's prefix, under the lock, manifests
 * first. The newest complete snapshot is refused unless --force: it is the base of the next run
 * and often the only good copy.
 */
import { holdPrefix } from '../../destination/hold-prefix.js';
import { compareSnapshots, isComplete, isOwn } from '../../destination/snapshot.js';
import type { Failure } from '../../errors.js';
import { appVersion } from '../../version.js';
import type { CliArgs } from '../args.js';
import { deleteAndConfirm } from '../../destination/delete-confirmed.js';
import { withLockedDestination } from '../locked.js';
import { failedOutput, plural, type CommandContext, type Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { dryRun: false, delete: [], deleted: [], warnings: [], error };
}

export async function deleteCommand(
  args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  const prefix = r.profile.prefix;
  const names = [...new Set(args.positionals)];
  return withLockedDestination(
    r,
    ctx,
    failureJson,
    { lock: true, verb: 'delete' },
    async ({ ctx: dest, listing, me }) => {
      const held = await holdPrefix(dest, listing, prefix, me, new Date(), appVersion());
      if (!held.ok) return failedOutput(failureJson, 1, held.failure);
      const byName = new Map(held.set.snapshots.map((s) => [s.name, s]));
      const missing = names.filter((n) => !byName.has(n));
      if (missing.length > 0) {
        return failedOutput(failureJson, 2, {
          kind: 'usage',
          message: `Not snapshots of the prefix "${prefix}" on this destination: ${missing.join(', ')} (see "snaptray list").`,
        });
      }
      const chosen = names.map((n) => byName.get(n)!);
      const foreign = chosen.filter((s) => s.state !== 'unknown' && !isOwn(s, held.claim));
      if (foreign.length > 0) {
        return failedOutput(failureJson, 1, {
          kind: 'prefix-owned',
          message: `Written by another owner, so not deleted: ${foreign.map((s) => s.name).join(', ')}.`,
        });
      }
      const newestComplete = held.set.snapshots
        .filter((s) => isOwn(s, held.claim) && isComplete(s))
        .sort(compareSnapshots)
        .at(-1);
      const guarded = chosen.filter((s) => s === newestComplete || s.state === 'unknown');
      if (guarded.length > 0 && !args.force) {
        const why = guarded.map((s) =>
          s === newestComplete
            ? `${s.name} is the newest complete snapshot (the base of the next backup)`
            : `${s.name} has a manifest this version cannot read`,
        );
        return failedOutput(failureJson, 1, {
          kind: 'refused',
          message: `${why.join('; ')}. Nothing was deleted; add --force to delete anyway.`,
        });
      }
      if (args.dryRun) {
        return {
          exitCode: 0,
          json: { dryRun: true, delete: names, deleted: [], warnings: [], error: null },
          text: names.map((n) => `would delete ${n}`).join('\n') + '\n',
        };
      }
      const { deleted, warnings } = await deleteAndConfirm(dest, prefix, names);
      const notDeleted = names.filter((n) => !deleted.includes(n));
      const text =
        [
          ...deleted.map((n) => `deleted  ${n}`),
          ...notDeleted.map((n) => `NOT deleted ${n}`),
          `${plural(deleted.length, 'snapshot')} deleted.`,
        ].join('\n') + '\n';
      return {
        exitCode: notDeleted.length === 0 ? 0 : 1,
        json: { dryRun: false, delete: names, deleted, warnings, error: null },
        text,
        warnings,
      };
    },
  );
}
