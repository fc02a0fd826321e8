/**
 * Which profile, and which prefix on its destination, the Backups window shows: the profile the
 * window was opened for and its own prefix at first, then what the user chose in its chooser.
 */
import { z } from 'zod';
import { prefixProblem } from '../../core/destination/snapshot-name.js';
import type { BackupsResult, ProfileChoices } from '../ipc/backups-contract.js';
import type { BackupsHandlers } from '../ipc/contract.js';
import type { SettingsView, Target } from './profile.js';
import { invalid } from './requests.js';

/** What the window shows: a profile's target, and the prefix read on its destination. */
export interface Shown extends Target {
  /** The prefix whose snapshots are shown: the profile's own, or another on its destination. */
  prefix: string;
  /** The prefixes this settings file's profiles back up to. */
  prefixes: ReadonlySet<string>;
}

export interface ViewSelection {
  /** The profile and prefix chosen, read from the settings file now. */
  shown(): Promise<BackupsResult<Shown>>;
  /** The profile chosen: its state folder holds its history and lock. */
  profileName(): string;
  handlers: Pick<BackupsHandlers, 'listProfiles' | 'chooseView'>;
}

const viewChoice = z.object({
  profile: z.string().min(1).max(64),
  prefix: z
    .string()
    .max(255)
    .refine((p) => prefixProblem(p) === null, 'must be a prefix')
    .nullable(),
});

export function createViewSelection(deps: {
  readSettings: () => Promise<BackupsResult<SettingsView>>;
  /** The profile the window opens with. */
  profileName: string;
}): ViewSelection {
  let chosen: { profile: string; prefix: string | null } = {
    profile: deps.profileName,
    prefix: null,
  };

  async function shown(): Promise<BackupsResult<Shown>> {
    const settings = await deps.readSettings();
    if (!settings.ok) return settings;
    const target = settings.value.target(chosen.profile);
    if (!target.ok) return target;
    const prefix = chosen.prefix ?? target.value.profile.prefix;
    return { ok: true, value: { ...target.value, prefix, prefixes: settings.value.prefixes } };
  }

  return {
    shown,
    profileName: () => chosen.profile,
    handlers: {
      async listProfiles(): Promise<BackupsResult<ProfileChoices>> {
        const settings = await deps.readSettings();
        if (!settings.ok) return settings;
        const { profiles } = settings.value;
        // A profile removed from the file since: show the first one left.
        if (!profiles.some((p) => p.key === chosen.profile) && profiles[0] !== undefined) {
          chosen = { profile: profiles[0].key, prefix: null };
        }
        return { ok: true, value: { profiles, profile: chosen.profile } };
      },

      async chooseView(input) {
        const request = viewChoice.safeParse(input);
        if (!request.success) return invalid('a profile or machine');
        const settings = await deps.readSettings();
        if (!settings.ok) return settings;
        if (!settings.value.profiles.some((p) => p.key === request.data.profile)) {
          return {
            ok: false,
            reason: 'not-found',
            message: `The settings file holds no profile "${request.data.profile}" any more: choose another one.`,
          };
        }
        chosen = { profile: request.data.profile, prefix: request.data.prefix };
        return { ok: true, value: null };
      },
    },
  };
}
