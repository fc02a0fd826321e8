/**
 * The tray app: one icon and one menu for every profile of the settings file. Each profile has
 * its own controller (profile-tray.ts); this one loads the settings, keeps a controller per
 * profile, lets profiles that share a destination take turns, and draws their merged state with
 * the pure `appMenu`.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { MenuItemConstructorOptions, NativeImage, Tray as TrayType } from 'electron';
import { Menu, Tray, dialog, nativeImage, nativeTheme, powerMonitor } from 'electron';
import { places } from '../../core/environment.js';
import type { Spawn } from '../../core/process.js';
import { defaultProfile, type Profile } from '../../core/settings/schema.js';
import {
  loadSettings,
  settingsFileExists,
  type SettingsBackend,
} from '../../core/settings/store.js';
import { profileLabel } from '../../core/settings/profile-names.js';
import { describeUnknownKey, unknownKeysOf } from '../../core/settings/unknown-keys.js';
import type { BackupStatusSource } from '../backups/status.js';
import { isAutostartEnabled, setAutostart } from './autostart.js';
import { backupStatus } from './backup-status.js';
import type { NotifySink } from '../shared/notifier.js';
import type { Clock } from './clock.js';
import { createDestinationTurns, destinationKey } from './destination-turns.js';
import { pollMountTable, type MountWatcher } from './mount-watcher.js';
import { createProfileTray, type ProfileTray } from './profile-tray.js';
import { appMenu } from './tray-menu.js';
import {
  parseItemId,
  type AppState,
  type BackupsView,
  type ProfileAction,
  type TrayAction,
} from './tray-state.js';

export { systemClock, type Clock } from './clock.js';

export interface TrayAppDeps {
  env: NodeJS.ProcessEnv;
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
  /** Opens the Backups window; at History (at one profile's run) when `view` says so. */
  openBackups: (view?: BackupsView) => void;
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
  /** Tells when disks are mounted; by default the mount table, read every few seconds. */
  mounts?: MountWatcher;
}

export interface TrayApp {
  start(): Promise<void>;
  /** What the tray shows. */
  state(): AppState;
  /** Resolves when no backup of this process is running. */
  idle(): Promise<void>;
  /** Stops timers and watchers (the tray stays until the process ends). */
  dispose(): void;
  /** True while a backup of this process runs. */
  busy(): boolean;
  /** Stops running backups cleanly (recorded as cancelled), then disposes. */
  shutdown(): Promise<void>;
  runAction(action: TrayAction, profile?: string): Promise<void>;
  /** Each profile's state for the Backups window, and its Back Up Now, Stop and Resume. */
  status: BackupStatusSource;
}

/** Menu rebuilds during a run: about one a second. */
const RENDER_INTERVAL_MS = 1000;
/** Changes of the settings file come in bursts: read it once. */
const WATCH_DEBOUNCE_MS = 150;
/** The profile the tray shows, not set up, before any profile is. */
const FIRST_PROFILE = 'default';

