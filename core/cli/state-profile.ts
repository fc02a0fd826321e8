/**
 * The profile a command about this machine's state works on (status, pause, resume, schedule):
 * read from the settings file, with no destination needed and nothing connected.
 */
import { defaultProfile, type Profile } from '../settings/schema.js';
import { profileStateDir } from '../state/paths.js';
import type { LockPlaces } from '../state/profile-lock.js';
import type { CliArgs } from './args.js';
import type { CommandContext } from './output.js';
import { configPathOf, missingProfile, openSettings } from './profile.js';

export interface StateProfile {
  name: string;
  profile: Profile;
  /** A destination and at least one source are set: the schedule applies. */
  configured: boolean;
  configPath: string;
  stateDir: string;
  /** Where a run of this profile holds its locks (readRunLock). */
  lock: LockPlaces;
}

export async function stateProfile(
  args: CliArgs,
  ctx: CommandContext,
): Promise<{ ok: true; value: StateProfile } | { ok: false; message: string }> {
  const configPath = configPathOf(args, ctx.places.configFile);
  const opened = await openSettings(configPath, args.config !== null);
  if (!opened.ok) return opened;
  const stored = opened.settings?.profiles[args.profile];
  if (stored === undefined) {
    const missing = missingProfile(args, configPath, opened.settings);
    if (missing !== null) return { ok: false, message: missing };
  }
  const profile = stored ?? defaultProfile();
  const stateDir = profileStateDir(ctx.places.stateRoot, args.profile);
  return {
    ok: true,
    value: {
      name: args.profile,
      profile,
      configured: profile.destination !== '' && profile.sources.length > 0,
      configPath,
      stateDir,
      lock: {
        stateDir,
        configDir: ctx.places.configDir,
        profile: args.profile,
      },
    },
  };
}

/** "2026-11-30 08:00", local time: what a person compares with the clock on the wall. */
export function localTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ` +
    `${two(at.getHours())}:${two(at.getMinutes())}`
  );
}
