/**
 * Starting the tray app: one instance, the engine's settings, the tray, the scheduler, the
 * settings window and its IPC. main.ts passes the real edges; tests pass their own.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { app, type IpcMainInvokeEvent } from 'electron';
import type { Spawn } from '../core/process.js';
import type { SettingsBackend } from '../core/settings/store.js';
import { autostartFile, launchCommand } from './autostart.js';
import { createPick, isTrustedSender, registerIpcHandlers } from './ipc.js';
import type { NotifySink } from './notifier.js';
import { createSettingsApi } from './settings-api.js';
import { createSettingsWindow, lockDownSession, settingsPaths } from './settings-window.js';
import { createTrayApp, type Clock, type TrayApp } from './tray-app.js';

export interface StartOptions {
  env: NodeJS.ProcessEnv;
  clock: Clock;
  spawn: Spawn;
  hostname: string;
  notify: NotifySink;
  openBackend: (path: string) => Promise<SettingsBackend>;
}

export type Started = { kind: 'running'; tray: TrayApp } | { kind: 'second-instance' };

export async function startApp(options: StartOptions): Promise<Started> {
  // A second launch hands over to the first, which opens its settings window.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { kind: 'second-instance' };
  }
  // The tray app lives on with no window open.
  app.on('window-all-closed', () => undefined);
  await app.whenReady();
  lockDownSession();

  const appPath = app.getAppPath();
  const assetsDir = join(appPath, 'assets');
  const window = createSettingsWindow(settingsPaths(appPath), join(assetsDir, 'snaptray.png'));
  const home = options.env.HOME?.startsWith('/') === true ? options.env.HOME : homedir();
  const api = createSettingsApi({
    env: options.env,
    spawn: options.spawn,
    openBackend: options.openBackend,
    now: () => options.clock.now(),
    hostname: options.hostname,
  });
  const pick = createPick(() => window.browserWindow());
  registerIpcHandlers({ ...api, pick }, (event: IpcMainInvokeEvent) =>
    isTrustedSender(event, window.contents(), window.pageUrl),
  );

  const tray = createTrayApp({
    env: options.env,
    profileName: 'default',
    clock: options.clock,
    spawn: options.spawn,
    hostname: options.hostname,
    assetsDir,
    // notify-send is another program: it reads the copy electron-builder leaves unpacked.
    notificationIcon: join(appPath.replace(/\.asar$/, '.asar.unpacked'), 'assets', 'snaptray.png'),
    openBackend: options.openBackend,
    notify: options.notify,
    openSettings: () => window.show(),
    onSettingsChanged: () => window.notifyChanged(),
    autostartFile: autostartFile(options.env, home),
    launchCommand: launchCommand(process.execPath, appPath, app.isPackaged, options.env),
    quit: () => app.quit(),
  });
  app.on('second-instance', () => window.show());
  // Logging out or a signal quits without the menu: a running backup is stopped cleanly first,
  // so its history says cancelled and the next run resumes it.
  let stoppingForQuit = false;
  app.on('before-quit', (event) => {
    if (stoppingForQuit || !tray.busy()) return;
    event.preventDefault();
    stoppingForQuit = true;
    void tray.shutdown().then(() => app.quit());
  });
  await tray.start();
  return { kind: 'running', tray };
}
