/**
 * The tray's state of a profile, as the Backups window sees it through the app's own IPC
 * handlers (the recording stand-in for electron): a backup of the tray seen running and then
 * done, Back Up Now and Stop from the window, and a run of the CLI seen through its lock. Real
 * CLI, real rsync, real sshd.
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { openConfStore } from '../../core/settings/store.js';
import { readHistory } from '../../core/state/history.js';
import {
  BACKUPS_EVENT_CHANNEL,
  invokeChannel,
  type BackupStatus,
  type BackupsEvent,
  type BackupsResult,
} from '../../electron/ipc/contract.js';
import { startApp, type Started } from '../../electron/start-app.js';
import { systemClock } from '../../electron/tray/tray-app.js';
import { makeCliHome, runCli, startCli, writeSettingsFile, type CliHome } from '../support/cli.js';
import { clickMenu, fake, resetFake, type FakeBrowserWindow } from '../support/fake-electron.js';
import { profileSsh, startSshd, type Sshd } from '../support/sshd.js';
import { makeTempDir, writeTree } from '../support/tree.js';

vi.mock('electron', async () => {
  const module = await import('../support/fake-electron.js');
  return { ...module.electronModule, default: module.electronModule };
});

let sshd: Sshd;
let started: Started | null = null;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});
afterEach(async () => {
  if (started?.kind === 'running') {
    await started.tray.shutdown();
    await started.backups.dispose();
  }
  started = null;
});

interface Launched extends CliHome {
  stateDir: string;
  destDir: string;
  configFile: string;
}

/**
 * A user whose destination is a folder on the test router over ssh, initialised by the CLI and
 * empty; `bandwidthLimit` (KB/s) keeps a run going long enough to be seen and stopped.
 */
async function launch(bandwidthLimit = 0): Promise<Launched> {
  resetFake();
  fake.appPath = await mkdtemp(join(tmpdir(), 'st-app-'));
  const home = await makeCliHome();
  const env = { ...home.env, HOME: dirname(home.configDir) };
  const src = await makeTempDir('st-src-');
  const destDir = await makeTempDir('st-router-');
  const configFile = join(home.configDir, 'Snaptray', 'config.json');
  await writeSettingsFile(configFile, {
    default: {
      sources: [src],
      destination: `${sshd.user}@127.0.0.1:${destDir}`,
      prefix: 'box',
      ssh: profileSsh(sshd),
      schedule: { mode: 'daily', dailyAt: '03:00', catchUp: false },
      ...(bandwidthLimit > 0 ? { rsync: { bandwidthLimit } } : {}),
    },
  });
  const user = { ...home, env };
  expect((await runCli(['init'], user)).code).toBe(0);
  await writeTree(src, { 'a.txt': 'alpha\n', 'big/blob.bin': Buffer.alloc(2_000_000, 4) });
  started = await startApp({
    env,
    clock: systemClock,
    spawn: spawnProcess,
    hostname: 'testhost',
    notify: () => Promise.resolve(),
    openBackend: openConfStore,
    argv: ['/opt/Snaptray/snaptray'],
  });
  expect(started.kind).toBe('running');
  return { ...user, stateDir: join(home.stateDir, 'snaptray', 'default'), destDir, configFile };
}

function backupsWindow(): FakeBrowserWindow {
  const found = fake.windows.filter((w) => w.loaded?.endsWith('backups.html'));
  if (found.length !== 1) throw new Error(`${found.length} Backups windows`);
  return found[0]!;
}

/** Calls a handler as the Backups page in the Backups window does. */
async function ask<T>(method: string, ...args: unknown[]): Promise<T> {
  const handler = fake.handlers.get(invokeChannel(method as never))!;
  const page = pathToFileURL(join(fake.appPath, 'dist', 'renderer', 'backups.html')).href;
  const window = backupsWindow();
  return (await handler({ sender: window.webContents, senderFrame: { url: page } }, ...args)) as T;
}

async function status(): Promise<BackupStatus> {
  const answer = await ask<BackupsResult<BackupStatus>>('loadStatus');
  if (!answer.ok) throw new Error(`loadStatus: ${answer.message}`);
  return answer.value;
}

/** The status events the window was sent, in order. */
function statusEvents(): BackupStatus[] {
  return backupsWindow()
    .webContents.messages.filter((m) => m.channel === BACKUPS_EVENT_CHANNEL)
    .map((m) => m.payload as BackupsEvent)
    .flatMap((e) => (e.type === 'status' ? [e.status] : []));
}

