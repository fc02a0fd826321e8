/**
 * The opt-in notification that another machine on the profile's destination is overdue: the tray
 * (with the recording stand-in for electron) backs up with the real engine, and what it tells is
 * captured from a real notification daemon. The other machine is the real CLI run in a namespace
 * of its own (host name, machine id), its clock set 30 days before the tray's.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { openConfStore } from '../../core/settings/store.js';
import { createNotifySendSink, type NotifySink } from '../../electron/shared/notifier.js';
import { TOLD_FILE } from '../../electron/tray/other-machines.js';
import { createTrayApp, type TrayApp } from '../../electron/tray/tray-app.js';
import { autostartFile } from '../../electron/tray/autostart.js';
import { makeCliHome, runCli, runCliOn, writeSettingsFile, type CliHome } from '../support/cli.js';
import { clickMenu, resetFake } from '../support/fake-electron.js';
import { useNotificationDaemon } from '../support/notification-daemon.js';
import { TestClock } from '../support/test-clock.js';
import { makeTempDir, writeTree } from '../support/tree.js';

vi.mock('electron', async () => {
  const module = await import('../support/fake-electron.js');
  return { ...module.electronModule, default: module.electronModule };
});

const FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const DAY = 86_400_000;

const daemon = useNotificationDaemon();
let sink: NotifySink;
let app: TrayApp | null = null;
let seen = 0;
let sentinels = 0;

beforeAll(() => {
  sink = createNotifySendSink();
});
afterEach(async () => {
  if (app !== null) {
    await app.idle();
    app.dispose();
    app = null;
  }
});

interface World {
  home: CliHome;
  env: NodeJS.ProcessEnv;
  clock: TestClock;
  dest: string;
  stateDir: string;
}

/** Tomorrow at 10:00: ahead of the real clock, which the CLI and the lock files use. */
function tomorrowAtTen(): Date {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 10, 0);
}

/** faketime's absolute start time, in local time as it reads it. */
function fakeTimeAt(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `@${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ` +
    `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`
  );
}

/**
 * This machine's profile (prefix "t", the switch as given) and another machine that backed up to
 * the same destination once, 30 days and 2 hours before the tray's clock, with a daily schedule.
 */
async function makeWorld(otherMachinesOverdue: boolean): Promise<World> {
  resetFake();
  seen = daemon.notifications().length;
  const start = tomorrowAtTen();
  const home = await makeCliHome();
  const env = { ...home.env, HOME: dirname(home.configDir) };
  const src = await makeTempDir('st-src-');
  await writeTree(src, { 'a.txt': 'alpha' });
  const dest = await makeTempDir('st-dest-');
  await writeSettingsFile(join(home.configDir, 'Snaptray', 'config.json'), {
    default: {
      sources: [src],
      destination: dest,
      prefix: 't',
      notifications: { otherMachinesOverdue },
    },
  });
  const init = await runCli(['init'], { ...home, env });
  expect(init.code, init.stderr).toBe(0);

  const other = await makeCliHome();
  const otherHome = await makeTempDir('st-other-');
  const otherSrc = join(otherHome, 'letters');
  await writeTree(otherSrc, { 'letter.txt': 'from the other machine\n' });
  const machineId = join(otherHome, 'machine-id');
  await writeFile(machineId, 'fedcba9876543210fedcba9876543210\n');
  await writeSettingsFile(join(other.configDir, 'Snaptray', 'config.json'), {
    default: { destination: dest, prefix: 'otherbox', sources: [otherSrc] },
  });
  const backedUp = await runCliOn({ host: 'otherlaptop', machineId }, ['backup'], {
    ...other,
    env: {
      ...other.env,
      HOME: otherHome,
      LD_PRELOAD: FAKETIME,
      FAKETIME: fakeTimeAt(new Date(start.getTime() - 30 * DAY - 2 * 3_600_000)),
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    },
  });
  expect(backedUp.code, backedUp.stderr).toBe(0);
  return {
    home,
    env,
    clock: new TestClock(start.getTime()),
    dest,
    stateDir: join(home.stateDir, 'snaptray', 'default'),
  };
}

async function startTray(w: World): Promise<TrayApp> {
  app = createTrayApp({
    env: w.env,
    clock: w.clock,
    spawn: spawnProcess,
    hostname: 'testhost',
    assetsDir: '/opt/snaptray/assets',
    notificationIcon: '/opt/snaptray/assets/snaptray.png',
    openBackend: openConfStore,
    notify: sink,
    openSettings: () => undefined,
    openBackups: () => undefined,
    onSettingsChanged: () => undefined,
    autostartFile: autostartFile(w.env, w.env.HOME ?? '/'),
    launchCommand: ['/opt/snaptray/snaptray', '--tray'],
    quit: () => undefined,
  });
  await app.start();
  return app;
}

/**
 * Every notification of this test so far: a marker sent last through the same daemon arrives
 * after all of them, so nothing sent before it is still on its way.
 */
async function everythingSoFar(): Promise<Array<{ summary: string; body: string }>> {
  const marker = `marker ${++sentinels}`;
  await sink({
    summary: marker,
    body: 'the notifications before this one have all arrived',
    urgency: 'low',
    icon: null,
  });
  await daemon.waitFor(marker);
  return daemon
    .notifications()
    .slice(seen)
    .filter((n) => !n.summary.startsWith('marker '))
    .map((n) => ({ summary: n.summary, body: n.body }));
}

/** Waits until the tray's own backup number `count` has finished, and the tray is idle. */
async function backupFinished(count: number): Promise<void> {
  const earlier = daemon
    .notifications()
    .slice(0, seen)
    .filter((n) => n.summary === 'Backup finished').length;
  await daemon.waitFor('Backup finished', earlier + count);
  await app!.idle();
}

describe('the overdue notification for other machines', () => {
  it('says nothing while the setting is off (the default)', async () => {
    const w = await makeWorld(false);
    await startTray(w);
    await backupFinished(1);
    const all = await everythingSoFar();
    expect(all.map((n) => n.summary)).toEqual(['Backup started', 'Backup finished']);
  });

  it('names the overdue machine once per episode when turned on', async () => {
    const w = await makeWorld(true);
    await startTray(w);
    await backupFinished(1);
    const first = await everythingSoFar();
    expect(first.map((n) => n.summary)).toEqual([
      'Backup started',
      'Backup finished',
      'otherlaptop: no backup for 30 days',
    ]);
    expect(first[2]!.body).toMatch(
      /^The last good backup of otherlaptop \(prefix otherbox\) on the destination was on .+, 30 days ago\. Its schedule asks for one every 24 hours\.$/,
    );
    const told = JSON.parse(await readFile(join(w.stateDir, TOLD_FILE), 'utf8')) as {
      told: Record<string, string>;
    };
    expect(Object.keys(told.told)).toEqual(['otherbox']);
    expect(told.told['otherbox']).toMatch(/^otherbox-\d{4}-\d\d-\d\d-\d{6}$/);

    // The next backup finds it as late as before: the same episode, not told again.
    clickMenu('Back Up Now');
    await backupFinished(2);
    const second = await everythingSoFar();
    expect(second.map((n) => n.summary)).toEqual([
      'Backup started',
      'Backup finished',
      'otherlaptop: no backup for 30 days',
      'Backup started',
      'Backup finished',
    ]);
  });
});
