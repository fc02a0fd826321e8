/** `snaptray init`: the marker on a destination the user names. */
import { hostname } from 'node:os';
import { formatDestination } from '../../destination/address.js';
import { initialiseDestination } from '../../destination/initialise.js';
import { judgeDisk } from '../../destination/probe.js';
import type { Failure } from '../../errors.js';
import { saveSettings } from '../../settings/store.js';
import type { CliArgs } from '../args.js';
import { withListing } from '../destination.js';
import { failedOutput, type CommandContext, type Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { destination: null, initialised: false, prefix: null, disk: null, error };
}

export async function init(
  args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  return withListing(
    r,
    ctx,
    failureJson,
    async ({ ctx: dest, listing }) => {
      const where = formatDestination(r.dest);
      const written = await initialiseDestination(dest, listing, new Date(), hostname(), {
        allowFullCopies: args.allowFullCopies,
      });
      if (!written.ok) return failedOutput(failureJson, 1, written.failure);
      const saved = savePrefix(r);
      const probe = written.value.probe;
      const disk = probe === null ? null : judgeDisk(probe);
      const text =
        (listing.hasMarker
          ? `${where} is already a Snaptray destination.\n`
          : `${where} is now a Snaptray destination.\n`) +
        (disk !== null ? `${disk.message}\n` : '') +
        (saved ? `Saved the prefix "${r.profile.prefix}" for profile "${r.name}".\n` : '');
      return {
        exitCode: 0,
        json: {
          destination: where,
          initialised: !listing.hasMarker,
          prefix: r.profile.prefix,
          disk: probe && {
            hardLinks: probe.hardLinks,
            symlinks: probe.symlinks,
            permissions: probe.permissions,
          },
          error: null,
        },
        text,
      };
    },
    { allowUninitialised: true },
  );
}

/** The prefix defaults to the host name; saving it keeps snapshots linked after a rename. */
function savePrefix(r: ResolvedProfile): boolean {
  if (!r.backend || !r.settings) return false;
  const stored = r.settings.profiles[r.name];
  if (!stored || stored.prefix !== '') return false;
  const next = {
    ...r.settings,
    profiles: { ...r.settings.profiles, [r.name]: { ...stored, prefix: r.profile.prefix } },
  };
  return saveSettings(r.backend, next).ok;
}
