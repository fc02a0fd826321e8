/**
 * The engine's values as the Backups window shows them: pure functions from snapshots, diffs,
 * restore and verify results and history entries to the contract's plain data.
 */
import type { Snapshot } from '../../core/destination/snapshot.js';
import type { Failure } from '../../core/errors.js';
import { snapshotCaveat } from '../../core/restore/choose.js';
import type { Diff } from '../../core/restore/diff.js';
import { baseName, below, isWithin, joinPath } from '../../core/restore/paths.js';
import type { RestoreEvent, RestoreResult } from '../../core/restore/restore.js';
import type { RestoreFailure } from '../../core/restore/result.js';
import type { HistoryEntry } from '../../core/state/history.js';
import type {
  BackupsEvent,
  BackupsResult,
  ChangeView,
  RestoreReport,
  RunSummary,
  SnapshotSummary,
  UnavailableReason,
} from '../ipc/backups-contract.js';

/** The failures that mean "the destination cannot be reached now": the window offers Retry. */
const UNREACHABLE: ReadonlySet<string> = new Set([
  'unreachable',
  'connection-refused',
  'timeout',
  'unknown-host-name',
  'connection-closed',
  'auth-refused',
  'ssh-key-missing',
  'ssh-key-too-open',
  'ssh-key-unreadable',
  'host-key-unknown',
  'host-key-changed',
  'ssh-failed',
  'remote-rsync-missing',
  'rsync-not-on-path',
  'remote-rsync-too-old',
  'login-banner',
  'destination-missing',
  'not-initialised',
]);

/** The window's reason for an engine failure. */
export function reasonFor(failure: Failure | RestoreFailure): UnavailableReason {
  // Another transfer (a backup's) holds an rrsync key's folder: ask again later.
  if (failure.kind === 'destination-busy') return 'busy';
  if (UNREACHABLE.has(failure.kind)) return 'unreachable';
  if (failure.kind === 'not-found') return 'not-found';
  if (failure.kind === 'settings') return 'not-set-up';
  return 'failed';
}

/** Whether the failure leaves the connection unusable, so the next request opens a new one. */
export function breaksConnection(failure: Failure | RestoreFailure): boolean {
  return failure.kind === 'connection-closed' || failure.kind === 'ssh-failed';
}

/** The destination itself refused a request as busy (another transfer holds an rrsync lock). */
export const BUSY_MESSAGE =
  'The destination is busy: another transfer, most likely a backup, is using it through a key ' +
  'that lets one transfer at a time. What is shown stays browsable; this window asks again by itself.';

/** A restore or check held off while a backup of the profile runs (connection.ts). */
export const WAITS_FOR_BACKUP_MESSAGE =
  'A backup of this profile is running: restores and checks wait until it ends, so that they ' +
  'never hold the destination between its transfers. This one starts by itself when the backup ends.';

export function unavailable<T>(
  failure: Failure | RestoreFailure,
  busyRetryMs: number,
): BackupsResult<T> {
  const reason = reasonFor(failure);
  return reason === 'busy'
    ? { ok: false, reason, message: BUSY_MESSAGE, retryInMs: busyRetryMs }
    : { ok: false, reason, message: failure.message };
}

/**
 * A snapshot as the timeline shows it. `runWarnings` are the warnings of the run that made it
 * (from the history); a partial snapshot's name the files that could not be read.
 */
export function summarizeSnapshot(
  s: Snapshot,
  sources: readonly string[],
  runWarnings: readonly string[],
): SnapshotSummary {
  const m = s.manifest;
  const problems: string[] = [];
  const caveat = snapshotCaveat(s);
  if (caveat !== null) problems.push(s.problem !== null ? `${caveat} (${s.problem})` : caveat);
  if (s.state === 'partial') problems.push(...runWarnings);
  return {
    name: s.name,
    time: s.time.toISOString(),
    state: s.state,
    files: m?.files ?? null,
    bytesSent: m?.bytesSent ?? null,
    totalFiles: m?.totalFiles ?? null,
    totalBytes: m?.totalBytes ?? null,
    sources: [...sources],
    problems,
  };
}

/**
 * What changed below `folder`, one entry per item directly in it: the item itself added, changed
 * or deleted, or a folder with changes somewhere inside. With `folder` null the items are the
 * sources, each compared by its own diff.
 */
