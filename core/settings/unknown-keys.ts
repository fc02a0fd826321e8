/**
 * Settings keys this version does not know. zod drops them without a word, so a typo such as
 * `keepAllHour` silently left retention at its defaults. They are not errors (a newer version's
 * file must stay readable), but every run, `check` and the settings window name them, with the
 * nearest known key.
 */
import { z } from 'zod';
import { closestWord } from '../suggest.js';
import { settingsSchema } from './schema.js';

export interface UnknownKey {
  /** Where it is, from the top of the file: `["profiles", "default", "retention"]`. */
  parent: string[];
  key: string;
  /** The known key at the same place it most likely meant, if one is close enough. */
  suggestion: string | null;
}

/** Every key of `raw` (a migrated settings file) that the schema does not know, in file order. */
export function unknownKeys(raw: unknown): UnknownKey[] {
  const found: UnknownKey[] = [];
  walk(settingsSchema, raw, [], found);
  return found;
}

/** Those that concern a run of `profile`: its own and the top level's, not other profiles'. */
export function unknownKeysOf(keys: readonly UnknownKey[], profile: string): UnknownKey[] {
  return keys.filter(
    (k) => k.parent.length < 2 || (k.parent[0] === 'profiles' && k.parent[1] === profile),
  );
}

/** "profiles.default.retention.keepAllHour" */
export function keyPath(k: UnknownKey): string {
  return [...k.parent, k.key].join('.');
}

/** The warning a run, `check` and the settings window give for one unknown key. */
export function describeUnknownKey(k: UnknownKey, file: string): string {
  const guess = k.suggestion === null ? '' : ` Did you mean ${k.suggestion}?`;
  return (
    `The settings file ${file} has a setting this version of Snaptray does not know, ` +
    `${keyPath(k)}, and ignores it.${guess}`
  );
}

function walk(schema: z.ZodType, value: unknown, parent: string[], found: UnknownKey[]): void {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject && isPlainObject(value)) {
    const shape = inner.shape as Record<string, z.ZodType>;
    const known = Object.keys(shape);
    for (const [key, child] of Object.entries(value)) {
      const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
      if (field === undefined) {
        found.push({ parent, key, suggestion: closestWord(key, known) });
      } else walk(field, child, [...parent, key], found);
    }
  } else if (inner instanceof z.ZodRecord && isPlainObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      walk(inner.valueType as z.ZodType, child, [...parent, key], found);
    }
  }
}

/** The object or record inside defaults, optionals and nullables. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
      s = s.unwrap() as z.ZodType;
    } else return s;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