export function createTrayApp(deps: TrayAppDeps): TrayApp {
  const { clock } = deps;
  const configFile = places(deps.env).configFile;
  const mounts = deps.mounts ?? pollMountTable(clock);
  const turns = createDestinationTurns();
  /** Every profile the tray follows, in the settings file's order. */
  const profiles = new Map<string, ProfileTray>();
  /** Each profile's display name, by key, for the menu and notifications. */
  const labels = new Map<string, string>();
  let settingsProblem: string | null = null;
  let autostart = false;
  let backend: SettingsBackend | null = null;
  let tray: TrayType | null = null;
  let lastRender = 0;
  let renderTimer: NodeJS.Timeout | null = null;
  let watcher: FSWatcher | null = null;
  let debounce: NodeJS.Timeout | null = null;
  let disposed = false;
  /** The Backups window's listeners: told whenever the tray draws a change. */
  const statusListeners = new Set<() => void>();

  async function start(): Promise<void> {
    await mkdir(join(configFile, '..'), { recursive: true, mode: 0o700 });
    const loaded = await readProfiles();
    autostart = await isAutostartEnabled(deps.autostartFile);
    tray = new Tray(iconImage('idle'));
    tray.setToolTip('Snaptray');
    await applyProfiles(loaded, false);
    watchSettingsFile();
    powerMonitor.on('resume', () => evaluateAll());
    powerMonitor.on('on-ac', () => evaluateAll());
    nativeTheme.on('updated', () => render());
    if (![...profiles.values()].some((t) => t.state().setUp)) deps.openSettings();
    render();
  }

  /**
   * The profiles to follow: every profile with a destination and sources, or `default` (not set
   * up yet) when there is none. Null keeps the last good ones: a half-typed file must not stop
   * scheduled backups.
   */
  async function readProfiles(): Promise<Map<
    string,
    { profile: Profile; warnings: string[] }
  > | null> {
    settingsProblem = null;
    const chosen = new Map<string, { profile: Profile; warnings: string[] }>();
    if (!settingsFileExists(configFile)) return withFirstProfile(chosen, undefined);
    try {
      backend ??= await deps.openBackend(configFile);
    } catch (error) {
      settingsProblem = `The settings file cannot be read: ${(error as Error).message}`;
      return null;
    }
    const loaded = loadSettings(backend);
    if (!loaded.ok) {
      const first = loaded.errors[0];
      settingsProblem =
        `The settings are not valid (${first?.path ?? 'file'}: ${first?.message ?? 'unreadable'}). ` +
        'Open Settings… to fix them.';
      return null;
    }
    for (const [name, profile] of Object.entries(loaded.settings.profiles)) {
      if (profile.destination === '' || profile.sources.length === 0) continue;
      const warnings = unknownKeysOf(loaded.unknown, name).map((k) =>
        describeUnknownKey(k, configFile),
      );
      chosen.set(name, { profile, warnings });
    }
    return withFirstProfile(chosen, loaded.settings.profiles[FIRST_PROFILE]);
  }

  /** Starts controllers for new profiles, retires those of removed ones, updates the rest. */
  async function applyProfiles(
    loaded: Map<string, { profile: Profile; warnings: string[] }> | null,
    evaluate: boolean,
  ): Promise<void> {
    if (loaded === null) {
      render();
      return;
    }
    for (const [name, controller] of [...profiles]) {
      if (loaded.has(name)) continue;
      profiles.delete(name);
      // A run of a removed profile finishes first; it keeps its own lock and history.
      void controller.idle().then(() => controller.dispose());
    }
    const fresh: ProfileTray[] = [];
    const ordered = new Map<string, ProfileTray>();
    labels.clear();
    for (const [name, { profile, warnings }] of loaded) {
      labels.set(name, profileLabel(name, profile));
      const existing = profiles.get(name);
      const controller = existing ?? makeProfile(name);
      controller.configure(profile, warnings);
      ordered.set(name, controller);
      if (existing === undefined) fresh.push(controller);
    }
    profiles.clear();
    for (const [name, controller] of ordered) profiles.set(name, controller);
    render();
    for (const controller of profiles.values()) {
      if (fresh.includes(controller)) await controller.start();
      else if (evaluate) {
        await controller.refresh();
        await controller.evaluate('schedule');
      }
    }
  }

  function withFirstProfile(
    chosen: Map<string, { profile: Profile; warnings: string[] }>,
    first: Profile | undefined,
  ): Map<string, { profile: Profile; warnings: string[] }> {
    if (chosen.size === 0)
      chosen.set(FIRST_PROFILE, { profile: first ?? defaultProfile(), warnings: [] });
    return chosen;
  }

  function makeProfile(name: string): ProfileTray {
    return createProfileTray({
      name,
      env: deps.env,
      clock,
      spawn: deps.spawn,
      hostname: deps.hostname,
      notificationIcon: deps.notificationIcon,
      notify: deps.notify,
      notifyAs: () => (profiles.size > 1 ? (labels.get(name) ?? name) : null),
      openSettings: deps.openSettings,
      showRun: (run) => deps.openBackups({ page: 'history', profile: name, run }),
      beforeRun: (profile, signal, onWait) => takeTurn(name, profile, signal, onWait),
      mounts,
      changed: (soon) => (soon === true ? renderSoon() : render()),
    });
  }

  /** A run waits for the profiles before it at its destination, then for the Backups window. */
  async function takeTurn(
    name: string,
    profile: Profile,
    signal: AbortSignal,
    onWait: (holder: string) => void,
  ): Promise<(() => void) | null> {
    const turn = await turns.take(destinationKey(profile), name, signal, onWait);
    if (turn === null) return null;
    try {
      const release = (await deps.beforeRun?.()) ?? null;
      return () => {
        release?.();
        turn.release();
      };
    } catch (error) {
      turn.release();
      throw error;
    }
  }

  async function settingsChanged(): Promise<void> {
    await applyProfiles(await readProfiles(), true);
    deps.onSettingsChanged();
  }

  function evaluateAll(): void {
    for (const controller of profiles.values()) void controller.evaluate('schedule');
  }

  function appState(): AppState {
    return {
      profiles: [...profiles.values()].map((t) => ({
        name: t.name,
        label: labels.get(t.name) ?? t.name,
        state: t.state(),
      })),
      settingsProblem,
      autostart,
    };
  }

  async function toggleAutostart(): Promise<void> {
    const result = await setAutostart(deps.autostartFile, !autostart, deps.launchCommand);
    autostart = await isAutostartEnabled(deps.autostartFile);
    if (!result.ok) dialog.showErrorBox('Start at Login', result.message);
    render();
  }

  function busy(): boolean {
    return [...profiles.values()].some((t) => t.busy());
  }

  async function stopAll(): Promise<void> {
    await Promise.all([...profiles.values()].filter((t) => t.busy()).map((t) => t.stopRun()));
  }

  async function quit(): Promise<void> {
    if (busy()) {
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
      await stopAll();
    }
    dispose();
    deps.quit();
  }

  async function runAction(action: TrayAction, profile?: string): Promise<void> {
    switch (action) {
      case 'backup-now':
      case 'stop':
      case 'pause-hour':
      case 'pause-tomorrow':
      case 'pause-indefinitely':
      case 'resume':
        return profileAction(action, profile);
      case 'show-failure':
        return showFailure(profile);
      case 'backup-all':
        await Promise.all([...profiles.values()].map((t) => t.runAction('backup-now')));
        return;
      case 'settings':
        deps.openSettings();
        return;
      case 'browse':
        deps.openBackups();
        return;
      case 'history':
        deps.openBackups({ page: 'history', profile: null, run: null });
        return;
      case 'autostart':
        return toggleAutostart();
      case 'quit':
        return quit();
    }
  }

  /** History, at the run of that profile's newest failure. */
  function showFailure(name: string | undefined): Promise<void> {
    const key = name ?? [...profiles.keys()][0];
    const failure = key === undefined ? null : (profiles.get(key)?.state().lastFailure ?? null);
    deps.openBackups({ page: 'history', profile: key ?? null, run: failure?.run ?? null });
    return Promise.resolve();
  }

  /** An action of one profile; in the flat menu of a single profile, of that one. */
  function profileAction(action: ProfileAction, name: string | undefined): Promise<void> {
    const controller = name === undefined ? [...profiles.values()][0] : profiles.get(name);
    return controller?.runAction(action) ?? Promise.resolve();
  }

  function render(): void {
    for (const listener of [...statusListeners]) listener();
    if (tray === null || disposed) return;
    lastRender = performance.now();
    const view = appMenu(appState(), clock.now());
    tray.setImage(iconImage(view.icon));
    tray.setToolTip(view.tooltip);
    tray.setContextMenu(Menu.buildFromTemplate(view.items.map(withClick)));
  }

  const status: BackupStatusSource = {
    current(name) {
      const controller = profiles.get(name);
      return controller === undefined
        ? null
        : backupStatus(name, controller.state(), settingsProblem);
    },
    subscribe(listener) {
      statusListeners.add(listener);
      return () => {
        statusListeners.delete(listener);
      };
    },
    async backUpNow(name) {
      // The run goes on after the answer: its progress and end reach the window as changes.
      void profiles.get(name)?.runAction('backup-now');
    },
    stop: (name) => profiles.get(name)?.stopRun() ?? Promise.resolve(),
    resume: (name) => profiles.get(name)?.runAction('resume') ?? Promise.resolve(),
    openSettings: () => deps.openSettings(),
  };

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
    const parsed = item.id === undefined ? null : parseItemId(item.id);
    if (parsed === null) return submenu === undefined ? item : { ...item, submenu };
    return {
      ...item,
      ...(submenu !== undefined ? { submenu } : {}),
      click: () => void runAction(parsed.action, parsed.profile ?? undefined),
    };
  }

  function iconImage(icon: string): NativeImage {
    const shade = nativeTheme.shouldUseDarkColors ? 'dark' : 'light';
    return nativeImage.createFromPath(join(deps.assetsDir, `tray-${icon}-${shade}.png`));
  }

  /** Only the settings file: known_hosts and identity.json live in the same folder. */
  function watchSettingsFile(): void {
    try {
      watcher = watch(join(configFile, '..'), (_event, filename) => {
        if (filename !== null && filename !== basename(configFile)) return;
        if (debounce !== null) clearTimeout(debounce);
        debounce = setTimeout(() => {
          debounce = null;
          if (!disposed) void settingsChanged();
        }, WATCH_DEBOUNCE_MS);
      });
      watcher.on('error', () => undefined);
    } catch {
      // Without a watch, changed settings take effect at the next start.
    }
  }

  function dispose(): void {
    disposed = true;
    watcher?.close();
    if (debounce !== null) clearTimeout(debounce);
    if (renderTimer !== null) clearTimeout(renderTimer);
    for (const controller of profiles.values()) controller.dispose();
  }

  return {
    start,
    state: appState,
    idle: async () => {
      do await Promise.all([...profiles.values()].map((t) => t.idle()));
      while (busy());
    },
    dispose,
    busy,
    shutdown: async () => {
      await stopAll();
      dispose();
    },
    runAction,
    status,
  };
}
