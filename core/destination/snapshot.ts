import { z } from 'zod';
import { ownedBy, parseClaim, type Claim, type ClaimState } from './ownership.js';
import { compareSequence, monotoneTimes } from './sequence.js';
import { manifestName, nameTimes, ownerFileName, parseSnapshotName } from './snapshot-name.js';

/**
 * The manifest, pushed beside each snapshot as `<snapshot>.snaptray.json` after rsync succeeded.
 * PERSISTED FORMAT (format 1): add optional fields freely; change or remove one only with a new
 * format, which older versions then show as "unknown" and never touch.
 */
export const manifestSchema = z.object({
  format: z.literal(1),
  host: z.string(),
  prefix: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  rsyncExitCode: z.number().int(),
  status: z.enum(['ok', 'partial']),
  /** Regular files sent by this run (changed or new). */
  files: z.number().int().nonnegative(),
  /** Bytes of file data sent by this run. */
  bytesSent: z.number().nonnegative(),
  appVersion: z.string(),
  /** Who wrote it (ownership.ts); missing in snapshots from before prefixes had owners. */
  owner: z.object({ id: z.string(), profile: z.string() }).optional(),
  user: z.string().optional(),
  /** The folders backed up, as they were on the machine. */
  sources: z.array(z.string()).optional(),
  /** Every regular file the snapshot holds, and their total size (rsync's statistics). */
  totalFiles: z.number().int().nonnegative().optional(),
  totalBytes: z.number().nonnegative().optional(),
  /**
   * Whether owners and groups were kept: 'kept', 'fake-super' or 'not-kept' (stored-ownership.ts).
   * A string, so that a value a later version adds does not make the manifest unreadable here;
   * missing or unknown values mean not kept.
   */
  ownership: z.string().optional(),
  /**
   * The run's place in its prefix's sequence (sequence.ts): one more than the highest among the
   * prefix's readable manifests. Missing in manifests of earlier versions.
   */
  generation: z.number().int().positive().optional(),
  /**
   * This machine's boot (/proc/sys/kernel/random/boot_id) and its uptime in seconds
   * (/proc/uptime, which counts suspend) when the run started: within one boot, the wall clock
   * may not run away from the uptime (clock-check.ts).
   */
  bootId: z.string().optional(),
  uptimeSeconds: z.number().nonnegative().optional(),
  /** The run's clock looked wrong (clock-check.ts): later runs do not judge their clock by it. */
  clockSuspect: z.boolean().optional(),
  /**
   * Whether files keep their modes: 'kept', or 'not-kept' on a disk that shows every file as mode
   * 777 (NTFS without "permissions"; stored-ownership.ts). A string for the same reason; missing
   * in manifests from before it, when the destination's marker tells.
   */
  modes: z.string().optional(),
  /**
   * How often the owner's schedule backs up, in hours (daily: 24): others judge from it whether
   * the machine is overdue (household.ts). Missing in manifests of earlier versions; a value this
   * version cannot use counts as missing rather than making the manifest unreadable.
   */
  scheduleHours: z.number().positive().optional().catch(undefined),
});
export type Manifest = z.infer<typeof manifestSchema>;

/**
 * One vocabulary for a snapshot's state, shown the same in the CLI, its JSON, the tray and the
 * windows:
 *   ok          complete, every file copied
 *   partial     complete, but some source files could not be read (the manifest names how many)
 *   legacy      a daily snapshot of the old router script: complete, without a manifest
 *   unfinished  no manifest yet: a run was stopped or is still writing it
 *   unknown     a manifest this version cannot read (damaged, or from a newer Snaptray): listed,
 *               never linked against, never deleted automatically
 */
export type SnapshotState = 'ok' | 'partial' | 'legacy' | 'unfinished' | 'unknown';

export interface Snapshot {
  name: string;
  /** When the snapshot was taken: the manifest's start, else the earlier reading of its name. */
  time: Date;
  /** The later reading of a name that a DST change made ambiguous; else the same as `time`. */
  latestTime: Date;
  /** Its place in the prefix's sequence (sequence.ts); null without a manifest that has one. */
  generation: number | null;
  /**
   * `time` made monotone along the sequence: what ordering and retention go by. It differs from
   * `time` when the snapshot's date disagrees with its place (a clock that was wrong then, or now).
   */
  sequenceTime: Date;
  state: SnapshotState;
  manifest: Manifest | null;
  /** Why the state is "unknown"; null otherwise. */
  problem: string | null;
}

/** What one listing of the destination's top level shows. */
export interface DestinationListing {
  hasMarker: boolean;
  /** The marker's contents, when it could be read. */
  marker: string | null;
  /** Directory names at the top level. */
  directories: string[];
  /** Manifest and owner file contents by file name (unparsed). */
  manifests: Map<string, string>;
}

export interface SnapshotSet {
  /** This prefix's snapshots, oldest first. */
  snapshots: Snapshot[];
  /** The prefix's owner file. */
  claim: ClaimState;
  /** Snapshots whose manifest cannot be read, in words. */
  warnings: string[];
}

