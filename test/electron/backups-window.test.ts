/**
 * The Backups window in the main process, through the recording stand-in for electron: opened
 * from the tray and by a second launch with --browse, locked down, answered only on its own
 * channels, its one connection closed a minute after it was hidden, and a backup that never
 * fails because of the window: through an rrsync key, the run waits for the window's restore, and
 * a restore asked for meanwhile waits for the run (reading while a run goes on:
 * backups-busy.test.ts). Real rsync, real sshd.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnProcess, type Spawn, type SpawnRequest } from '../../core/process.js';
import { openConfStore } from '../../core/settings/store.js';
import { readHistory } from '../../core/state/history.js';
import {
  BACKUPS_EVENT_CHANNEL,
  invokeChannel,
  WINDOW_METHODS,
} from '../../electron/ipc/contract.js';
import { BACKUPS_REFUSED_MESSAGE, REFUSED_MESSAGE } from '../../electron/ipc/handle.js';
import { startApp, type Started } from '../../electron/start-app.js';
import type { Clock } from '../../electron/tray/tray-app.js';
import { makeCliHome, runCli, writeSettingsFile, type CliHome } from '../support/cli.js';
import { expectLockedDown } from '../support/locked-window.js';
import {
  clickMenu,
  fake,
  findItem,
  resetFake,
  type FakeBrowserWindow,
} from '../support/fake-electron.js';
import { profileSsh, startSshd, type Sshd } from '../support/sshd.js';
import { makeTempDir, writeTree } from '../support/tree.js';

vi.mock('electron', async () => {
  const module = await import('../support/fake-electron.js');
  return { ...module.electronModule, default: module.electronModule };
});

/** Real time, but timers fire only when the test moves the clock on. */
class ManualClock implements Clock {
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  private offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  setTimer(ms: number, fn: () => void): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now().getTime() + ms, fn });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  advance(ms: number): void {
    this.offset += ms;
    for (const [id, timer] of [...this.timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at <= this.now().getTime()) {
        this.timers.delete(id);
        timer.fn();
      }
    }
  }
}

interface Launched extends CliHome {
  clock: ManualClock;
  stateDir: string;
  src: string;
  destDir: string;
  /** Every program the app started, with when it started and ended. */
  spawned: Array<{ req: SpawnRequest; started: number; ended: number | null }>;
}

let sshd: Sshd;
let rrsyncKey: string;
let started: Started | null = null;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});
afterEach(() => {
  if (started?.kind === 'running') started.tray.dispose();
  started = null;
});

/**
 * A user whose destination is a folder on the test router, reached through an rrsync key (as the
 * README suggests), with two snapshots made by the CLI. `slow` makes the spawn edge slow down
 * the rsync calls it matches, as a slow router would.
 */
async function launch(
  opts: { argv?: string[]; slow?: (req: SpawnRequest) => boolean } = {},
): Promise<Launched> {
  resetFake();
  fake.appPath = await mkdtemp(join(tmpdir(), 'st-app-'));
  const home = await makeCliHome();
  const env = { ...home.env, HOME: dirname(home.configDir) };
  const src = await makeTempDir('st-src-');
  const destDir = await makeTempDir('st-router-');
  rrsyncKey = await sshd.addClientKey(`rrsync-${Date.now()}`, { restrictedDir: destDir });
  const configFile = join(home.configDir, 'Snaptray', 'config.json');
  await writeSettingsFile(configFile, {
    default: {
      sources: [src],
      destination: `${sshd.user}@127.0.0.1:/`,
      prefix: 'box',
      ssh: profileSsh(sshd, rrsyncKey),
      schedule: { mode: 'daily', dailyAt: '03:00', catchUp: false },
    },
  });
  const user = { ...home, env };
  expect((await runCli(['init'], user)).code).toBe(0);
  await writeTree(src, { 'a.txt': 'alpha\n', 'big/blob.bin': Buffer.alloc(600_000, 4) });
  for (let i = 0; i < 2; i++) {
    await writeTree(src, { 'count.txt': `${i}\n` });
    const backup = await runCli(['backup'], user);
    expect(backup.code, backup.stderr).toBe(0);
  }
  const spawned: Launched['spawned'] = [];
  const spawn: Spawn = async (req) => {
    const slowed =
      opts.slow?.(req) === true
        ? { ...req, args: ['--bwlimit=100', '-M--bwlimit=100', ...req.args] }
        : req;
    const record = { req: slowed, started: Date.now(), ended: null as number | null };
    spawned.push(record);
    try {
      return await spawnProcess(slowed);
    } finally {
      record.ended = Date.now();
    }
  };
  const clock = new ManualClock();
  started = await startApp({
    env,
    clock,
    spawn,
    hostname: 'testhost',
    notify: () => Promise.resolve(),
    openBackend: openConfStore,
    argv: opts.argv ?? ['/opt/Snaptray/snaptray'],
  });
  expect(started.kind).toBe('running');
  return {
    ...user,
    clock,
    stateDir: join(home.stateDir, 'snaptray', 'default'),
    src,
    destDir,
    spawned,
  };
}

