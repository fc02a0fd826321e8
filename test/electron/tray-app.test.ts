/**
 * The tray driven as a user drives it (menu clicks, time passing, the machine waking up), with
 * the real engine pushing snapshots through a real sshd and notifications captured from a real
 * notification daemon.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { localTime } from '../../core/cli/state-profile.js';
import { describeTime } from '../../core/notification-text.js';
import { spawnProcess } from '../../core/process.js';
import { openConfStore } from '../../core/settings/store.js';
import { readHistory } from '../../core/state/history.js';
import { autostartFile } from '../../electron/tray/autostart.js';
import { createNotifySendSink } from '../../electron/shared/notifier.js';
import { createTrayApp, type TrayApp } from '../../electron/tray/tray-app.js';
import type { BackupsView } from '../../electron/tray/tray-state.js';
import { makeCliHome, runCli, writeSettingsFile, type CliHome } from '../support/cli.js';
import {
  clickMenu,
  fake,
  findItem,
  menuLabels,
  resetFake,
  trayIcon,
} from '../support/fake-electron.js';
import {
  useNotificationDaemon,
  type CapturedNotification,
} from '../support/notification-daemon.js';
import { profileSsh, startSshd, type Sshd } from '../support/sshd.js';
import { TestClock } from '../support/test-clock.js';
import { makeTempDir, writeTree } from '../support/tree.js';

vi.mock('electron', async () => {
  const module = await import('../support/fake-electron.js');
  return { ...module.electronModule, default: module.electronModule };
});

const HOUR = 3_600_000;

let sshd: Sshd;
const daemon = useNotificationDaemon();
let app: TrayApp | null = null;
let seen = 0;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
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
  src: string;
  dest: string;
  configFile: string;
  stateDir: string;
  opened: { settings: number; changed: number; quit: number; backups: number };
  /** Where the tray asked the Backups window to open, in order. */
  views: (BackupsView | undefined)[];
  /** What the tray calls before a run: the Backups window's hold-off in the app. */
  beforeRun?: () => Promise<() => void>;
}

/** Tomorrow at 10:00: ahead of the real clock, which the CLI and the lock files use. */
function tomorrowAtTen(): Date {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 10, 0);
}

/** The snapshot name a run started at `at` gets. */
function snapshotName(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `t-${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}-${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}`;
}

async function makeWorld(
  profile: (w: { src: string; dest: string }) => Record<string, unknown>,
  start: Date = tomorrowAtTen(),
) {
  resetFake();
  seen = daemon.notifications().length;
  const home = await makeCliHome();
  const env = { ...home.env, HOME: dirname(home.configDir) };
  const src = await makeTempDir('st-src-');
  const dest = await makeTempDir('st-router-');
  await writeFile(join(dest, '.snaptray-destination'), 'snaptray destination\n');
  await writeTree(src, {
    'a.txt': 'alpha',
    'docs/b.txt': 'beta',
    'big/blob': Buffer.alloc(300_000, 7),
  });
  const configFile = join(home.configDir, 'Snaptray', 'config.json');
  await mkdir(dirname(configFile), { recursive: true });
  await writeSettings(configFile, profile({ src, dest }));
  const world: World = {
    home,
    env,
    clock: new TestClock(start.getTime()),
    src,
    dest,
    configFile,
    stateDir: join(home.stateDir, 'snaptray', 'default'),
    opened: { settings: 0, changed: 0, quit: 0, backups: 0 },
    views: [],
  };
  return world;
}

async function writeSettings(file: string, profile: Record<string, unknown>): Promise<void> {
  await writeSettingsFile(file, { default: profile });
}

function sshProfile(w: { src: string; dest: string }, extra: Record<string, unknown> = {}) {
  return {
    sources: [w.src],
    destination: `${sshd.user}@127.0.0.1:${w.dest}`,
    prefix: 't',
    ssh: profileSsh(sshd),
    ...extra,
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
    notify: createNotifySendSink(),
    openSettings: () => w.opened.settings++,
    openBackups: (view) => {
      w.opened.backups++;
      w.views.push(view);
    },
    ...(w.beforeRun ? { beforeRun: w.beforeRun } : {}),
    onSettingsChanged: () => w.opened.changed++,
    autostartFile: autostartFile(w.env, w.env.HOME ?? '/'),
    launchCommand: ['/opt/Snap Tray/snaptray', '--tray'],
    quit: () => w.opened.quit++,
  });
  await app.start();
  return app;
}

