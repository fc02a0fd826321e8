/**
 * The tray with several profiles, driven as a user drives it: each profile on its own schedule,
 * with its own pause, runs and failures, one icon and one menu for all of them, and a profile
 * whose USB disk is plugged in later. Real rsync writes the snapshots; notifications are captured
 * from a real notification daemon.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { openConfStore } from '../../core/settings/store.js';
import { readHistory } from '../../core/state/history.js';
import { autostartFile } from '../../electron/tray/autostart.js';
import { createNotifySendSink } from '../../electron/shared/notifier.js';
import { pollMountTable } from '../../electron/tray/mount-watcher.js';
import { createTrayApp, type TrayApp } from '../../electron/tray/tray-app.js';
import { makeCliHome, writeSettingsFile, type CliHome } from '../support/cli.js';
import { mountTmpfsAt, type Disk } from '../support/disks.js';
import {
  fake,
  menuLabels,
  resetFake,
  tray,
  trayIcon,
  type FakeMenuItem,
} from '../support/fake-electron.js';
import {
  useNotificationDaemon,
  type CapturedNotification,
} from '../support/notification-daemon.js';
import { TestClock } from '../support/test-clock.js';
import { makeTempDir, writeTree } from '../support/tree.js';

vi.mock('electron', async () => {
  const module = await import('../support/fake-electron.js');
  return { ...module.electronModule, default: module.electronModule };
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const daemon = useNotificationDaemon();
let app: TrayApp | null = null;
let seen = 0;
const disks: Disk[] = [];

afterEach(async () => {
  if (app !== null) {
    await app.idle();
    app.dispose();
    app = null;
  }
  for (const disk of disks.splice(0)) await disk.unmount();
});

interface Place {
  src: string;
  dest: string;
}

interface World {
  home: CliHome;
  env: NodeJS.ProcessEnv;
  clock: TestClock;
  places: Record<string, Place>;
  stateDir: (profile: string) => string;
}

/** Tomorrow at 10:00: ahead of the real clock, which the lock files use. */
function tomorrowAtTen(): Date {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 10, 0);
}

/** The snapshot name a run of `prefix` started at `at` gets. */
function snapshotName(prefix: string, at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${prefix}-${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}-${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}`;
}

/** A source folder and a destination folder with its marker, for one profile. */
async function makePlace(): Promise<Place> {
  const src = await makeTempDir('st-src-');
  const dest = await makeTempDir('st-dest-');
  await writeFile(join(dest, '.snaptray-destination'), 'snaptray destination\n');
  await writeTree(src, { 'a.txt': 'alpha', 'docs/b.txt': 'beta' });
  return { src, dest };
}

/** Settings with one profile per entry, in this order; each profile's prefix is its name. */
async function makeWorld(
  profiles: Record<string, (p: Place) => Record<string, unknown>>,
  places: Record<string, Place> = {},
): Promise<World> {
  resetFake();
  seen = daemon.notifications().length;
  const home = await makeCliHome();
  const env = { ...home.env, HOME: dirname(home.configDir) };
  const settings: Record<string, Record<string, unknown>> = {};
  for (const [name, profile] of Object.entries(profiles)) {
    places[name] ??= await makePlace();
    settings[name] = {
      sources: [places[name].src],
      destination: places[name].dest,
      prefix: name,
      ...profile(places[name]),
    };
  }
  const configFile = join(home.configDir, 'Snaptray', 'config.json');
  await mkdir(dirname(configFile), { recursive: true });
  await writeSettingsFile(configFile, settings);
  return {
    home,
    env,
    clock: new TestClock(tomorrowAtTen().getTime()),
    places,
    stateDir: (profile) => join(home.stateDir, 'snaptray', profile),
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
    openSettings: () => undefined,
    openBackups: () => undefined,
    onSettingsChanged: () => undefined,
    autostartFile: autostartFile(w.env, w.env.HOME ?? '/'),
    launchCommand: ['/opt/snaptray/snaptray'],
    quit: () => undefined,
    // The real mount table, read whenever the test clock passes the poll interval.
    mounts: pollMountTable(w.clock),
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

/**
 * The notification with this summary since the test began (the `count`th), waiting for it. A
 * pattern allows "Backup finished with a warning": the injected clock jumps hours in seconds of
 * uptime, which the engine rightly calls suspect.
 */
async function notification(summary: string | RegExp, count = 1): Promise<CapturedNotification> {
  let found: CapturedNotification | undefined;
  await waitUntil(`notification "${String(summary)}" #${count}`, () => {
    found = daemon
      .notifications()
      .slice(seen)
      .filter((n) =>
        typeof summary === 'string' ? n.summary === summary : summary.test(n.summary),
      )[count - 1];
    return found !== undefined;
  }).catch((error: Error) => {
    const all = daemon.notifications().slice(seen);
    throw new Error(
      `${error.message}\nNotifications: ${all.map((n) => `${n.summary}: ${n.body}`).join(' | ')}`,
    );
  });
  return found!;
}

