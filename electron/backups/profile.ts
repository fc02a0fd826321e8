/** The profile the Backups window shows, read from the settings file on each request. */
import { parseDestination, type Destination } from '../../core/destination/address.js';
import type { Snapshot } from '../../core/destination/snapshot.js';
import { defaultPrefix } from '../../core/destination/snapshot-name.js';
import type { Profile } from '../../core/settings/schema.js';
import {
  describeErrors,
  loadSettings,
  settingsFileExists,
  type SettingsBackend,
} from '../../core/settings/store.js';
import type { BackupsResult } from '../ipc/backups-contract.js';

export interface Target {
  profile: Profile;
  dest: Destination;
}

/**
 * Reads the profile and its destination each time it is called: the settings window and the CLI
 * change the file while the Backups window is open. The prefix defaults as backups default it.
 */
export function createProfileReader(opts: {
  configFile: string;
  openBackend: (path: string) => Promise<SettingsBackend>;
  hostname: string;
  profileName: string;
  uid: number;
}): () => Promise<BackupsResult<Target>> {
  let backend: Promise<SettingsBackend> | null = null;

  function openBackendOnce(): Promise<SettingsBackend> {
    backend ??= opts.openBackend(opts.configFile).catch((e: unknown) => {
      backend = null;
      throw e;
    });
    return backend;
  }

  return async () => {
    const notSetUp = (message: string): BackupsResult<Target> => ({
      ok: false,
      reason: 'not-set-up',
      message,
    });
    if (!settingsFileExists(opts.configFile)) {
      return notSetUp('Snaptray is not set up yet: choose a destination in Settings first.');
    }
    let loaded;
    try {
      loaded = loadSettings(await openBackendOnce());
    } catch (e) {
      return notSetUp(
        `The settings file ${opts.configFile} cannot be read: ${(e as Error).message}`,
      );
    }
    if (!loaded.ok) return notSetUp(describeErrors(opts.configFile, loaded.errors));
    const stored = loaded.settings.profiles[opts.profileName];
    if (stored === undefined || stored.destination === '') {
      return notSetUp('No destination is set yet: choose one in Settings first.');
    }
    const dest = parseDestination(stored.destination);
    if (!dest.ok) return notSetUp(`The destination in the settings is not valid: ${dest.message}.`);
    const profile = { ...stored };
    if (profile.prefix === '') {
      profile.prefix = defaultPrefix(opts.hostname, opts.profileName, opts.uid);
    }
    return { ok: true, value: { profile, dest: dest.value } };
  };
}

/**
 * The folders a snapshot holds, where browsing starts: its manifest's; for a snapshot without one
 * (unfinished, or the old script's whole-machine snapshots), the profile's.
 */
export function sourcesOf(snapshot: Snapshot, profile: Profile): string[] {
  return [...(snapshot.manifest?.sources ?? profile.sources)];
}
