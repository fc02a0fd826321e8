/**
 * A profile's two names: its key in `profiles` (stable: the state folder, the run lock, the owner
 * claim on the destination and `--profile` use it) and the name people see, which they may change.
 * Pure: the settings window and the tray choose and show names with these.
 */
import { defaultPrefix } from '../destination/snapshot-name.js';
import { PROFILE_NAME_PATTERN, type Profile } from './schema.js';

/** The name a profile shows: its display name, or its key. */
export function profileLabel(key: string, profile: Pick<Profile, 'displayName'>): string {
  return profile.displayName ?? key;
}

/** The prefix a profile backs up under: the saved one, or the default its key gives. */
export function effectivePrefix(
  key: string,
  profile: Pick<Profile, 'prefix'>,
  hostname: string,
  uid: number,
): string {
  return profile.prefix !== '' ? profile.prefix : defaultPrefix(hostname, key, uid);
}

/**
 * A key for a new profile named `name`: its letters and digits as PROFILE_NAME_PATTERN allows,
 * lower case, with `-2`, `-3`… added until no profile has it.
 */
export function newProfileKey(name: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((k) => k.toLowerCase()));
  const base =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9_]+/, '')
      .replace(/[-.]+$/, '')
      .slice(0, 56) || 'profile';
  for (let n = 1; ; n++) {
    const key = n === 1 ? base : `${base}-${n}`;
    if (PROFILE_NAME_PATTERN.test(key) && !used.has(key)) return key;
  }
}

/**
 * A prefix for the profile `key` that no other profile backs up under: the default for its key
 * (`<host>-<key>`), or that with `-2`, `-3`… added. Two profiles with one prefix would be two
 * owners of it, and the second would be refused at its first backup.
 */
export function freePrefix(
  key: string,
  others: Readonly<Record<string, Pick<Profile, 'prefix'>>>,
  hostname: string,
  uid: number,
): string {
  const used = new Set(
    Object.entries(others)
      .filter(([other]) => other !== key)
      .map(([other, profile]) => effectivePrefix(other, profile, hostname, uid)),
  );
  const base = defaultPrefix(hostname, key, uid);
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : `-${n}`;
    const prefix = base.slice(0, 100 - suffix.length) + suffix;
    if (!used.has(prefix)) return prefix;
  }
}

/** Why `name` cannot be the display name of `key` among `profiles`, or null when it can. */
export function displayNameProblem(
  name: string,
  key: string | null,
  profiles: Readonly<Record<string, Pick<Profile, 'displayName'>>>,
): string | null {
  const taken = Object.entries(profiles).find(
    ([other, profile]) =>
      other !== key && profileLabel(other, profile).toLowerCase() === name.toLowerCase(),
  );
  return taken === undefined ? null : `Another profile is already called "${name}".`;
}