function summaries(): string[] {
  return daemon
    .notifications()
    .slice(seen)
    .map((n) => n.summary);
}

/** Complete snapshots (with their manifest) in a destination folder. */
async function snapshots(dest: string): Promise<string[]> {
  const names = await readdir(dest).catch(() => [] as string[]);
  return names
    .filter((n) => /-\d{4}-\d{2}-\d{2}-\d{6}$/.test(n) && names.includes(`${n}.snaptray.json`))
    .sort();
}

/** A profile's section of the menu: from its status line to the next separator. */
function section(profile: string): FakeMenuItem[] {
  const items = tray().menu;
  const start = items.findIndex((i) => i.label?.startsWith(`${profile} — `) === true);
  if (start < 0) throw new Error(`No section for "${profile}" in:\n${menuLabels().join('\n')}`);
  const end = items.findIndex((i, n) => n > start && i.type === 'separator');
  return items.slice(start, end < 0 ? undefined : end);
}

function sectionLabels(profile: string): string[] {
  return menuLabels(section(profile));
}

/** Clicks an item of one profile's section (or its Pause submenu), as a user would. */
function clickIn(profile: string, label: string): void {
  const items = section(profile).flatMap((i) => [i, ...(i.submenu ?? [])]);
  const item = items.find((i) => i.label === label);
  if (item?.click === undefined || item.enabled === false) {
    throw new Error(`No enabled "${label}" for ${profile} in:\n${menuLabels().join('\n')}`);
  }
  item.click();
}

function clickTop(label: string): void {
  const item = tray().menu.find((i) => i.label === label);
  if (item?.click === undefined || item.enabled === false) {
    throw new Error(`No enabled "${label}" in:\n${menuLabels().join('\n')}`);
  }
  item.click();
}

