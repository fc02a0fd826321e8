/**
 * The Backups window's Overview page and the running backup at the top of the timeline, in real
 * Chromium, over the real handlers of the main process with the real tray app as the source of
 * its state (electron itself replaced by the recording stand-in), real rsync and an sshd on
 * loopback as the router.
 */
import { readdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { openConfStore } from '../../core/settings/store.js';
import { readHistory } from '../../core/state/history.js';
import { createBackupsApi, type BackupsApi } from '../../electron/backups/api.js';
import type { BackupStatus, BackupsEvent } from '../../electron/ipc/contract.js';
import { autostartFile } from '../../electron/tray/autostart.js';
import { createTrayApp, systemClock, type TrayApp } from '../../electron/tray/tray-app.js';
import { whenInText, whenWords } from '../../renderer/backups/status-words.js';
import { answeredDialogs } from '../support/answered-dialogs.js';
import { launchChromium } from '../support/chromium.js';
import { lowContrastTexts } from '../support/contrast.js';
import { makeCliHome, runCli, writeSettingsFile, type CliHome } from '../support/cli.js';
import { resetFake } from '../support/fake-electron.js';
import { profileSsh } from '../support/sshd.js';
import { makeTempDir, writeTree } from '../support/tree.js';
import { openBackupsWindow, type BackupsWindow } from '../support/window-page.js';
import {
  useBackupsWindowHarness,
  WAIT_MS,
  WINDOW_SIZE,
} from '../support/backups-window-harness.js';

vi.mock('electron', async () => {
  const module = await import('../support/fake-electron.js');
  return { ...module.electronModule, default: module.electronModule };
});

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'backups-window');
/** The page words times in its locale; the expectations are worded here, in this process's. */
const LOCALE = new Intl.DateTimeFormat().resolvedOptions().locale;
const harness = useBackupsWindowHarness({
  artifacts: ARTIFACTS,
  chromium: { locale: LOCALE },
  afterEach: stopRunning,
});

const running: Array<{ tray: TrayApp; api: BackupsApi }> = [];

/** Shuts down every tray app a test started, and its window's handlers. */
async function stopRunning(): Promise<void> {
  for (const { tray, api } of running.splice(0)) {
    await tray.shutdown();
    await api.dispose();
  }
}

interface World extends CliHome {
  stateDir: string;
  destDir: string;
  tray: TrayApp;
  api: BackupsApi;
  settingsOpened: number;
  send: (event: BackupsEvent) => void;
}

/**
 * A user whose destination on the test router is initialised and empty, with the tray app
 * running; `bandwidthLimit` (KB/s) keeps a run going long enough to be seen and stopped.
 */
async function makeWorld(bandwidthLimit: number): Promise<World> {
  resetFake();
  const home = await makeCliHome();
  const env = { ...home.env, HOME: dirname(home.configDir) };
  const src = await makeTempDir('st-src-');
  const destDir = await makeTempDir('st-router-');
  const configFile = join(home.configDir, 'Snaptray', 'config.json');
  await writeSettingsFile(configFile, {
    default: {
      sources: [src],
      destination: `${harness.sshd.user}@127.0.0.1:${destDir}`,
      prefix: 'box',
      ssh: profileSsh(harness.sshd),
      schedule: { mode: 'daily', dailyAt: '03:00', catchUp: false },
      ...(bandwidthLimit > 0 ? { rsync: { bandwidthLimit } } : {}),
    },
  });
  const user = { ...home, env };
  expect((await runCli(['init'], user)).code).toBe(0);
  await writeTree(src, { 'a.txt': 'alpha\n', 'big/blob.bin': Buffer.alloc(2_000_000, 4) });
  const world = {
    ...user,
    stateDir: join(home.stateDir, 'snaptray', 'default'),
    destDir,
  } as unknown as World;
  world.settingsOpened = 0;
  world.send = () => undefined;
  world.tray = createTrayApp({
    env,
    clock: systemClock,
    spawn: spawnProcess,
    hostname: 'testhost',
    assetsDir: '/opt/snaptray/assets',
    notificationIcon: '/opt/snaptray/assets/snaptray.png',
    openBackend: openConfStore,
    notify: () => Promise.resolve(),
    openSettings: () => world.settingsOpened++,
    openBackups: () => undefined,
    onSettingsChanged: () => undefined,
    autostartFile: autostartFile(env, env.HOME ?? '/'),
    launchCommand: ['/opt/snaptray/snaptray'],
    quit: () => undefined,
  });
  world.api = createBackupsApi({
    env,
    spawn: spawnProcess,
    openBackend: openConfStore,
    now: () => new Date(),
    hostname: 'testhost',
    timers: {
      setTimer: (ms, fn) => setTimeout(fn, ms),
      clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
    },
    openPath: async () => '',
    showItemInFolder: () => undefined,
    dialogs: answeredDialogs(),
    send: (event) => world.send(event),
    notify: () => Promise.resolve(),
    notificationIcon: null,
    status: world.tray.status,
  });
  running.push({ tray: world.tray, api: world.api });
  await world.tray.start();
  return world;
}

