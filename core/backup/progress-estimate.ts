/**
 * How far a backup has come, told truthfully from rsync's progress lines.
 *
 * With incremental recursion (rsync's default) the file list grows while rsync copies, and its
 * percent is of the bytes seen so far; it counts only bytes sent, so a backup that hard-links
 * nearly everything stays near 0% to the end. So: until rsync prints `to-chk=` (the whole list is
 * known), the share of files checked is measured against the previous complete snapshot's total
 * (an estimate, said to be one); after it, the larger of the shares of files checked and of
 * bytes (rsync's percent). A first backup has no previous total: it shows no percent until
 * `to-chk=`.
 */
import { compareSnapshots, isComplete, type Snapshot } from '../destination/snapshot.js';
import type { Progress } from './progress.js';

/** The previous complete snapshot's totals, from its manifest. */
export interface Totals {
  files: number;
  bytes: number;
}

export interface ProgressEstimate {
  /** Listing until rsync reports the first transfer, then copying. */
  phase: 'listing' | 'copying';
  /** Bytes of file data copied so far. */
  bytes: number;
  bytesPerSecond: number | null;
  /** Files copied so far (rsync's `xfr#`). */
  filesCopied: number | null;
  /** Items of the list checked so far, and of how many (rsync's, or the estimate's). */
  filesChecked: number | null;
  filesTotal: number | null;
  percent: number | null;
  /** The percent and total come from the previous snapshot, not from rsync's final list. */
  estimated: boolean;
  etaSeconds: number | null;
}

/** An estimate of time left appears only once the run has shown its pace for this long. */
export const ETA_AFTER_MS = 3000;
/** …and has done at least this share of the work. */
const ETA_AFTER_FRACTION = 0.01;

export function estimateProgress(
  progress: Progress | null,
  previous: Totals | null,
  copyingForMs: number,
): ProgressEstimate {
  if (progress === null) {
    return {
      phase: 'listing',
      bytes: 0,
      bytesPerSecond: null,
      filesCopied: null,
      filesChecked: null,
      filesTotal: null,
      percent: null,
      estimated: false,
      etaSeconds: null,
    };
  }
  const listKnown = progress.percent !== null;
  const checked =
    progress.total !== null && progress.remaining !== null
      ? progress.total - progress.remaining
      : null;
  let fraction: number | null = null;
  let filesTotal: number | null = null;
  let estimated = false;
  if (listKnown) {
    filesTotal = progress.total;
    // Both shares fall short of the truth (files linked cost little, bytes count only those
    // sent), so the larger one is nearer: bytes for a first backup, files for a later one.
    const files = checked !== null && progress.total ? checked / progress.total : 0;
    fraction = Math.max(files, (progress.percent ?? 0) / 100);
    // All bytes sent is not done while files remain to be checked.
    if (progress.remaining !== null && progress.remaining > 0) fraction = Math.min(fraction, 0.99);
  } else if (previous !== null && previous.files > 0 && checked !== null) {
    estimated = true;
    filesTotal = Math.max(previous.files, progress.total ?? 0);
    // Never 100% before rsync says the list is complete.
    fraction = Math.min(0.99, checked / filesTotal);
  }
  const percent = fraction === null ? null : Math.floor(fraction * 100);
  const eta =
    fraction !== null &&
    fraction >= ETA_AFTER_FRACTION &&
    fraction < 1 &&
    copyingForMs >= ETA_AFTER_MS
      ? Math.round(((copyingForMs / 1000) * (1 - fraction)) / fraction)
      : null;
  return {
    phase: 'copying',
    bytes: progress.bytes,
    bytesPerSecond: progress.bytesPerSecond,
    filesCopied: progress.transfers,
    filesChecked: checked,
    filesTotal,
    percent,
    estimated,
    etaSeconds: eta,
  };
}

/**
 * Follows one transfer's progress lines. A redraw within a file carries no counters: the last
 * ones seen stand. Once a `to-chk=` line has appeared, rsync's percent is of the whole run.
 */
export class ProgressTracker {
  private previous: Totals | null = null;
  private latest: Progress | null = null;
  private listKnown = false;
  private copyingSince: number | null = null;

  plan(previous: Totals | null): void {
    this.previous = previous;
    this.latest = null;
    this.listKnown = false;
    this.copyingSince = null;
  }

  update(progress: Progress, nowMs: number): void {
    this.copyingSince ??= nowMs;
    if (progress.percent !== null) this.listKnown = true;
    this.latest = {
      ...progress,
      percent: this.listKnown ? progress.printedPercent : null,
      transfers: progress.transfers ?? this.latest?.transfers ?? null,
      remaining: progress.remaining ?? this.latest?.remaining ?? null,
      total: progress.total ?? this.latest?.total ?? null,
    };
  }

  estimate(nowMs: number): ProgressEstimate {
    const copyingFor = this.copyingSince === null ? 0 : nowMs - this.copyingSince;
    return estimateProgress(this.latest, this.previous, copyingFor);
  }
}

/**
 * The totals of the newest complete snapshot among the run's link bases, when it backed up the
 * same sources: what a backup that changes little will check again.
 */
export function previousTotals(
  bases: readonly Snapshot[],
  sources: readonly string[],
): Totals | null {
  const newest = bases.filter(isComplete).sort(compareSnapshots).at(-1);
  const m = newest?.manifest;
  if (m?.totalFiles === undefined || m.totalBytes === undefined) return null;
  const same =
    m.sources !== undefined &&
    m.sources.length === sources.length &&
    m.sources.every((s) => sources.includes(s));
  return same ? { files: m.totalFiles, bytes: m.totalBytes } : null;
}