async function waitUntil(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await check()) return;
    await delay(50);
  }
  throw new Error(`Timed out waiting until ${what}. Menu:\n${menuLabels().join('\n')}`);
}

/** The newest notification with this summary since the test began, waiting for it. */
async function notification(summary: string, count = 1): Promise<CapturedNotification> {
  let found: CapturedNotification | undefined;
  await waitUntil(`notification "${summary}" #${count}`, () => {
    found = daemon
      .notifications()
      .slice(seen)
      .filter((n) => n.summary === summary)[count - 1];
    return found !== undefined;
  });
  return found!;
}

function summaries(): string[] {
  return daemon
    .notifications()
    .slice(seen)
    .map((n) => n.summary);
}

async function snapshots(dest: string): Promise<{ complete: string[]; incomplete: string[] }> {
  const names = await readdir(dest);
  const dirs = names.filter((n) => /^t-\d{4}-\d{2}-\d{2}-\d{6}$/.test(n)).sort();
  return {
    complete: dirs.filter((d) => names.includes(`${d}.snaptray.json`)),
    incomplete: dirs.filter((d) => !names.includes(`${d}.snaptray.json`)),
  };
}

function status(): string {
  return menuLabels()[0] ?? '';
}

describe('the tray', () => {
  it('backs up at start when due, on schedule, and after the machine wakes up', async () => {
    const w = await makeWorld((d) =>
      sshProfile(d, { schedule: { mode: 'interval', everyHours: 24, catchUp: true } }),
    );
    await startTray(w);
    // Nothing succeeded yet and catch-up is on: the start-up check runs a backup at once.
    await waitUntil(
      'the first backup ran',
      async () => (await snapshots(w.dest)).complete.length === 1,
    );
    await app!.idle();
    expect(status()).toBe('Last backup: Today 10:00 — 3 files, 300 kB sent');
    expect(trayIcon()).toBe('tray-idle-light.png');
    expect(menuLabels()).toContain('Next backup: Tomorrow 10:00');
    expect(await notification('Backup started')).toMatchObject({
      body: `Backing up to ${sshd.user}@127.0.0.1:${w.dest}.`,
    });
    const finished = await notification('Backup finished');
    const t0 = w.clock.now();
    expect(finished.body).toMatch(
      /^Snapshot t-\d{4}-\d\d-\d\d-100000: 3 files, \d+(\.\d+)? kB sent in \d+ s\.$/,
    );
    expect(fake.trays[0]!.images).toContain('tray-running-light.png');

    // A day later the timer fires by itself.
    await writeFile(join(w.src, 'a.txt'), 'alpha 2');
    w.clock.advance(24 * HOUR + 60_000);
    await waitUntil(
      'the scheduled backup ran',
      async () => (await snapshots(w.dest)).complete.length === 2,
    );
    await app!.idle();
    expect(status()).toMatch(/^Last backup: Today 10:01 — 1 file, \d+ B sent$/);

    // The machine sleeps through the next slot; waking up catches up.
    w.clock.sleep(30 * HOUR);
    fake.powerMonitor.emit('resume');
    await waitUntil(
      'the catch-up backup ran',
      async () => (await snapshots(w.dest)).complete.length === 3,
    );
    await app!.idle();
    const history = await readHistory(w.stateDir);
    expect(history.map((h) => h.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect((await snapshots(w.dest)).complete).toEqual([
      snapshotName(t0),
      snapshotName(new Date(t0.getTime() + 24 * HOUR + 60_000)),
      snapshotName(new Date(t0.getTime() + 54 * HOUR + 60_000)),
    ]);
    expect(status()).toMatch(/^Last backup: Today 16:01 — 0 files, \d+ B sent$/);
  });

  it('names a setting it does not know in the notification and history of its runs', async () => {
    const w = await makeWorld((d) => ({ ...sshProfile(d), retention: { keepAllHour: 72 } }));
    await startTray(w);
    const finished = await notification('Backup finished with a warning');
    const warning =
      `The settings file ${w.configFile} has a setting this version of Snaptray does not know, ` +
      'profiles.default.retention.keepAllHour, and ignores it. Did you mean keepAllHours?';
    expect(finished.body.startsWith(`${warning} Snapshot t-`)).toBe(true);
    await app!.idle();
    expect((await readHistory(w.stateDir)).map((h) => [h.outcome, h.warnings])).toEqual([
      ['ok', [warning]],
    ]);
  });

  it('skips an unreachable destination, retries with backoff, and runs once it answers', async () => {
    const closedPort = sshd.port === 1 ? 2 : 1;
    const w = await makeWorld((d) => ({
      ...sshProfile(d),
      ssh: { ...sshProfile(d).ssh, port: closedPort },
    }));
    await startTray(w);
    const skipped = await notification('Backup skipped');
    expect(skipped.body).toMatch(/refused.* Trying again at 10:01\.$/);
    await app!.idle();
    await waitUntil('the skip shows in the menu', () =>
      menuLabels().some((l) => l.startsWith('Skipped (Today): ')),
    );
    await waitUntil('the retry is planned', () =>
      menuLabels().includes('Next backup: Today 10:01'),
    );
    expect(trayIcon()).toBe('tray-idle-light.png');
    expect(menuLabels()).toContain(
      'The last attempt failed; waiting a little before trying again.',
    );

    // The retry a minute later fails again and waits two minutes.
    w.clock.advance(61_000);
    const again = await notification('Backup skipped', 2);
    expect(again.body).toMatch(/Trying again at 10:03\.$/);
    await app!.idle();

    // The router comes back (the settings now name the right port); the next retry succeeds.
    await writeSettings(w.configFile, sshProfile(w));
    await waitUntil('the settings were reloaded', () => w.opened.changed > 0);
    w.clock.advance(2 * 60_000 + 1000);
    await notification('Backup finished');
    await app!.idle();
    expect((await snapshots(w.dest)).complete).toHaveLength(1);
    expect(menuLabels().some((l) => l.startsWith('Skipped'))).toBe(false);
    expect(summaries().filter((s) => s === 'Backup failed')).toEqual([]);
  });

  it('pausing during a run stops it, holds cron runs, and the overdue backup runs when the pause ends', async () => {
    const w = await makeWorld((d) =>
      sshProfile(d, {
        rsync: { bandwidthLimit: 400 },
        schedule: { mode: 'interval', everyHours: 24, catchUp: true },
      }),
    );
    await writeTree(w.src, { 'slow/blob': Buffer.alloc(3_000_000, 3) });
    await startTray(w);
    await waitUntil('the run shows progress', () => status().startsWith('Backing up… '));
    expect(findItem('Stop Backup')?.enabled).toBe(true);
    clickMenu('For 1 Hour');
    await waitUntil('the pause shows', () => status() === 'Paused until 11:00');
    await app!.idle();
    expect(trayIcon()).toBe('tray-paused-light.png');
    expect((await readHistory(w.stateDir)).map((h) => h.outcome)).toEqual(['cancelled']);
    expect((await snapshots(w.dest)).incomplete).toHaveLength(1);
    expect(JSON.parse(await readFile(join(w.stateDir, 'pause'), 'utf8'))).toMatchObject({
      until: new Date(w.clock.now().getTime() + HOUR).toISOString(),
    });

    // cron's CLI run obeys the same pause.
    const cron = await runCli(['backup', '--json'], { ...w.home, env: w.env });
    expect(cron.code).toBe(4);

    // The hour passes: the overdue backup runs and reuses what the stopped run sent.
    w.clock.advance(HOUR + 1000);
    await waitUntil(
      'the resumed backup finished',
      async () => (await snapshots(w.dest)).complete.length === 1,
    );
    await app!.idle();
    expect((await snapshots(w.dest)).incomplete).toEqual([]);
    expect(status()).toMatch(/^Last backup: Today 11:00 — \d+ files?, /);

    // Until I Resume, then Resume Backups.
    clickMenu('Until I Resume');
    await waitUntil('paused until resumed', () => status() === 'Paused until you resume');
    clickMenu('Resume Backups');
    await waitUntil('resumed', () => status().startsWith('Last backup: Today 11:00'));
    expect(findItem('Resume Backups')).toBeNull();
  });

  it('stops a run on Stop Backup, and Quit asks first while a backup runs', async () => {
    const w = await makeWorld((d) =>
      sshProfile(d, {
        rsync: { bandwidthLimit: 300 },
        schedule: { mode: 'daily', dailyAt: '03:00', catchUp: false },
      }),
    );
    await writeTree(w.src, { 'slow/blob': Buffer.alloc(3_000_000, 3) });
    await startTray(w);
    expect(status()).toBe('No backup yet');
    expect(menuLabels()).toContain('Next backup: Tomorrow 03:00');
    clickMenu('Back Up Now');
    await waitUntil('running', () => findItem('Stop Backup') !== null);
    expect(findItem('Back Up Now')?.enabled).toBe(false);

    fake.messageBoxAnswers.push(1);
    clickMenu('Quit Snaptray');
    await waitUntil('asked', () => fake.messageBoxes.length > 0);
    expect(fake.messageBoxes[0]?.options).toMatchObject({
      message: 'A backup is running. Quit and stop it?',
    });
    expect(w.opened.quit).toBe(0);
    expect(findItem('Stop Backup')).not.toBeNull();

    clickMenu('Stop Backup');
    await app!.idle();
    await waitUntil('stopped', () => findItem('Stop Backup') === null);
    expect(status()).toBe('No backup yet');
    expect((await readHistory(w.stateDir)).map((h) => h.outcome)).toEqual(['cancelled']);

    clickMenu('Back Up Now');
    await waitUntil('running again', () => findItem('Stop Backup') !== null);
    fake.messageBoxAnswers.push(0);
    clickMenu('Quit Snaptray');
    await waitUntil('quit', () => w.opened.quit === 1);
    expect((await readHistory(w.stateDir)).map((h) => h.outcome)).toEqual([
      'cancelled',
      'cancelled',
    ]);
    expect(summaries().filter((s) => s === 'Backup failed')).toEqual([]);
    app = null;
  });

  it('shows a failure in the menu and the icon, and names hostile paths literally', async () => {
    const parent = await makeTempDir('st-hostile-');
    const hostile = join(parent, '$(touch /tmp/pwned-tray) `touch /tmp/pwned-tray` "dq" \'sq\'');
    const w = await makeWorld((d) => ({ ...sshProfile(d), sources: [d.src, hostile] }));
    await startTray(w);
    const failed = await notification('Backup failed');
    expect(failed.body).toBe(`These sources do not exist or cannot be read: ${hostile}.`);
    expect(failed.urgency).toBe(2);
    await app!.idle();
    await waitUntil('the error shows', () => trayIcon() === 'tray-error-light.png');
    const line = `These sources do not exist or cannot be read: ${hostile}.`;
    expect(menuLabels().slice(1, 3)).toEqual([
      'Backup failed Today 10:00 — Show Details…',
      line.length <= 120 ? line : `${line.slice(0, 119)}…`,
    ]);
    expect(existsSync('/tmp/pwned-tray')).toBe(false);
    // The failure opens History at that run.
    const [failedRun] = await readHistory(w.stateDir);
    clickMenu('Backup failed Today 10:00 — Show Details…');
    expect(w.views).toEqual([{ page: 'history', profile: 'default', run: failedRun!.startedAt }]);
  });

  it('warns when no backup succeeded for days, waits for mains power, then runs', async () => {
    const w = await makeWorld((d) => ({
      ...sshProfile(d),
      overdueDays: 3,
      schedule: { mode: 'interval', everyHours: 24, catchUp: true, waitForAC: true },
    }));
    const fiveDaysAgo = new Date(w.clock.now().getTime() - 5 * 24 * HOUR);
    const anHourAgo = new Date(w.clock.now().getTime() - HOUR);
    const run = {
      profile: 'default',
      startedAt: fiveDaysAgo.toISOString(),
      endedAt: fiveDaysAgo.toISOString(),
      outcome: 'ok',
      exitCode: 0,
      rsyncExitCode: 0,
      files: 12,
      bytesSent: 1_204_000,
      snapshot: 't-2026-03-05-100000',
      logPath: null,
      error: null,
      warnings: [],
    };
    // A one-off run from the command line since (`backup --dest … --prefix lab`): not a backup
    // of this profile, so the tray still counts the days since the profile's own.
    const oneOff = {
      ...run,
      startedAt: anHourAgo.toISOString(),
      endedAt: anHourAgo.toISOString(),
      files: 3,
      snapshot: 'lab-2026-03-10-090000',
      source: 'cli',
      oneOff: { destination: '/media/stick', prefix: 'lab', sources: [w.src] },
    };
    await mkdir(w.stateDir, { recursive: true, mode: 0o700 });
    await writeFile(
      join(w.stateDir, 'history.jsonl'),
      JSON.stringify(run) + '\n' + JSON.stringify(oneOff) + '\n',
    );
    fake.onBattery = true;
    await startTray(w);
    expect(trayIcon()).toBe('tray-overdue-light.png');
    const day = fiveDaysAgo
      .toDateString()
      .slice(0, 10)
      .replace(/^(\w+) (\w+) 0?(\d+)$/, '$1 $3 $2');
    expect(menuLabels().slice(0, 4)).toEqual([
      `Last backup: ${day} 10:00 — 12 files, 1.20 MB sent`,
      'No backup for 5 days',
      'Next attempt: Today 10:30',
      'The computer is running on battery; the backup waits for mains power.',
    ]);
    expect((await notification('No backup for 5 days')).body).toBe(
      `The last successful backup was on ${day} at 10:00. Choose Back Up Now in the menu.`,
    );
    expect((await notification('Backup delayed')).body).toBe(
      'The computer is running on battery; the backup waits for mains power. It runs at 10:30 at the latest.',
    );
    fake.onBattery = false;
    fake.powerMonitor.emit('on-ac');
    await notification('Backup finished');
    await app!.idle();
    await waitUntil('idle icon', () => trayIcon() === 'tray-idle-light.png');
    expect(status()).toBe('Last backup: Today 10:00 — 3 files, 300 kB sent');

    // Backup History… opens the Backups window at History, where each run's log is.
    clickMenu('Backup History…');
    expect(w.views).toEqual([{ page: 'history', profile: null, run: null }]);
  });

  it('opens the Backups window, and a run waits until its requests made way', async () => {
    const w = await makeWorld((d) =>
      sshProfile(d, { schedule: { mode: 'daily', dailyAt: '03:00', catchUp: false } }),
    );
    const steps: string[] = [];
    let makeWay = () => undefined as void;
    const madeWay = new Promise<void>((resolve) => (makeWay = resolve));
    w.beforeRun = async () => {
      steps.push('hold off');
      await madeWay;
      return () => steps.push('let go');
    };
    await startTray(w);
    clickMenu('Restore Files…');
    expect(w.opened.backups).toBe(1);

    clickMenu('Back Up Now');
    await waitUntil('the run asked for the way', () => steps.length === 1);
    await delay(500);
    // Nothing has reached the destination yet: no lock, no history, no snapshot.
    expect(await readHistory(w.stateDir)).toEqual([]);
    expect((await readdir(w.dest)).filter((n) => n.startsWith('t-'))).toEqual([]);
    makeWay();
    await waitUntil('the run ended', () => steps.length === 2);
    await app!.idle();
    expect(steps).toEqual(['hold off', 'let go']);
    const history = await readHistory(w.stateDir);
    expect(history.map((h) => [h.outcome, h.source])).toEqual([['ok', 'tray']]);
  });

  it('shows a run of the CLI from cron, and toggles Start at Login', async () => {
    const w = await makeWorld(
      (d) =>
        sshProfile(d, {
          rsync: { bandwidthLimit: 500 },
          schedule: { mode: 'daily', dailyAt: '03:00', catchUp: false },
        }),
      new Date(),
    );
    await writeTree(w.src, { 'slow/blob': Buffer.alloc(1_500_000, 3) });
    await startTray(w);
    // The tray's clock is the real one here: the CLI stamps its run with real time.
    expect(status()).toBe('No backup yet');
    const cron = runCli(['backup'], { ...w.home, env: w.env });
    await waitUntil(
      'the CLI run shows',
      () => status() === 'Backing up… (started from the command line)',
    );
    expect(trayIcon()).toBe('tray-running-light.png');
    expect(findItem('Back Up Now')?.enabled).toBe(false);
    expect((await cron).code).toBe(0);
    await waitUntil('the CLI run ended', () =>
      /^Last backup: Today \d\d:\d\d — \d+ files?, /.test(status()),
    );

    // Stop Backup reaches a CLI run too: it stops as on Ctrl-C, leaving a resumable snapshot.
    await writeTree(w.src, { 'slow/blob2': Buffer.alloc(3_000_000, 4) });
    const second = runCli(['backup', '--json'], { ...w.home, env: w.env });
    await waitUntil('the second CLI run shows', () => findItem('Stop Backup')?.enabled === true);
    clickMenu('Stop Backup');
    const stopped = await second;
    expect(stopped.code).toBe(5);
    expect(stopped.json).toMatchObject({ outcome: 'cancelled' });
    await waitUntil('the stopped run is gone', () => findItem('Stop Backup') === null);
    expect((await readHistory(w.stateDir)).map((h) => h.outcome)).toEqual(['ok', 'cancelled']);

    const file = join(w.env.XDG_CONFIG_HOME!, 'autostart', 'snaptray.desktop');
    expect(findItem('Start at Login')?.checked).toBe(false);
    clickMenu('Start at Login');
    await waitUntil('autostart on', () => findItem('Start at Login')?.checked === true);
    expect(await readFile(file, 'utf8')).toContain('\nExec="/opt/Snap Tray/snaptray" --tray\n');
    clickMenu('Start at Login');
    await waitUntil('autostart off', () => findItem('Start at Login')?.checked === false);
    expect(existsSync(file)).toBe(false);
  });

  it('follows snaptray pause, resume and status from the command line, as cron users use them', async () => {
    const w = await makeWorld(
      (d) =>
        sshProfile(d, {
          rsync: { bandwidthLimit: 400 },
          schedule: { mode: 'interval', everyHours: 24, catchUp: true },
        }),
      new Date(),
    );
    await writeTree(w.src, { 'slow/blob': Buffer.alloc(3_000_000, 3) });
    const cli = (...args: string[]) => runCli(args, { ...w.home, env: w.env });
    await startTray(w);
    await waitUntil('the tray backs up', () => status().startsWith('Backing up… '));

    const during = await cli('status', '--json');
    expect(during.code, during.stderr).toBe(0);
    expect(during.json).toMatchObject({
      running: { pid: process.pid, source: 'tray' },
      paused: false,
      lastRun: null,
    });

    const paused = await cli('pause', '--for', '2h');
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(
      /^Backups of profile "default" are paused until \d{4}-\d\d-\d\d \d\d:\d\d \(or "snaptray resume"\)\.\nThe backup running since .* \(started from the tray\) is being stopped; the next backup continues from it\.\n$/,
    );
    // The tray sees the pause file: it stops its run and shows the pause.
    await app!.idle();
    const until = new Date(JSON.parse(await readFile(join(w.stateDir, 'pause'), 'utf8')).until);
    await waitUntil(
      'the tray shows the pause',
      () => status() === `Paused until ${describeTime(until, w.clock.now())}`,
    );
    expect(trayIcon()).toBe('tray-paused-light.png');
    expect((await readHistory(w.stateDir)).map((h) => h.outcome)).toEqual(['cancelled']);
    expect((await cli('status')).stdout).toContain(
      `\nPaused until ${localTime(until)} ("snaptray resume" ends it now).\n`,
    );

    const resumed = await cli('resume');
    expect(resumed.stdout).toBe('Backups of profile "default" are resumed.\n');
    // The backup that is due runs as soon as the tray sees the pause gone.
    await waitUntil(
      'the backup after the pause finished',
      async () => (await snapshots(w.dest)).complete.length === 1,
    );
    await app!.idle();
    await waitUntil('the tray shows the backup', () =>
      /^Last backup: Today \d\d:\d\d — /.test(status()),
    );
    const after = await cli('status', '--json');
    expect(after.json).toMatchObject({
      running: null,
      paused: false,
      due: false,
      lastRun: { outcome: 'ok', snapshot: (await snapshots(w.dest)).complete[0] },
      lastSuccess: { outcome: 'ok', snapshot: (await snapshots(w.dest)).complete[0] },
    });
  });
});