async function open(world: World): Promise<BackupsWindow> {
  // The Overview, where the window opens.
  const win = await harness.open(world, { atSnapshots: false });
  return win;
}

async function status(world: World): Promise<BackupStatus> {
  const answer = await world.api.handlers.loadStatus();
  if (!answer.ok) throw new Error(answer.message);
  return answer.value;
}

function overview(page: Page) {
  return page.getByRole('tabpanel', { name: 'Overview' });
}

function runningRow(page: Page) {
  return page.getByRole('group', { name: 'The backup running now' });
}

/** Light and dark screenshots of what is shown, every text readable in both (WCAG AA). */
async function screenshots(page: Page, name: string): Promise<void> {
  const unreadable: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: join(ARTIFACTS, `${scheme}-${name}.png`) });
    for (const low of await lowContrastTexts(page)) {
      unreadable.push(`${scheme}: "${low.text}" ${low.ratio}:1 (needs ${low.needed}:1)`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  expect(unreadable).toEqual([]);
}

async function snapshots(destDir: string): Promise<string[]> {
  const names = await readdir(destDir);
  return names.filter((n) => /^box-\d{4}-\d\d-\d\d-\d{6}$/.test(n));
}

describe('the Overview page and the running backup', () => {
  it('says "No backups yet" with Back Up Now and the next backup, then follows the backup to its end', async () => {
    const world = await makeWorld(400);
    const { page, problems } = await open(world);
    const first = await status(world);
    expect(first.next).not.toBeNull();

    // The window opens on the Overview: nothing made yet, and when the first backup comes.
    const panel = overview(page);
    await panel.getByRole('heading', { name: 'No backups yet' }).waitFor({ timeout: WAIT_MS });
    await expect
      .poll(() => panel.textContent())
      .toContain(`The first backup is planned for ${whenInText(first.next!, new Date())}.`);
    expect(await panel.textContent()).toContain(`Next backup${whenWords(first.next!, new Date())}`);
    expect(await panel.getByRole('button', { name: 'Stop the backup' }).count()).toBe(0);
    await screenshots(page, 'overview-empty');

    // Back Up Now: the page follows the run live, with its progress and Stop.
    await panel.getByRole('button', { name: 'Back Up Now' }).click();
    await panel.getByRole('heading', { name: 'Backing up…' }).waitFor({ timeout: WAIT_MS });
    await expect
      .poll(() => panel.locator('.overview-summary').textContent(), { timeout: WAIT_MS })
      .toMatch(/[KM]B/);
    expect(await panel.getByRole('button', { name: 'Back Up Now' }).count()).toBe(0);
    await screenshots(page, 'overview-running');

    // The timeline shows it as its top row, above the (still empty) list of snapshots.
    await page.getByRole('tab', { name: 'Snapshots' }).click();
    const row = runningRow(page);
    await row.waitFor({ timeout: WAIT_MS });
    await expect.poll(() => row.textContent(), { timeout: WAIT_MS }).toMatch(/Backing up….*[KM]B/);
    expect(await row.getByRole('button', { name: 'Stop the backup' }).isEnabled()).toBe(true);
    await screenshots(page, 'timeline-running-row');

    // When it ends, the row is gone and the new snapshot takes its place.
    await row.waitFor({ state: 'hidden', timeout: WAIT_MS });
    const [made] = await snapshots(world.destDir);
    expect(made).toBeDefined();
    await page
      .getByRole('listbox', { name: 'Snapshots, newest first' })
      .getByRole('option')
      .first()
      .waitFor({ timeout: WAIT_MS });
    expect(
      await page
        .getByRole('listbox', { name: 'Snapshots, newest first' })
        .getByRole('option')
        .count(),
    ).toBe(1);

    // The Overview says when the last good backup was.
    const [run] = await readHistory(world.stateDir);
    expect(run?.outcome).toBe('ok');
    await page.getByRole('tab', { name: 'Overview' }).click();
    await panel.getByRole('heading', { name: 'Backed up' }).waitFor({ timeout: WAIT_MS });
    expect(await panel.textContent()).toContain(
      `The last backup finished ${whenInText(run!.endedAt, new Date())}.`,
    );
    expect(await panel.textContent()).toContain(
      `Last backup${whenWords(run!.endedAt, new Date())}`,
    );
    await screenshots(page, 'overview-backed-up');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('stops the running backup from the row’s Stop: the history says cancelled', async () => {
    const world = await makeWorld(200);
    const { page, problems } = await open(world);
    await overview(page).getByRole('button', { name: 'Back Up Now' }).click();
    await page.getByRole('tab', { name: 'Snapshots' }).click();
    const row = runningRow(page);
    await expect.poll(() => row.textContent(), { timeout: WAIT_MS }).toMatch(/[KM]B/);
    await row.getByRole('button', { name: 'Stop the backup' }).click();
    await row.waitFor({ state: 'hidden', timeout: WAIT_MS });
    expect((await readHistory(world.stateDir)).map((h) => h.outcome)).toEqual(['cancelled']);
    expect((await status(world)).run).toBeNull();
    await page.getByRole('tab', { name: 'Overview' }).click();
    await overview(page)
      .getByRole('heading', { name: 'No backups yet' })
      .waitFor({ timeout: WAIT_MS });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a failed last run in words with Try Again and Open Settings', async () => {
    const world = await makeWorld(0);
    // The destination's marker gone, as when the disk behind the folder is not mounted.
    const marker = join(world.destDir, '.snaptray-destination');
    await rename(marker, `${marker}.away`);
    const { page, problems } = await open(world);
    const panel = overview(page);
    await panel.getByRole('button', { name: 'Back Up Now' }).click();
    await panel
      .getByRole('heading', { name: 'The last backup failed' })
      .waitFor({ timeout: WAIT_MS });
    const failure = (await status(world)).lastFailure;
    expect(failure).not.toBeNull();
    expect(await panel.textContent()).toContain(failure!.reason);
    expect(failure!.reason).toContain('.snaptray-destination');
    await screenshots(page, 'overview-failed');

    await panel.getByRole('button', { name: 'Open Settings…' }).click();
    await expect.poll(() => world.settingsOpened).toBe(1);

    // Put right, Try Again backs up.
    await rename(`${marker}.away`, marker);
    await panel.getByRole('button', { name: 'Try Again' }).click();
    await panel.getByRole('heading', { name: 'Backed up' }).waitFor({ timeout: WAIT_MS });
    expect((await readHistory(world.stateDir)).map((h) => h.outcome)).toEqual(['failed', 'ok']);
    expect(await snapshots(world.destDir)).toHaveLength(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('words the last backup again once midnight passes, in a window left open', async () => {
    const world = await makeWorld(0);
    const first = await open(world);
    await overview(first.page).getByRole('button', { name: 'Back Up Now' }).click();
    await overview(first.page)
      .getByRole('heading', { name: 'Backed up' })
      .waitFor({ timeout: WAIT_MS });
    await first.page.close();
    const ended = (await status(world)).lastBackup!.endedAt;

    // A window opened now, its clock and timers in the test's hands, is left open past midnight.
    const late = await launchChromium({ locale: LOCALE });
    try {
      const now = new Date();
      await late.context.clock.install({ time: now });
      const { page, problems } = await openBackupsWindow(
        late.context,
        `${harness.server.url}backups.html`,
        harness.bridge,
        world.api,
        WINDOW_SIZE,
      );
      const lastBackup = () =>
        overview(page).locator('.overview-fact', { hasText: 'Last backup' }).locator('.fact-value');
      // "Today 15:35 — 2 files, 2.0 MB sent"
      await expect
        .poll(() => lastBackup().textContent())
        .toMatch(new RegExp(`^${whenWords(ended, now)} — \\d`));
      const before = (await lastBackup().textContent())!;
      const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
      const after = new Date(midnight.getTime() + 120_000);
      await page.clock.runFor(after.getTime() - now.getTime());
      expect(whenWords(ended, after)).not.toBe(whenWords(ended, now));
      expect(await lastBackup().textContent()).toBe(
        before.replace(whenWords(ended, now), whenWords(ended, after)),
      );
      expect(problems).toEqual([]);
    } finally {
      await late.close();
    }
  });
});