describe('the tray with several profiles', () => {
  it('runs each profile on its own schedule and names the profile in notifications', async () => {
    const w = await makeWorld({
      home: () => ({ schedule: { mode: 'interval', everyHours: 2, catchUp: true } }),
      photos: () => ({ schedule: { mode: 'daily', dailyAt: '11:00', catchUp: false } }),
    });
    const t0 = w.clock.now();
    await startTray(w);
    // home has never run and catches up at once; photos waits for its 11:00.
    await waitUntil('home ran', async () => (await snapshots(w.places.home!.dest)).length === 1);
    await app!.idle();
    await waitUntil('home shows its backup', () =>
      sectionLabels('home')[0]!.startsWith('home — Last backup: Today 10:00 — 2 files'),
    );
    expect(sectionLabels('photos').slice(0, 2)).toEqual([
      'photos — No backup yet',
      'Next backup: Today 11:00',
    ]);
    await waitUntil('home plans its next backup', () =>
      sectionLabels('home').includes('Next backup: Today 12:00'),
    );
    expect(menuLabels()).toContain('Back Up All Now');
    expect((await notification('home: Backup started')).body).toBe(
      `Backing up to ${w.places.home!.dest}.`,
    );
    expect((await notification('home: Backup finished')).body).toMatch(
      /^Snapshot home-\d{4}-\d\d-\d\d-100000: 2 files, /,
    );

    w.clock.advance(61 * MINUTE);
    await notification(/^photos: Backup finished/);
    await app!.idle();
    w.clock.advance(60 * MINUTE);
    await notification(/^home: Backup finished/, 2);
    await app!.idle();

    expect(await snapshots(w.places.home!.dest)).toEqual([
      snapshotName('home', t0),
      snapshotName('home', new Date(t0.getTime() + 121 * MINUTE)),
    ]);
    expect(await snapshots(w.places.photos!.dest)).toEqual([
      snapshotName('photos', new Date(t0.getTime() + 61 * MINUTE)),
    ]);
    expect(summaries().filter((s) => / Backup finished/.test(s))).toEqual([
      'home: Backup finished',
      'photos: Backup finished',
      'home: Backup finished with a warning',
    ]);
  });

  it('shows one running and one failed profile in the icon, the tooltip and the menu, by their display names', async () => {
    const missing = join(await makeTempDir('st-gone-'), 'not-there');
    const w = await makeWorld({
      home: () => ({
        rsync: { bandwidthLimit: 300 },
        schedule: { mode: 'daily', dailyAt: '03:00', catchUp: false },
      }),
      // The key stays photos (state folder, lock); the menu and notifications show the name.
      photos: (p) => ({ sources: [p.src, missing], displayName: 'Photos on the NAS' }),
    });
    await writeTree(w.places.home!.src, { 'slow/blob': Buffer.alloc(3_000_000, 3) });
    await startTray(w);
    clickIn('home', 'Back Up Now');
    const failed = await notification('Photos on the NAS: Backup failed');
    expect(failed.body).toBe(`These sources do not exist or cannot be read: ${missing}.`);
    await waitUntil('home shows progress', () =>
      sectionLabels('home')[0]!.startsWith('home — Backing up… '),
    );
    await waitUntil('photos shows its failure', () =>
      sectionLabels('Photos on the NAS').some((l) =>
        /^Backup failed Today \d\d:\d\d — Show Details…$/.test(l),
      ),
    );
    // Running is the most pressing; the tooltip names where each state comes from.
    expect(trayIcon()).toBe('tray-running-light.png');
    const tooltip = tray().tooltip.split('\n');
    expect(tooltip[0]).toBe('Snaptray');
    expect(tooltip[1]).toMatch(/^home: Backing up… /);
    expect(tooltip[2]).toBe('Photos on the NAS: Last backup failed (Today)');
    expect(sectionLabels('home')).toContain('Stop Backup');
    expect(sectionLabels('Photos on the NAS')).not.toContain('Stop Backup');
    expect(sectionLabels('Photos on the NAS')[0]).toBe('Photos on the NAS — No backup yet');

    clickIn('home', 'Stop Backup');
    await app!.idle();
    await waitUntil('the failure shows in the icon', () => trayIcon() === 'tray-error-light.png');
    expect(tray().tooltip.split('\n')[1]).toBe('Photos on the NAS: Last backup failed (Today)');
    expect((await readHistory(w.stateDir('home'))).map((h) => h.outcome)).toEqual(['cancelled']);
    expect((await readHistory(w.stateDir('photos'))).map((h) => h.outcome)).toEqual(['failed']);
  });

  it('pauses one profile without pausing the other', async () => {
    const w = await makeWorld({
      home: () => ({ schedule: { mode: 'interval', everyHours: 1, catchUp: true } }),
      photos: () => ({ schedule: { mode: 'interval', everyHours: 1, catchUp: true } }),
    });
    await startTray(w);
    await notification('home: Backup finished');
    await notification('photos: Backup finished');
    await app!.idle();

    clickIn('photos', 'Until I Resume');
    await waitUntil('photos is paused', () =>
      sectionLabels('photos').includes('photos — Paused until you resume'),
    );
    expect(existsSync(join(w.stateDir('photos'), 'pause'))).toBe(true);
    expect(existsSync(join(w.stateDir('home'), 'pause'))).toBe(false);
    expect(sectionLabels('home')).not.toContain('Resume Backups');

    // An hour later home backs up again; photos stays paused.
    w.clock.advance(HOUR + MINUTE);
    await notification(/^home: Backup finished/, 2);
    expect((await notification('photos: Backup delayed')).body).toBe(
      'Backups are paused. It runs when backups are resumed.',
    );
    await app!.idle();
    expect(await snapshots(w.places.home!.dest)).toHaveLength(2);
    expect(await snapshots(w.places.photos!.dest)).toHaveLength(1);
    expect(trayIcon()).toBe('tray-paused-light.png');
    expect(tray().tooltip.split('\n')).toContain('photos: Paused until you resume');

    clickIn('photos', 'Resume Backups');
    await notification(/^photos: Backup finished/, 2);
    await app!.idle();
    expect(await snapshots(w.places.photos!.dest)).toHaveLength(2);
    expect(trayIcon()).toBe('tray-idle-light.png');
  });

  it('runs profiles that share a destination one after another on Back Up All Now', async () => {
    const shared = await makePlace();
    const photosSrc = await makeTempDir('st-photos-');
    await writeTree(photosSrc, { 'p.jpg': 'photo' });
    await writeTree(shared.src, { 'slow/blob': Buffer.alloc(2_000_000, 3) });
    const notDue = { schedule: { mode: 'daily', dailyAt: '03:00', catchUp: false } };
    const w = await makeWorld(
      {
        home: () => ({ ...notDue, rsync: { bandwidthLimit: 300 } }),
        photos: () => ({ ...notDue, sources: [photosSrc] }),
      },
      { home: shared, photos: { src: photosSrc, dest: shared.dest } },
    );
    await startTray(w);
    clickTop('Back Up All Now');
    await waitUntil(
      'home runs and photos waits for it',
      () =>
        sectionLabels('home')[0]!.startsWith('home — Backing up…') &&
        sectionLabels('photos')[0] === 'photos — Waiting for "home" to finish…',
    );
    // photos has not touched the destination while home's run goes on.
    expect((await readdir(shared.dest)).filter((n) => n.startsWith('photos-'))).toEqual([]);
    expect(await readHistory(w.stateDir('photos'))).toEqual([]);
    await notification('photos: Backup finished');
    await app!.idle();
    const names = await snapshots(shared.dest);
    expect(names.filter((n) => n.startsWith('home-'))).toHaveLength(1);
    expect(names.filter((n) => n.startsWith('photos-'))).toHaveLength(1);
    expect(summaries().filter((s) => s.endsWith('Backup finished'))).toEqual([
      'home: Backup finished',
      'photos: Backup finished',
    ]);
  });

  it('waits quietly for a USB disk that is not plugged in, and backs up once it is mounted', async () => {
    const mountPoint = join(await makeTempDir('st-usb-'), 'usb');
    await mkdir(mountPoint);
    const usbDest = join(mountPoint, 'snaptray');
    const w = await makeWorld(
      {
        home: () => ({ schedule: { mode: 'daily', dailyAt: '03:00', catchUp: false } }),
        usb: () => ({
          overdueDays: 1,
          schedule: { mode: 'interval', everyHours: 1, catchUp: true },
        }),
      },
      { usb: { src: (await makePlace()).src, dest: usbDest } },
    );
    // Its last backup was 23 hours ago, when the disk was plugged in.
    const before = new Date(w.clock.now().getTime() - 23 * HOUR);
    await mkdir(w.stateDir('usb'), { recursive: true, mode: 0o700 });
    await writeFile(
      join(w.stateDir('usb'), 'history.jsonl'),
      JSON.stringify({
        profile: 'usb',
        startedAt: before.toISOString(),
        endedAt: before.toISOString(),
        outcome: 'ok',
        exitCode: 0,
        rsyncExitCode: 0,
        files: 2,
        bytesSent: 900,
        snapshot: 'usb-2026-03-05-110000',
        logPath: null,
        error: null,
        warnings: [],
      }) + '\n',
    );
    await startTray(w);
    await waitUntil('usb waits for its disk', () =>
      sectionLabels('usb').includes(`Waiting for the disk of ${usbDest} to be plugged in`),
    );
    expect(trayIcon()).toBe('tray-idle-light.png');

    // Hours go by with the disk unplugged: no failure, no skip, only the overdue warning.
    for (let hour = 0; hour < 3; hour++) {
      // Each hour the profile reads its state (a menu) and waits for its disk again (another).
      const sets = fake.menuSets;
      w.clock.advance(HOUR);
      await waitUntil(`hour ${hour + 1} was looked at`, () => fake.menuSets >= sets + 2);
    }
    const overdue = await notification('usb: No backup for 1 day');
    expect(overdue.body).toBe(
      'The last successful backup was yesterday at 11:00. Choose Back Up Now in the menu.',
    );
    await waitUntil('the overdue icon', () => trayIcon() === 'tray-overdue-light.png');
    expect(sectionLabels('usb')).toContain(`Waiting for the disk of ${usbDest} to be plugged in`);
    expect(await readHistory(w.stateDir('usb'))).toHaveLength(1);
    expect(summaries().filter((s) => !s.startsWith('usb: No backup for'))).toEqual([]);

    // The disk is plugged in: a file system holding the destination and its marker.
    const disk = await mountTmpfsAt(mountPoint, 16);
    disks.push(disk);
    await mkdir(usbDest);
    await writeFile(join(usbDest, '.snaptray-destination'), 'snaptray destination\n');
    w.clock.advance(5000);
    await notification(/^usb: Backup finished/);
    await app!.idle();
    expect(await snapshots(usbDest)).toEqual([snapshotName('usb', w.clock.now())]);
    expect((await readHistory(w.stateDir('usb'))).map((h) => h.outcome)).toEqual(['ok', 'ok']);
    await waitUntil('the idle icon', () => trayIcon() === 'tray-idle-light.png');
    expect(fake.trays).toHaveLength(1);
  });
});
