/**
 * What the Backups window asks of the main process, as plain functions over the restore engine
 * (core/restore/: the very functions `snaptray ls`, `versions`, `restore`, `diff` and `verify`
 * call). Every payload arrives as `unknown` and is validated here; every outcome is a value. No
 * `electron` import: the window tests run these very functions under plain Node.
 */
import { isUtf8 } from 'node:buffer';
import { chmod, lstat, mkdtemp, realpath, rename, rm } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { z } from 'zod';
import {
  parseDestination,
  formatDestination,
  type Destination,
} from '../core/destination/address.js';
import { listDestination } from '../core/destination/ops.js';
import type { OpenDestination } from '../core/destination/session.js';
import { isComplete, snapshotsOf, type Snapshot } from '../core/destination/snapshot.js';
import { defaultPrefix } from '../core/destination/snapshot-name.js';
import { places, sessionEnvironment } from '../core/environment.js';
import type { NotificationEvent } from '../core/notification-text.js';
import type { Spawn } from '../core/process.js';
import { listFolder } from '../core/restore/browse.js';
import { completeSnapshots } from '../core/restore/choose.js';
import { diffSnapshots, type Diff } from '../core/restore/diff.js';
import { baseName, joinPath, normalPath } from '../core/restore/paths.js';
import { pathBytes } from '../core/restore/remote-names.js';
import { restorePaths, type RestoreEvent, type RestoreResult } from '../core/restore/restore.js';
import type { RestoreFailure } from '../core/restore/result.js';
import { verifySnapshot } from '../core/restore/verify.js';
import { fileVersions } from '../core/restore/versions.js';
import type { Profile } from '../core/settings/schema.js';
import {
  describeErrors,
  loadSettings,
  settingsFileExists,
  type SettingsBackend,
} from '../core/settings/store.js';
import { readHistory, type HistoryEntry } from '../core/state/history.js';
import { ensurePrivateDir, profileStateDir } from '../core/state/paths.js';
import { readRunLog } from '../core/state/run-log.js';
import type {
  BackupsEvent,
  BackupsResult,
  EntryView,
  FolderView,
  RestoreReport,
} from './backups-contract.js';
import { createDestinationHolder, type Timers } from './backups-connection.js';
import {
  breaksConnection,
  BUSY_MESSAGE,
  byTypeThenName,
  changesIn,
  summarizeRun,
  summarizeSnapshot,
  unavailable,
} from './backups-views.js';
import type { BackupsHandlers } from './ipc-contract.js';
import { notificationFor, type NotifySink } from './notifier.js';

export interface BackupsApiDeps {
  env: NodeJS.ProcessEnv;
  spawn: Spawn;
  openBackend: (path: string) => Promise<SettingsBackend>;
  now: () => Date;
  hostname: string;
  timers: Timers;
  /** Opens a file with the desktop's default application: '' on success, else why not. */
  openPath: (path: string) => Promise<string>;
  /** Sends an event to the open Backups window. */
  send: (event: BackupsEvent) => void;
  notify: NotifySink;
  notificationIcon: string | null;
  /** The profile the window shows. */
  profileName?: string;
  uid?: number;
  /** How long a hidden window keeps its connection. */
  idleCloseMs?: number;
  /** When a request answered "busy" asks again. */
  busyRetryMs?: number;
  /** A restore that took at least this long ends with a notification. */
  longRestoreMs?: number;
}

export interface BackupsApi {
  handlers: Omit<BackupsHandlers, 'chooseFolder'>;
  /** The window was shown, or hidden or closed: a hidden window's connection closes later. */
  setVisible(visible: boolean): void;
  /** A backup of this profile is starting: see backups-connection.ts. */
  holdOff(): Promise<() => void>;
  /** Closes the connection and removes the copies opened for viewing. */
  dispose(): Promise<void>;
}

/**
 * The folders a snapshot holds, where browsing starts: its manifest's; for a snapshot without one
 * (unfinished, or the old script's whole-machine snapshots), the profile's.
 */
function sourcesOf(snapshot: Snapshot, profile: Profile): string[] {
  return [...(snapshot.manifest?.sources ?? profile.sources)];
}

/** The engine's reason for a file `--missing-only` leaves because it is here (restore.ts). */
const LEFT_ON_PURPOSE = /^exists here and differs from the snapshot/;

/** How many lines of a log the window gets at once; a search narrows them. */
const LOG_LINES = 2000;
/** How many runs the History page lists. */
const HISTORY_RUNS = 1000;

const snapshotName = z.string().min(1).max(255);
const backedUpPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => {
    const checked = normalPath(p, '/');
    return p.startsWith('/') && checked.ok && checked.path === p;
  }, 'must be an absolute path, written without "." or ".." parts');
