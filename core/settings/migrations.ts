/** Versioned migrations of the settings file, applied at load. */
import { SETTINGS_VERSION } from './schema.js';

type Raw = Record<string, unknown>;

/**
 * Step N turns a version-N file into version N+1. The first step turns a file without a version
 * (empty, or written by hand) into version 1.
 */
const STEPS: Record<number, (raw: Raw) => Raw> = {
  0: (raw) => ({ ...raw, version: 1, profiles: raw.profiles ?? { default: {} } }),
};

export function migrate(
  input: Raw,
): { ok: true; value: Raw; changed: boolean } | { ok: false; message: string } {
  let raw = input;
  let version = typeof raw.version === 'number' ? raw.version : raw.version === undefined ? 0 : NaN;
  if (!Number.isInteger(version) || version < 0) {
    return { ok: false, message: `must be a whole number (found ${JSON.stringify(raw.version)})` };
  }
  if (version > SETTINGS_VERSION) {
    return {
      ok: false,
      message: `is ${version}: this file was written by a newer Snaptray (this one reads version ${SETTINGS_VERSION}). Update Snaptray.`,
    };
  }
  const changed = version !== SETTINGS_VERSION;
  while (version < SETTINGS_VERSION) {
    const step = STEPS[version];
    if (!step) return { ok: false, message: `has no migration from version ${version}` };
    raw = step(raw);
    version++;
  }
  return { ok: true, value: raw, changed };
}
