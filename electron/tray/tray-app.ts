/**
 * The tray controller: holds the app state, runs backups in-process, plans the next one with
 * core/schedule.ts, and follows runs of the CLI or cron through the shared state folder.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { MenuItemConstructorOptions, NativeImage, Tray as TrayType } from 'electron';
import { Menu, Tray, dialog, nativeImage, nativeTheme, net, powerMonitor, shell } from 'electron';
import { backupEnvironment, places, type Places } from '../../core/environment.js';
import type { NotificationEvent } from '../../core/notification-text.js';
import type { Spawn } from '../../core/process.js';
import { runBackup, type BackupResult } from '../../core/backup/run.js';
import { ProgressTracker } from '../../core/backup/progress-estimate.js';
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
import {
  loadSettings,
  settingsFileExists,
  type SettingsBackend,
} from '../../core/settings/store.js';
import { describeUnknownKey, unknownKeysOf } from '../../core/settings/unknown-keys.js';
import { defaultPrefix } from '../../core/destination/snapshot-name.js';
import { profileRuns, readHistory, type HistoryEntry } from '../../core/state/history.js';
import { logFileOf } from '../../core/state/logs.js';
import { ensurePrivateDir, profileStateDir } from '../../core/state/paths.js';
import { clearPause, readPause, setPause } from '../../core/state/pause.js';
import { readRunLock } from '../../core/state/profile-lock.js';
import { isAutostartEnabled, setAutostart } from '../autostart.js';
import { notificationFor, type NotifySink } from '../notifier.js';
import { trayMenu } from './tray-menu.js';
import {
  initialTrayState,
  isUnreachable,
  pauseUntil,
  type PauseChoice,
  type RunView,
  type TrayAction,
  type TrayState,
} from './tray-state.js';

/** Time as the scheduler sees it; tests move it forward by hand. */
export interface Clock {
  now(): Date;
  /** Calls `fn` once `ms` of this clock's time have passed. */
  setTimer(ms: number, fn: () => void): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => new Date(),
  setTimer: (ms, fn) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface TrayAppDeps {
  env: NodeJS.ProcessEnv;
  profileName: string;
  clock: Clock;
  spawn: Spawn;
  hostname: string;
  /** The folder holding `tray-<state>-<light|dark>.png`. */
  assetsDir: string;
  /** The icon notify-send shows: a real file, since it cannot read inside app.asar. */
  notificationIcon: string;
  openBackend: (path: string) => Promise<SettingsBackend>;
  notify: NotifySink;
  openSettings: () => void;
  openBackups: () => void;
  /**
   * Called before a run starts; resolves when the Backups window's requests have made way, with
   * the function to call once the run ended.
   */
  beforeRun?: () => Promise<() => void>;
  /** Called when the settings file changed on disk, after the tray reloaded it. */
  onSettingsChanged: () => void;
  autostartFile: string;
  launchCommand: readonly string[];
  quit: () => void;
}

export interface TrayApp {
  start(): Promise<void>;
  state(): TrayState;
  /** Resolves when no backup of this process is running. */
  idle(): Promise<void>;
  /** Stops timers and watchers (the tray stays until the process ends). */
  dispose(): void;
  /** True while a backup of this process runs. */
  busy(): boolean;
  /** Stops a running backup cleanly (recorded as cancelled), then disposes. */
  shutdown(): Promise<void>;
  runAction(action: TrayAction): Promise<void>;
}

/** Menu rebuilds during a run: about one a second. */
const RENDER_INTERVAL_MS = 1000;
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

export function createTrayApp(deps: TrayAppDeps): TrayApp {
  const { clock } = deps;
  const p: Places = places(deps.env);
  const stateDir = profileStateDir(p.stateRoot, deps.profileName);
  const lockPlaces = { stateDir, configDir: p.configDir, profile: deps.profileName };
  const configFile = p.configFile;
  const state = initialTrayState();
  let profile: Profile = defaultProfile();
  /** Settings keys this version does not know, named in every run's warnings. */
  let settingsWarnings: string[] = [];
  let backend: SettingsBackend | null = null;
  let tray: TrayType | null = null;
  let current: CurrentRun | null = null;
  let scheduleTimer: unknown = null;
  let networkTimer: unknown = null;
  let wasOffline = false;
  let ignoreBackoff = false;
  let lastRender = 0;
  let renderTimer: NodeJS.Timeout | null = null;
  const watchers: FSWatcher[] = [];
  const debounces = new Map<string, NodeJS.Timeout>();
  let overdueNotified: string | null = null;
  let delayNotified: string | null = null;
  let disposed = false;
  /** The CLI run this tray asked to stop, so the menu says "Stopping" until it has. */
  let stoppedOtherPid: number | null = null;

  async function start(): Promise<void> {
    await ensurePrivateDir(stateDir);
    await mkdir(join(configFile, '..'), { recursive: true, mode: 0o700 });
    await reloadSettings();
    state.autostart = await isAutostartEnabled(deps.autostartFile);
    tray = new Tray(iconImage('idle'));
    tray.setToolTip('Snaptray');
    await refresh();
    watchFolder(stateDir, 'state', () => void refresh().then(() => evaluate('schedule')));
    // Only the settings file: known_hosts and identity.json live in the same folder.
    watchFolder(
      join(configFile, '..'),
      'config',
      () => void settingsChanged(),
      basename(configFile),
    );
    powerMonitor.on('resume', () => void evaluate('schedule'));
    powerMonitor.on('on-ac', () => void evaluate('schedule'));
    nativeTheme.on('updated', () => render());
    if (!state.setUp) deps.openSettings();
    await evaluate('schedule');
  }

  async function reloadSettings(): Promise<void> {
    state.settingsProblem = null;
    if (!settingsFileExists(configFile)) {
      profile = defaultProfile();
      state.setUp = false;
      return;
    }
    try {
      backend ??= await deps.openBackend(configFile);
    } catch (error) {
      state.settingsProblem = `The settings file cannot be read: ${(error as Error).message}`;
      return;
    }
    const loaded = loadSettings(backend);
    if (!loaded.ok) {
      const first = loaded.errors[0];
      // Keep the last good profile: a half-typed file must not stop scheduled backups.
      state.settingsProblem =
        `The settings are not valid (${first?.path ?? 'file'}: ${first?.message ?? 'unreadable'}). ` +
        'Open Settings… to fix them.';
      return;
    }
    profile = loaded.settings.profiles[deps.profileName] ?? defaultProfile();
    state.setUp = profile.destination !== '' && profile.sources.length > 0;
    settingsWarnings = unknownKeysOf(loaded.unknown, deps.profileName).map((k) =>
      describeUnknownKey(k, configFile),
    );
  }

  async function settingsChanged(): Promise<void> {
    await reloadSettings();
    deps.onSettingsChanged();
    await refresh();
    await evaluate('schedule');
  }

  /** Reads history, pause and lock, and draws the result. */
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
    state.logPath = await latestLog(history);
    render();
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

  function newestFailure(history: readonly HistoryEntry[]): TrayState['lastFailure'] {
    for (let i = history.length - 1; i >= 0; i--) {
      const entry = history[i];
      if (entry === undefined || entry.outcome === 'ok' || entry.outcome === 'partial') return null;
      if (entry.outcome !== 'failed') continue;
      const kind = entry.error?.kind ?? 'internal';
      return {
        at: new Date(entry.endedAt),
        reason: entry.error?.message ?? 'The backup failed.',
        skipped: profile.schedule.skipWhenUnreachable && isUnreachable(kind),
      };
    }
    return null;
  }

  /** The newest run's log, only if it really lies in this profile's log folder. */
  function latestLog(history: readonly HistoryEntry[]): Promise<string | null> {
    const entry = [...history].reverse().find((e) => e.logPath !== null);
    return logFileOf(stateDir, entry?.logPath ?? null);
  }

  /** Decides whether to start now and when to look again. */
  async function evaluate(trigger: 'schedule' | 'user'): Promise<void> {
    if (disposed || current !== null) return;
    const now = clock.now();
    if (!state.setUp) {
      state.next = null;
      render();
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
    if (current !== null) return;
    if (decision.kind === 'run') {
      void startRun(trigger);
      return;
    }
    const until = decision.kind === 'wait' ? decision.until : decision.retryAt;
    state.next = pause.paused ? null : until;
    state.waitReason = decision.reason === NOT_DUE || pause.paused ? null : decision.reason;
    render();
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
    render();
    run.done = (async () => {
      const runProfile = { ...profile };
      if (runProfile.prefix === '') {
        runProfile.prefix = defaultPrefix(
          deps.hostname,
          deps.profileName,
          process.getuid?.() ?? 1000,
        );
      }
      await notify({ kind: 'started', destination: runProfile.destination });
      let result: BackupResult;
      let release: (() => void) | null = null;
      try {
        release = (await deps.beforeRun?.()) ?? null;
        const env = {
          ...backupEnvironment(p, deps.profileName, deps.spawn, 'tray'),
          now: () => clock.now(),
          hostname: deps.hostname,
        };
        const tracker = new ProgressTracker();
        result = await runBackup(env, {
          profileName: deps.profileName,
          profile: runProfile,
          force: trigger === 'user',
          settingsWarnings,
          signal: controller.signal,
          onEvent: (event) => {
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
            renderSoon();
          },
        });
      } finally {
        current = null;
        state.run = null;
        release?.();
      }
      await refresh();
      await announce(result, runProfile);
      await evaluate('schedule');
    })();
    return run.done;
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
        return notify({ kind: 'failed', reason: error.message });
      }
      case 'locked':
      case 'paused':
      case 'cancelled':
        // Stopped or held back on the user's own word, or another run is on it: nothing to say.
        return;
    }
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

  async function notify(event: NotificationEvent): Promise<void> {
    const request = notificationFor(event, profile.notifications, deps.notificationIcon);
    if (request !== null) await deps.notify(request);
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
    render();
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

  async function showLog(): Promise<void> {
    if (state.logPath !== null) await shell.openPath(state.logPath);
  }

  async function toggleAutostart(): Promise<void> {
    const enable = !state.autostart;
    const result = await setAutostart(deps.autostartFile, enable, deps.launchCommand);
    state.autostart = await isAutostartEnabled(deps.autostartFile);
    if (!result.ok) dialog.showErrorBox('Start at Login', result.message);
    render();
  }

  async function quit(): Promise<void> {
    if (current !== null) {
      const choice = dialog.showMessageBoxSync({
        type: 'question',
        buttons: ['Stop Backup and Quit', 'Keep Backing Up'],
        defaultId: 1,
        cancelId: 1,
        title: 'Quit Snaptray',
        message: 'A backup is running. Quit and stop it?',
        detail: 'The next backup continues from where this one stopped.',
      });
      if (choice !== 0) return;
      await stopRun();
    }
    dispose();
    deps.quit();
  }

  async function runAction(action: TrayAction): Promise<void> {
    switch (action) {
      case 'backup-now':
        return evaluateUser();
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
      case 'settings':
        deps.openSettings();
        return;
      case 'browse':
        deps.openBackups();
        return;
      case 'show-log':
        return showLog();
      case 'autostart':
        return toggleAutostart();
      case 'quit':
        return quit();
    }
  }

  /** Back Up Now: only the lock holds it back. */
  async function evaluateUser(): Promise<void> {
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

  function render(): void {
    if (tray === null || disposed) return;
    lastRender = performance.now();
    const view = trayMenu(state, clock.now());
    tray.setImage(iconImage(view.icon));
    tray.setToolTip(view.tooltip);
    tray.setContextMenu(Menu.buildFromTemplate(view.items.map(withClick)));
  }

  function renderSoon(): void {
    if (renderTimer !== null) return;
    const wait = Math.max(0, RENDER_INTERVAL_MS - (performance.now() - lastRender));
    renderTimer = setTimeout(() => {
      renderTimer = null;
      render();
    }, wait);
  }

  function withClick(item: MenuItemConstructorOptions): MenuItemConstructorOptions {
    const submenu = Array.isArray(item.submenu) ? item.submenu.map(withClick) : item.submenu;
    const id = item.id as TrayAction | undefined;
    if (id === undefined) return submenu === undefined ? item : { ...item, submenu };
    return {
      ...item,
      ...(submenu !== undefined ? { submenu } : {}),
      click: () => void runAction(id),
    };
  }

  function iconImage(icon: string): NativeImage {
    const shade = nativeTheme.shouldUseDarkColors ? 'dark' : 'light';
    return nativeImage.createFromPath(join(deps.assetsDir, `tray-${icon}-${shade}.png`));
  }

  function watchFolder(folder: string, key: string, onChange: () => void, only?: string): void {
    try {
      const watcher = watch(folder, (_event, filename) => {
        if (only !== undefined && filename !== null && filename !== only) return;
        const pending = debounces.get(key);
        if (pending !== undefined) clearTimeout(pending);
        debounces.set(
          key,
          setTimeout(() => {
            debounces.delete(key);
            if (!disposed) onChange();
          }, WATCH_DEBOUNCE_MS),
        );
      });
      watcher.on('error', () => undefined);
      watchers.push(watcher);
    } catch {
      // Without a watch the schedule timer still refreshes the tray at least hourly.
    }
  }

  function dispose(): void {
    disposed = true;
    for (const watcher of watchers) watcher.close();
    for (const pending of debounces.values()) clearTimeout(pending);
    if (scheduleTimer !== null) clock.clearTimer(scheduleTimer);
    if (networkTimer !== null) clock.clearTimer(networkTimer);
    if (renderTimer !== null) clearTimeout(renderTimer);
  }

  return {
    start,
    state: () => state,
    idle: async () => {
      while (current !== null) await current.done.catch(() => undefined);
    },
    dispose,
    busy: () => current !== null,
    shutdown: async () => {
      await stopRun();
      dispose();
    },
    runAction,
  };
}
