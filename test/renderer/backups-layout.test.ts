/**
 * The Backups window at the sizes people use it: its smallest size, a narrow window, 200 % zoom,
 * large text; and a timeline of 300 snapshots read by time. Real Chromium over the real handlers,
 * the real CLI making the snapshots, and an sshd on loopback as the router.
 *
 * 200 % zoom is Chromium's own page zoom, as Electron's zoom (Ctrl +) and a desktop scale of 2
 * give it: the window's 820 × 520 device pixels are 410 × 260 CSS pixels at 2 device pixels each.
 * A browser context with that viewport and deviceScaleFactor 2 is the same thing (innerWidth 410,
 * devicePixelRatio 2, media queries and layout at 410 px). CSS `zoom` on the root would not be:
 * the window would still be 820 CSS pixels wide to the page.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { defaultProfile } from '../../core/settings/schema.js';
import { openConfStore, saveSettings } from '../../core/settings/store.js';
import { createBackupsApi, type BackupsApi } from '../../electron/backups/api.js';
import { answeredDialogs } from '../support/answered-dialogs.js';
import { launchChromium, type Chromium } from '../support/chromium.js';
import { makeCliHome, runCli, type CliHome } from '../support/cli.js';
import { profileSsh } from '../support/sshd.js';
import { makeTempDir, writeTree } from '../support/tree.js';
import { openBackupsWindow, type BackupsWindow } from '../support/window-page.js';
import {
  items,
  settled,
  machineParts,
  useBackupsWindowHarness,
  WAIT_MS,
} from '../support/backups-window-harness.js';

const run = promisify(execFile);
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'backups-layout');
const harness = useBackupsWindowHarness({ artifacts: ARTIFACTS });
/** The smallest window the main process allows (electron/backups/window.ts). */
const SMALLEST = { width: 820, height: 520 };
const LONG_NAME = `${'Quarterly report of the household budget, with every receipt '.repeat(3)}final.txt`;

let zoomed: Chromium;

interface World extends CliHome {
  src: string;
  destDir: string;
  api: BackupsApi;
}

/** A user with one snapshot over ssh, made by the CLI, of a folder with a long file name. */
async function makeWorld(): Promise<World> {
  const cli = await makeCliHome();
  const home = await makeTempDir('st-user-');
  const env = { ...cli.env, HOME: home };
  const src = join(home, 'src');
  await writeTree(src, {
    [LONG_NAME]: 'long\n',
    'notes.md': 'notes\n',
    'photos/cat.jpg': Buffer.alloc(4_000, 9),
  });
  const destDir = await makeTempDir('st-router-');
  const configFile = join(cli.configDir, 'Snaptray', 'config.json');
  await mkdir(dirname(configFile), { recursive: true });
  const store = await openConfStore(configFile);
  const profile = {
    ...defaultProfile(),
    sources: [src],
    destination: `${harness.sshd.user}@127.0.0.1:${destDir}`,
    prefix: 'box',
    ssh: { ...defaultProfile().ssh, ...profileSsh(harness.sshd), port: harness.sshd.port },
  };
  expect(saveSettings(store, { version: 1, profiles: { default: profile } }).ok).toBe(true);
  const user = { ...cli, env };
  for (const command of [['init'], ['backup']]) {
    const result = await runCli(command, user);
    expect(result.code, result.stderr).toBe(0);
  }
  const api = createBackupsApi({
    env,
    spawn: spawnProcess,
    ...machineParts(),
    openPath: async () => '',
    showItemInFolder: () => undefined,
    dialogs: answeredDialogs(),
    send: () => undefined,
    notify: async () => undefined,
    notificationIcon: null,
    busyRetryMs: 1000,
    longRestoreMs: 60_000,
  });
  return { ...user, src, destDir, api };
}

async function open(
  browser: Chromium,
  world: World,
  size: { width: number; height: number },
): Promise<BackupsWindow> {
  const win = await openBackupsWindow(
    browser.context,
    `${harness.server.url}backups.html`,
    harness.bridge,
    world.api,
    size,
  );
  // The window opens on the Overview; these tests begin at the snapshots.
  await win.page.getByRole('tab', { name: 'Snapshots' }).click();
  await items(win.page).first().waitFor({ timeout: WAIT_MS });
  return win;
}

