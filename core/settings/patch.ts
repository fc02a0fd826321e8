/**
 * Saving settings as the smallest change to the file the user has: only the values that changed
 * are written into the file's own JSON, so keys Snaptray does not know (a typo, or a newer
 * version's settings) and every value left alone stay as they were, and defaults stay out of the
 * file unless someone set them.
 */
import { defaultProfile, type Settings } from './schema.js';

type Json = Record<string, unknown>;

/**
 * `raw` (the file's JSON, migrated to this version) with the changes from `current` (what `raw`
 * reads as, defaults filled in) to `next` applied. A profile `next` adds starts from the defaults,
 * so only what differs from them is written; a profile `next` leaves out is removed. `raw` itself
 * is not changed.
 */
export function patchSettings(raw: Json, current: Settings, next: Settings): Json {
  const out = copyJson(raw);
  if (out.version !== next.version) out.version = next.version;
  const profiles = isRecord(out.profiles) ? out.profiles : (out.profiles = {});
  for (const name of Object.keys(current.profiles)) {
    if (!Object.hasOwn(next.profiles, name)) delete profiles[name];
  }
  for (const [name, profile] of Object.entries(next.profiles)) {
    const before = Object.hasOwn(current.profiles, name) ? current.profiles[name] : undefined;
    const target = isRecord(profiles[name]) ? profiles[name] : (profiles[name] = {});
    writeChanges(target, before ?? defaultProfile(), profile);
  }
  return out;
}

/** Writes into `raw` each leaf of `after` that differs from `before`; lists are leaves. */
function writeChanges(raw: Json, before: object, after: object): void {
  const was = before as Json;
  const now = after as Json;
  for (const key of Object.keys(was)) {
    if (!Object.hasOwn(now, key)) delete raw[key];
  }
  for (const [key, value] of Object.entries(now)) {
    const old = Object.hasOwn(was, key) ? was[key] : undefined;
    if (sameJson(old, value)) continue;
    if (isRecord(value) && isRecord(old)) {
      const inner = isRecord(raw[key]) ? raw[key] : (raw[key] = {});
      writeChanges(inner, old, value);
    } else raw[key] = copyJson(value);
  }
}

export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]))
    );
  }
  return false;
}

function copyJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** A JSON object (conf hands over objects without a prototype, which count too). */
function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
