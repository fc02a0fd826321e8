/**
 * Adding, renaming, duplicating and removing profiles, as changes to the settings: each takes the
 * settings as read and returns them as they should be written, or why not. A profile keeps its key
 * for life (profile-names.ts); renaming changes only the name it shows. Pure: api.ts reads, asks
 * and writes.
 */
import {
  displayNameProblem,
  effectivePrefix,
  freePrefix,
  newProfileKey,
  profileLabel,
} from '../../core/settings/profile-names.js';
import { displayNameSchema, type Profile, type Settings } from '../../core/settings/schema.js';
import type { ProfileEntry } from '../ipc/contract.js';
import type { Question } from '../shared/dialogs.js';
import { shownValue } from './changes.js';

export interface NameContext {
  hostname: string;
  uid: number;
}

export type ProfileChange =
  { ok: true; settings: Settings; selected: string } | { ok: false; message: string };

/** The profiles as the window's chooser lists them, in the file's order. */
export function profileEntries(settings: Settings, names: NameContext): ProfileEntry[] {
  return Object.entries(settings.profiles).map(([key, profile]) => ({
    key,
    name: profileLabel(key, profile),
    prefix: effectivePrefix(key, profile, names.hostname, names.uid),
  }));
}

/** A new profile called `name`, set up as a first profile is (`fresh`), with a prefix of its own. */
export function addProfile(
  settings: Settings,
  input: unknown,
  fresh: Profile,
  names: NameContext,
): ProfileChange {
  const name = checkedName(input, null, settings);
  if (!name.ok) return name;
  const key = newProfileKey(name.value, Object.keys(settings.profiles));
  const profile: Profile = {
    ...fresh,
    displayName: name.value,
    prefix: freePrefix(key, settings.profiles, names.hostname, names.uid),
  };
  return withProfile(settings, key, profile);
}

/** Only the name the profile shows changes: its key, prefix and state folder stay. */
export function renameProfile(settings: Settings, input: unknown): ProfileChange {
  const request = asRecord(input);
  const key = request?.key;
  if (typeof key !== 'string' || !Object.hasOwn(settings.profiles, key)) {
    return { ok: false, message: noProfile(key) };
  }
  const name = checkedName(request?.name, key, settings);
  if (!name.ok) return name;
  const profile = settings.profiles[key]!;
  return {
    ok: true,
    settings: {
      ...settings,
      profiles: { ...settings.profiles, [key]: { ...profile, displayName: name.value } },
    },
    selected: key,
  };
}

/**
 * A copy of profile `key` under a new key and name ("Home copy"), with every setting but the
 * prefix: a second profile with the same prefix would be refused as another owner of it.
 */
export function duplicateProfile(
  settings: Settings,
  key: unknown,
  names: NameContext,
): ProfileChange {
  if (typeof key !== 'string' || !Object.hasOwn(settings.profiles, key)) {
    return { ok: false, message: noProfile(key) };
  }
  const original = settings.profiles[key]!;
  const label = profileLabel(key, original);
  const base = `${label.slice(0, 58)} copy`;
  let name = base;
  for (let n = 2; displayNameProblem(name, null, settings.profiles) !== null; n++) {
    name = `${base} ${n}`;
  }
  const copyKey = newProfileKey(name, Object.keys(settings.profiles));
  const copy: Profile = {
    ...structuredClone(original),
    displayName: name,
    prefix: freePrefix(copyKey, settings.profiles, names.hostname, names.uid),
  };
  return withProfile(settings, copyKey, copy);
}

/** The settings without profile `key`; the last profile stays, the window always edits one. */
export function removeProfile(settings: Settings, key: unknown): ProfileChange {
  if (typeof key !== 'string' || !Object.hasOwn(settings.profiles, key)) {
    return { ok: false, message: noProfile(key) };
  }
  const rest = Object.fromEntries(Object.entries(settings.profiles).filter(([k]) => k !== key));
  const first = Object.keys(rest)[0];
  if (first === undefined) {
    return {
      ok: false,
      message: 'The only profile cannot be removed: add another one first, or change this one.',
    };
  }
  return { ok: true, settings: { ...settings, profiles: rest }, selected: first };
}

/** What the app asks before it removes a profile, and what stays. */
export function removeQuestion(
  key: string,
  profile: Profile,
  names: NameContext,
  places: { configFile: string; stateDir: string },
): Question {
  const label = profileLabel(key, profile);
  const prefix = effectivePrefix(key, profile, names.hostname, names.uid);
  const where = profile.destination === '' ? '(no destination set)' : profile.destination;
  return {
    title: 'Remove Profile',
    message: `Remove the profile “${shownValue(label)}” from the settings?`,
    detail: [
      `Destination: ${shownValue(where)}`,
      `Prefix: ${shownValue(prefix)}`,
      '',
      `Its snapshots on the destination are not touched, and neither is the claim on the prefix ${shownValue(prefix)}: a profile with that prefix can back up there again.`,
      `Its history, logs and pause stay in ${places.stateDir}.`,
      `Only the profile is removed from ${places.configFile}.`,
    ].join('\n'),
    confirm: 'Remove',
    warning: true,
  };
}

function withProfile(settings: Settings, key: string, profile: Profile): ProfileChange {
  return {
    ok: true,
    settings: { ...settings, profiles: { ...settings.profiles, [key]: profile } },
    selected: key,
  };
}

function checkedName(
  input: unknown,
  key: string | null,
  settings: Settings,
): { ok: true; value: string } | { ok: false; message: string } {
  const text = typeof input === 'string' ? input.trim() : input;
  const parsed = displayNameSchema.safeParse(text);
  if (!parsed.success) {
    return {
      ok: false,
      message: `The profile's name ${parsed.error.issues[0]?.message ?? 'is not valid'}.`,
    };
  }
  const taken = displayNameProblem(parsed.data, key, settings.profiles);
  return taken === null ? { ok: true, value: parsed.data } : { ok: false, message: taken };
}

function noProfile(key: unknown): string {
  return typeof key === 'string'
    ? `There is no profile "${shownValue(key)}" in the settings (any more): reopen the window.`
    : 'The profile request is not valid.';
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
}
