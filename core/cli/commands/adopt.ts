/** `snaptray adopt`: take this prefix over for the profile, explicitly (destination/adopt.ts). */
import { adoptPrefix } from '../../destination/adopt.js';
import type { Failure } from '../../errors.js';
import { displayPath } from '../../restore/remote-names.js';
import { appVersion } from '../../version.js';
import type { CliArgs } from '../args.js';
import { withLockedDestination } from '../locked.js';
import { failedOutput, type CommandContext, type Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';
import { saveSetup, settingsJson } from '../save-setup.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return {
    prefix: null,
    adopted: false,
    previousOwner: null,
    movedSources: [],
    settings: null,
    warnings: [],
    error,
  };
}

export async function adopt(
  args: CliArgs,
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
      const result = await adoptPrefix(
        dest,
        listing,
        prefix,
        me,
        new Date(),
        appVersion(),
        args.maps,
      );
      if (!result.ok) return failedOutput(failureJson, 1, result.failure);
      // The next plain "snaptray backup" continues this prefix: the profile saves it.
      const saved = await saveSetup(args, r, 'adopt');
      const savedText = saved.lines.map((line) => `${line}\n`).join('');
      const settings = { settings: settingsJson(saved), warnings: saved.warnings };
      const moved = result.movedSources;
      const movedText = args.maps
        .map(
          (m) =>
            `A backup of ${displayPath(m.to)} links its files against ${displayPath(m.from)} in ` +
            'the newest snapshot until a snapshot holds it.\n',
        )
        .join('');
      if (!result.adopted) {
        return {
          exitCode: 0,
          json: {
            prefix,
            adopted: false,
            previousOwner: null,
            movedSources: moved,
            ...settings,
            error: null,
          },
          text: `The prefix "${prefix}" already belongs to this profile ("${r.name}").\n${movedText}${savedText}`,
          warnings: saved.warnings,
        };
      }
      const last = result.previous;
      const cameWithHome = me.elsewhere?.some((e) => e.id === last?.id) === true;
      return {
        exitCode: 0,
        json: {
          prefix,
          adopted: true,
          previousOwner: last && { host: last.host, user: last.user, profile: last.profile },
          snapshots: result.snapshots,
          movedSources: moved,
          ...settings,
          error: null,
        },
        warnings: saved.warnings,
        text:
          `The prefix "${prefix}" now belongs to this profile ("${r.name}", user ${me.user} on ` +
          `"${me.host}"); it belonged to ${result.was}. Its ${result.snapshots} snapshot(s) are ` +
          'linked against and pruned by this profile from now on.\n' +
          (cameWithHome
            ? `The identity of "${last?.host ?? 'that machine'}" came with this home folder; ` +
              'this machine keeps an identity of its own, so if that machine still backs up, it ' +
              'is refused under this prefix from now on and needs another prefix.\n'
            : '') +
          movedText +
          savedText,
      };
    },
  );
}
