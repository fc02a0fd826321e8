/**
 * Reading and writing the settings file. The CLI uses `conf`; the tray app passes its
 * electron-store (a subclass of Conf) to the same functions, so both apply one schema and one
 * set of migrations.
 */
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import {
  fieldErrors,
  settingsSchema,
  SETTINGS_VERSION,
  type FieldError,
  type Settings,
} from './schema.js';
import { migrate } from './migrations.js';
import { unknownKeys, type UnknownKey } from './unknown-keys.js';
import { trustFile } from './trusted-file.js';
import { patchSettings, sameJson } from './patch.js';

/** The part of Conf (and electron-store) this module needs. */
export interface SettingsBackend {
  readonly path: string;
  store: Record<string, unknown>;
}

/** Options shared by conf here and electron-store in the app: same file, same mode. */
export function storeOptions(path: string) {
  return {
    cwd: dirname(path),
    configName: basename(path).replace(/\.json$/, ''),
    fileExtension: basename(path).endsWith('.json') ? 'json' : '',
    configFileMode: 0o600,
    projectName: 'snaptray',
    clearInvalidConfig: false,
  } as const;
}

export async function openConfStore(path: string): Promise<SettingsBackend> {
  // Loaded only when a settings file is used: conf's imports cost ~0.15 s of every start-up.
  const { default: Conf } = await import('conf');
  return new Conf<Record<string, unknown>>(storeOptions(path));
}

export type LoadResult =
  | {
      ok: true;
      settings: Settings;
      migrated: boolean;
      /** Keys the schema does not know: ignored, and worth a warning (unknown-keys.ts). */
      unknown: UnknownKey[];
    }
  | { ok: false; errors: FieldError[] };

export function settingsFileExists(path: string): boolean {
  return existsSync(path);
}

/**
 * Reads, migrates and validates. A migrated file is written back in the current version, as the
 * migration left it (defaults stay out, keys this version does not know stay in). A file
 * that is not this account's own (or root's), or that others may change, is not read: its hooks
 * would run as this account (trusted-file.ts).
 */
export function loadSettings(backend: SettingsBackend): LoadResult {
  const trust = trustFile(backend.path, 'the settings file');
  if (!trust.ok) return { ok: false, errors: [{ path: FILE_PROBLEM, message: trust.message }] };
  let raw: Record<string, unknown>;
  try {
    raw = backend.store;
  } catch (e) {
    return {
      ok: false,
      errors: [
        { path: FILE_PROBLEM, message: `${backend.path} cannot be read: ${(e as Error).message}` },
      ],
    };
  }
  const migrated = migrate(raw);
  if (!migrated.ok) return { ok: false, errors: [{ path: 'version', message: migrated.message }] };
  const parsed = settingsSchema.safeParse(migrated.value);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  if (migrated.changed) backend.store = migrated.value;
  return {
    ok: true,
    settings: parsed.data,
    migrated: migrated.changed,
    unknown: unknownKeys(migrated.value),
  };
}

export type SaveResult =
  | {
      ok: true;
      settings: Settings;
      /** Keys the file still holds that this version does not know: a save keeps them. */
      unknown: UnknownKey[];
    }
  | { ok: false; errors: FieldError[] };

/**
 * Validates `settings` (the whole file as it should read) and writes only what differs from what
 * the file holds now: the user's other keys, their order and values, keys this version does not
 * know and the absence of defaults all stay as they are (patch.ts). Nothing is written when a
 * field is invalid, or when the file is not valid now (it changed since it was read).
 */
export function saveSettings(backend: SettingsBackend, settings: unknown): SaveResult {
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const migrated = migrate(backend.store);
  if (!migrated.ok) return { ok: false, errors: [{ path: 'version', message: migrated.message }] };
  const current = settingsSchema.safeParse(migrated.value);
  if (!current.success) return { ok: false, errors: fieldErrors(current.error) };
  const patched = patchSettings(migrated.value, current.data, parsed.data);
  const written = settingsSchema.safeParse(patched);
  if (!written.success) return { ok: false, errors: fieldErrors(written.error) };
  if (!sameJson(written.data, parsed.data)) {
    throw new Error('The settings patch does not read back as the settings it was made from.');
  }
  if (migrated.changed || !sameJson(patched, migrated.value)) backend.store = patched;
  return { ok: true, settings: written.data, unknown: unknownKeys(patched) };
}

/** The error path of a problem with the file itself rather than with a field. */
export const FILE_PROBLEM = '(file)';

export function describeErrors(path: string, errors: readonly FieldError[]): string {
  const file = errors.find((e) => e.path === FILE_PROBLEM);
  if (file !== undefined) return file.message;
  return (
    `The settings in ${path} are not valid:\n` +
    errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')
  );
}

export { SETTINGS_VERSION };
