/**
 * The profile as edited: each part's fields laid over the profile last loaded or saved, so that a
 * field no control shows (written by the CLI, by hand, or by a newer version of the window) is
 * saved back unchanged.
 */

type Fields = Record<string, unknown>;

export function draftProfile(saved: object, ...parts: Fields[]): Fields {
  return parts.reduce<Fields>(
    (draft, part) => overlay(draft, part),
    structuredClone(saved) as Fields,
  );
}

function overlay(base: Fields, over: Fields): Fields {
  const result: Fields = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const under = result[key];
    result[key] = isPlainObject(under) && isPlainObject(value) ? overlay(under, value) : value;
  }
  return result;
}

function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
