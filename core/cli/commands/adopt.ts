/**
 * `snaptray adopt`: the explicit way to take a prefix over, after a reinstall (a new identity) or
 * on a machine that replaces the one that made the snapshots. Never done silently.
 */
import { checkHeld, writeClaim } from '../../destination/hold-prefix.js';
import {
  claimFor,
  describeOwner,
  prefixOwner,
  previousOwnersOf,
  sameOwner,
} from '../../destination/ownership.js';
import { snapshotsOf } from '../../destination/snapshot.js';
import type { Failure } from '../../errors.js';
import { appVersion } from '../../version.js';
import type { CliArgs } from '../args.js';
import { withLockedDestination } from '../locked.js';
import { failedOutput, type CommandContext, type Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { prefix: null, adopted: false, previousOwner: null, error };
}

export async function adopt(
  _args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  const prefix = r.profile.prefix;
  return withLockedDestination(
    r,
    ctx,
    failureJson,
    { lock: true, verb: 'adopt' },
    async ({ ctx: dest, listing, me }) => {
      const set = snapshotsOf(prefix, listing);
      const owner = prefixOwner(set.claim, set.snapshots);
      if (owner.kind === 'claimed' && sameOwner(owner.claim.owner, me)) {
        return {
          exitCode: 0,
          json: { prefix, adopted: false, previousOwner: null, error: null },
          text: `The prefix "${prefix}" already belongs to this profile ("${r.name}").\n`,
        };
      }
      if (owner.kind === 'unreadable') {
        return failedOutput(failureJson, 1, {
          kind: 'prefix-owned',
          message: `The owner file of "${prefix}" cannot be read (${owner.reason}); update Snaptray before taking it over.`,
        });
      }
      const now = new Date();
      const previous = previousOwnersOf(owner, now);
      const written = await writeClaim(
        dest,
        claimFor(me, prefix, now, appVersion(), previous),
        false,
      );
      if (!written.ok) return failedOutput(failureJson, 1, written.failure);
      const held = await checkHeld(dest, prefix, me);
      if (!held.ok) return failedOutput(failureJson, 1, held.failure);
      const was =
        owner.kind === 'claimed'
          ? describeOwner(owner.claim)
          : owner.kind === 'unclaimed'
            ? `the machine "${owner.host}" (before prefixes had owners)`
            : 'nobody';
      const last = previous.at(-1) ?? null;
      return {
        exitCode: 0,
        json: {
          prefix,
          adopted: true,
          previousOwner: last && { host: last.host, user: last.user, profile: last.profile },
          snapshots: set.snapshots.length,
          error: null,
        },
        text:
          `The prefix "${prefix}" now belongs to this profile ("${r.name}", user ${me.user} on ` +
          `"${me.host}"); it belonged to ${was}. Its ${set.snapshots.length} snapshot(s) are ` +
          'linked against and pruned by this profile from now on.\n',
      };
    },
  );
}
