/** The profiles the Backups window shows, read from the settings file on each request. */
import { parseDestination, type Destination } from '../../core/destination/address.js';
import type { Snapshot } from '../../core/destination/snapshot.js';
import type { Profile, Settings } from '../../core/settings/schema.js';
import { effectivePrefix, profileLabel } from '../../core/settings/profile-names.js';
import {
  describeErrors,
  loadSettings,
  settingsFileExists,
  type SettingsBackend,
} from '../../core/settings/store.js';
import type { BackupsResult, ProfileChoice } from '../ipc/backups-contract.js';

export interface Target {
  /** The profile's key in the settings file. */
  name: string;
  profile: Profile;
  dest: Destination;
}

/** The settings file as the window reads it: every profile, for the chooser and for targets. */
export interface SettingsView {
  profiles: ProfileChoice[];
  /** The prefixes this settings file's profiles back up to, each as backups default it. */
  prefixes: Set<string>;
  /** The profile named, with its destination and prefix, or why it cannot be shown. */
  target(profileName: string): BackupsResult<Target>;
}

/**
 * Reads the settings file each time it is called: the settings window and the CLI change the file
 * while the Backups window is open. A prefix defaults as backups default it.
 */
export function createSettingsReader(opts: {
  configFile: string;
  openBackend: (path: string) => Promise<SettingsBackend>;
  hostname: string;
  uid: number;
}): () => Promise<BackupsResult<SettingsView>> {
  let backend: Promise<SettingsBackend> | null = null;

  function openBackendOnce(): Promise<SettingsBackend> {
    backend ??= opts.openBackend(opts.configFile).catch((e: unknown) => {
      backend = null;
      throw e;
    });
    return backend;
  }

  const notSetUp = <T>(message: string): BackupsResult<T> => ({
    ok: false,
    reason: 'not-set-up',
    message,
  });

  return async () => {
    if (!settingsFileExists(opts.configFile)) {
      return notSetUp('Snaptray is not set up yet: choose a destination in Settings first.');
    }
    let settings: Settings;
    try {
      const loaded = loadSettings(await openBackendOnce());
      if (!loaded.ok) return notSetUp(describeErrors(opts.configFile, loaded.errors));
      settings = loaded.settings;
    } catch (e) {
      return notSetUp(
        `The settings file ${opts.configFile} cannot be read: ${(e as Error).message}`,
      );
    }
    const entries = Object.entries(settings.profiles);
    return {
      ok: true,
      value: {
        profiles: entries.map(([key, p]) => ({
          key,
          label: profileLabel(key, p),
          destination: p.destination,
        })),
        prefixes: new Set(
          entries.map(([key, p]) => effectivePrefix(key, p, opts.hostname, opts.uid)),
        ),
        target(name) {
          const stored = settings.profiles[name];
          if (stored === undefined) {
            return notSetUp(`The settings file holds no profile "${name}": choose another one.`);
          }
          if (stored.destination === '') {
            return notSetUp(
              `The profile "${name}" has no destination yet: choose one in Settings first.`,
            );
          }
          const dest = parseDestination(stored.destination);
          if (!dest.ok) {
            return notSetUp(`The destination in the settings is not valid: ${dest.message}.`);
          }
          const profile = {
            ...stored,
            prefix: effectivePrefix(name, stored, opts.hostname, opts.uid),
          };
          return { ok: true, value: { name, profile, dest: dest.value } };
        },
      },
    };
  };
}

/** A profile's name for people. */
/**
 * The folders a snapshot holds, where browsing starts: its manifest's; for a snapshot without one
 * (unfinished, or the old script's whole-machine snapshots), the profile's, when it is the
 * profile's own (another machine's folders are not this profile's).
 */
export function sourcesOf(snapshot: Snapshot, profile: Profile | null): string[] {
  return [...(snapshot.manifest?.sources ?? profile?.sources ?? [])];
}
