import { z } from 'zod';
import { manifestName, nameTime, parseSnapshotName } from './snapshot-name.js';

/**
 * The manifest, pushed beside each snapshot as `<snapshot>.snaptray.json` after rsync succeeded.
 * PERSISTED FORMAT (format 1): add fields freely, change or remove them only with a new format.
 */
export const manifestSchema = z.object({
  format: z.literal(1),
  host: z.string(),
  prefix: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  rsyncExitCode: z.number().int(),
  status: z.enum(['ok', 'partial']),
  files: z.number().int().nonnegative(),
  bytesSent: z.number().nonnegative(),
  appVersion: z.string(),
});
export type Manifest = z.infer<typeof manifestSchema>;

export type SnapshotState = 'complete' | 'incomplete' | 'legacy';

export interface Snapshot {
  name: string;
  /** When the snapshot was taken: the manifest's start, else the local time in its name. */
  time: Date;
  state: SnapshotState;
  /** ok or partial for complete snapshots, ok for legacy ones, null for incomplete ones. */
  status: 'ok' | 'partial' | null;
  manifest: Manifest | null;
}

/** What one listing of the destination's top level shows. */
export interface DestinationListing {
  hasMarker: boolean;
  /** Directory names at the top level. */
  directories: string[];
  /** Manifest file contents by file name (unparsed). */
  manifests: Map<string, string>;
}

export interface SnapshotSet {
  /** This prefix's snapshots, oldest first. */
  snapshots: Snapshot[];
  /** Manifests that could not be read: their snapshots count as incomplete. */
  warnings: string[];
}

/** Picks this prefix's snapshots out of a listing; everything else is left alone. */
export function snapshotsOf(prefix: string, listing: DestinationListing): SnapshotSet {
  const snapshots: Snapshot[] = [];
  const warnings: string[] = [];
  for (const name of listing.directories) {
    const parsed = parseSnapshotName(prefix, name);
    if (!parsed) continue;
    const raw = listing.manifests.get(manifestName(name));
    let manifest: Manifest | null = null;
    if (raw !== undefined) {
      const result = parseManifest(raw);
      if (result) manifest = result;
      else warnings.push(`The manifest of ${name} cannot be read; it counts as incomplete.`);
    }
    const started = manifest ? new Date(manifest.startedAt) : null;
    const time = started && !Number.isNaN(started.getTime()) ? started : nameTime(parsed);
    if (manifest) {
      snapshots.push({ name, time, state: 'complete', status: manifest.status, manifest });
    } else if (parsed.legacy) {
      snapshots.push({ name, time, state: 'legacy', status: 'ok', manifest: null });
    } else {
      snapshots.push({ name, time, state: 'incomplete', status: null, manifest: null });
    }
  }
  snapshots.sort((a, b) => a.time.getTime() - b.time.getTime() || a.name.localeCompare(b.name));
  return { snapshots, warnings };
}

function parseManifest(raw: string): Manifest | null {
  try {
    const result = manifestSchema.safeParse(JSON.parse(raw));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

/** Complete means usable as a base and as a restore point: a manifest, or the legacy format. */
export function isComplete(s: Snapshot): boolean {
  return s.state !== 'incomplete';
}

/**
 * The `--link-dest` bases for a new snapshot: the newest complete one plus every newer
 * incomplete one (an interrupted run's files are then not sent again), newest first, at most 20
 * (rsync's limit).
 */
export function linkBases(snapshots: readonly Snapshot[]): Snapshot[] {
  const newestFirst = [...snapshots].reverse();
  const bases: Snapshot[] = [];
  for (const s of newestFirst) {
    bases.push(s);
    if (isComplete(s)) break;
  }
  if (bases.length <= 20) return bases;
  // Keep the complete base and the newest incomplete ones.
  const complete = bases.at(-1)!;
  return isComplete(complete) ? [...bases.slice(0, 19), complete] : bases.slice(0, 20);
}

/** The host that the newest manifest under this prefix names, if any: its snapshots are its own. */
export function prefixOwner(snapshots: readonly Snapshot[]): string | null {
  for (let i = snapshots.length - 1; i >= 0; i--) {
    const m = snapshots[i]?.manifest;
    if (m) return m.host;
  }
  return null;
}
