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
 * Reads, migrates and validates. A migrated file is written back in the current version. A file
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
  if (migrated.changed) backend.store = parsed.data as unknown as Record<string, unknown>;
  return {
    ok: true,
    settings: parsed.data,
    migrated: migrated.changed,
    unknown: unknownKeys(migrated.value),
  };
}

/** Validates and writes; nothing is written when a field is invalid. */
export function saveSettings(
  backend: SettingsBackend,
  settings: unknown,
): { ok: true; settings: Settings } | { ok: false; errors: FieldError[] } {
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  backend.store = parsed.data as unknown as Record<string, unknown>;
  return { ok: true, settings: parsed.data };
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
