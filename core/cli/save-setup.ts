/**
 * What `init` and `adopt` keep of their command line in the settings file, so that a plain
 * `snaptray backup` (from cron, say) goes to the same destination, over the same connection,
 * under the same prefix. Above all the prefix: it defaults to the host name, so without it a
 * renamed machine would start a new prefix with a full copy.
 *
 * The rule: they fill in what the profile leaves empty (a new settings file, a new profile, or a
 * profile without a destination takes the command's destination and ssh flags) and never change
 * what it holds, except that `adopt` makes the adopted prefix the profile's. A command aimed at
 * another destination than the profile's (or, for `init`, another prefix) is a one-off
 * (one-off.ts) and saves nothing.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaultProfile, SETTINGS_VERSION, type Profile } from '../settings/schema.js';
import { describeErrors, openConfStore, saveSettings } from '../settings/store.js';
import { accountName } from '../settings/trusted-file.js';
import { formatDestination, parseDestination } from '../destination/address.js';
import type { CliArgs } from './args.js';
import type { ResolvedProfile } from './profile.js';
import { sameDestination } from './one-off.js';

/** The ssh settings a flag can set, with the flag and the words for each. */
const SSH_FIELDS = [
  ['port', 'sshPort', 'the ssh port'],
  ['identityFile', 'sshKey', 'the ssh key'],
  ['knownHostsFile', 'knownHosts', 'the known_hosts file'],
  ['configFile', 'sshConfig', 'the ssh config file'],
  ['rsyncPath', 'rsyncPath', 'the rsync path'],
] as const;

type Flags = Pick<CliArgs, (typeof SSH_FIELDS)[number][1]>;

export interface SetupPlan {
  profile: Profile;
  /** The settings that change, as the file names them: "destination", "ssh.identityFile". */
  fields: string[];
  /** What changes, in words: `the destination`, `the prefix "univac"`, `the ssh key`. */
  words: string[];
  /** Flags the profile holds another value for, which stays, in words. */
  kept: string[];
}

/**
 * The profile `saved` (null: not in the file yet) with what the command `run` used filled in.
 * `flags` are the command line's, so that only ssh settings given as flags are saved.
 * `takePrefix`: the run's prefix replaces a saved one (adopt).
 */
export function planSetup(
  saved: Profile | null,
  run: Profile,
  flags: Flags,
  takePrefix: boolean,
): SetupPlan {
  const base = saved ?? defaultProfile();
  const profile: Profile = { ...base, ssh: { ...base.ssh } };
  const plan: SetupPlan = { profile, fields: [], words: [], kept: [] };
  if (base.destination === '') {
    profile.destination = run.destination;
    plan.fields.push('destination');
    plan.words.push('the destination');
  }
  if (base.prefix === '' || (takePrefix && base.prefix !== run.prefix)) {
    profile.prefix = run.prefix;
    plan.fields.push('prefix');
    plan.words.push(
      `the prefix "${run.prefix}"${base.prefix === '' ? '' : ` (instead of "${base.prefix}")`}`,
    );
  }
  for (const [field, flag, words] of SSH_FIELDS) {
    if (flags[flag] === null) continue;
    const value = run.ssh[field];
    if (base.ssh[field] === null) {
      (profile.ssh as Record<string, unknown>)[field] = value;
      plan.fields.push(`ssh.${field}`);
      plan.words.push(words);
    } else if (base.ssh[field] !== value) {
      plan.kept.push(
        `The profile's own ${words.replace(/^the /, '')}, ${String(base.ssh[field])}, stays saved ` +
          `(this command used ${String(value)}); change it in the settings to use this one from now on.`,
      );
    }
  }
  return plan;
}

export interface SetupSave {
  file: string;
  profile: string;
  /** The settings written, as the file names them. */
  saved: string[];
  /** Why nothing was saved, or why writing failed; null otherwise. */
  notSaved: string | null;
  /** The result in words, one line each. */
  lines: string[];
  /** Problems the user must hear of (writing failed). */
  warnings: string[];
}

