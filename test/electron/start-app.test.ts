/**
 * Starting the app: one instance, first run, the settings window's lock-down and the sender
 * check in front of every IPC handler. The real settings API answers behind the check.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { openConfStore } from '../../core/settings/store.js';
import {
  INVOKE_METHODS,
  invokeChannel,
  SETTINGS_CHANGED_CHANNEL,
} from '../../electron/ipc/contract.js';
import { REFUSED_MESSAGE } from '../../electron/ipc/handle.js';
import { CONTENT_SECURITY_POLICY } from '../../electron/settings/window.js';
import { startApp, type Started } from '../../electron/start-app.js';
import { systemClock } from '../../electron/tray/tray-app.js';
import { readHistory } from '../../core/state/history.js';
import { makeCliHome, writeSettingsFile } from '../support/cli.js';
import { expectLockedDown } from '../support/locked-window.js';
import {
  clickMenu,
  fake,
  findItem,
  menuLabels,
  resetFake,
  trayIcon,
} from '../support/fake-electron.js';
import { writeTree } from '../support/tree.js';

vi.mock('electron', async () => {
  const module = await import('../support/fake-electron.js');
  return { ...module.electronModule, default: module.electronModule };
});

let started: Started | null = null;
afterEach(() => {
  if (started?.kind === 'running') started.tray.dispose();
  started = null;
});

async function launch(
  profile?: Record<string, unknown>,
): Promise<{ env: NodeJS.ProcessEnv; configFile: string; stateDir: string }> {
  resetFake();
  fake.appPath = await mkdtemp(join(tmpdir(), 'st-app-'));
  const home = await makeCliHome();
  const env = { ...home.env, HOME: dirname(home.configDir) };
  const configFile = join(home.configDir, 'Snaptray', 'config.json');
  if (profile !== undefined) {
    await mkdir(dirname(configFile), { recursive: true });
    await writeFile(configFile, JSON.stringify({ version: 1, profiles: { default: profile } }));
  }
  started = await startApp({
    env,
    clock: systemClock,
    spawn: spawnProcess,
    hostname: 'testhost',
    notify: () => Promise.resolve(),
    openBackend: openConfStore,
  });
  return { env, configFile, stateDir: join(home.stateDir, 'snaptray', 'default') };
}

async function waitUntil(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await delay(25);
  }
  throw new Error(`Timed out waiting until ${what}.`);
}

function pageUrl(): string {
  return pathToFileURL(join(fake.appPath, 'dist', 'renderer', 'settings.html')).href;
}

describe('starting the app', () => {
  it('on first run shows "Not set up" and opens the settings window, locked down', async () => {
    await launch();
    expect(started?.kind).toBe('running');
    expect(menuLabels()[0]).toBe('Not set up');
    expect(trayIcon()).toBe('tray-idle-light.png');
    const window = fake.windows[0]!;
    // Navigation, new windows and permissions are all refused.
    expectLockedDown(window, 'settings.html');
    const granted: boolean[] = [];
    fake.permissionHandler?.(window.webContents, 'media', (g) => granted.push(g));
    expect(granted).toEqual([false]);
    let headers: Record<string, string[]> | undefined;
    fake.headersHandler?.({ responseHeaders: {} }, (r) => (headers = r.responseHeaders));
    expect(headers?.['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);

    // Closing with unsaved edits asks; "Keep Editing" keeps the page, "Discard" lets it go.
    let allowed = 0;
    fake.messageBoxAnswers.push(1, 0);
    window.webContents.emit('will-prevent-unload', { preventDefault: () => allowed++ });
    expect(allowed).toBe(0);
    window.webContents.emit('will-prevent-unload', { preventDefault: () => allowed++ });
    expect(allowed).toBe(1);
    expect(fake.messageBoxes.map((m) => m.options.message)).toEqual([
      'Discard the changes you have not saved?',
      'Discard the changes you have not saved?',
    ]);

    // The app stays running with no window open.
    window.close();
    fake.app.emit('window-all-closed');
    expect(fake.app.quitCalls).toEqual([]);
  });

  it('answers IPC only from its own settings page in its own window', async () => {
    await launch();
    const window = fake.windows[0]!;
    expect([...fake.handlers.keys()].sort()).toEqual(INVOKE_METHODS.map(invokeChannel).sort());
    const load = fake.handlers.get(invokeChannel('loadSettings'))!;
    const trusted = { sender: window.webContents, senderFrame: { url: pageUrl() } };
    const answer = (await load(trusted)) as { ok: boolean; value?: { exists: boolean } };
    expect(answer).toMatchObject({ ok: true, value: { exists: false } });

    const otherPage = { sender: window.webContents, senderFrame: { url: 'https://example.com/' } };
    expect(await load(otherPage)).toEqual({ ok: false, message: REFUSED_MESSAGE });
    const otherWindow = { sender: { id: -1 }, senderFrame: { url: pageUrl() } };
    expect(await load(otherWindow)).toEqual({ ok: false, message: REFUSED_MESSAGE });
    const noFrame = { sender: window.webContents, senderFrame: null };
    expect(await load(noFrame)).toEqual({ ok: false, message: REFUSED_MESSAGE });

    const pick = fake.handlers.get(invokeChannel('pick'))!;
    fake.openDialogResult = { canceled: false, filePaths: ['/home/ben/Documents'] };
    expect(await pick(otherPage, { kind: 'folder', title: 'Choose' })).toBeNull();
    expect(fake.openDialogCalls).toEqual([]);
    expect(await pick(trusted, { kind: 'folder', title: 'Choose a folder' })).toBe(
      '/home/ben/Documents',
    );
    expect(fake.openDialogCalls[0]).toMatchObject({
      title: 'Choose a folder',
      properties: ['openDirectory', 'showHiddenFiles'],
    });
    expect(await pick(trusted, { kind: 'device', title: 'x' })).toBeNull();
  });

  it('gives the settings window the command that starts this app, for the file-manager entries', async () => {
    await launch();
    const window = fake.windows[0]!;
    const trusted = { sender: window.webContents, senderFrame: { url: pageUrl() } };
    const load = fake.handlers.get(invokeChannel('loadFileManagers'))!;
    // Not packaged: electron and the app's folder, as Start at Login writes it.
    expect(await load(trusted)).toMatchObject({
      ok: true,
      value: { installed: false, command: [process.execPath, fake.appPath] },
    });
  });

  it('reloads the tray and tells the window when the settings file changes on disk', async () => {
    const { configFile } = await launch();
    const window = fake.windows[0]!;
    const dest = await mkdtemp(join(tmpdir(), 'st-dest-'));
    await writeSettingsFile(configFile, {
      default: {
        sources: [dest],
        destination: dest,
        prefix: 't',
        schedule: { mode: 'daily', dailyAt: '03:00', catchUp: false },
      },
    });
    await waitUntil('the window heard of it', () =>
      window.webContents.sent.includes(SETTINGS_CHANGED_CHANNEL),
    );
    await waitUntil('the tray reloaded', () => menuLabels()[0] === 'No backup yet');
  });

  it('hands a second launch over to the running one', async () => {
    await launch();
    expect(fake.windows).toHaveLength(1);
    fake.windows[0]!.close();
    fake.app.emit('second-instance');
    expect(fake.windows).toHaveLength(2);

    // The second process itself quits without a tray.
    const traysBefore = fake.trays.length;
    fake.singleInstance = false;
    const second = await startApp({
      env: process.env,
      clock: systemClock,
      spawn: spawnProcess,
      hostname: 'testhost',
      notify: () => Promise.resolve(),
      openBackend: openConfStore,
    });
    expect(second).toEqual({ kind: 'second-instance' });
    expect(fake.app.quitCalls).toHaveLength(1);
    expect(fake.trays).toHaveLength(traysBefore);
  });

  it('stops a running backup cleanly when the session ends without the menu (logout, a signal)', async () => {
    const src = await mkdtemp(join(tmpdir(), 'st-src-'));
    const dest = await mkdtemp(join(tmpdir(), 'st-dest-'));
    await writeFile(join(dest, '.snaptray-destination'), 'snaptray destination\n');
    await writeTree(src, { 'slow/blob': Buffer.alloc(3_000_000, 5) });
    const { stateDir } = await launch({
      sources: [src],
      destination: dest,
      prefix: 't',
      rsync: { bandwidthLimit: 300 },
      schedule: { mode: 'daily', dailyAt: '03:00', catchUp: false },
    });
    clickMenu('Back Up Now');
    await waitUntil('running', () => findItem('Stop Backup') !== null);

    let prevented = 0;
    fake.app.emit('before-quit', { preventDefault: () => prevented++ });
    expect(prevented).toBe(1);
    await waitUntil('quit after the stop', () => fake.app.quitCalls.length === 1);
    expect((await readHistory(stateDir)).map((h) => h.outcome)).toEqual(['cancelled']);

    // Once nothing runs, quitting goes ahead at once.
    fake.app.emit('before-quit', { preventDefault: () => prevented++ });
    expect(prevented).toBe(1);
  });
});