/** Picks this prefix's snapshots out of a listing; everything else is left alone. */
export function snapshotsOf(prefix: string, listing: DestinationListing): SnapshotSet {
  const snapshots: Snapshot[] = [];
  const warnings: string[] = [];
  for (const name of listing.directories) {
    const parsed = parseSnapshotName(prefix, name);
    if (!parsed) continue;
    const times = nameTimes(parsed);
    const raw = listing.manifests.get(manifestName(name));
    const base = {
      name,
      time: times.earliest,
      latestTime: times.latest,
      generation: null,
      sequenceTime: times.earliest,
      problem: null,
    };
    if (raw === undefined) {
      snapshots.push({
        ...base,
        state: parsed.legacy ? 'legacy' : 'unfinished',
        manifest: null,
      });
      continue;
    }
    const manifest = parseManifest(raw);
    if (!manifest.ok) {
      warnings.push(
        `The manifest of ${name} cannot be read (${manifest.reason}): it is listed as unknown and never deleted automatically.`,
      );
      snapshots.push({ ...base, state: 'unknown', manifest: null, problem: manifest.reason });
      continue;
    }
    const started = new Date(manifest.value.startedAt);
    const time = Number.isNaN(started.getTime()) ? times.earliest : started;
    snapshots.push({
      ...base,
      time,
      latestTime: time,
      sequenceTime: time,
      generation: manifest.value.generation ?? null,
      state: manifest.value.status,
      manifest: manifest.value,
    });
  }
  return {
    snapshots: inSequence(snapshots),
    claim: parseClaim(listing.manifests.get(ownerFileName(prefix))),
    warnings,
  };
}

/**
 * The snapshots with their `sequenceTime` set, oldest first: every snapshot but the unfinished
 * ones takes its place in the prefix's sequence (sequence.ts); unfinished ones go by their time.
 */
export function inSequence(snapshots: readonly Snapshot[]): Snapshot[] {
  const ordered = snapshots.filter((s) => s.state !== 'unfinished').sort(compareSequence);
  const times = monotoneTimes(
    ordered.map((s) => ({ ...s, clockSuspect: s.manifest?.clockSuspect === true })),
  );
  const placed = ordered.map((s, i) => ({ ...s, sequenceTime: times[i] ?? s.time }));
  const unfinished = snapshots
    .filter((s) => s.state === 'unfinished')
    .map((s) => ({ ...s, sequenceTime: s.time }));
  return [...placed, ...unfinished].sort(compareSnapshots);
}

/**
 * Oldest first: by the time made monotone along the sequence; at the same time an unfinished
 * snapshot first, then the sequence's own order (no generation, then by generation), then the
 * recorded time and the name, so that no order depends on the listing's.
 */
export function compareSnapshots(a: Snapshot, b: Snapshot): number {
  const byTime = a.sequenceTime.getTime() - b.sequenceTime.getTime();
  if (byTime !== 0) return byTime;
  const aUnfinished = a.state === 'unfinished';
  if (aUnfinished !== (b.state === 'unfinished')) return aUnfinished ? -1 : 1;
  return compareSequence(a, b);
}

/** Whether a snapshot's own date disagrees with its place in the sequence. */
export function outOfSequence(s: Snapshot): boolean {
  return s.sequenceTime.getTime() !== s.time.getTime();
}

function parseManifest(raw: string): { ok: true; value: Manifest } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'it is not valid JSON' };
  }
  const format = (value as { format?: unknown } | null)?.format;
  if (typeof format === 'number' && format > 1) {
    return { ok: false, reason: `it has format ${format}, written by a newer Snaptray` };
  }
  const parsed = manifestSchema.safeParse(value);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, reason: 'its fields are not the ones this version knows' };
}

/** Complete means usable as a link base and as a restore point: ok, partial or legacy. */
export function isComplete(s: Snapshot): boolean {
  return s.state === 'ok' || s.state === 'partial' || s.state === 'legacy';
}

/**
 * Whether the prefix's owner may link against and delete this snapshot: written by it or by an
 * owner it took the prefix over from, or by a version from before owners. A manifest naming
 * anyone else (two owners that both believed they held the prefix) makes it someone else's.
 */
export function isOwn(s: Snapshot, claim: Claim): boolean {
  if (s.state === 'unknown') return false;
  const writer = s.manifest?.owner;
  return writer === undefined || ownedBy(claim, writer);
}

/**
 * The `--link-dest` bases for a new snapshot: the owner's newest complete snapshot, plus every
 * unfinished one that may be newer (an interrupted run's files are then not sent again; a name
 * from a DST change's repeated hour counts by its later reading), newest first, at most 20
 * (rsync's limit). Unknown and other owners' snapshots are never bases.
 */
export function linkBases(snapshots: readonly Snapshot[], claim: Claim): Snapshot[] {
  const own = snapshots.filter((s) => isOwn(s, claim));
  const complete = own.filter(isComplete).sort(compareSnapshots).at(-1);
  const since = complete?.sequenceTime.getTime() ?? -Infinity;
  const unfinished = own
    .filter((s) => s.state === 'unfinished' && s.latestTime.getTime() > since)
    .sort((a, b) => b.latestTime.getTime() - a.latestTime.getTime() || compareSnapshots(b, a))
    .slice(0, complete === undefined ? 20 : 19);
  return complete === undefined ? unfinished : [...unfinished, complete];
}
