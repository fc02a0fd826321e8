/**
 * What the Backups window asks of the main process, as plain functions over the restore engine
 * (core/restore/: the very functions `snaptray ls`, `versions`, `restore`, `diff` and `verify`
 * call). Every payload arrives as `unknown` and is validated here; every outcome is a value. The
 * main process is the authority: a restore writes only into a folder the user chose in the app's
 * dialog, or in place, after the app's own question when that matters (restore-authority.ts), and
 * only harmless kinds of files are handed to the desktop. No `electron` import: the window tests
 * run these very functions under plain Node, with dialogs of their own.
 */
import { userInfo } from 'node:os';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDestination } from '../../core/destination/address.js';
import { readMarker } from '../../core/destination/initialise.js';
import { listDestination } from '../../core/destination/ops.js';
import type { OpenDestination } from '../../core/destination/session.js';
import { isComplete, snapshotsOf, type Snapshot } from '../../core/destination/snapshot.js';
import { places, sessionEnvironment } from '../../core/environment.js';
import type { NotificationEvent } from '../../core/notification-text.js';
import type { Spawn } from '../../core/process.js';
import { listFolder } from '../../core/restore/browse.js';
import { completeSnapshots } from '../../core/restore/choose.js';
import { diffSnapshots, type Diff } from '../../core/restore/diff.js';
import { joinPath } from '../../core/restore/paths.js';
import { restorePaths } from '../../core/restore/restore.js';
import type { RestoreFailure } from '../../core/restore/result.js';
import { verifySnapshot } from '../../core/restore/verify.js';
import { fileVersions } from '../../core/restore/versions.js';
import type { Profile } from '../../core/settings/schema.js';
import type { SettingsBackend } from '../../core/settings/store.js';
import { readHistory } from '../../core/state/history.js';
import { profileStateDir } from '../../core/state/paths.js';
import type { AppDialogs } from '../shared/dialogs.js';
import type {
  BackupsEvent,
  BackupsResult,
  EntryView,
  FolderView,
  OpenedVersion,
  RestorePlan,
  RestoreReport,
} from '../ipc/backups-contract.js';
import { createDestinationHolder, type Timers } from './connection.js';
import { createHistoryHandlers, HISTORY_RUNS } from './history.js';
import { createProfileReader, sourcesOf, type Target } from './profile.js';
import {
  copyRequest,
  folderRequest,
  invalid,
  restoreFolderRequest,
  restoreRequest,
  snapshotPathRequest,
  verifyRequest,
  versionsRequest,
} from './requests.js';
import {
  breaksConnection,
  BUSY_MESSAGE,
  byTypeThenName,
  changesIn,
  forwardRestoreEvent,
  restoreReport,
  summarizeSnapshot,
  unavailable,
} from './views.js';
import type { BackupsHandlers } from '../ipc/contract.js';
import { notificationFor, type NotifySink } from '../shared/notifier.js';
import { copyVersion, kindOfCopy, notOpenedMessage } from './open-version.js';
import {
  createFolderGrants,
  FOLDER_NOT_CHOSEN,
  inPlaceConcerns,
  inPlaceQuestion,
  needsConfirmation,
  RESTORE_DECLINED,
  restoredWhat,
  type GuardedPlaces,
} from './restore-authority.js';

export interface BackupsApiDeps {
  env: NodeJS.ProcessEnv;
  spawn: Spawn;
  openBackend: (path: string) => Promise<SettingsBackend>;
  now: () => Date;
  hostname: string;
  timers: Timers;
  /** Opens a file with the desktop's default application: '' on success, else why not. */
  openPath: (path: string) => Promise<string>;
  /** Shows a file in the file manager, selected. */
  showItemInFolder: (path: string) => void;
  /** The app's own dialogs over the Backups window. */
  dialogs: AppDialogs;
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
  handlers: BackupsHandlers;
  /** The window was shown, or hidden or closed: a hidden window's connection closes later. */
  setVisible(visible: boolean): void;
  /** A backup of this profile is starting: see connection.ts. */
  holdOff(): Promise<() => void>;
  /** Closes the connection and removes the copies opened for viewing. */
  dispose(): Promise<void>;
}

type Answer<T> = BackupsResult<T>;