function backupsPage(): string {
  return pathToFileURL(join(fake.appPath, 'dist', 'renderer', 'backups.html')).href;
}

function settingsPage(): string {
  return pathToFileURL(join(fake.appPath, 'dist', 'renderer', 'settings.html')).href;
}

function backupsWindow(): FakeBrowserWindow {
  const found = fake.windows.filter((w) => w.loaded?.endsWith('backups.html'));
  if (found.length !== 1) throw new Error(`${found.length} Backups windows`);
  return found[0]!;
}

/** Calls a handler as the Backups page in the Backups window does. */
function ask(method: string, ...args: unknown[]): Promise<unknown> {
  const handler = fake.handlers.get(invokeChannel(method as never))!;
  const window = backupsWindow();
  return Promise.resolve(
    handler({ sender: window.webContents, senderFrame: { url: backupsPage() } }, ...args),
  );
}

async function waitUntil(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await check()) return;
    await delay(50);
  }
  throw new Error(`Timed out waiting until ${what}.`);
}

/** The folders the open connections keep in the runtime folder (one per connection). */
async function connections(runtimeDir: string): Promise<string[]> {
  const dir = join(runtimeDir, 'snaptray');
  if (!existsSync(dir)) return [];
  return (await readdir(dir)).filter((n) => /^r/.test(n));
}

