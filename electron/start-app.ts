/**
 * Starting the tray app: one instance, the engine's settings, the tray, the scheduler, the
 * settings window and its IPC. main.ts passes the real edges; tests pass their own.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { app, dialog, shell, type IpcMainInvokeEvent } from 'electron';
import type { Spawn } from '../core/process.js';
import type { SettingsBackend } from '../core/settings/store.js';
import { autostartFile, launchCommand } from './tray/autostart.js';
import { createBackupsApi, type BackupsApi } from './backups/api.js';
import { browseRequest, handedOver, type BrowseRequest, type Handover } from './browse-request.js';
import { backupsPaths, createBackupsWindow } from './backups/window.js';
import {
  createAppDialogs,
  createPick,
  isTrustedSender,
  registerIpcHandlers,
} from './ipc/handle.js';
import type { NotifySink } from './shared/notifier.js';
import { createSettingsApi } from './settings/api.js';
import { createSettingsWindow, lockDownSession, settingsPaths } from './settings/window.js';
import { createTrayApp, type Clock, type TrayApp } from './tray/tray-app.js';

export interface StartOptions {
  env: NodeJS.ProcessEnv;
  clock: Clock;
  spawn: Spawn;
  hostname: string;
  notify: NotifySink;
  openBackend: (path: string) => Promise<SettingsBackend>;
  /** The app's command line: `--browse [PATH]` opens the Backups window (at PATH's versions). */
  argv?: readonly string[];
}

export type Started =
  /** `backups`: the Backups window's side, which --browse PATH asks to open at the file. */
  { kind: 'running'; tray: TrayApp; backups: BackupsApi } | { kind: 'second-instance' };

export async function startApp(options: StartOptions): Promise<Started> {
  const launch = browseRequest(options.argv ?? []);
  if (launch.kind === 'refused') process.stderr.write(`snaptray: ${launch.message}\n`);
  // A second launch hands over to the first, which opens its settings window, or the Backups
  // window for --browse; its own reading of --browse goes along.
  const handover: Handover = { browse: launch };
  if (!app.requestSingleInstanceLock(handover)) {
    app.quit();
    return { kind: 'second-instance' };
  }
  // The tray app lives on with no window open.
  app.on('window-all-closed', () => undefined);
  await app.whenReady();
  lockDownSession();

  const appPath = app.getAppPath();
  const assetsDir = join(appPath, 'assets');
  const icon = join(assetsDir, 'snaptray.png');
  // notify-send is another program: it reads the copy electron-builder leaves unpacked.
  const notificationIcon = join(
    appPath.replace(/\.asar$/, '.asar.unpacked'),
    'assets',
    'snaptray.png',
  );
  const window = createSettingsWindow(settingsPaths(appPath), icon);
  const home = options.env.HOME?.startsWith('/') === true ? options.env.HOME : homedir();
  const appCommand = launchCommand(process.execPath, appPath, app.isPackaged, options.env);
  const api = createSettingsApi({
    env: options.env,
    spawn: options.spawn,
    openBackend: options.openBackend,
    now: () => options.clock.now(),
    hostname: options.hostname,
    dialogs: createAppDialogs(() => window.browserWindow()),
    launchCommand: appCommand,
  });
  let backupsApi: BackupsApi | null = null;
  const backups = createBackupsWindow(backupsPaths(appPath), icon, (visible) =>
    backupsApi?.setVisible(visible),
  );
  const tray = createTrayApp({
    env: options.env,
    clock: options.clock,
    spawn: options.spawn,
    hostname: options.hostname,
    assetsDir,
    notificationIcon,
    openBackend: options.openBackend,
    notify: options.notify,
    openSettings: () => window.show(),
    openBackups: (view) => {
      if (view !== undefined) backupsApi?.request(view);
      backups.show();
    },
    // Through an rrsync key a window's request would make the backup fail: hold them off.
    beforeRun: () => backupsApi?.holdOff() ?? Promise.resolve(() => undefined),
    onSettingsChanged: () => window.notifyChanged(),
    autostartFile: autostartFile(options.env, home),
    launchCommand: appCommand,
    quit: () => app.quit(),
  });
  backupsApi = createBackupsApi({
    env: options.env,
    spawn: options.spawn,
    openBackend: options.openBackend,
    now: () => options.clock.now(),
    hostname: options.hostname,
    timers: options.clock,
    openPath: (path) => shell.openPath(path),
    showItemInFolder: (path) => shell.showItemInFolder(path),
    dialogs: createAppDialogs(() => backups.browserWindow()),
    send: (event) => backups.send(event),
    notify: options.notify,
    notificationIcon,
    // The Overview page and the running row show what the tray knows.
    status: tray.status,
  });
  const browse = backupsApi;
  registerIpcHandlers(
    {
      ...api,
      pick: createPick(() => window.browserWindow()),
      ...browse.handlers,
    },
    {
      settings: (event: IpcMainInvokeEvent) =>
        isTrustedSender(event, window.contents(), window.pageUrl),
      backups: (event: IpcMainInvokeEvent) =>
        isTrustedSender(event, backups.contents(), backups.pageUrl),
    },
  );

  const answer = (request: BrowseRequest): void => {
    switch (request.kind) {
      case 'none':
        window.show();
        return;
      case 'window':
        backups.show();
        return;
      case 'path':
        browse.request({ page: 'snapshots', path: request.path });
        backups.show();
        return;
      case 'refused':
        void dialog.showMessageBox({
          type: 'error',
          title: 'Snaptray',
          message: 'Snaptray cannot open the Backups window at that file.',
          detail: request.message,
        });
        return;
      default:
        return assertNever(request);
    }
  };
  app.on(
    'second-instance',
    (_event, argv: readonly string[] | undefined, _cwd?: string, data?: unknown) => {
      answer(handedOver(data) ?? browseRequest(argv ?? []));
    },
  );
  app.on('will-quit', () => void browse.dispose());
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
  if (launch.kind !== 'none') answer(launch);
  return { kind: 'running', tray, backups: browse };
}

function assertNever(value: never): never {
  throw new Error(`Unhandled browse request: ${JSON.stringify(value)}`);
}