async function waitUntil(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1800; i++) {
    if (await check()) return;
    await delay(50);
  }
  throw new Error(`Timed out waiting until ${what}.`);
}

async function snapshots(destDir: string): Promise<string[]> {
  const names = await readdir(destDir);
  return names.filter(
    (n) => /^box-\d{4}-\d\d-\d\d-\d{6}$/.test(n) && names.includes(`${n}.snaptray.json`),
  );
}

describe('the tray state in the Backups window', () => {
  it('sees the tray’s own backup running, then done with the new last backup', async () => {
    const w = await launch(400);
    clickMenu('Restore Files…');
    const before = await status();
    expect(before).toMatchObject({ profile: 'default', setUp: true, run: null, lastBackup: null });
    expect(before.next).not.toBeNull();

    clickMenu('Back Up Now');
    await waitUntil('the window sees the run', async () => (await status()).run !== null);
    const running = await status();
    expect(running.run).toMatchObject({ source: 'app', stopping: false });
    await waitUntil('bytes sent', async () => ((await status()).run?.progress?.bytes ?? 0) > 0);

    await waitUntil('the run ended and was read back', async () => {
      const s = await status();
      return s.run === null && s.lastBackup !== null;
    });
    const done = await status();
    const [run] = await readHistory(w.stateDir);
    expect(run?.outcome).toBe('ok');
    expect(done).toMatchObject({
      run: null,
      lastFailure: null,
      lastBackup: { endedAt: run!.endedAt, partial: false },
    });
    expect(await snapshots(w.destDir)).toHaveLength(1);
    // The window was told each step, without asking.
    const events = statusEvents();
    expect(events.some((s) => s.run?.source === 'app' && s.run.progress !== null)).toBe(true);
    expect(events.at(-1)).toMatchObject({ run: null, lastBackup: { endedAt: run!.endedAt } });
  });

  it('backs up from the window’s Back Up Now: a snapshot on the destination', async () => {
    const w = await launch();
    clickMenu('Restore Files…');
    expect(await ask('backUpNow', { profile: 'default' })).toEqual({ ok: true, value: null });
    await waitUntil('the run ended', async () => {
      const s = await status();
      return s.run === null && s.lastBackup !== null;
    });
    expect((await readHistory(w.stateDir)).map((h) => h.outcome)).toEqual(['ok']);
    expect(await snapshots(w.destDir)).toHaveLength(1);
  });

  it('stops a running backup from the window’s Stop: the history says cancelled', async () => {
    const w = await launch(300);
    clickMenu('Restore Files…');
    expect(await ask('backUpNow', { profile: 'default' })).toEqual({ ok: true, value: null });
    await waitUntil('progress', async () => (await status()).run?.progress != null);
    expect(await ask('stopBackup', { profile: 'default' })).toEqual({ ok: true, value: null });
    expect((await status()).run).toBeNull();
    expect((await readHistory(w.stateDir)).map((h) => h.outcome)).toEqual(['cancelled']);
    expect(await snapshots(w.destDir)).toEqual([]);
  });

  it('sees a run of the command line through its lock, without progress', async () => {
    const w = await launch(300);
    clickMenu('Restore Files…');
    const cli = startCli(['backup'], w);
    await waitUntil('the window sees the CLI run', async () => (await status()).run !== null);
    expect((await status()).run).toMatchObject({ source: 'other', progress: null });
    expect(await ask('stopBackup', { profile: 'default' })).toEqual({ ok: true, value: null });
    const result = await cli.done;
    expect(result.code).not.toBe(0);
    await waitUntil('the run is gone', async () => (await status()).run === null);
    expect((await readHistory(w.stateDir)).map((h) => h.outcome)).toEqual(['cancelled']);
  });

  it('refuses a payload it does not take, and a profile the tray does not follow', async () => {
    await launch();
    clickMenu('Restore Files…');
    for (const bad of [undefined, null, 'default', { profile: 5 }, { profile: '' }]) {
      expect(await ask('backUpNow', bad)).toMatchObject({ ok: false, reason: 'invalid' });
      expect(await ask('stopBackup', bad)).toMatchObject({ ok: false, reason: 'invalid' });
    }
    expect(await ask('backUpNow', { profile: 'photos' })).toMatchObject({
      ok: false,
      reason: 'not-set-up',
    });
    expect((await status()).run).toBeNull();
  });
});