/** Opens the folder the sources are in, as a double click does. */
async function openSources(page: Page, world: World): Promise<void> {
  await items(page).first().dblclick();
  await page.locator('.crumb-current', { hasText: world.src }).waitFor({ timeout: WAIT_MS });
  await settled(page);
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

async function box(locator: Locator): Promise<Box> {
  const b = await locator.boundingBox();
  if (b === null) throw new Error(`${String(locator)} is not shown`);
  return b;
}

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** What a user sees of the window's layout at one size, for the assertions below. */
async function layout(page: Page) {
  return page.evaluate(() => {
    const frame = document.querySelector('.window-frame')!;
    const tablist = document.querySelector('[role="tablist"]')!;
    const content = document.querySelector('.content')!.getBoundingClientRect();
    const tabs = tablist.getBoundingClientRect();
    return {
      switcher: frame.classList.contains('switcher'),
      orientation: tablist.getAttribute('aria-orientation'),
      /** The tabs above the page (a view switcher), or beside it (a sidebar). */
      tabsAbove: tabs.bottom <= content.top + 1 && content.width >= window.innerWidth - 1,
      tabsBeside: tabs.right <= content.left + 1,
      /** Nothing wider than the window: no part of a page is out of reach sideways. */
      overflowsSideways: document.documentElement.scrollWidth > window.innerWidth,
    };
  });
}

/**
 * Shows each page by its tab and checks the user can reach what it is for: the page shown, its
 * main control scrolled into view and inside the window.
 */
async function reachEveryPage(page: Page, shots: string | null): Promise<void> {
  const pages = [
    ['Snapshots', page.getByRole('listbox', { name: 'Items in this folder' })],
    ['History', page.getByRole('listbox', { name: 'Backup runs, newest first' })],
    ['Verify', page.getByRole('button', { name: 'Verify Backups' })],
  ] as const;
  const viewport = page.viewportSize()!;
  for (const [name, target] of pages) {
    const tab = page.getByRole('tab', { name });
    await tab.scrollIntoViewIfNeeded();
    const t = await box(tab);
    expect(t.x >= 0 && t.x + t.width <= viewport.width + 0.5, `${name} tab in the window`).toBe(
      true,
    );
    await tab.click();
    expect(await tab.getAttribute('aria-selected')).toBe('true');
    await target.first().waitFor({ timeout: WAIT_MS });
    await target.first().scrollIntoViewIfNeeded();
    const b = await box(target.first());
    expect(b.width, `${name}: its main part has width`).toBeGreaterThan(40);
    expect(b.x >= -0.5 && b.x + b.width <= viewport.width + 0.5, `${name}: inside the window`).toBe(
      true,
    );
    expect(b.y < viewport.height && b.y + b.height > 0, `${name}: scrolled into view`).toBe(true);
    if (shots !== null) await screenshot(page, `${shots}-${name.toLowerCase()}`);
  }
  await page.getByRole('tab', { name: 'Snapshots' }).click();
}

/** The ↑ button, the folder's path and the filter side by side or one under another, never on top. */
async function expectToolbarApart(page: Page): Promise<void> {
  const filter = await box(page.getByLabel('Filter names in this folder'));
  const path = page.locator('.path-bar button, .path-bar .crumb-current');
  expect(await path.count()).toBeGreaterThanOrEqual(3);
  for (const part of await path.all()) {
    const b = await box(part);
    const name = (await part.getAttribute('aria-label')) ?? (await part.textContent());
    expect(overlap(b, filter), `${name} ${JSON.stringify({ b, filter })}`).toBe(false);
  }
  expect(filter.width).toBeGreaterThan(80);
}

/** The width of the name cell of the long name's row, and whether the name shows whole. */
async function nameCell(page: Page) {
  const row = items(page).filter({ hasText: 'Quarterly report' });
  const cell = row.locator('.entry-name');
  const text = row.locator('.name-text');
  return {
    row,
    width: (await box(cell)).width,
    whole: () => text.evaluate((e) => e.scrollWidth <= e.clientWidth + 1 && e.clientWidth > 0),
    text: () => text.textContent(),
  };
}

/** The same windows at 200 % zoom: half as wide in CSS pixels. */
beforeAll(async () => {
  zoomed = await launchChromium({ deviceScaleFactor: 2 });
});
afterAll(async () => {
  await zoomed?.close();
});

describe('the Backups window at every size', () => {
  let world: World;
  beforeAll(async () => {
    world = await makeWorld();
  });

  it('at its smallest size keeps names readable and the filter clear of the ↑ button', async () => {
    const win = await open(harness.chromium, world, { width: 820, height: 600 });
    const { page } = win;
    await openSources(page, world);
    expect(await layout(page)).toMatchObject({ switcher: true, overflowsSideways: false });
    const name = await nameCell(page);
    expect(name.width).toBeGreaterThanOrEqual(120);
    // Cut short in its row, the long name shows whole under the pointer.
    expect(await name.whole()).toBe(false);
    await name.row.hover();
    expect(await name.whole()).toBe(true);
    expect(await name.text()).toBe(LONG_NAME);
    await expectToolbarApart(page);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `${scheme}-820`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await reachEveryPage(page, null);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('has a sidebar from 1000 px and a view switcher below, which reaches every page', async () => {
    const win = await open(harness.chromium, world, { width: 1280, height: 800 });
    const { page } = win;
    await openSources(page, world);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `${scheme}-1280`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1000, height: 700 });
    expect(await layout(page)).toMatchObject({
      switcher: false,
      orientation: 'vertical',
      tabsBeside: true,
    });
    expect((await nameCell(page)).width).toBeGreaterThanOrEqual(120);

    await page.setViewportSize({ width: 999, height: 700 });
    await page.locator('.window-frame.switcher').waitFor();
    expect(await layout(page)).toMatchObject({
      switcher: true,
      orientation: 'horizontal',
      tabsAbove: true,
      overflowsSideways: false,
    });
    // The timeline above the folder, not beside it.
    const timeline = await box(page.getByRole('listbox', { name: 'Snapshots, newest first' }));
    const files = await box(page.locator('.browser'));
    expect(timeline.y + timeline.height).toBeLessThanOrEqual(files.y + 1);
    await reachEveryPage(page, null);
    // The arrow keys walk the tabs across as they run.
    await page.getByRole('tab', { name: 'Snapshots' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'History' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByRole('tab', { name: 'Snapshots' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('at 200 % zoom of its smallest size reaches every page, nothing on top of another', async () => {
    const size = { width: SMALLEST.width / 2, height: SMALLEST.height / 2 };
    const win = await open(zoomed, world, size);
    const { page } = win;
    expect(await page.evaluate(() => [window.innerWidth, window.devicePixelRatio])).toEqual([
      410, 2,
    ]);
    await openSources(page, world);
    expect(await layout(page)).toMatchObject({
      switcher: true,
      tabsAbove: true,
      overflowsSideways: false,
    });
    await items(page).first().scrollIntoViewIfNeeded();
    await expectToolbarApart(page);
    const name = await nameCell(page);
    expect(name.width).toBeGreaterThanOrEqual(120);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await reachEveryPage(page, `${scheme}-200pct`);
    }
    // Narrower still (a 600 px window, as measured in the report, at 200 %): the filter goes under
    // the path.
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 300, height: 260 });
    await page.locator('.browser-toolbar').scrollIntoViewIfNeeded();
    await expectToolbarApart(page);
    expect(await layout(page)).toMatchObject({ overflowsSideways: false });
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('with large text (20 px) at its smallest size reaches every page, nothing on top', async () => {
    const win = await open(harness.chromium, world, { width: 820, height: 600 });
    const { page } = win;
    await openSources(page, world);
    const before = (await nameCell(page)).width;
    // The desktop's text size reaches the page as the root's font size; every size follows it.
    await page.evaluate(() => {
      document.documentElement.style.fontSize = '20px';
    });
    const text = await page
      .locator('.snapshot-time')
      .first()
      .evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    expect(text).toBe(20);
    expect(await layout(page)).toMatchObject({ switcher: true, overflowsSideways: false });
    await expectToolbarApart(page);
    expect((await nameCell(page)).width).toBeGreaterThanOrEqual(120);
    expect(before).toBeGreaterThanOrEqual(120);
    // At 1280 px too the large text leaves too little room for the sidebar and three panes.
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await layout(page)).toMatchObject({ switcher: true, overflowsSideways: false });
    await page.setViewportSize({ width: 820, height: 600 });
    await reachEveryPage(page, 'large-text');
    expect(win.problems).toEqual([]);
    await page.close();
  });
});

/** A snapshot name for a local time: `box-2026-03-15-004204` (PERSISTED format, snapshot-name.ts). */
function snapshotName(t: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `box-${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())}-${two(t.getHours())}${two(t.getMinutes())}${two(t.getSeconds())}`;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

describe('a timeline of 300 snapshots', () => {
  /** The moment the window takes as now (its clock is set to it): a Sunday morning. */
  const NOW = new Date(2026, 2, 15, 9, 0);
  const day = (y: number, m: number, d: number, h = 12, min = 0, s = 0) =>
    new Date(y, m - 1, d, h, min, s);
  /** No snapshots from 26 December to 3 January: the machine was away. */
  const away = (t: Date) => t >= day(2025, 12, 26, 0) && t < day(2026, 1, 4, 0);
  let world: World;
  /** Newest first. */
  let made: Array<{ name: string; time: Date; state: string }>;
  let browser: Chromium;

  beforeAll(async () => {
    world = await makeWorld();
    browser = await launchChromium();
    await browser.context.clock.setFixedTime(NOW);
    const real = (await run('ls', [world.destDir])).stdout
      .split('\n')
      .find((n) => /^box-\d{4}-\d\d-\d\d-\d{6}$/.test(n))!;
    const manifest = JSON.parse(
      await readFile(join(world.destDir, `${real}.snaptray.json`), 'utf8'),
    ) as Record<string, unknown>;
    // As manifests from before the sequence had generations: the timeline goes by time alone
    // (sequence.ts places a snapshot whose manifest cannot be read before every generation).
    delete manifest.generation;
    made = [
      { name: '', time: day(2026, 3, 15, 0, 42, 4), state: 'ok' },
      { name: '', time: day(2026, 3, 14, 18, 3), state: 'unfinished' },
      { name: '', time: day(2026, 3, 12, 14, 2), state: 'ok' },
      { name: '', time: day(2026, 3, 10, 9, 15), state: 'partial' },
    ];
    for (let t = day(2026, 3, 7); made.length < 300; t = new Date(t.getTime() - 86_400_000)) {
      if (away(t)) continue;
      const damaged = t.getMonth() === 1 && t.getDate() === 20;
      made.push({ name: '', time: new Date(t), state: damaged ? 'unknown' : 'ok' });
    }
    for (const m of made) m.name = snapshotName(m.time);
    // The real snapshot becomes the newest; the others are hard-linked copies of it, each with
    // its own manifest (none for the unfinished one, an unreadable one for the damaged one).
    await rename(join(world.destDir, real), join(world.destDir, made[0]!.name));
    await rm(join(world.destDir, `${real}.snaptray.json`));
    for (const [i, m] of made.entries()) {
      if (i > 0)
        await run('cp', ['-al', join(world.destDir, made[0]!.name), join(world.destDir, m.name)]);
      const file = join(world.destDir, `${m.name}.snaptray.json`);
      if (m.state === 'unfinished') continue;
      if (m.state === 'unknown') {
        await writeFile(file, '{"format": 1, "status": "ok"');
        continue;
      }
      const started = m.time.toISOString();
      const ended = new Date(m.time.getTime() + 60_000).toISOString();
      await writeFile(
        file,
        JSON.stringify({
          ...manifest,
          startedAt: started,
          endedAt: ended,
          status: m.state,
          rsyncExitCode: m.state === 'partial' ? 23 : 0,
        }),
      );
    }
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** The timeline's groups and rows as shown. */
  async function shownTimeline(page: Page) {
    return page.getByRole('listbox', { name: 'Snapshots, newest first' }).evaluate((list) =>
      Array.from(list.querySelectorAll('[role="group"]')).map((g) => ({
        title: g.querySelector('.group-heading')?.textContent ?? '',
        rows: Array.from(g.querySelectorAll('[role="option"]')).map((o) => ({
          time: o.querySelector('.snapshot-time')?.textContent ?? '',
          tooltip: o.querySelector('.snapshot-row')?.getAttribute('title') ?? '',
          badge: o.querySelector('.badge')?.textContent ?? null,
          note: o.querySelector('.snapshot-note')?.textContent ?? null,
        })),
      })),
    );
  }

  it('reads by time: today’s by day, older ones by month, badges only on what lacks files', async () => {
    const win = await open(browser, world, { width: 1280, height: 800 });
    const { page } = win;
    const groups = await shownTimeline(page);
    const rows = groups.flatMap((g) => g.rows);
    expect(rows).toHaveLength(300);
    // Each row's tooltip is its snapshot's name, newest first.
    expect(rows.map((r) => r.tooltip)).toEqual(made.map((m) => m.name));
    // The last week by day, then each month of the older snapshots, from their times.
    const older = made.filter((m) => m.time < day(2026, 3, 8, 0));
    const months = [
      ...new Set(older.map((m) => `${MONTHS[m.time.getMonth()]} ${m.time.getFullYear()}`)),
    ];
    expect(groups.map((g) => g.title)).toEqual([
      'Today',
      'Yesterday',
      'Thursday 12 March',
      'Tuesday 10 March',
      ...months,
    ]);
    expect(months[0]).toBe('March 2026');
    expect(months.at(-1)).toBe(
      `${MONTHS[made.at(-1)!.time.getMonth()]} ${made.at(-1)!.time.getFullYear()}`,
    );
    expect(rows.slice(0, 5).map((r) => r.time)).toEqual([
      'Today 00:42',
      'Yesterday 18:03',
      'Thursday 14:02',
      'Tuesday 09:15',
      '7 Mar 2026, 12:00',
    ]);
    // Badges only where files may be missing; the unreadable manifest is told in plain words.
    expect(rows.filter((r) => r.badge !== null).map((r) => [r.time, r.badge])).toEqual([
      ['Yesterday 18:03', 'unfinished'],
      ['Tuesday 09:15', 'partial'],
    ]);
    const damaged = rows.find((r) => r.tooltip === snapshotName(day(2026, 2, 20)))!;
    expect(damaged).toMatchObject({ time: '20 Feb 2026, 12:00', badge: null });
    expect(damaged.note).toBe(
      'The manifest of this snapshot cannot be read; its files are read as they are. (it is not valid JSON)',
    );
    expect(await page.locator('.state-badge.state-unknown').count()).toBe(0);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `${scheme}-300-snapshots`);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // A date jumps to that day's snapshot, scrolled into view and shown.
    const timeline = page.getByRole('listbox', { name: 'Snapshots, newest first' });
    const selected = timeline.locator('[role="option"][aria-selected="true"]');
    await page.getByLabel('Go to date').fill('2025-11-05');
    await expect
      .poll(() => selected.locator('.snapshot-row').getAttribute('title'))
      .toBe('box-2025-11-05-120000');
    const list = await box(page.locator('.timeline'));
    const row = await box(selected);
    expect(row.y >= list.y - 1 && row.y + row.height <= list.y + list.height + 1).toBe(true);
    await settled(page);
    expect(await page.locator('.jump-note').textContent()).toBe('');
    await screenshot(page, 'light-300-snapshots-jumped');
    // A day without one goes to the nearest.
    await page.getByLabel('Go to date').fill('2026-01-02');
    await expect
      .poll(() => selected.locator('.snapshot-row').getAttribute('title'))
      .toBe('box-2026-01-04-120000');
    expect(await page.locator('.jump-note').textContent()).toBe(
      'No snapshot that day: the nearest is 4 Jan 2026, 12:00.',
    );
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('says Yesterday for today’s snapshots once midnight passes, in a window left open', async () => {
    const late = await launchChromium();
    try {
      // Two minutes before midnight, the page's clock and timers in the test's hands.
      await late.context.clock.install({ time: day(2026, 3, 15, 23, 58) });
      const win = await open(late, world, { width: 1280, height: 800 });
      const { page } = win;
      const timeline = page.getByRole('listbox', { name: 'Snapshots, newest first' });
      const selected = timeline.locator('[role="option"][aria-selected="true"]');
      await page.getByLabel('Go to date').fill('2026-03-10');
      await expect
        .poll(() => selected.locator('.snapshot-row').getAttribute('title'))
        .toBe(made[3]!.name);
      const firstTwo = async () =>
        (await shownTimeline(page)).slice(0, 2).map((g) => [g.title, g.rows[0]?.time]);
      expect(await firstTwo()).toEqual([
        ['Today', 'Today 00:42'],
        ['Yesterday', 'Yesterday 18:03'],
      ]);
      await page.clock.runFor('03:00');
      expect(await firstTwo()).toEqual([
        ['Yesterday', 'Yesterday 00:42'],
        ['Saturday 14 March', 'Saturday 18:03'],
      ]);
      // The snapshot chosen stays chosen.
      expect(await selected.locator('.snapshot-row').getAttribute('title')).toBe(made[3]!.name);
      expect(win.problems).toEqual([]);
      await page.close();
    } finally {
      await late.close();
    }
  });

  it('writes times as the user’s locale does: a 12-hour clock in American English', async () => {
    const american = await launchChromium({ locale: 'en-US' });
    try {
      await american.context.clock.setFixedTime(NOW);
      const win = await open(american, world, { width: 1280, height: 800 });
      const rows = (await shownTimeline(win.page)).flatMap((g) => g.rows);
      // ICU puts a narrow no-break space before AM and PM.
      expect(rows.slice(0, 5).map((r) => r.time.replace(/\u202f/g, ' '))).toEqual([
        'Today 12:42 AM',
        'Yesterday 6:03 PM',
        'Thursday 2:02 PM',
        'Tuesday 9:15 AM',
        'Mar 7, 2026, 12:00 PM',
      ]);
      expect(win.problems).toEqual([]);
    } finally {
      await american.close();
    }
  });
});
