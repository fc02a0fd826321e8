/**
 * What the Backups window asks of the main process, as plain functions over the restore engine
 * (core/restore/: the very functions `snaptray ls`, `versions`, `restore`, `diff` and `verify`
 * call). Every payload arrives as `unknown` and is validated; every outcome is a value. The main
 * process is the authority: a restore writes only into a folder the user chose in the app's
 * dialog, or in place, after the app's own question when that matters (restore-authority.ts), and
 * only harmless kinds of files are handed to the desktop. No `electron` import: the window tests
 * run these very functions under plain Node, with dialogs of their own.
 *
 * Composed here from one unit per job: which profile and prefix are shown (selection.ts), the one
 * connection (connection.ts) and listing (reading.ts), browsing, searching, restoring, verifying, history.
 */
import { userInfo } from 'node:os';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { places, sessionEnvironment } from '../../core/environment.js';
import type { Spawn } from '../../core/process.js';
import { loadIdentity } from '../../core/settings/identity.js';
import type { SettingsBackend } from '../../core/settings/store.js';
import { profileStateDir } from '../../core/state/paths.js';
import type { AppDialogs } from '../shared/dialogs.js';
import type { NotifySink } from '../shared/notifier.js';
import type { BackupsEvent, OpenRequest } from '../ipc/backups-contract.js';
import type { BackupsHandlers } from '../ipc/contract.js';
import { createBrowsing } from './browsing.js';
import { createDestinationHolder, type Timers } from './connection.js';
import { createHistoryHandlers } from './history.js';
import { createOperation } from './operation.js';
import { createSettingsReader } from './profile.js';
import { createReader } from './reading.js';
import { createRestoring, type FoundCopies } from './restoring.js';
import { createSearching } from './searching.js';
import { createViewSelection } from './selection.js';
import { createStatusHandlers, type BackupStatusSource } from './status.js';
import { createShowRestored } from './show-restored.js';
import { createVerifyHandler } from './verifying.js';

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
  /** The tray's state of each profile, and its Back Up Now and Stop; none without the tray. */
  status?: BackupStatusSource;
  /** The profile the window shows first; the window's chooser shows any other. */
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
  /** The app opens the window for this: the page takes it once it is loaded, or at once. */
  request(open: OpenRequest): void;
}

export function createBackupsApi(deps: BackupsApiDeps): BackupsApi {
  const p = places(deps.env);
  const uid = deps.uid ?? process.getuid?.() ?? 1000;
  const busyRetryMs = deps.busyRetryMs ?? 10_000;
  const openedDir = join(p.runtimeDir, 'open');
  const home = deps.env.HOME?.startsWith('/') === true ? deps.env.HOME : userInfo().homedir;
  const selection = createViewSelection({
    readSettings: createSettingsReader({
      configFile: p.configFile,
      openBackend: deps.openBackend,
      hostname: deps.hostname,
      uid,
    }),
    profileName: deps.profileName ?? 'default',
  });
  const stateDir = () => profileStateDir(p.stateRoot, selection.profileName());
  const holder = createDestinationHolder({
    session: sessionEnvironment(p, deps.spawn),
    lock: () => ({
      stateDir: stateDir(),
      configDir: p.configDir,
      profile: selection.profileName(),
    }),
    timers: deps.timers,
    idleCloseMs: deps.idleCloseMs ?? 60_000,
    onFree: () => deps.send({ type: 'destination-free' }),
  });
  const reader = createReader({
    holder,
    selection,
    identity: async () => {
      const identity = await loadIdentity(p.configDir, deps.now());
      return identity.ok ? identity.id : null;
    },
    now: deps.now,
    busyRetryMs,
  });
  const operation = createOperation();
  const found: FoundCopies = new Map();
  const browsing = createBrowsing({
    reader,
    stateDir,
    now: deps.now,
    openedDir,
    openPath: deps.openPath,
    showItemInFolder: deps.showItemInFolder,
  });
  const searching = createSearching({ reader });
  const restoring = createRestoring({
    reader,
    operation,
    dialogs: deps.dialogs,
    guarded: { home, settingsDir: p.configDir },
    uid,
    now: deps.now,
    send: deps.send,
    notify: deps.notify,
    notificationIcon: deps.notificationIcon,
    longRestoreMs: deps.longRestoreMs ?? 20_000,
    found,
  });

  const status = createStatusHandlers({
    source: deps.status,
    profileName: () => selection.profileName(),
    send: deps.send,
  });
  const restored = createShowRestored({ showItemInFolder: deps.showItemInFolder });

  const handlers: BackupsHandlers = {
    ...selection.handlers,
    ...status.handlers,
    ...browsing.handlers,
    ...searching.handlers,
    ...restoring.handlers,
    restore: async (input) => restored.remember(await restoring.handlers.restore(input)),
    restoreGoodCopy: async (input) =>
      restored.remember(await restoring.handlers.restoreGoodCopy(input)),
    ...restored.handlers,
    verify: createVerifyHandler({ reader, operation, send: deps.send, found, stateDir }),
    async cancelOperation() {
      operation.cancel();
    },
    ...createHistoryHandlers({ stateDir, openPath: deps.openPath }),
    async takeOpenRequest() {
      const taken = pendingOpen;
      pendingOpen = null;
      return taken;
    },
  };
  /** Kept until the page takes it: a window still loading has no one to send it to. */
  let pendingOpen: OpenRequest | null = null;

  return {
    handlers,
    setVisible: (visible) => holder.setVisible(visible),
    request(open) {
      pendingOpen = open;
      deps.send({ type: 'open-request' });
    },
    holdOff: () => holder.holdOff(),
    async dispose() {
      status.dispose();
      operation.cancel();
      searching.cancel();
      restoring.forgetFolders();
      restored.forget();
      browsing.forgetCopies();
      await holder.close();
      await rm(openedDir, { recursive: true, force: true });
    },
  };
}