export function changesIn(folder: string | null, diffs: readonly Diff[]): ChangeView[] {
  const byPath = new Map<string, ChangeView>();
  const put = (view: ChangeView) => {
    const known = byPath.get(view.path);
    // An item's own change says more than "changes inside" (an added folder's files are added).
    if (known === undefined || (known.change === 'inside' && view.change !== 'inside')) {
      byPath.set(view.path, view);
    }
  };
  for (const diff of diffs) {
    const items = [
      ...diff.added.map((i) => ({ change: 'added' as const, path: i.path, meta: i })),
      ...diff.changed.map((c) => ({ change: 'changed' as const, path: c.path, meta: c.after })),
      ...diff.deleted.map((i) => ({ change: 'deleted' as const, path: i.path, meta: i })),
    ];
    for (const item of items) {
      const child = childOf(folder, diff.paths, item.path);
      if (child === null) continue;
      if (child === item.path) {
        put({
          name: folder === null ? child : baseName(child),
          path: child,
          type: item.meta.type,
          size: item.meta.type === 'dir' ? null : item.meta.size,
          mtime: item.meta.mtime.toISOString(),
          change: item.change,
        });
      } else {
        put({
          name: folder === null ? child : baseName(child),
          path: child,
          type: 'dir',
          size: null,
          mtime: null,
          change: 'inside',
        });
      }
    }
  }
  return [...byPath.values()].sort(byTypeThenName);
}

/** The item directly in `folder` (or the source, for null) that `path` is or lies below. */
function childOf(folder: string | null, sources: readonly string[], path: string): string | null {
  if (folder === null) return sources.find((s) => isWithin(path, s)) ?? null;
  if (path === folder || !isWithin(path, folder)) return null;
  const first = below(path, folder).split('/')[0] ?? '';
  return joinPath(folder, first);
}

/** Folders first, then by name, as file managers list them. */
export function byTypeThenName(
  a: { type: string; name: string },
  b: { type: string; name: string },
): number {
  const folder = Number(b.type === 'dir') - Number(a.type === 'dir');
  if (folder !== 0) return folder;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** A history entry as the History page lists it. */
export function summarizeRun(entry: HistoryEntry, hasLog: boolean): RunSummary {
  const started = Date.parse(entry.startedAt);
  const ended = Date.parse(entry.endedAt);
  return {
    id: entry.startedAt,
    startedAt: entry.startedAt,
    endedAt: entry.endedAt,
    durationMs: Number.isNaN(started) || Number.isNaN(ended) ? 0 : Math.max(0, ended - started),
    source: entry.source ?? 'unknown',
    outcome: entry.outcome,
    files: entry.files,
    bytesSent: entry.bytesSent,
    snapshot: entry.snapshot,
    error: entry.error,
    warnings: [...entry.warnings],
    hasLog,
    oneOff: entry.oneOff === undefined ? null : { ...entry.oneOff },
  };
}

/** The engine's reason for a file `--missing-only` leaves because it is here (restore.ts). */
const LEFT_ON_PURPOSE = /^exists here and differs from the snapshot/;

/** A restore's result as the window shows it. */
export function restoreReport(
  r: RestoreResult,
  missingOnly: boolean,
  durationMs: number,
): RestoreReport {
  // With --missing-only, rsync names each file it left because it exists here: not a problem.
  const left = (s: { why: string }) => missingOnly && LEFT_ON_PURPOSE.test(s.why);
  return {
    outcome: r.outcome,
    snapshot: r.snapshot,
    placed: r.placed,
    restored: r.restored,
    keptAside: r.keptAside,
    skipped: r.skipped.filter((s) => !left(s)),
    leftAsIs: r.skipped.filter(left).map((s) => s.path),
    warnings: r.warnings,
    dryRun: r.dryRun,
    durationMs,
  };
}

/** Sends a restore's phases and progress on to the window. */
export function forwardRestoreEvent(event: RestoreEvent, send: (e: BackupsEvent) => void): void {
  if (event.type === 'phase') {
    send({
      type: 'restore-progress',
      phase: event.phase,
      percent: null,
      bytes: 0,
      bytesPerSecond: null,
      etaSeconds: null,
    });
  } else if (event.type === 'progress') {
    const p = event.progress;
    send({
      type: 'restore-progress',
      phase: 'transferring',
      percent: p.percent,
      bytes: p.bytes,
      bytesPerSecond: p.bytesPerSecond,
      etaSeconds: p.etaSeconds,
    });
  }
}
