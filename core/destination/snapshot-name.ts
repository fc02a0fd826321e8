/**
 * Names on the destination. PERSISTED FORMAT: these names, the manifest beside each snapshot
 * and the owner file of each prefix are read back by every later run, and by other versions of
 * Snaptray on other machines; change them only with a migration.
 *
 *   .snaptray-destination             the marker: this folder is a Snaptray destination
 *   <prefix>.snaptray-owner.json      who owns the prefix (ownership.ts); pushed before its first snapshot
 *   <prefix>-YYYY-MM-DD-HHMMSS        a Snaptray snapshot, named in local time
 *   <prefix>-YYYY-MM-DD               the old router script's daily snapshot (complete, "legacy")
 *   <snapshot>.snaptray.json          the manifest, pushed last; without it a snapshot is unfinished
 *   <prefix>-latest                   a symlink to the prefix's newest complete snapshot
 *
 * Local-time names repeat in the hour a DST change turns back: `nameTimes` gives both readings.
 */

export const PREFIX_PATTERN = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;
export const MANIFEST_SUFFIX = '.snaptray.json';
export const OWNER_SUFFIX = '.snaptray-owner.json';
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

/** A prefix made from a host name. */
export function prefixFromHostname(hostname: string): string {
  const cleaned = hostname.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[-]+/, '');
  return cleaned === '' ? 'snaptray' : cleaned.slice(0, 100);
}

/**
 * The prefix a profile gets when none is saved: `<host>` for a user's default profile,
 * `<host>-<profile>` for the others, and `<host>-system…` for root, so that root's cron backing up
 * `/` and a user's tray on the same machine never share a prefix. Saved at setup, so renaming the
 * machine later changes nothing.
 */
export function defaultPrefix(hostname: string, profile: string, uid: number): string {
  const parts = [prefixFromHostname(hostname)];
  if (uid === 0) parts.push('system');
  if (profile !== 'default') parts.push(profile);
  return parts.join('-').slice(0, 100);
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

// A listing asks about every folder with the same few prefixes: each pattern is built once.
const patterns = new Map<string, RegExp>();

function namePattern(prefix: string): RegExp {
  let re = patterns.get(prefix);
  if (re === undefined) {
    if (patterns.size >= 1000) patterns.clear();
    re = new RegExp(
      `^${escapeRegExp(prefix)}-(\\d{4})-(\\d{2})-(\\d{2})(?:-(\\d{2})(\\d{2})(\\d{2}))?$`,
    );
    patterns.set(prefix, re);
  }
  return re;
}

/**
 * Parses a directory name that belongs to `prefix`. Anything else, including names that merely
 * start with the prefix (`univac-old-…` for `univac`), gives null and is never touched.
 */
export function parseSnapshotName(prefix: string, name: string): ParsedName | null {
  const m = namePattern(prefix).exec(name);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const legacy = m[4] === undefined;
  const hour = legacy ? 0 : Number(m[4]);
  const minute = legacy ? 0 : Number(m[5]);
  const second = legacy ? 0 : Number(m[6]);
  if (hour > 23 || minute > 59 || second > 59) return null;
  // Date rolls an impossible date over (month 13, day 0, February 30): only a real one reads back.
  const probe = new Date(year, month - 1, day);
  if (probe.getFullYear() !== year || probe.getMonth() !== month - 1 || probe.getDate() !== day) {
    return null;
  }
  return { year, month, day, hour, minute, second, legacy };
}

/** The local time a parsed name stands for: its earlier reading (see nameTimes). */
export function nameTime(parsed: ParsedName): Date {
  return nameTimes(parsed).earliest;
}

/**
 * The instants a name can stand for. In the hour a DST change turns the clock back, every local
 * time happens twice: `earliest` is the first, `latest` the second (an hour later in most zones);
 * elsewhere both are the same. A time skipped by a change moves forward, as Date does.
 */
export function nameTimes(parsed: ParsedName): { earliest: Date; latest: Date } {
  const { year, month, day, hour, minute, second } = parsed;
  // Date picks the earlier of two readings of an ambiguous local time.
  const earliest = new Date(year, month - 1, day, hour, minute, second);
  const shiftMinutes =
    new Date(earliest.getTime() + 3 * HOUR_MS).getTimezoneOffset() - earliest.getTimezoneOffset();
  if (shiftMinutes > 0) {
    const later = new Date(earliest.getTime() + shiftMinutes * 60_000);
    const sameWallClock =
      later.getFullYear() === year &&
      later.getMonth() === month - 1 &&
      later.getDate() === day &&
      later.getHours() === hour &&
      later.getMinutes() === minute &&
      later.getSeconds() === second;
    if (sameWallClock) return { earliest, latest: later };
  }
  return { earliest, latest: earliest };
}

const HOUR_MS = 3_600_000;

/** The manifest's file name for a snapshot. */
export function manifestName(snapshot: string): string {
  return snapshot + MANIFEST_SUFFIX;
}

/** The owner file's name for a prefix. */
export function ownerFileName(prefix: string): string {
  return prefix + OWNER_SUFFIX;
}

/** The symlink that names a prefix's newest complete snapshot. */
export function latestLinkName(prefix: string): string {
  return `${prefix}-latest`;
}
