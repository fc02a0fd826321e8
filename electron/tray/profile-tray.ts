/**
 * One profile in the tray: its schedule, catch-up, retries, battery and network rules, its runs
 * (in this process, or of the CLI and cron seen through its lock and history), its pause and its
 * notifications. The app controller (tray-app.ts) holds one per profile and draws them together.
 */
import { watch, type FSWatcher } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { net, powerMonitor } from 'electron';
import { backupEnvironment, places, type Places } from '../../core/environment.js';
import type { NotificationEvent } from '../../core/notification-text.js';
import type { Spawn } from '../../core/process.js';
import { runBackup, type BackupResult } from '../../core/backup/run.js';
import { ProgressTracker } from '../../core/backup/progress-estimate.js';
import { parseDestination } from '../../core/destination/address.js';
import { defaultPrefix, MARKER_NAME } from '../../core/destination/snapshot-name.js';
import {
  failuresSinceSuccess,
  isOverdue,
  lastSuccess,
  nextRun,
  overdueSince,
  shouldStartNow,
  type StartDecision,
} from '../../core/schedule.js';
import { defaultProfile, type Profile } from '../../core/settings/schema.js';
import { profileRuns, readHistory, type HistoryEntry } from '../../core/state/history.js';
import { logFileOf } from '../../core/state/logs.js';
import { ensurePrivateDir, profileStateDir } from '../../core/state/paths.js';
import { clearPause, readPause, setPause } from '../../core/state/pause.js';
import { readRunLock } from '../../core/state/profile-lock.js';
import type { DestinationListing } from '../../core/destination/snapshot.js';
import { loadIdentity } from '../../core/settings/identity.js';
import { notificationFor, type NotifyClick, type NotifySink } from '../shared/notifier.js';
import { tellOverdueMachines } from './other-machines.js';
import type { Clock } from './clock.js';
import type { MountWatcher } from './mount-watcher.js';
import {
  initialProfileState,
  isUnreachable,
  pauseUntil,
  type PauseChoice,
  type ProfileAction,
  type ProfileState,
  type RunView,
} from './tray-state.js';

export interface ProfileTrayDeps {
  name: string;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  spawn: Spawn;
  hostname: string;
  /** The icon notify-send shows. */
  notificationIcon: string;
  notify: NotifySink;
  /** The name notifications carry, or null while the tray follows this profile alone. */
  notifyAs: () => string | null;
  openSettings: () => void;
  /** Opens History at this profile's run (its id, the run's start), or at the profile. */
  showRun: (run: string | null) => void;
  /**
   * Waits until a run may start (its turn at the destination, the Backups window's requests
   * out of the way); resolves with what ends that hold once the run ended, or null when
   * `signal` aborted first. `onWait` names the profile whose run it waits for.
   */
  beforeRun: (
    profile: Profile,
    signal: AbortSignal,
    onWait: (holder: string) => void,
  ) => Promise<(() => void) | null>;
  mounts: MountWatcher;
  /** The state changed: draw now, or (`soon`) within the next second. */
  changed: (soon?: boolean) => void;
}

export interface ProfileTray {
  readonly name: string;
  /** Takes this profile's settings (at start and whenever the settings file changed). */
  configure(profile: Profile, settingsWarnings: readonly string[]): void;
  start(): Promise<void>;
  state(): ProfileState;
  /** Reads history, pause and lock again. */
  refresh(): Promise<void>;
  /** Decides whether to start now and when to look again. */
  evaluate(trigger: 'schedule' | 'user'): Promise<void>;
  runAction(action: ProfileAction): Promise<void>;
  busy(): boolean;
  /**
   * Resolves when no backup of this profile runs in this process, and what follows the last one
   * (its notifications, the check of other machines) is done.
   */
  idle(): Promise<void>;
  stopRun(): Promise<void>;
  dispose(): void;
}

/** Changes in the state folder come in bursts (lock, history, log): read them once. */
const WATCH_DEBOUNCE_MS = 150;
/** Look at the plan again at least this often, so clock changes cannot strand it. */
const MAX_TIMER_MS = 3_600_000;
/** While the destination is unreachable, how often to ask whether the network came back. */
const NETWORK_POLL_MS = 30_000;
const NOT_DUE = 'The next backup is not due yet.';

interface CurrentRun {
  controller: AbortController;
  view: RunView;
  done: Promise<void>;
}

