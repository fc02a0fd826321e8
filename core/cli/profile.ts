/** Which profile a command works on: the settings file, with the command line's flags on top. */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Destination } from '../destination/address.js';
import { parseDestination } from '../destination/address.js';
import {
  describeErrors,
  loadSettings,
  openConfStore,
  settingsFileExists,
  type SettingsBackend,
} from '../settings/store.js';
import {
  defaultProfile,
  fieldErrors,
  profileSchema,
  type Profile,
  type Settings,
} from '../settings/schema.js';
import { defaultPrefix } from '../destination/snapshot-name.js';
import type { OneOffTarget } from '../state/history.js';
import { describeUnknownKey, unknownKeysOf, type UnknownKey } from '../settings/unknown-keys.js';
import type { CliArgs } from './args.js';
import { oneOffTarget } from './one-off.js';

export interface ResolvedProfile {
  name: string;
  profile: Profile;
  dest: Destination;
  configPath: string;
  /** The open settings file, when it exists. */
  backend: SettingsBackend | null;
  settings: Settings | null;
  /** Set when the flags name another destination, prefix or sources than the saved profile. */
  oneOff: OneOffTarget | null;
  /** Settings keys of this profile (or the top level) that Snaptray does not know, in words. */
  settingsWarnings: string[];
}

export type Resolution = { ok: true; value: ResolvedProfile } | { ok: false; message: string };

export function configPathOf(args: CliArgs, defaultPath: string): string {
  return args.config ? resolve(args.config) : defaultPath;
}

export async function openSettings(
  path: string,
  explicit: boolean,
): Promise<
  | {
      ok: true;
      backend: SettingsBackend | null;
      settings: Settings | null;
      /** Keys the file holds that this version does not know (ignored). */
      unknown: UnknownKey[];
    }
  | { ok: false; message: string }
> {
  if (!settingsFileExists(path)) {
    if (explicit) return { ok: false, message: `The settings file ${path} does not exist.` };
    return { ok: true, backend: null, settings: null, unknown: [] };
  }
  let backend: SettingsBackend;
  try {
    backend = await openConfStore(path);
  } catch (e) {
    return {
      ok: false,
      message: `The settings file ${path} cannot be read: ${(e as Error).message}`,
    };
  }
  const loaded = loadSettings(backend);
  if (!loaded.ok) return { ok: false, message: describeErrors(path, loaded.errors) };
  return { ok: true, backend, settings: loaded.settings, unknown: loaded.unknown };
}

export async function resolveProfile(
  args: CliArgs,
  defaultConfigPath: string,
): Promise<Resolution> {
  const configPath = configPathOf(args, defaultConfigPath);
  const opened = await openSettings(configPath, args.config !== null);
  if (!opened.ok) return opened;
  const { backend, settings } = opened;
  const saved = settings?.profiles[args.profile] ?? null;
  let base = saved ?? undefined;
  if (!base) {
    const missing = missingProfile(args, configPath, settings);
    if (missing !== null) return { ok: false, message: missing };
    base = defaultProfile();
  }
  const merged = {
    ...base,
    ...(args.dest !== null ? { destination: args.dest } : {}),
    ...(args.prefix !== null ? { prefix: args.prefix } : {}),
    ...(args.sources.length > 0 ? { sources: args.sources } : {}),
    ...(args.excludes.length > 0 ? { excludes: args.excludes } : {}),
    ssh: {
      ...base.ssh,
      ...(args.sshPort !== null ? { port: args.sshPort } : {}),
      ...(args.sshKey !== null ? { identityFile: resolve(args.sshKey) } : {}),
      ...(args.knownHosts !== null ? { knownHostsFile: resolve(args.knownHosts) } : {}),
      ...(args.sshConfig !== null ? { configFile: resolve(args.sshConfig) } : {}),
      ...(args.rsyncPath !== null ? { rsyncPath: args.rsyncPath } : {}),
    },
  };
  const checked = profileSchema.safeParse(merged);
  if (!checked.success) {
    return {
      ok: false,
      message: fieldErrors(checked.error)
        .map((e) => `Profile "${args.profile}": ${e.path}: ${e.message}`)
        .join('\n'),
    };
  }
  const profile = checked.data;
  const prefixByDefault = defaultPrefix(hostname(), args.profile, process.getuid?.() ?? 1000);
  if (profile.prefix === '') profile.prefix = prefixByDefault;
  if (profile.destination === '') {
    return {
      ok: false,
      message: `No destination is set for profile "${args.profile}": pass --dest FOLDER or --dest [user@]host:/path, or set one in the settings.`,
    };
  }
  const dest = parseDestination(profile.destination);
  if (!dest.ok) return { ok: false, message: `The destination ${dest.message}.` };
  return {
    ok: true,
    value: {
      name: args.profile,
      profile,
      dest: dest.value,
      configPath,
      backend,
      settings,
      oneOff: oneOffTarget(saved, saved?.prefix || prefixByDefault, profile),
      settingsWarnings: unknownKeysOf(opened.unknown, args.profile).map((k) =>
        describeUnknownKey(k, configPath),
      ),
    },
  };
}

/**
 * A profile the settings do not hold is most likely a typo; it is taken as new only when the
 * command line names everything the command needs (--dest, and --source for a backup).
 */
export function missingProfile(
  args: Pick<CliArgs, 'profile' | 'dest' | 'sources' | 'command'>,
  configPath: string,
  settings: Settings | null,
): string | null {
  if (args.profile === 'default') return null;
  if (args.dest !== null && (args.command !== 'backup' || args.sources.length > 0)) return null;
  const profiles = Object.entries(settings?.profiles ?? {});
  // --profile takes the key, which a rename in the settings window leaves as it is.
  const shown = profiles.filter(
    ([, p]) => p.displayName?.toLowerCase() === args.profile.toLowerCase(),
  );
  if (shown.length > 0) {
    const keys = shown.map(([key]) => `--profile ${key}`).join(' or ');
    const which = shown.length === 1 ? 'the profile' : 'profiles';
    return `There is no profile "${args.profile}", but ${which} ${shown.map(([key]) => `"${key}"`).join(' and ')} ${shown.length === 1 ? 'is' : 'are'} shown by that name: the command line names a profile by its key. Pass ${keys}.`;
  }
  const named = profiles.map(([key, p]) =>
    p.displayName === undefined || p.displayName === key ? key : `${key} ("${p.displayName}")`,
  );
  const where =
    settings === null
      ? `there is no settings file (${configPath})`
      : `${configPath} has ${named.length === 0 ? 'no profiles' : `the profiles ${named.join(', ')}`}`;
  const names = args.command === 'backup' ? '--dest and --source' : '--dest';
  return `There is no profile "${args.profile}": ${where}. Check the name, or pass ${names} to run without a saved profile.`;
}
