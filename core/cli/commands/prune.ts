/** `snaptray prune`: the retention policy applied now to this owner's snapshots, under the lock. */
import { clockSuspicions, readBootClock } from '../../backup/clock-check.js';
import { previewRetention, type RetentionPreviewEntry } from '../../backup/retention-preview.js';
import { holdPrefix } from '../../destination/hold-prefix.js';
import { decideOwnership, prefixOwner } from '../../destination/ownership.js';
import { snapshotsOf } from '../../destination/snapshot.js';
import type { Failure } from '../../errors.js';
import { appVersion } from '../../version.js';
import type { CliArgs } from '../args.js';
import { deleteAndConfirm } from '../../destination/delete-confirmed.js';
import { withLockedDestination } from '../locked.js';
import { failedOutput, plural, type CommandContext, type Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { dryRun: false, keep: [], delete: [], deleted: [], leave: [], warnings: [], error };
}

export async function prune(
  args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  return withLockedDestination(
    r,
    ctx,
    failureJson,
    { lock: !args.dryRun, verb: 'prune' },
    async ({ ctx: dest, listing, me }) => {
      const now = new Date();
      const prefix = r.profile.prefix;
      let entries: RetentionPreviewEntry[];
      let warnings: string[];
      if (args.dryRun) {
        // Only reading: show the plan for the owner this profile is, without claiming anything.
        const set = snapshotsOf(prefix, listing);
        const decision = decideOwnership(prefixOwner(set.claim, set.snapshots), me, prefix);
        if (decision.kind === 'refuse')
          return failedOutput(failureJson, 1, { kind: 'prefix-owned', message: decision.message });
        const claim = decision.kind === 'ours' ? decision.claim : null;
        entries = previewRetention(
          set.snapshots,
          r.profile.retention,
          now,
          claim,
          'nothing is pruned before the first backup claims the prefix',
          { unfinished: args.unfinished },
        );
        warnings = set.warnings;
      } else {
        const held = await holdPrefix(dest, listing, prefix, me, now, appVersion());
        if (!held.ok) return failedOutput(failureJson, 1, held.failure);
        entries = previewRetention(
          held.set.snapshots,
          r.profile.retention,
          now,
          held.claim,
          undefined,
          { unfinished: args.unfinished },
        );
        warnings = held.set.warnings;
      }
      const pick = (action: RetentionPreviewEntry['action']) =>
        entries.filter((e) => e.action === action).map(({ name, reason }) => ({ name, reason }));
      const planned = pick('delete');
      // Retention goes by dates: with a clock that looks wrong, nothing is deleted.
      const suspicions = clockSuspicions(
        snapshotsOf(prefix, listing).snapshots,
        now,
        await readBootClock(),
      );
      if (suspicions.length > 0 && !args.dryRun && planned.length > 0) {
        return failedOutput(failureJson, 1, {
          kind: 'refused',
          message:
            `This computer's clock looks wrong: ${suspicions.join('; and ')}. Retention goes by ` +
            'dates, so nothing was deleted. Set the clock right, then prune again ' +
            '("snaptray prune --dry-run" shows the plan).',
        });
      }
      let deleted: string[] = [];
      if (!args.dryRun && planned.length > 0) {
        const result = await deleteAndConfirm(
          dest,
          prefix,
          planned.map((d) => d.name),
        );
        deleted = result.deleted;
        warnings = [...warnings, ...result.warnings];
      }
      const json = {
        dryRun: args.dryRun,
        keep: pick('keep'),
        delete: planned,
        deleted,
        leave: pick('leave'),
        warnings,
        error: null,
      };
      const lines = [
        ...pick('keep').map((k) => `keep     ${k.name}  (${k.reason})`),
        ...pick('leave').map((k) => `leave    ${k.name}  (${k.reason})`),
        ...planned.map((d) =>
          args.dryRun
            ? `would delete ${d.name}  (${d.reason})`
            : deleted.includes(d.name)
              ? `deleted  ${d.name}  (${d.reason})`
              : `NOT deleted ${d.name}  (${d.reason})`,
        ),
      ];
      if (!args.dryRun) lines.push(`${plural(deleted.length, 'snapshot')} deleted.`);
      const allGone = deleted.length === planned.length;
      return {
        exitCode: args.dryRun || allGone ? 0 : 1,
        json,
        text: lines.join('\n') + '\n',
        warnings,
      };
    },
  );
}
