/**
 * Snapshot names on the destination. PERSISTED FORMAT: these names, and the manifest
 * beside each snapshot, are read back by every later run; change them only with a migration.
 *
 *   <prefix>-YYYY-MM-DD-HHMMSS     a Snaptray snapshot, local time
 *   <prefix>-YYYY-MM-DD            the old router script's daily snapshot (complete, "legacy")
 *   <prefix>-….snaptray.json       the manifest, pushed last; without it a snapshot is incomplete
 */

export const PREFIX_PATTERN = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;
export const MANIFEST_SUFFIX = '.snaptray.json';
export const MARKER_NAME = '.snaptray-destination';

export interface ParsedName {
  /** Local wall-clock time the name encodes. */
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  legacy: boolean;
}

/** Why a prefix is unusable, or null when it is fine. */
export function prefixProblem(prefix: string): string | null {
  if (prefix === '') return 'is empty';
  if (prefix.startsWith('-')) return 'must not start with "-"';
  if (!PREFIX_PATTERN.test(prefix)) return 'may hold only letters, digits, ".", "_" and "-"';
  if (prefix.length > 100) return 'is longer than 100 characters';
  return null;
}

/** A prefix made from a host name: the default, saved at setup. */
export function prefixFromHostname(hostname: string): string {
  const cleaned = hostname.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[-]+/, '');
  return cleaned === '' ? 'snaptray' : cleaned.slice(0, 100);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** The snapshot name for a local time. */
export function snapshotName(prefix: string, at: Date): string {
  return (
    `${prefix}-${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}-` +
    `${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`
  );
}

/** A name that is not in `taken`: the name for `at`, or the next free second after it. */
export function freshSnapshotName(prefix: string, at: Date, taken: ReadonlySet<string>): string {
  let t = at.getTime();
  for (;;) {
    const name = snapshotName(prefix, new Date(t));
    if (!taken.has(name)) return name;
    t += 1000;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Parses a directory name that belongs to `prefix`. Anything else, including names that merely
 * start with the prefix (`univac-old-…` for `univac`), gives null and is never touched.
 */
export function parseSnapshotName(prefix: string, name: string): ParsedName | null {
  const re = new RegExp(
    `^${escapeRegExp(prefix)}-(\\d{4})-(\\d{2})-(\\d{2})(?:-(\\d{2})(\\d{2})(\\d{2}))?$`,
  );
  const m = re.exec(name);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const legacy = m[4] === undefined;
  const hour = legacy ? 0 : Number(m[4]);
  const minute = legacy ? 0 : Number(m[5]);
  const second = legacy ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  const probe = new Date(year, month - 1, day);
  if (probe.getMonth() !== month - 1 || probe.getDate() !== day) return null;
  return { year, month, day, hour, minute, second, legacy };
}

/** The local time a parsed name stands for (a DST gap moves it forward, as Date does). */
export function nameTime(parsed: ParsedName): Date {
  return new Date(
    parsed.year,
    parsed.month - 1,
    parsed.day,
    parsed.hour,
    parsed.minute,
    parsed.second,
  );
}

/** The manifest's file name for a snapshot. */
export function manifestName(snapshot: string): string {
  return snapshot + MANIFEST_SUFFIX;
}