/** Saves what `init` (or `adopt`) should keep of this command line; says what it did. */
export async function saveSetup(
  args: CliArgs,
  r: ResolvedProfile,
  command: 'init' | 'adopt',
): Promise<SetupSave> {
  const saved = r.settings?.profiles[r.name] ?? null;
  const result: SetupSave = {
    file: r.configPath,
    profile: r.name,
    saved: [],
    notSaved: null,
    lines: [],
    warnings: [],
  };
  const elsewhere = oneOffReason(saved, r, command);
  if (elsewhere !== null) {
    result.notSaved = elsewhere;
    result.lines.push(elsewhere);
    return result;
  }
  const plan = planSetup(saved, r.profile, args, command === 'adopt');
  result.lines.push(...plan.kept);
  if (plan.fields.length > 0) {
    const written = await write(r, plan.profile);
    if (written !== null) {
      result.notSaved = written;
      result.warnings.push(written);
      return result;
    }
    result.saved = plan.fields;
    result.lines.unshift(
      `Saved ${listWords(plan.words)} for profile "${r.name}" in ${r.configPath}: ` +
        `"snaptray${r.name === 'default' ? '' : ` --profile ${r.name}`} backup" without flags ` +
        '(from cron too) uses them.',
    );
  }
  if (plan.profile.sources.length === 0) {
    result.lines.push(
      `No folders to back up are saved yet: add "sources" to profile "${r.name}" in ` +
        `${r.configPath} (or in the settings window), or name them on each run with ` +
        `"snaptray${r.name === 'default' ? '' : ` --profile ${r.name}`} backup --source PATH".`,
    );
  }
  return result;
}

/** What was kept in the settings file, for --json. */
export function settingsJson(saved: SetupSave): Record<string, unknown> {
  return { file: saved.file, profile: saved.profile, saved: saved.saved, notSaved: saved.notSaved };
}

/** Why this command's destination (or prefix) is not the profile's, in words; null if it is. */
function oneOffReason(
  saved: Profile | null,
  r: ResolvedProfile,
  command: 'init' | 'adopt',
): string | null {
  if (saved === null || r.oneOff === null) return null;
  const otherDestination =
    saved.destination !== '' && !sameDestination(saved.destination, r.profile.destination);
  // Adopting a prefix on the profile's own destination makes it the profile's.
  if (command === 'adopt' && !otherDestination) return null;
  const where = saved.destination === '' ? '' : ` backs up to ${shown(saved.destination)}`;
  const prefix = saved.prefix === '' ? '' : ` under the prefix "${saved.prefix}"`;
  return (
    `The settings were not changed: profile "${r.name}" in ${r.configPath}${where}${prefix}, and ` +
    `this command named another ${otherDestination ? 'destination' : 'prefix'}. To make this ` +
    'its destination from now on, change the profile in the settings (or use --profile with a ' +
    'new name).'
  );
}

/** Writes the profile into the settings file (made if there is none); the problem in words. */
async function write(r: ResolvedProfile, profile: Profile): Promise<string | null> {
  const file = r.configPath;
  const foreign = r.backend === null ? foreignFolder(dirname(file)) : null;
  if (foreign !== null) {
    return (
      `The settings were not saved: ${foreign.folder} belongs to ${accountName(foreign.uid)}, and ` +
      "a settings file root made there would not be that account's own. Run Snaptray as that " +
      "account, or as root with root's own home folder (sudo -H)."
    );
  }
  try {
    const backend = r.backend ?? (await openConfStore(file));
    const settings = r.settings ?? { version: SETTINGS_VERSION, profiles: {} };
    const done = saveSettings(backend, {
      ...settings,
      profiles: { ...settings.profiles, [r.name]: profile },
    });
    return done.ok ? null : `The settings were not saved. ${describeErrors(file, done.errors)}`;
  } catch (e) {
    return `The settings could not be saved in ${file}: ${(e as Error).message}`;
  }
}

/**
 * Root started with another account's HOME (sudo -E): the nearest existing folder on the way to
 * `folder`, which that account owns. Any other account is stopped by the folders' modes.
 */
function foreignFolder(folder: string): { folder: string; uid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (let at = folder; ; at = dirname(at)) {
    const stats = (() => {
      try {
        return statSync(at);
      } catch {
        return null;
      }
    })();
    if (stats !== null) return stats.uid === 0 ? null : { folder: at, uid: stats.uid };
    if (dirname(at) === at) return null;
  }
}

function shown(destination: string): string {
  const parsed = parseDestination(destination);
  return parsed.ok ? formatDestination(parsed.value) : destination;
}

/** "a", "a and b", "a, b and c". */
function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1) ?? ''}`;
}
