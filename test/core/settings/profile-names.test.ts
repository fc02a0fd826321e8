/**
 * A profile's key and display name: the key a new profile gets, the prefix it gets, and settings
 * files with and without a display name, read by this version and by one that predates it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  displayNameProblem,
  effectivePrefix,
  freePrefix,
  newProfileKey,
  profileLabel,
} from '../../../core/settings/profile-names.js';
import {
  defaultProfile,
  PROFILE_NAME_PATTERN,
  profileSchema,
  SETTINGS_VERSION,
} from '../../../core/settings/schema.js';
import { loadSettings, openConfStore, saveSettings } from '../../../core/settings/store.js';
import { unknownKeys } from '../../../core/settings/unknown-keys.js';
import { makeTempDir } from '../../support/tree.js';

const withPrefix = (prefix: string) => ({ prefix });

describe('newProfileKey', () => {
  it('makes a key of the name that PROFILE_NAME_PATTERN accepts and no profile has', () => {
    const keys = [
      newProfileKey('Work laptop', ['default']),
      newProfileKey('Work laptop', ['default', 'work-laptop']),
      newProfileKey('Work laptop', ['default', 'Work-Laptop', 'work-laptop-2']),
      newProfileKey('Fotos für Oma', []),
      newProfileKey('  --Photos!  ', []),
      newProfileKey('日本語', []),
      newProfileKey('x'.repeat(200), []),
      newProfileKey('Default', ['default']),
    ];
    expect(keys).toEqual([
      'work-laptop',
      'work-laptop-2',
      'work-laptop-3',
      'fotos-fur-oma',
      'photos',
      'profile',
      'x'.repeat(56),
      'default-2',
    ]);
    for (const key of keys) expect(key).toMatch(PROFILE_NAME_PATTERN);
  });
});

describe('freePrefix', () => {
  it('gives the default prefix of the key when no other profile backs up under it', () => {
    expect(freePrefix('photos', { default: withPrefix('') }, 'univac', 1000)).toBe('univac-photos');
  });
  it('adds -2, -3… when another profile uses the default, saved or implied by its own key', () => {
    const profiles = {
      default: withPrefix(''), // backs up as "univac"
      a: withPrefix('univac-photos'),
      b: withPrefix('univac-photos-2'),
    };
    expect(freePrefix('photos', profiles, 'univac', 1000)).toBe('univac-photos-3');
    // A key whose default is the host's own prefix, which the default profile uses without saving it.
    expect(
      freePrefix('x', { default: withPrefix(''), y: withPrefix('univac-x') }, 'univac', 1000),
    ).toBe('univac-x-2');
    // The profile itself does not count against its own prefix.
    expect(freePrefix('a', profiles, 'univac', 1000)).toBe('univac-a');
    // root's profiles carry "system", as defaultPrefix gives them.
    expect(freePrefix('photos', profiles, 'univac', 0)).toBe('univac-system-photos');
  });
  it('stays within the 100 characters a prefix may have', () => {
    const host = 'h'.repeat(100);
    const prefix = freePrefix('p', { default: withPrefix(''), q: withPrefix(host) }, host, 1000);
    expect(prefix).toBe(`${'h'.repeat(98)}-2`);
  });
});

describe('display names', () => {
  it('shows the display name, or the key without one', () => {
    expect(profileLabel('work', { displayName: 'Work laptop' })).toBe('Work laptop');
    expect(profileLabel('work', {})).toBe('work');
    expect(effectivePrefix('work', withPrefix(''), 'univac', 1000)).toBe('univac-work');
    expect(effectivePrefix('work', withPrefix('box'), 'univac', 1000)).toBe('box');
  });
  it('refuses a name another profile shows, its key included, in any case', () => {
    const profiles = { default: {}, work: { displayName: 'Work laptop' } };
    expect(displayNameProblem('work LAPTOP', null, profiles)).toBe(
      'Another profile is already called "work LAPTOP".',
    );
    expect(displayNameProblem('Default', null, profiles)).toBe(
      'Another profile is already called "Default".',
    );
    expect(displayNameProblem('Work laptop', 'work', profiles)).toBeNull();
    expect(displayNameProblem('Photos', null, profiles)).toBeNull();
  });
  it('checks a display name as one line of plain text', () => {
    const problems = ['', ' Work', 'a\nb', 'a\u202eb', 'x'.repeat(65), 'Work laptop'].map(
      (name) => {
        const parsed = profileSchema.safeParse({ displayName: name });
        return parsed.success ? null : parsed.error.issues.map((i) => i.message).join('; ');
      },
    );
    expect(problems).toEqual([
      'must not be empty',
      'must not start or end with a space',
      'must be one line of plain text',
      'must be one line of plain text',
      'must be at most 64 characters',
      null,
    ]);
  });
});

describe('settings files and the display name', () => {
  async function settingsFile(profiles: Record<string, unknown>): Promise<string> {
    const dir = await makeTempDir('st-names-');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ version: 1, profiles }), { mode: 0o600 });
    return file;
  }

  it('reads a file without display names as before, and keeps it unchanged', async () => {
    const file = await settingsFile({ default: { prefix: 'box' }, work: { prefix: 'box-work' } });
    const before = await readFile(file, 'utf8');
    const loaded = loadSettings(await openConfStore(file));
    expect(loaded).toMatchObject({ ok: true, migrated: false, unknown: [] });
    if (!loaded.ok) return;
    expect(loaded.settings.version).toBe(SETTINGS_VERSION);
    expect(loaded.settings.profiles.work).toEqual({ ...defaultProfile(), prefix: 'box-work' });
    expect('displayName' in loaded.settings.profiles.work!).toBe(false);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('reads and writes a display name, at the same version', async () => {
    const file = await settingsFile({ work: { displayName: 'Work laptop', prefix: 'box-work' } });
    const store = await openConfStore(file);
    const loaded = loadSettings(store);
    expect(loaded).toMatchObject({ ok: true, migrated: false, unknown: [] });
    if (!loaded.ok) return;
    expect(loaded.settings.profiles.work?.displayName).toBe('Work laptop');
    const renamed = structuredClone(loaded.settings);
    renamed.profiles.work!.displayName = 'Office';
    expect(saveSettings(store, renamed).ok).toBe(true);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: 1,
      profiles: { work: { displayName: 'Office', prefix: 'box-work' } },
    });
  });

  it('an older Snaptray, whose schema has no display name, reads such a file and names the key it ignores', async () => {
    // The schema as it was before the display name: zod objects strip keys they do not know.
    const older = z.object({
      version: z.literal(1),
      profiles: z.record(z.string(), profileSchema.omit({ displayName: true })),
    });
    const raw = { version: 1, profiles: { work: { displayName: 'Work laptop', prefix: 'box' } } };
    const parsed = older.safeParse(raw);
    expect(parsed.success).toBe(true);
    expect(parsed.data?.profiles.work).toEqual({ ...defaultProfile(), prefix: 'box' });
    // And this version knows the key: no "does not know" warning for it.
    expect(unknownKeys(raw)).toEqual([]);
  });
});