describe('the Backups window in the app', () => {
  it('opens from Restore Files… and from a second launch with --browse, locked down', async () => {
    await launch();
    const item = findItem('Restore Files…');
    expect(item?.enabled).toBe(true);
    clickMenu('Restore Files…');
    const window = backupsWindow();
    expect(window.options).toMatchObject({ title: 'Snaptray Backups', width: 1100, height: 760 });
    expectLockedDown(window, 'backups.html');

    // Clicking again brings the same window to the front.
    clickMenu('Restore Files…');
    expect(backupsWindow()).toBe(window);
    expect(window.shown).toBe(1);

    // A second launch with --browse opens it (again, once closed); without, the settings.
    window.close();
    fake.app.emit('second-instance', {}, ['/opt/Snaptray/snaptray', '--browse']);
    expect(fake.windows.filter((w) => w.loaded?.endsWith('backups.html'))).toHaveLength(2);
    const settingsBefore = fake.windows.filter((w) => w.loaded?.endsWith('settings.html')).length;
    fake.app.emit('second-instance', {}, ['/opt/Snaptray/snaptray']);
    expect(fake.windows.filter((w) => w.loaded?.endsWith('settings.html'))).toHaveLength(
      settingsBefore + 1,
    );
  });

  it('opens at once on a first launch with --browse', async () => {
    await launch({ argv: ['/opt/Snaptray/snaptray', '--browse'] });
    expect(backupsWindow().loaded).toBe(join(fake.appPath, 'dist', 'renderer', 'backups.html'));
  });

  it('answers each window only on its own channels', async () => {
    await launch();
    clickMenu('Restore Files…');
    clickMenu('Settings…');
    const backups = backupsWindow();
    const settings = fake.windows.find((w) => w.loaded?.endsWith('settings.html'))!;
    const all = [...WINDOW_METHODS.settings, ...WINDOW_METHODS.backups].map(invokeChannel);
    expect([...fake.handlers.keys()].sort()).toEqual(all.sort());

    const timeline = fake.handlers.get(invokeChannel('loadTimeline'))!;
    const fromSettings = { sender: settings.webContents, senderFrame: { url: settingsPage() } };
    const fromBackups = { sender: backups.webContents, senderFrame: { url: backupsPage() } };
    expect(await timeline(fromSettings)).toEqual({
      ok: false,
      reason: 'refused',
      message: BACKUPS_REFUSED_MESSAGE,
    });
    // The settings page loaded in the Backups window is refused too: the page must match.
    expect(
      await timeline({ sender: backups.webContents, senderFrame: { url: settingsPage() } }),
    ).toMatchObject({ ok: false, reason: 'refused' });
    const answered = (await timeline(fromBackups)) as {
      ok: boolean;
      value: { snapshots: { state: string }[] };
    };
    expect(answered.ok).toBe(true);
    expect(answered.value.snapshots.map((s) => s.state)).toEqual(['ok', 'ok']);

    const load = fake.handlers.get(invokeChannel('loadSettings'))!;
    expect(await load(fromBackups)).toEqual({ ok: false, message: REFUSED_MESSAGE });
    expect(await load(fromSettings)).toMatchObject({ ok: true });
    const choose = fake.handlers.get(invokeChannel('chooseRestoreFolder'))!;
    fake.openDialogResult = { canceled: false, filePaths: ['/home/ben/Restored'] };
    const what = { snapshot: 'box-2026-11-25-030000', paths: ['/home/ben/report.txt'] };
    expect(await choose(fromSettings, what)).toBeNull();
    expect(fake.openDialogCalls).toEqual([]);
    expect(await choose(fromBackups, what)).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/),
      folder: '/home/ben/Restored',
    });
    // The app names what is restored; the page names nothing in the dialog.
    expect(fake.openDialogCalls).toEqual([
      {
        title: 'Restore “report.txt” into which folder?',
        properties: ['openDirectory', 'showHiddenFiles', 'createDirectory'],
      },
    ]);
    // Payloads are checked: a relative path or a stray field type is refused, not run.
    expect(await ask('listFolder', { snapshot: 'x', path: 'etc/passwd' })).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
    expect(
      await ask('restore', { snapshot: 'x', paths: ['/a/../b'], into: null, missingOnly: false }),
    ).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await ask('searchSnapshots', { query: ['report'] })).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });

  it('keeps one connection while shown, and closes it a minute after the window is hidden', async () => {
    const w = await launch();
    clickMenu('Restore Files…');
    const before = await sshd.connectionCount();
    const timeline = (await ask('loadTimeline')) as {
      ok: true;
      value: { snapshots: { name: string; sources: string[] }[] };
    };
    const newest = timeline.value.snapshots[0]!;
    for (const path of [null, w.src, join(w.src, 'big')]) {
      expect(await ask('listFolder', { snapshot: newest.name, path })).toMatchObject({ ok: true });
    }
    expect(await sshd.connectionCount()).toBe(before + 1);
    expect(await connections(w.runtimeDir)).toHaveLength(1);

    backupsWindow().hide();
    w.clock.advance(59_000);
    expect(await connections(w.runtimeDir)).toHaveLength(1);
    // Shown again in time, it keeps the connection; hidden for a whole minute, it lets go.
    backupsWindow().show();
    w.clock.advance(60_000);
    expect(await connections(w.runtimeDir)).toHaveLength(1);
    backupsWindow().hide();
    w.clock.advance(60_000);
    await waitUntil(
      'the connection is closed',
      async () => (await connections(w.runtimeDir)).length === 0,
    );
    // The next request opens a new one.
    expect(await ask('listFolder', { snapshot: newest.name, path: w.src })).toMatchObject({
      ok: true,
    });
    expect(await sshd.connectionCount()).toBe(before + 2);
  });

  it('never makes a backup fail through rrsync: the run waits for a restore, and a restore for the run', async () => {
    // The window's restore of the big file is slowed down like a slow router's transfer.
    const w = await launch({
      slow: (req) =>
        req.args.some((a) => a.startsWith('--files-from=')) &&
        req.args.includes('--info=progress2'),
    });
    clickMenu('Restore Files…');
    const timeline = (await ask('loadTimeline')) as {
      ok: true;
      value: { snapshots: { name: string }[] };
    };
    const newest = timeline.value.snapshots[0]!.name;
    const into = await makeTempDir('st-restored-');
    const paths = [join(w.src, 'big/blob.bin')];
    fake.openDialogResult = { canceled: false, filePaths: [into] };
    const chosen = (await ask('chooseRestoreFolder', { snapshot: newest, paths })) as {
      token: string;
    };
    const restoring = ask('restore', {
      snapshot: newest,
      paths,
      into: chosen.token,
      missingOnly: false,
    });
    await waitUntil('the restore transfers', () =>
      w.spawned.some((s) => s.req.args.includes('--bwlimit=100')),
    );
    clickMenu('Back Up Now');
    // The backup waits for the window's transfer, holding rrsync's lock, to end.
    await waitUntil('the run has started', () => existsSync(join(w.stateDir, 'lock')));
    // Meanwhile another restore waits for the run, and says so.
    expect(
      await ask('planRestore', { snapshot: newest, paths, into: null, missingOnly: true }),
    ).toEqual({
      ok: false,
      reason: 'busy',
      message:
        'A backup of this profile is running: restores and checks wait until it ends, so that they never hold the destination between its transfers. This one starts by itself when the backup ends.',
      retryInMs: 10_000,
    });
    const restore = w.spawned.find((s) => s.req.args.includes('--bwlimit=100'))!;
    expect(await restoring).toMatchObject({ ok: true, value: { outcome: 'ok', restored: 1 } });
    expect(await readFile(join(into, 'blob.bin'))).toEqual(Buffer.alloc(600_000, 4));

    if (started?.kind === 'running') await started.tray.idle();
    const history = await readHistory(w.stateDir);
    expect(history.map((h) => [h.outcome, h.source])).toEqual([
      ['ok', 'cli'],
      ['ok', 'cli'],
      ['ok', 'tray'],
    ]);
    // The backup's first call to the destination came after the window's transfer ended.
    const runCalls = w.spawned.filter(
      (s) => s.started > restore.started && (s.req.file === 'rsync' || s.req.file === 'nice'),
    );
    expect(runCalls[0]!.started).toBeGreaterThanOrEqual(restore.ended!);
    // Then the window hears that the destination is free again, and gets its answers.
    // (The tray's state of the profile reaches the window too, as status events.)
    const messages = backupsWindow().webContents.messages.filter(
      (m) =>
        m.channel === BACKUPS_EVENT_CHANNEL && (m.payload as { type: string }).type !== 'status',
    );
    expect(messages.at(-1)?.payload).toEqual({ type: 'destination-free' });
    expect(await ask('listFolder', { snapshot: newest, path: w.src })).toMatchObject({ ok: true });
  });
});