const folderRequest = z.object({ snapshot: snapshotName, path: backedUpPath.nullable() });
const versionsRequest = z.object({ path: backedUpPath });
const snapshotPathRequest = z.object({ snapshot: snapshotName, path: backedUpPath });
const restoreRequest = z.object({
  snapshot: snapshotName,
  paths: z.array(backedUpPath).min(1).max(1000),
  to: backedUpPath.nullable(),
  missingOnly: z.boolean(),
});
const verifyRequest = z.object({ snapshot: snapshotName });
const runLogRequest = z.object({ run: z.string().min(1).max(64), query: z.string().max(200) });
const runRequest = z.object({ run: z.string().min(1).max(64) });

interface Target {
  profile: Profile;
  dest: Destination;
}

type Answer<T> = BackupsResult<T>;

function invalid<T>(what: string): Answer<T> {
  return {
    ok: false,
    reason: 'invalid',
    message: `The window asked for ${what} in a form the app does not take.`,
  };
}

export function createBackupsApi(deps: BackupsApiDeps): BackupsApi {
  const p = places(deps.env);
  const profileName = deps.profileName ?? 'default';
  const uid = deps.uid ?? process.getuid?.() ?? 1000;
  const stateDir = profileStateDir(p.stateRoot, profileName);
  const busyRetryMs = deps.busyRetryMs ?? 10_000;
  const longRestoreMs = deps.longRestoreMs ?? 20_000;
  const openedDir = join(p.runtimeDir, 'open');
  const holder = createDestinationHolder({
    session: sessionEnvironment(p, deps.spawn),
    stateDir,
    timers: deps.timers,
    idleCloseMs: deps.idleCloseMs ?? 60_000,
    onFree: () => deps.send({ type: 'destination-free' }),
  });
  let backend: Promise<SettingsBackend> | null = null;
  /** The snapshots the window last saw, by the destination they were listed on. */
  let known: { key: string; snapshots: Snapshot[] } | null = null;
  /** The restore or verify that runs; one at a time. */
  let operation: AbortController | null = null;

  function openBackendOnce(): Promise<SettingsBackend> {
    backend ??= deps.openBackend(p.configFile).catch((e: unknown) => {
      backend = null;
      throw e;
    });
    return backend;
  }

  /** The profile and its destination, read from the settings file each time (the CLI edits it). */
  async function target(): Promise<Answer<Target>> {
    const notSetUp = (message: string): Answer<Target> => ({
      ok: false,
      reason: 'not-set-up',
      message,
    });
    if (!settingsFileExists(p.configFile)) {
      return notSetUp('Snaptray is not set up yet: choose a destination in Settings first.');
    }
    let loaded;
    try {
      loaded = loadSettings(await openBackendOnce());
    } catch (e) {
      return notSetUp(`The settings file ${p.configFile} cannot be read: ${(e as Error).message}`);
    }
    if (!loaded.ok) return notSetUp(describeErrors(p.configFile, loaded.errors));
    const stored = loaded.settings.profiles[profileName];
    if (stored === undefined || stored.destination === '') {
      return notSetUp('No destination is set yet: choose one in Settings first.');
    }
    const dest = parseDestination(stored.destination);
    if (!dest.ok) return notSetUp(`The destination in the settings is not valid: ${dest.message}.`);
    const profile = { ...stored };
    if (profile.prefix === '') profile.prefix = defaultPrefix(deps.hostname, profileName, uid);
    return { ok: true, value: { profile, dest: dest.value } };
  }

  function destinationKey(t: Target): string {
    return JSON.stringify([t.dest, t.profile.ssh, t.profile.prefix]);
  }

  /** Runs `body` over the one connection, with the profile's snapshots; failures as values. */
  async function withSnapshots<T>(
    refresh: boolean,
    body: (
      opened: OpenDestination,
      t: Target,
      snapshots: Snapshot[],
      warnings: string[],
    ) => Promise<Answer<T>>,
  ): Promise<Answer<T>> {
    const t = await target();
    if (!t.ok) return t;
    const key = destinationKey(t.value);
    const used = await holder.use(t.value.dest, t.value.profile.ssh, async (opened) => {
      let warnings: string[] = [];
      if (refresh || known?.key !== key) {
        const listing = await listDestination(opened.ctx);
        if (!listing.ok) return failed<T>(listing.failure);
        if (!listing.value.hasMarker) {
          return {
            ok: false,
            reason: 'unreachable',
            message:
              `${formatDestination(t.value.dest)} is not a Snaptray destination (it has no ` +
              '.snaptray-destination marker). If it is on a disk, the disk may not be mounted.',
          } satisfies Answer<T>;
        }
        const set = snapshotsOf(t.value.profile.prefix, listing.value);
        known = { key, snapshots: set.snapshots };
        warnings = set.warnings;
      }
      return body(opened, t.value, known?.snapshots ?? [], warnings);
    });
    if (used.ok) return used.value;
    if (used.busy) {
      return { ok: false, reason: 'busy', message: BUSY_MESSAGE, retryInMs: busyRetryMs };
    }
    return failed<T>(used.failure);
  }

  function failed<T>(failure: RestoreFailure): Answer<T> {
    if (breaksConnection(failure)) void holder.close();
    return unavailable<T>(failure, busyRetryMs);
  }

  function snapshotIn(snapshots: readonly Snapshot[], name: string): Snapshot | null {
    return snapshots.find((s) => s.name === name) ?? null;
  }

  function noSnapshot<T>(name: string): Answer<T> {
    return {
      ok: false,
      reason: 'not-found',
      message: `The snapshot ${name} is no longer on the destination (pruned since the list was read?). Reload the list.`,
    };
  }

  /** Runs a restore or verify, one at a time, with a signal Cancel aborts. */
  async function exclusive<T>(
    body: (signal: AbortSignal) => Promise<Answer<T>>,
  ): Promise<Answer<T>> {
    if (operation !== null) {
      return {
        ok: false,
        reason: 'failed',
        message:
          'A restore or verify is already running in this window: wait for it, or cancel it.',
      };
    }
    const controller = new AbortController();
    operation = controller;
    try {
      return await body(controller.signal);
    } finally {
      operation = null;
    }
  }

  function restoreReport(
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

  function forwardRestoreEvent(event: RestoreEvent): void {
    if (event.type === 'phase') {
      deps.send({
        type: 'restore-progress',
        phase: event.phase,
        percent: null,
        bytes: 0,
        bytesPerSecond: null,
        etaSeconds: null,
      });
    } else if (event.type === 'progress') {
      const pr = event.progress;
      deps.send({
        type: 'restore-progress',
        phase: 'transferring',
        percent: pr.percent,
        bytes: pr.bytes,
        bytesPerSecond: pr.bytesPerSecond,
        etaSeconds: pr.etaSeconds,
      });
    }
  }

  async function runRestore(input: unknown, dryRun: boolean): Promise<Answer<RestoreReport>> {
    const request = restoreRequest.safeParse(input);
    if (!request.success) return invalid('a restore');
    const { snapshot, paths, to, missingOnly } = request.data;
    const run = (signal?: AbortSignal) =>
      withSnapshots<RestoreReport>(false, async (opened, t, snapshots) => {
        if (snapshotIn(snapshots, snapshot) === null) return noSnapshot(snapshot);
        const started = Date.now();
        const result = await restorePaths(opened.ctx, snapshots, {
          paths,
          from: { snapshot },
          to,
          missingOnly,
          dryRun,
          asRoot: uid === 0,
          now: deps.now(),
          prefix: t.profile.prefix,
          options: { acls: t.profile.rsync.acls, xattrs: t.profile.rsync.xattrs },
          ...(signal ? { signal } : {}),
          ...(dryRun ? {} : { onEvent: forwardRestoreEvent }),
        });
        if (!result.ok) return failed(result.failure);
        const report = restoreReport(result.value, missingOnly, Date.now() - started);
        if (!dryRun && report.durationMs >= longRestoreMs) await announce(t.profile, report);
        return { ok: true, value: report };
      });
    return dryRun ? run() : exclusive(run);
  }

  async function announce(profile: Profile, report: RestoreReport): Promise<void> {
    const event: NotificationEvent = {
      kind: 'restored',
      outcome: report.outcome,
      snapshot: report.snapshot,
      restored: report.restored,
      keptAside: report.keptAside.length,
      skipped: report.skipped.length,
      durationMs: report.durationMs,
    };
    const request = notificationFor(event, profile.notifications, deps.notificationIcon);
    if (request !== null) await deps.notify(request);
  }

  /** The run's log file, only if it really lies in this profile's log folder and is a log. */
  async function logOf(entry: HistoryEntry | undefined): Promise<string | null> {
    if (entry?.logPath == null) return null;
    try {
      const [file, folder] = await Promise.all([
        realpath(entry.logPath),
        realpath(join(stateDir, 'logs')),
      ]);
      // Only a .log file: the desktop's opener would run a .desktop file or a script.
      return file.startsWith(folder + sep) && file.endsWith('.log') ? file : null;
    } catch {
      return null;
    }
  }

  async function runNamed(run: string): Promise<HistoryEntry | undefined> {
    const history = await readHistory(stateDir, { last: HISTORY_RUNS });
    return history.find((e) => e.startedAt === run);
  }

  const handlers: BackupsApi['handlers'] = {
    async loadTimeline() {
      return withSnapshots(true, async (_opened, t, snapshots, warnings) => {
        const history = await readHistory(stateDir, { last: HISTORY_RUNS });
        const runWarnings = new Map<string, string[]>();
        for (const entry of history) {
          if (entry.snapshot !== null) runWarnings.set(entry.snapshot, entry.warnings);
        }
        return {
          ok: true,
          value: {
            destination: formatDestination(t.dest),
            prefix: t.profile.prefix,
            snapshots: [...snapshots]
              .reverse()
              .map((s) =>
                summarizeSnapshot(s, sourcesOf(s, t.profile), runWarnings.get(s.name) ?? []),
              ),
            warnings,
          },
        };
      });
    },

    async listFolder(input) {
      const request = folderRequest.safeParse(input);
      if (!request.success) return invalid('a folder');
      const { snapshot: name, path } = request.data;
      return withSnapshots<FolderView>(false, async (opened, t, snapshots) => {
        const snapshot = snapshotIn(snapshots, name);
        if (snapshot === null) return noSnapshot(name);
        const sources = sourcesOf(snapshot, t.profile);
        if (path === null && sources.length > 0) {
          const entries: EntryView[] = sources.map((source) => ({
            name: source,
            path: source,
            type: 'dir',
            size: null,
            mtime: null,
          }));
          return { ok: true, value: { snapshot: name, path: null, entries } };
        }
        const folder = await listFolder(opened.ctx, snapshot, path ?? '/');
        if (!folder.ok) return failed(folder.failure);
        const base = folder.value.path;
        const entries: EntryView[] = folder.value.entries.map((e) => ({
          name: e.name,
          path: folder.value.type === 'dir' ? joinPath(base, e.name) : base,
          type: e.type,
          size: e.type === 'dir' ? null : e.size,
          mtime: e.mtime.toISOString(),
        }));
        entries.sort(byTypeThenName);
        return { ok: true, value: { snapshot: name, path: base, entries } };
      });
    },

    async folderChanges(input) {
      const request = folderRequest.safeParse(input);
      if (!request.success) return invalid('the changes of a folder');
      const { snapshot: name, path } = request.data;
      return withSnapshots(false, async (opened, t, snapshots) => {
        const snapshot = snapshotIn(snapshots, name);
        if (snapshot === null) return noSnapshot(name);
        const previous =
          snapshots
            .filter((s) => isComplete(s) && s.time.getTime() < snapshot.time.getTime())
            .at(-1) ?? null;
        if (previous === null) {
          return { ok: true, value: { snapshot: name, path, previous: null, changes: [] } };
        }
        const sources = sourcesOf(snapshot, t.profile);
        const folders = path !== null ? [path] : sources.length > 0 ? sources : ['/'];
        const diffs: Diff[] = [];
        for (const folder of folders) {
          const diff = await diffSnapshots(opened.ctx, previous, snapshot, folder);
          if (!diff.ok) return failed(diff.failure);
          diffs.push(diff.value);
        }
        const folder = path ?? (sources.length > 0 ? null : '/');
        return {
          ok: true,
          value: {
            snapshot: name,
            path,
            previous: previous.name,
            changes: changesIn(folder, diffs),
          },
        };
      });
    },

    async fileVersions(input) {
      const request = versionsRequest.safeParse(input);
      if (!request.success) return invalid('the versions of a file');
      const { path } = request.data;
      return withSnapshots(false, async (opened, t, snapshots) => {
        const found = await fileVersions(opened.ctx, completeSnapshots(snapshots), path, {
          prefix: t.profile.prefix,
        });
        if (!found.ok) return failed(found.failure);
        return {
          ok: true,
          value: {
            path,
            searched: found.value.searched,
            versions: found.value.versions
              .map((v) => ({
                snapshot: v.snapshot,
                time: v.time.toISOString(),
                type: v.type,
                size: v.size,
                mtime: v.mtime.toISOString(),
                snapshots: [...v.snapshots],
              }))
              .reverse(),
          },
        };
      });
    },

    async openVersion(input) {
      const request = snapshotPathRequest.safeParse(input);
      if (!request.success) return invalid('a version to open');
      const { snapshot: name, path } = request.data;
      return withSnapshots(false, async (opened, t, snapshots) => {
        if (snapshotIn(snapshots, name) === null) return noSnapshot(name);
        const dir = await ensurePrivateDir(openedDir);
        if (dir.kind === 'refused') return { ok: false, reason: 'failed', message: dir.message };
        // A folder of its own (mode 0700) for each opened version: names never collide.
        const folder = await mkdtemp(join(openedDir, 'v-'));
        const result = await restorePaths(opened.ctx, snapshots, {
          paths: [path],
          from: { snapshot: name },
          to: folder,
          missingOnly: false,
          dryRun: false,
          asRoot: false,
          now: deps.now(),
          prefix: t.profile.prefix,
        });
        if (!result.ok) {
          await rm(folder, { recursive: true, force: true });
          return failed(result.failure);
        }
        const copied = Buffer.concat([Buffer.from(`${folder}/`), pathBytes(baseName(path))]);
        const info = await lstat(copied).catch(() => null);
        if (info === null || !info.isFile()) {
          await rm(folder, { recursive: true, force: true });
          return {
            ok: false,
            reason: 'failed',
            message: 'Only a file can be opened: restore a folder or a link instead.',
          };
        }
        // The desktop opens a path as text: a name that is not UTF-8 gets U+FFFD for its bad bytes.
        const file = join(folder, pathBytes(baseName(path)).toString('utf8'));
        if (!isUtf8(pathBytes(baseName(path)))) await rename(copied, file);
        await chmod(file, 0o400);
        const error = await deps.openPath(file);
        if (error !== '') {
          return {
            ok: false,
            reason: 'failed',
            message: `The copy in ${file} could not be opened: ${error}`,
          };
        }
        return { ok: true, value: { file } };
      });
    },

    planRestore: (input) => runRestore(input, true),

    restore: (input) => runRestore(input, false),

    async verify(input) {
      const request = verifyRequest.safeParse(input);
      if (!request.success) return invalid('a check');
      const { snapshot: name } = request.data;
      return exclusive((signal) =>
        withSnapshots(false, async (opened, _t, snapshots) => {
          const snapshot = snapshotIn(snapshots, name);
          if (snapshot === null) return noSnapshot(name);
          const started = Date.now();
          const result = await verifySnapshot(opened.ctx, snapshot, {
            samplePercent: 100,
            signal,
            onEvent: (event) => {
              if (event.type === 'phase') {
                deps.send({ type: 'verify-progress', phase: event.phase, done: 0, total: 0 });
              } else {
                deps.send({
                  type: 'verify-progress',
                  phase: 'checking',
                  done: event.done,
                  total: event.total,
                });
              }
            },
          });
          if (!result.ok) return failed(result.failure);
          const v = result.value;
          return {
            ok: true,
            value: {
              outcome: v.outcome,
              snapshot: v.snapshot,
              paths: v.paths,
              eligible: v.eligible,
              checked: v.checked,
              mismatched: v.mismatched,
              unchecked: v.unchecked,
              durationMs: Date.now() - started,
            },
          };
        }),
      );
    },

    async cancelOperation() {
      operation?.abort();
    },

    async loadHistory() {
      const history = await readHistory(stateDir, { last: HISTORY_RUNS });
      const runs = await Promise.all(
        [...history].reverse().map(async (e) => summarizeRun(e, (await logOf(e)) !== null)),
      );
      return { ok: true, value: { runs } };
    },

    async readRunLog(input) {
      const request = runLogRequest.safeParse(input);
      if (!request.success) return invalid('a log');
      const entry = await runNamed(request.data.run);
      const file = await logOf(entry);
      if (file === null) {
        return {
          ok: false,
          reason: 'not-found',
          message:
            entry === undefined
              ? 'That run is no longer in the history.'
              : 'This run’s log was removed (only the newest 50 logs are kept), or it wrote none.',
        };
      }
      const page = await readRunLog(file, { query: request.data.query, limit: LOG_LINES });
      return { ok: true, value: { run: request.data.run, ...page } };
    },

    async openRunLog(input) {
      const request = runRequest.safeParse(input);
      if (!request.success) return invalid('a log');
      const file = await logOf(await runNamed(request.data.run));
      if (file === null) {
        return { ok: false, reason: 'not-found', message: 'This run has no log file any more.' };
      }
      const error = await deps.openPath(file);
      return error === ''
        ? { ok: true, value: null }
        : { ok: false, reason: 'failed', message: `The log could not be opened: ${error}` };
    },
  };

  return {
    handlers,
    setVisible: (visible) => holder.setVisible(visible),
    holdOff: () => holder.holdOff(),
    async dispose() {
      operation?.abort();
      await holder.close();
      await rm(openedDir, { recursive: true, force: true });
    },
  };
}
