/** `snaptray init`: the marker on a destination the user names. */
import { hostname } from 'node:os';
import { formatDestination } from '../../destination/address.js';
import { createDestinationFolder } from '../../destination/create-folder.js';
import { householdOf } from '../../destination/household.js';
import { otherMachinesHint } from '../../destination/household-hint.js';
import { initialiseDestination } from '../../destination/initialise.js';
import { judgeDisk } from '../../destination/probe.js';
import { RRSYNC_PATHS } from '../../destination/rsync-messages.js';
import { isComplete, snapshotsOf } from '../../destination/snapshot.js';
import { failure, type Failure } from '../../errors.js';
import type { CliArgs } from '../args.js';
import { withListing } from '../destination.js';
import { failedOutput, type CommandContext, type Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';
import { saveSetup, settingsJson } from '../save-setup.js';
import { shellLine } from '../shell-words.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return {
    destination: null,
    initialised: false,
    created: false,
    prefix: null,
    disk: null,
    hint: null,
    settings: null,
    warnings: [],
    error,
  };
}

export async function init(
  args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  let created = false;
  const whenMissing = async (dest: Parameters<typeof createDestinationFolder>[0]) => {
    if (!args.create) return { ok: false as const, failure: folderMissing(args, r) };
    const made = await createDestinationFolder(dest);
    created = made.ok;
    return made;
  };
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
      const saved = await saveSetup(args, r, 'init');
      const probe = written.value.probe;
      const disk = probe === null ? null : judgeDisk(probe);
      // The destination holds other machines' snapshots and none of this prefix: most likely a
      // new machine's name, whose owner may want to read or continue one of them instead.
      const hint = snapshotsOf(r.profile.prefix, listing).snapshots.some(isComplete)
        ? null
        : otherMachinesHint(householdOf(listing, new Date()), r.profile.prefix);
      const text =
        (created ? `Created the folder ${where}.\n` : '') +
        (listing.hasMarker
          ? `${where} is already a Snaptray destination.\n`
          : `${where} is now a Snaptray destination.\n`) +
        (disk !== null ? `${disk.message}\n` : '') +
        saved.lines.map((line) => `${line}\n`).join('') +
        (hint !== null
          ? `No snapshots are named ${r.profile.prefix}-… here yet, the prefix of this profile.\n${hint}\n`
          : '');
      return {
        exitCode: 0,
        json: {
          destination: where,
          initialised: !listing.hasMarker,
          created,
          prefix: r.profile.prefix,
          disk: probe && {
            hardLinks: probe.hardLinks,
            symlinks: probe.symlinks,
            permissions: probe.permissions,
          },
          hint,
          settings: settingsJson(saved),
          warnings: saved.warnings,
          error: null,
        },
        text,
        warnings: saved.warnings,
      };
    },
    { allowUninitialised: true, whenMissing },
  );
}

/**
 * A missing folder is never created unasked: an unmounted disk's mount point looks exactly like
 * the parent of a new folder. The words name the command that creates it.
 */
function folderMissing(args: CliArgs, r: ResolvedProfile): Failure {
  return failure(
    'destination-missing',
    `${formatDestination(r.dest)} does not exist. Is the disk mounted? Snaptray does not create ` +
      'a destination folder by itself, because on an unmounted disk it would fill the wrong one. ' +
      'If the path is right and the disk is mounted, create the folder (only the last one) with:\n' +
      `  ${shellLine(['snaptray', 'init', '--create', ...givenOptions(args)])}` +
      (r.dest.kind === 'ssh' ? `\n${RRSYNC_PATHS}` : ''),
  );
}

/** The destination options of this command line, to repeat them in a suggested command. */
function givenOptions(args: CliArgs): string[] {
  const pairs: [string, string | number | null][] = [
    ['--config', args.config],
    ['--profile', args.profile === 'default' ? null : args.profile],
    ['--dest', args.dest],
    ['--prefix', args.prefix],
    ['--ssh-port', args.sshPort],
    ['--ssh-key', args.sshKey],
    ['--known-hosts', args.knownHosts],
    ['--ssh-config', args.sshConfig],
    ['--rsync-path', args.rsyncPath],
  ];
  return pairs.flatMap(([flag, value]) => (value === null ? [] : [flag, String(value)]));
}