export function createBackupsApi(deps: BackupsApiDeps): BackupsApi {
  const p = places(deps.env);
  const profileName = deps.profileName ?? 'default';
  const uid = deps.uid ?? process.getuid?.() ?? 1000;
  const stateDir = profileStateDir(p.stateRoot, profileName);
  const busyRetryMs = deps.busyRetryMs ?? 10_000;
  const longRestoreMs = deps.longRestoreMs ?? 20_000;
  const openedDir = join(p.runtimeDir, 'open');
  const home = deps.env.HOME?.startsWith('/') === true ? deps.env.HOME : userInfo().homedir;
  const guarded: GuardedPlaces = { home, settingsDir: p.configDir };
  const grants = createFolderGrants();
  /** The copies openVersion made: the only files showCopyInFolder shows. */
  const copies = new Set<string>();
  /**
   * The last restore planned, and the restore the user said yes to in the app's dialog (asked
   * again for by the window after "busy"); any restore that runs forgets both.
   */
  let planned: { key: string; plan: RestoreReport } | null = null;
  let approved: string | null = null;
  const holder = createDestinationHolder({
    session: sessionEnvironment(p, deps.spawn),
    lock: { stateDir, configDir: p.configDir, profile: profileName },
    timers: deps.timers,
    idleCloseMs: deps.idleCloseMs ?? 60_000,
    onFree: () => deps.send({ type: 'destination-free' }),
  });
  const target = createProfileReader({
    configFile: p.configFile,
    openBackend: deps.openBackend,
    hostname: deps.hostname,
    profileName,
    uid,
  });
  /** The snapshots the window last saw, by the destination they were listed on. */
  let known: { key: string; snapshots: Snapshot[]; diskKeepsModes: boolean } | null = null;
  /** The restore or verify that runs; one at a time. */
  let operation: AbortController | null = null;

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
        const { keepsModes } = readMarker(listing.value.marker);
        known = { key, snapshots: set.snapshots, diskKeepsModes: keepsModes };
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

  /** The plan, or the restore itself, of a request that passed its schema and its folder check. */
  function runEngine(
    request: { snapshot: string; paths: string[]; missingOnly: boolean },
    to: string | null,
    dryRun: boolean,
    signal?: AbortSignal,
  ): Promise<Answer<RestoreReport>> {
    const { snapshot, paths, missingOnly } = request;
    return withSnapshots<RestoreReport>(false, async (opened, t, snapshots) => {
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
        watched: true,
        prefix: t.profile.prefix,
        options: { acls: t.profile.rsync.acls, xattrs: t.profile.rsync.xattrs },
        diskKeepsModes: known?.diskKeepsModes !== false,
        ...(signal ? { signal } : {}),
        ...(dryRun ? {} : { onEvent: (e) => forwardRestoreEvent(e, deps.send) }),
      });
      if (!result.ok) return failed(result.failure);
      const report = restoreReport(result.value, missingOnly, Date.now() - started);
      if (!dryRun && report.durationMs >= longRestoreMs) await announce(t.profile, report);
      return { ok: true, value: report };
    });
  }

  /** The request, checked: its folder is the one the user chose for it, or its original place. */
  function checkedRestore(input: unknown):
    | {
        ok: true;
        request: { snapshot: string; paths: string[]; into: string | null; missingOnly: boolean };
        to: string | null;
        key: string;
      }
    | { ok: false; answer: Answer<never> } {
    const parsed = restoreRequest.safeParse(input);
    if (!parsed.success) return { ok: false, answer: invalid('a restore') };
    const request = parsed.data;
    const to = request.into === null ? null : grants.folderFor(request.into, request);
    if (request.into !== null && to === null) {
      return { ok: false, answer: { ok: false, reason: 'refused', message: FOLDER_NOT_CHOSEN } };
    }
    const key = JSON.stringify([
      request.snapshot,
      request.paths,
      request.into,
      request.missingOnly,
    ]);
    return { ok: true, request, to, key };
  }

  async function planRestore(input: unknown): Promise<Answer<RestorePlan>> {
    const checked = checkedRestore(input);
    if (!checked.ok) return checked.answer;
    const plan = await runEngine(checked.request, checked.to, true);
    if (!plan.ok) return plan;
    planned = { key: checked.key, plan: plan.value };
    const appAsks = checked.to === null && needsConfirmation(inPlaceConcerns(plan.value, guarded));
    return { ok: true, value: { ...plan.value, appAsks } };
  }

  async function restore(input: unknown): Promise<Answer<RestoreReport>> {
    const checked = checkedRestore(input);
    if (!checked.ok) return checked.answer;
    const { request, to, key } = checked;
    return exclusive(async (signal) => {
      if (to === null && approved !== key) {
        // In place: the app asks, whatever the window did or did not show before.
        let plan = planned?.key === key ? planned.plan : null;
        planned = null;
        if (plan === null) {
          const fresh = await runEngine(request, null, true);
          if (!fresh.ok) return fresh;
          plan = fresh.value;
        }
        const concerns = inPlaceConcerns(plan, guarded);
        if (needsConfirmation(concerns)) {
          if (!(await deps.dialogs.ask(inPlaceQuestion(request, plan, concerns)))) {
            return { ok: false, reason: 'declined', message: RESTORE_DECLINED };
          }
          approved = key;
        }
      }
      const result = await runEngine(request, to, false, signal);
      if (!result.ok && result.reason === 'busy') return result;
      planned = null;
      approved = null;
      if (request.into !== null) grants.spend(request.into);
      return result;
    });
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

  const history = createHistoryHandlers({ stateDir, openPath: deps.openPath });

  const handlers: BackupsApi['handlers'] = {
    async loadTimeline() {
      return withSnapshots(true, async (_opened, t, snapshots, warnings) => {
        const history = await readHistory(stateDir, { last: HISTORY_RUNS });
        const runWarnings = new Map<string, string[]>();
        for (const entry of history) {
          // A one-off to another destination may have made a snapshot of the same name.
          const elsewhere =
            entry.oneOff !== undefined && entry.oneOff.destination !== t.profile.destination;
          if (entry.snapshot !== null && !elsewhere)
            runWarnings.set(entry.snapshot, entry.warnings);
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
        // The one before it in the prefix's order (runs, not clocks: sequence.ts).
        const previous =
          snapshots.slice(0, snapshots.indexOf(snapshot)).filter(isComplete).at(-1) ?? null;
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
      return withSnapshots<OpenedVersion>(false, async (opened, t, snapshots) => {
        if (snapshotIn(snapshots, name) === null) return noSnapshot(name);
        const copied = await copyVersion(opened.ctx, snapshots, {
          snapshot: name,
          path,
          prefix: t.profile.prefix,
          now: deps.now(),
          into: openedDir,
        });
        if (!copied.ok) return failed(copied.failure);
        const file = copied.value;
        copies.add(file);
        const kind = await kindOfCopy(file);
        if (!kind.open) {
          return {
            ok: true,
            value: { opened: false, file, message: notOpenedMessage(file, kind) },
          };
        }
        const error = await deps.openPath(file);
        if (error !== '') {
          return {
            ok: false,
            reason: 'failed',
            message: `The copy in ${file} could not be opened: ${error}`,
          };
        }
        return { ok: true, value: { opened: true, file } };
      });
    },

    async showCopyInFolder(input) {
      const request = copyRequest.safeParse(input);
      if (!request.success) return invalid('a copy to show');
      if (!copies.has(request.data.file)) {
        return {
          ok: false,
          reason: 'refused',
          message: 'Only a copy this window opened can be shown in Files; open the version again.',
        };
      }
      deps.showItemInFolder(request.data.file);
      return { ok: true, value: null };
    },

    planRestore,

    restore,

    async chooseRestoreFolder(input) {
      const request = restoreFolderRequest.safeParse(input);
      if (!request.success) return null;
      const folder = await deps.dialogs.chooseFolder({
        title: `Restore ${restoredWhat(request.data.paths)} into which folder?`,
        createFolders: true,
      });
      return folder === null ? null : grants.grant(folder, request.data);
    },

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
          return { ok: true, value: { ...result.value, durationMs: Date.now() - started } };
        }),
      );
    },

    async cancelOperation() {
      operation?.abort();
    },

    ...history,
  };

  return {
    handlers,
    setVisible: (visible) => holder.setVisible(visible),
    holdOff: () => holder.holdOff(),
    async dispose() {
      operation?.abort();
      grants.clear();
      copies.clear();
      await holder.close();
      await rm(openedDir, { recursive: true, force: true });
    },
  };
}