export function createProfileTray(deps: ProfileTrayDeps): ProfileTray {
  const { clock, name } = deps;
  const p: Places = places(deps.env);
  const stateDir = profileStateDir(p.stateRoot, name);
  const lockPlaces = { stateDir, configDir: p.configDir, profile: name };
  const state = initialProfileState();
  let profile: Profile = defaultProfile();
  /** Settings keys this version does not know, named in every run's warnings. */
  let settingsWarnings: readonly string[] = [];
  let current: CurrentRun | null = null;
  /** The last run, until what follows it is done too. */
  let finishing: Promise<void> | null = null;
  let scheduleTimer: unknown = null;
  let networkTimer: unknown = null;
  let wasOffline = false;
  let ignoreBackoff = false;
  let watcher: FSWatcher | null = null;
  let debounce: NodeJS.Timeout | null = null;
  let unsubscribeMounts: (() => void) | null = null;
  let overdueNotified: string | null = null;
  let delayNotified: string | null = null;
  let disposed = false;
  /** The CLI run this tray asked to stop, so the menu says "Stopping" until it has. */
  let stoppedOtherPid: number | null = null;

  function configure(next: Profile, warnings: readonly string[]): void {
    profile = next;
    settingsWarnings = warnings;
    state.setUp = profile.destination !== '' && profile.sources.length > 0;
  }

  async function start(): Promise<void> {
    await ensurePrivateDir(stateDir);
    await refresh();
    watchStateFolder();
    await evaluate('schedule');
  }

  async function refresh(): Promise<void> {
    if (disposed) return;
    const now = clock.now();
    const history = profileRuns(await readHistory(stateDir, { last: 200 }));
    const wasPaused = state.pause.paused;
    state.pause = await readPause(stateDir, now);
    // A pause set elsewhere (`snaptray pause`) stops this process's run, as the menu's Pause does.
    if (!wasPaused && state.pause.paused && current !== null && !current.view.stopping) {
      current.view.stopping = true;
      current.controller.abort();
    }
    const holder = await readRunLock(lockPlaces);
    if (current !== null) state.run = current.view;
    else if (holder !== null) {
      const startedAt = new Date(holder.startedAt);
      const stopping = holder.pid === stoppedOtherPid;
      state.run = { source: 'other', startedAt, progress: null, stopping };
    } else state.run = null;
    const success = lastSuccess(history);
    state.lastBackup =
      success === null
        ? null
        : {
            endedAt: new Date(success.endedAt),
            files: success.files,
            bytesSent: success.bytesSent,
            partial: success.outcome === 'partial',
          };
    state.lastFailure = newestFailure(history);
    state.overdue = state.setUp && isOverdue(history, profile.overdueDays, now);
    state.overdueSince = overdueSince(history);
    const log = await latestLog(history);
    state.logPath = log.path;
    state.logAt = log.at;
    deps.changed();
    if (state.overdue && state.run === null && state.overdueSince !== null) {
      const key = state.overdueSince.toISOString();
      if (overdueNotified !== key) {
        overdueNotified = key;
        await notify({
          kind: 'overdue',
          lastSuccessAt: success === null ? null : new Date(success.endedAt),
          now,
        });
      }
    }
  }

  function newestFailure(history: readonly HistoryEntry[]): ProfileState['lastFailure'] {
    for (let i = history.length - 1; i >= 0; i--) {
      const entry = history[i];
      if (entry === undefined || entry.outcome === 'ok' || entry.outcome === 'partial') return null;
      if (entry.outcome !== 'failed') continue;
      const kind = entry.error?.kind ?? 'internal';
      return {
        at: new Date(entry.endedAt),
        run: entry.startedAt,
        reason: entry.error?.message ?? 'The backup failed.',
        skipped: profile.schedule.skipWhenUnreachable && isUnreachable(kind),
      };
    }
    return null;
  }

  /** The newest run's log, only if it really lies in this profile's log folder. */
  async function latestLog(
    history: readonly HistoryEntry[],
  ): Promise<{ path: string | null; at: Date | null }> {
    const entry = [...history].reverse().find((e) => e.logPath !== null);
    const path = await logFileOf(stateDir, entry?.logPath ?? null);
    return { path, at: path === null || entry === undefined ? null : new Date(entry.endedAt) };
  }

  async function evaluate(trigger: 'schedule' | 'user'): Promise<void> {
    if (disposed || current !== null) return;
    const now = clock.now();
    if (!state.setUp) {
      state.next = null;
      deps.changed();
      return;
    }
    const history = profileRuns(await readHistory(stateDir, { last: 200 }));
    const pause = await readPause(stateDir, now);
    const lockHeld = (await readRunLock(lockPlaces)) !== null;
    const next = nextRun(profile.schedule, history, now);
    const failures = failuresSinceSuccess(history);
    const decision: StartDecision = shouldStartNow({
      trigger,
      schedule: profile.schedule,
      next,
      now,
      pause,
      lockHeld,
      onBattery: powerMonitor.isOnBatteryPower(),
      reachable: null,
      failuresInARow: ignoreBackoff ? 0 : failures.count,
      lastFailureAt: failures.lastAt,
    });
    ignoreBackoff = false;
    // A scheduled run to a disk that is not plugged in waits for it, quietly: no failure each
    // hour, and the overdue warning in its time. Back Up Now tries anyway and says what is wrong.
    const disk = decision.kind === 'run' && trigger === 'schedule' ? await missingDisk() : null;
    if (current !== null || disposed) return;
    if (decision.kind === 'run') {
      if (disk !== null) return waitForDisk(disk, now);
      stopWaitingForDisk();
      void startRun(trigger);
      return;
    }
    stopWaitingForDisk();
    const until = decision.kind === 'wait' ? decision.until : decision.retryAt;
    state.next = pause.paused ? null : until;
    state.waitReason = decision.reason === NOT_DUE || pause.paused ? null : decision.reason;
    deps.changed();
    planTimer(until, now);
    if (decision.kind === 'skip') {
      await notify({ kind: 'skipped', reason: decision.reason, retryAt: decision.retryAt, now });
    } else if (next.overdue && !lockHeld && decision.reason !== NOT_DUE && !isRetryWait(decision)) {
      // Tell once per reason that a due backup is held back (battery, pause).
      if (delayNotified !== decision.reason) {
        delayNotified = decision.reason;
        await notify({ kind: 'delayed', reason: decision.reason, until: decision.until, now });
      }
    }
    watchNetwork();
  }

  /** The folder of a local destination whose marker is missing: its disk is not mounted. */
  async function missingDisk(): Promise<string | null> {
    const parsed = parseDestination(profile.destination);
    if (!parsed.ok || parsed.value.kind !== 'local') return null;
    const folder = parsed.value.path;
    return access(join(folder, MARKER_NAME)).then(
      () => null,
      () => folder,
    );
  }

  function waitForDisk(folder: string, now: Date): void {
    state.waitingForDisk = folder;
    state.next = null;
    state.waitReason = null;
    deps.changed();
    // The hourly look keeps the overdue warning coming in its time.
    planTimer(null, now);
    unsubscribeMounts ??= deps.mounts.subscribe(
      () => void refresh().then(() => evaluate('schedule')),
    );
  }

  function stopWaitingForDisk(): void {
    state.waitingForDisk = null;
    unsubscribeMounts?.();
    unsubscribeMounts = null;
  }

  function isRetryWait(decision: StartDecision): boolean {
    return (
      decision.kind === 'wait' &&
      state.lastFailure !== null &&
      decision.until !== null &&
      decision.reason.startsWith('The last attempt failed')
    );
  }

  function planTimer(until: Date | null, now: Date): void {
    if (scheduleTimer !== null) clock.clearTimer(scheduleTimer);
    const wait = until === null ? MAX_TIMER_MS : until.getTime() - now.getTime();
    scheduleTimer = clock.setTimer(Math.max(0, Math.min(wait, MAX_TIMER_MS)), () => {
      scheduleTimer = null;
      void refresh().then(() => evaluate('schedule'));
    });
  }

  /** While a skip waits for its retry, a network that comes back starts the retry at once. */
  function watchNetwork(): void {
    if (networkTimer !== null || state.lastFailure?.skipped !== true) return;
    networkTimer = clock.setTimer(NETWORK_POLL_MS, () => {
      networkTimer = null;
      const online = net.isOnline();
      if (!online) wasOffline = true;
      if (online && wasOffline) {
        wasOffline = false;
        ignoreBackoff = true;
        void evaluate('schedule');
        return;
      }
      watchNetwork();
    });
  }

  function startRun(trigger: 'schedule' | 'user'): Promise<void> {
    if (current !== null) return current.done;
    if (!state.setUp) {
      deps.openSettings();
      return Promise.resolve();
    }
    const controller = new AbortController();
    const view: RunView = {
      source: 'tray',
      startedAt: clock.now(),
      progress: null,
      stopping: false,
    };
    const run: CurrentRun = { controller, view, done: Promise.resolve() };
    current = run;
    state.run = view;
    delayNotified = null;
    deps.changed();
    run.done = (async () => {
      const runProfile = { ...profile };
      if (runProfile.prefix === '') {
        runProfile.prefix = defaultPrefix(deps.hostname, name, process.getuid?.() ?? 1000);
      }
      let result: BackupResult | null = null;
      let listing: DestinationListing | null = null;
      let release: (() => void) | null = null;
      try {
        release = await deps.beforeRun(runProfile, controller.signal, (holder) => {
          view.waitingFor = holder;
          deps.changed();
        });
        if (release !== null) {
          delete view.waitingFor;
          view.startedAt = clock.now();
          deps.changed();
          await notify({ kind: 'started', destination: runProfile.destination });
          result = await backUp(runProfile, trigger, controller.signal, view, (l) => {
            listing = l;
          });
        }
      } finally {
        current = null;
        state.run = null;
        release?.();
      }
      await refresh();
      if (result === null) {
        // Stopped while it waited for its turn: nothing ran, nothing to record.
        planTimer(null, clock.now());
        return;
      }
      await announce(result, runProfile);
      if (listing !== null) await tellAboutOthers(listing, runProfile);
      await evaluate('schedule');
    })();
    const done = run.done;
    finishing = done;
    const settled = () => {
      if (finishing === done) finishing = null;
    };
    done.then(settled, settled);
    return run.done;
  }

  function backUp(
    runProfile: Profile,
    trigger: 'schedule' | 'user',
    signal: AbortSignal,
    view: RunView,
    onListing: (listing: DestinationListing) => void,
  ): Promise<BackupResult> {
    const env = {
      ...backupEnvironment(p, name, deps.spawn, 'tray'),
      now: () => clock.now(),
      hostname: deps.hostname,
    };
    const tracker = new ProgressTracker();
    return runBackup(env, {
      profileName: name,
      profile: runProfile,
      force: trigger === 'user',
      settingsWarnings: [...settingsWarnings],
      signal,
      onEvent: (event) => {
        if (event.type === 'listing') onListing(event.listing);
        if (event.type === 'plan') tracker.plan(event.previous);
        if (event.type !== 'progress') return;
        // The menu's percent and time left, as truthful as the terminal's.
        tracker.update(event.progress, performance.now());
        const estimate = tracker.estimate(performance.now());
        view.progress = {
          ...event.progress,
          percent: estimate.percent,
          etaSeconds: estimate.etaSeconds,
          estimated: estimate.estimated,
        };
        deps.changed(true);
      },
    });
  }

  async function announce(result: BackupResult, runProfile: Profile): Promise<void> {
    const now = clock.now();
    switch (result.outcome) {
      case 'ok':
        return notify({
          kind: 'finished',
          snapshot: result.snapshot ?? '',
          files: result.files ?? 0,
          bytesSent: result.bytesSent ?? 0,
          durationMs: result.durationMs,
          warnings: result.warnings,
        });
      case 'partial':
        return notify({
          kind: 'partial',
          snapshot: result.snapshot ?? '',
          failedFiles: result.unreadable?.count ?? 0,
        });
      case 'failed': {
        const error = result.error ?? { kind: 'internal', message: 'The backup failed.' };
        if (runProfile.schedule.skipWhenUnreachable && isUnreachable(error.kind)) {
          const history = profileRuns(await readHistory(stateDir, { last: 200 }));
          const { count } = failuresSinceSuccess(history);
          const retryAt = retryTime(count, now);
          return notify({ kind: 'skipped', reason: error.message, retryAt, now });
        }
        // refresh() read this run's entry before: a click on the notification opens it.
        const run = state.lastFailure?.run ?? null;
        return notify(
          { kind: 'failed', reason: error.message },
          { label: 'Show in History', run: () => deps.showRun(run) },
        );
      }
      case 'locked':
      case 'paused':
      case 'cancelled':
        // Stopped or held back on the user's own word, or another run is on it: nothing to say.
        return;
    }
  }

  /** Another machine on the destination fell behind: said when the user asked to be told. */
  async function tellAboutOthers(listing: DestinationListing, runProfile: Profile): Promise<void> {
    if (!runProfile.notifications.otherMachinesOverdue) return;
    const now = clock.now();
    const identity = await loadIdentity(p.configDir, now);
    await tellOverdueMachines({
      stateDir,
      listing,
      owners: {
        identity: identity.ok ? identity.id : null,
        prefixes: new Set([runProfile.prefix]),
      },
      now,
      notify,
    }).catch(() => undefined);
  }

  function retryTime(failures: number, now: Date): Date {
    const decision = shouldStartNow({
      trigger: 'schedule',
      schedule: profile.schedule,
      next: { at: now, overdue: true },
      now,
      pause: { paused: false },
      lockHeld: false,
      onBattery: false,
      reachable: null,
      failuresInARow: failures,
      lastFailureAt: now,
    });
    return decision.kind === 'wait' && decision.until !== null ? decision.until : now;
  }

  async function notify(event: NotificationEvent, onClick?: NotifyClick): Promise<void> {
    const request = notificationFor(
      event,
      profile.notifications,
      deps.notificationIcon,
      deps.notifyAs(),
    );
    if (request !== null)
      await deps.notify(onClick === undefined ? request : { ...request, onClick });
  }

  async function pause(choice: PauseChoice): Promise<void> {
    const now = clock.now();
    await setPause(stateDir, pauseUntil(choice, now), now);
    // Stopping leaves an unfinished snapshot the next run links against: resuming is cheap.
    if (current !== null) {
      current.view.stopping = true;
      current.controller.abort();
    } else await stopOtherRun();
    await refresh();
    await evaluate('schedule');
  }

  async function resume(): Promise<void> {
    await clearPause(stateDir);
    delayNotified = null;
    await refresh();
    await evaluate('schedule');
  }

  async function stopRun(): Promise<void> {
    if (current === null) return stopOtherRun();
    current.view.stopping = true;
    current.controller.abort();
    deps.changed();
    await current.done;
  }

  /** A run of the CLI (cron, a terminal) stops on SIGTERM as on Ctrl-C: cleanly, and resumable. */
  async function stopOtherRun(): Promise<void> {
    const holder = await readRunLock(lockPlaces);
    if (holder === null || holder.source !== 'cli') return;
    try {
      process.kill(holder.pid, 'SIGTERM');
    } catch {
      return; // already gone, or another user's process
    }
    stoppedOtherPid = holder.pid;
    await refresh();
  }

  /** Back Up Now: only the lock holds it back. */
  async function backUpNow(): Promise<void> {
    if (current !== null || !state.setUp) {
      if (!state.setUp) deps.openSettings();
      return;
    }
    const lockHeld = (await readRunLock(lockPlaces)) !== null;
    if (lockHeld) {
      await refresh();
      return;
    }
    await startRun('user');
  }

  async function runAction(action: ProfileAction): Promise<void> {
    switch (action) {
      case 'backup-now':
        return backUpNow();
      case 'stop':
        return stopRun();
      case 'pause-hour':
        return pause('hour');
      case 'pause-tomorrow':
        return pause('tomorrow');
      case 'pause-indefinitely':
        return pause('resume');
      case 'resume':
        return resume();
    }
  }

  function watchStateFolder(): void {
    try {
      watcher = watch(stateDir, () => {
        if (debounce !== null) clearTimeout(debounce);
        debounce = setTimeout(() => {
          debounce = null;
          if (!disposed) void refresh().then(() => evaluate('schedule'));
        }, WATCH_DEBOUNCE_MS);
      });
      watcher.on('error', () => undefined);
    } catch {
      // Without a watch the schedule timer still refreshes the tray at least hourly.
    }
  }

  function dispose(): void {
    disposed = true;
    watcher?.close();
    if (debounce !== null) clearTimeout(debounce);
    if (scheduleTimer !== null) clock.clearTimer(scheduleTimer);
    if (networkTimer !== null) clock.clearTimer(networkTimer);
    unsubscribeMounts?.();
  }

  return {
    name,
    configure,
    start,
    state: () => state,
    refresh,
    evaluate,
    runAction,
    busy: () => current !== null,
    idle: async () => {
      while (current !== null || finishing !== null) {
        await (current?.done ?? finishing)?.catch(() => undefined);
      }
    },
    stopRun,
    dispose,
  };
}
