/** Which snapshot a read uses: by name, the newest complete one, or the newest before a time. */
import { parseSnapshotName } from '../destination/snapshot-name.js';
import { isComplete, type Snapshot } from '../destination/snapshot.js';
import type { ListedEntry } from './listing.js';
import { notFound, type Result } from './result.js';

/** The snapshots a file can be read from (ok, partial, legacy), oldest first. */
export function completeSnapshots(snapshots: readonly Snapshot[]): Snapshot[] {
  return snapshots.filter(isComplete);
}

export function newestComplete(snapshots: readonly Snapshot[]): Snapshot | null {
  return completeSnapshots(snapshots).at(-1) ?? null;
}

/**
 * A snapshot of this prefix by its name. Unfinished and unknown ones can be read too (the caller
 * warns); a name of another prefix gets the flag that reaches it.
 */
export function snapshotNamed(
  snapshots: readonly Snapshot[],
  prefix: string,
  name: string,
): Result<Snapshot> {
  const found = snapshots.find((s) => s.name === name);
  if (found) return { ok: true, value: found };
  const other = /^(.+)-\d{4}-\d{2}-\d{2}(?:-\d{6})?$/.exec(name)?.[1];
  if (other !== undefined && other !== prefix && parseSnapshotName(other, name) !== null) {
    return notFound(
      `"${name}" is not a snapshot of the prefix "${prefix}". To read the snapshots of another ` +
        `prefix (another machine, another profile), add --prefix ${other}.`,
    );
  }
  const newest = snapshots
    .slice(-3)
    .map((s) => s.name)
    .reverse();
  return notFound(
    `There is no snapshot "${name}" of the prefix "${prefix}".` +
      (newest.length > 0
        ? ` The newest: ${newest.join(', ')}; "snaptray list" shows them all.`
        : ' It has no snapshots yet.'),
  );
}

/** Why a snapshot is a poor source, in words, or null when it is complete and clean. */
export function snapshotCaveat(s: Snapshot): string | null {
  switch (s.state) {
    case 'ok':
    case 'legacy':
      return null;
    case 'partial':
      return `${s.name} completed with errors: files that could not be read then are missing from it.`;
    case 'unfinished':
      return `${s.name} is unfinished (its run was stopped or is still running): it may lack files.`;
    case 'unknown':
      return `The manifest of ${s.name} cannot be read; its files are read as they are.`;
  }
}

/**
 * The snapshot to restore from, among those holding every path (oldest first): the newest; and
 * when that one is partial, the newest ok one that holds the very same versions (files with the
 * same type, size and modification time; a folder's contents cannot be compared, so a folder
 * keeps the newest).
 */
export function preferredSnapshot(
  holding: readonly Snapshot[],
  entries: (snapshot: string) => ReadonlyArray<ListedEntry | undefined>,
): Snapshot | null {
  const newest = holding.at(-1);
  if (newest === undefined) return null;
  if (newest.state !== 'partial') return newest;
  const wanted = entries(newest.name);
  if (wanted.some((e) => e === undefined || e.type === 'dir')) return newest;
  for (let i = holding.length - 2; i >= 0; i--) {
    const candidate = holding[i];
    if (candidate === undefined) break;
    const these = entries(candidate.name);
    const same = these.every((e, j) => {
      const w = wanted[j];
      return (
        e !== undefined &&
        w !== undefined &&
        e.type === w.type &&
        e.size === w.size &&
        e.mtime.getTime() === w.mtime.getTime()
      );
    });
    if (!same) return newest;
    if (candidate.state === 'ok' || candidate.state === 'legacy') return candidate;
  }
  return newest;
}

const TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?|-(\d{2})(\d{2})(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A time as `--before` takes it: ISO-8601 (`2026-11-29T10:15:00Z`, `…+01:00`, with fractions of a
 * second), or a local date and time (`2026-11-29`, `2026-11-29 10:15`, `2026-11-29T10:15:30`, or a
 * snapshot name's `2026-11-29-101500`). Null when it is none of these or no such day or time exists.
 */
export function parseTime(text: string): Date | null {
  const m = TIME.exec(text.trim());
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4] ?? m[8] ?? 0);
  const minute = Number(m[5] ?? m[9] ?? 0);
  const second = Number(m[6] ?? m[10] ?? 0);
  const ms = Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000);
  const zone = m[11];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  const utc = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  if (utc.getUTCDate() !== day || utc.getUTCMonth() !== month - 1) return null;
  if (zone === undefined) return new Date(year, month - 1, day, hour, minute, second, ms);
  if (zone === 'Z') return utc;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return new Date(utc.getTime() - sign * offset * 60_000);
}
