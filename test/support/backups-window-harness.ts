/**
 * What every Backups-window test in Chromium sets up once per file: the windows built into a
 * temporary folder and served over loopback, the bridge, Chromium, and (unless a file needs no
 * router) an sshd on loopback; a screenshot of the running test's page when it fails. With the
 * page helpers those tests share.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { openConfStore } from '../../core/settings/store.js';
import type { BackupsApi } from '../../electron/backups/api.js';
import type { BackupsEvent } from '../../electron/ipc/contract.js';
import { launchChromium, type Chromium, type ChromiumOptions } from './chromium.js';
import { startSshd, type Sshd } from './sshd.js';
import {
  buildBridge,
  buildWindows,
  openBackupsWindow,
  serveFolder,
  type BackupsWindow,
  type StaticServer,
} from './window-page.js';

/** ssh and rsync on a machine shared with other work: generous, never a real wait. */
export const WAIT_MS = 90_000;
/** The size the main process opens the window at. */
export const WINDOW_SIZE = { width: 1100, height: 760 };

export interface BackupsWindowHarnessOptions {
  /** Where a failed test's screenshot goes (created before the tests). */
  artifacts: string;
  chromium?: ChromiumOptions;
  /** Start an sshd on loopback as the router (the default). */
  sshd?: boolean;
  /** Runs after each test, after the failure screenshot. */
  afterEach?: () => Promise<void> | void;
}

export interface BackupsWindowHarness {
  readonly chromium: Chromium;
  readonly server: StaticServer;
  readonly bridge: string;
  readonly sshd: Sshd;
  readonly builtDir: string;
  /**
   * Opens the Backups window over `world.api` and points `world.send` at it; the page is the one
   * shown in a screenshot if the test fails. The window opens on the Overview; unless
   * `atSnapshots` is false, this clicks the "Snapshots" tab.
   */
  open(
    world: { api: BackupsApi; send: (event: BackupsEvent) => void },
    options?: { atSnapshots?: boolean },
  ): Promise<BackupsWindow>;
  /** Opens the window at the snapshots and waits until the first folder is listed. */
  openReady(world: {
    api: BackupsApi;
    send: (event: BackupsEvent) => void;
  }): Promise<BackupsWindow>;
}

export function useBackupsWindowHarness(
  options: BackupsWindowHarnessOptions,
): BackupsWindowHarness {
  let chromium: Chromium | undefined;
  let server: StaticServer | undefined;
  let bridge: string | undefined;
  let sshd: Sshd | undefined;
  let builtDir: string | undefined;
  /** The page of the running test, shown in a screenshot when the test fails. */
  let lastPage: Page | null = null;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'st-window-'));
    builtDir = dir;
    await mkdir(options.artifacts, { recursive: true });
    [, bridge, chromium, sshd] = await Promise.all([
      buildWindows(dir),
      buildBridge(),
      launchChromium(options.chromium),
      options.sshd === false ? undefined : startSshd(),
    ]);
    server = await serveFolder(dir);
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail' && lastPage !== null && !lastPage.isClosed()) {
      const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      await lastPage
        .screenshot({ path: join(options.artifacts, `failed-${name}.png`) })
        .catch(() => undefined);
    }
    lastPage = null;
    await options.afterEach?.();
  });
  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    await sshd?.stop();
    if (builtDir) await rm(builtDir, { recursive: true, force: true });
  });

  function ready<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`${what} is not started: use it inside a test`);
    return value;
  }

  return {
    get chromium() {
      return ready(chromium, 'Chromium');
    },
    get server() {
      return ready(server, 'the window server');
    },
    get bridge() {
      return ready(bridge, 'the bridge');
    },
    get sshd() {
      return ready(sshd, 'sshd (pass sshd: true)');
    },
    get builtDir() {
      return ready(builtDir, 'the built windows');
    },
    async open(world, { atSnapshots = true } = {}) {
      const win = await openBackupsWindow(
        ready(chromium, 'Chromium').context,
        `${ready(server, 'the window server').url}backups.html`,
        ready(bridge, 'the bridge'),
        world.api,
        WINDOW_SIZE,
      );
      world.send = (event) => void win.emit(event).catch(() => undefined);
      lastPage = win.page;
      if (atSnapshots) await win.page.getByRole('tab', { name: 'Snapshots' }).click();
      return win;
    },
    async openReady(world) {
      const win = await this.open(world);
      await items(win.page).first().waitFor({ timeout: WAIT_MS });
      return win;
    },
  };
}

/** The items of the folder shown. */
export function items(page: Page): Locator {
  return page.getByRole('listbox', { name: 'Items in this folder' }).getByRole('option');
}

/** The snapshots of the timeline, newest first. */
export function snapshotRows(page: Page): Locator {
  return page.getByRole('listbox', { name: 'Snapshots, newest first' }).getByRole('option');
}

/** The names of the folder's items, as shown. */
export function itemNames(page: Page): Promise<string[]> {
  return items(page).evaluateAll((rows) =>
    rows.map((r) => r.querySelector('.name-text')?.textContent ?? ''),
  );
}

/** Waits until the folder shown is listed. */
export async function settled(page: Page): Promise<void> {
  await page.locator('.browser:not([aria-busy])').waitFor({ timeout: WAIT_MS });
}

/** Double-clicks the first item whose name contains `name`. */
export async function doubleClickItem(page: Page, name: string): Promise<void> {
  await items(page)
    .filter({ has: page.locator('.name-text', { hasText: name }) })
    .first()
    .dblclick();
}

/** Opens a folder of the list by its name, as a double click does, and waits until it is listed. */
export async function openFolder(page: Page, name: string): Promise<void> {
  await doubleClickItem(page, name);
  await page.locator('.crumb-current').filter({ hasText: name }).waitFor({ timeout: WAIT_MS });
  await settled(page);
}

/** From the sources, opens the folder `world.src`, then each folder named in turn. */
export async function browseTo(
  page: Page,
  world: { src: string },
  ...folders: string[]
): Promise<void> {
  await openFolder(page, world.src);
  for (const f of folders) await openFolder(page, f);
}

/** Selects the item with exactly this name and waits until its details show. */
export async function selectItem(page: Page, name: string): Promise<void> {
  const whole = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  await items(page)
    .filter({ has: page.locator('.name-text', { hasText: whole }) })
    .click();
  await page.locator('.details-name', { hasText: name }).waitFor({ timeout: WAIT_MS });
}

/** What the Backups handlers take from this machine: the settings file, its clock, its name, timers. */
export function machineParts() {
  return {
    openBackend: openConfStore,
    now: () => new Date(),
    hostname: hostname(),
    timers: {
      setTimer: (ms: number, fn: () => void) => setTimeout(fn, ms),
      clearTimer: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
    },
  };
}
