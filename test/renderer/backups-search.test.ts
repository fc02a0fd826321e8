/**
 * Finding files in the Backups window, in real Chromium over the real handlers, the restore
 * engine, rsync and an sshd on loopback, with snapshots made by the real CLI: a name searched in
 * every snapshot, a folder of 5,000 files filtered and walked by keyboard while only the rows
 * near the viewport are in the page, and several items restored into a folder in one go.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnProcess, type SpawnRequest } from '../../core/process.js';
import { defaultProfile } from '../../core/settings/schema.js';
import { openConfStore, saveSettings } from '../../core/settings/store.js';
import { createBackupsApi, type BackupsApi } from '../../electron/backups/api.js';
import type { BackupsEvent } from '../../electron/ipc/contract.js';
import { answeredDialogs, type AnsweredDialogs } from '../support/answered-dialogs.js';
import { lowContrastTexts } from '../support/contrast.js';
import { makeCliHome, runCli, type CliHome } from '../support/cli.js';
import { profileSsh } from '../support/sshd.js';
import { makeTempDir, writeTree } from '../support/tree.js';
import {
  browseTo,
  itemNames,
  items,
  machineParts,
  useBackupsWindowHarness,
  WAIT_MS,
} from '../support/backups-window-harness.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'backups-window');
const harness = useBackupsWindowHarness({ artifacts: ARTIFACTS });
const MANY = 5000;

interface World extends CliHome {
  src: string;
  api: BackupsApi;
  dialogs: AnsweredDialogs;
  /** Snapshot names, oldest first. */
  snapshots: string[];
  send: (event: BackupsEvent) => void;
  /** Every rsync call the app made. */
  spawned: SpawnRequest[];
}

const manyName = (i: number) => `file-${String(i).padStart(4, '0')}.txt`;

/**
 * Two snapshots made by the CLI: a report in two folders (the old one's folder gone in the
 * second), a folder of 5,000 files, and a folder to pick several items from.
 */
async function makeWorld(): Promise<World> {
  const cli = await makeCliHome();
  const home = await makeTempDir('st-user-');
  const env = { ...cli.env, HOME: home };
  const src = join(home, 'src');
  await mkdir(src);
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
  const init = await runCli(['init'], user);
  expect(init.code, init.stderr).toBe(0);

  await writeTree(src, {
    'docs/report.txt': 'first draft\n',
    'old/report-2025.txt': 'last year\n',
    'pick/a.txt': 'a\n',
    'pick/b.txt': 'bb\n',
    'pick/c.txt': 'ccc\n',
    'pick/sub/d.txt': 'dddd\n',
    'pick/e.txt': 'not chosen\n',
  });
  await writeTree(
    join(src, 'many'),
    Array.from({ length: MANY }, (_, i) => [manyName(i), `${i}\n`] as const),
  );
  await backup(user);
  await writeFile(join(src, 'docs/report.txt'), 'the final report, longer\n');
  await rm(join(src, 'old'), { recursive: true });
  await backup(user);

  const world: World = {
    ...user,
    src,
    dialogs: answeredDialogs(),
    snapshots: (await readdir(destDir)).filter((n) => /^box-\d{4}-\d\d-\d\d-\d{6}$/.test(n)).sort(),
    send: () => undefined,
    spawned: [],
    api: null as unknown as BackupsApi,
  };
  world.api = createBackupsApi({
    env,
    spawn: (req) => {
      world.spawned.push(req);
      return spawnProcess(req);
    },
    ...machineParts(),
    openPath: async () => '',
    showItemInFolder: () => undefined,
    dialogs: world.dialogs,
    send: (event) => world.send(event),
    notify: async () => undefined,
    notificationIcon: null,
    busyRetryMs: 1000,
    longRestoreMs: 60_000,
  });
  return world;
}

async function backup(user: CliHome): Promise<void> {
  const result = await runCli(['backup'], user);
  expect(result.code, result.stderr).toBe(0);
}

function row(page: Page, name: string) {
  return items(page).filter({
    has: page.locator('.name-text', { hasText: new RegExp(`^${name.replace(/\./g, '\\.')}$`) }),
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** Each theme: a screenshot, and every text readable (WCAG AA). */
async function bothThemes(page: Page, name: string): Promise<void> {
  const unreadable: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await screenshot(page, `${scheme}-${name}`);
    for (const low of await lowContrastTexts(page)) {
      unreadable.push(`${scheme}: "${low.text}" ${low.ratio}:1 (needs ${low.needed}:1)`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  expect(unreadable).toEqual([]);
}

function searchStatus(page: Page) {
  return page.locator('.search-status');
}

async function searchFor(page: Page, query: string): Promise<void> {
  const field = page.getByRole('searchbox', { name: 'Search all snapshots by name' });
  await field.fill(query);
  await field.press('Enter');
  await page.locator('.search-pane:not([aria-busy])').waitFor({ timeout: WAIT_MS });
}

describe('finding files in the Backups window', () => {
  let world: World;
  beforeAll(async () => {
    world = await makeWorld();
  });

  it('searches every snapshot by name, grouped by path with the snapshots holding each, and shows one’s versions', async () => {
    const win = await harness.openReady(world);
    const { page } = win;
    const [older, newer] = world.snapshots as [string, string];
    const before = world.spawned.length;

    await searchFor(page, 'REPORT');
    expect(await searchStatus(page).textContent()).toBe(
      '2 paths match “REPORT” in the 2 snapshots.',
    );
    // One search is one rsync call over the one connection.
    expect(world.spawned.slice(before).filter((r) => basename(r.file) === 'rsync')).toHaveLength(1);
    const results = page.locator('.search-result');
    expect(await results.evaluateAll((r) => r.map((e) => e.getAttribute('data-path')))).toEqual([
      join(world.src, 'docs/report.txt'),
      join(world.src, 'old/report-2025.txt'),
    ]);
    // Each path with the snapshots holding it, newest first (their times, their names on hover).
    const held = (i: number) =>
      results
        .nth(i)
        .locator('.search-snapshot')
        .evaluateAll((b) => b.map((e) => e.getAttribute('title')));
    expect(await held(0)).toEqual([newer, older]);
    expect(await held(1)).toEqual([older]);
    expect(await results.nth(0).locator('.search-held').textContent()).toBe('In 2 snapshots:');
    expect(await page.locator('.browser').isHidden()).toBe(true);
    await bothThemes(page, 'search-results');

    // Choosing a path shows it in the newest snapshot holding it, selected, with its versions.
    await page
      .getByRole('button', {
        name: /^report\.txt, file, in .*docs\/report\.txt, kept in 2 snapshots/,
      })
      .click();
    await page.locator('.versions-table').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('.details-name').textContent()).toBe('report.txt');
    expect(await page.locator('.versions h4').textContent()).toBe('2 versions in 2 snapshots');
    expect(await page.locator('.crumb-current').textContent()).toBe('docs');
    expect(await page.locator('.facts').textContent()).toContain(`Snapshot${newer}`);
    expect(await page.locator('.search-pane').isHidden()).toBe(true);

    // By keyboard: Down from the field to the first path and on, Up back, Right along its
    // snapshots, Enter chooses one.
    await searchFor(page, 'REPORT');
    const focused = () =>
      page.evaluate(() => {
        const e = document.activeElement;
        if (e?.matches('input.search-all')) return 'the search field';
        return e?.getAttribute('title') ?? e?.getAttribute('aria-label') ?? '';
      });
    await page.getByRole('searchbox', { name: 'Search all snapshots by name' }).press('ArrowDown');
    expect(await focused()).toMatch(/^report\.txt, file, in .*docs\/report\.txt/);
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toMatch(/^report-2025\.txt, file/);
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toMatch(/^report-2025\.txt, file/);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await focused()).toBe('the search field');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toBe(newer);
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toBe(older);
    await page.keyboard.press('Enter');
    await page.locator('.facts', { hasText: `Snapshot${older}` }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('.details-name').textContent()).toBe('report.txt');

    // A path only the older snapshot holds is shown there.
    await searchFor(page, 'report-*');
    expect(await searchStatus(page).textContent()).toBe(
      '1 path matches “report-*” in the 2 snapshots.',
    );
    await page
      .getByRole('button', { name: /^report-2025\.txt, file, in .*, kept in 1 snapshot/ })
      .click();
    await page
      .locator('.details-name', { hasText: 'report-2025.txt' })
      .waitFor({ timeout: WAIT_MS });
    await page.locator('.versions-table').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('.versions h4').textContent()).toBe('1 version in 2 snapshots');
    expect(await page.locator('.facts').textContent()).toContain(`Snapshot${older}`);
    expect(
      await page
        .getByRole('listbox', { name: 'Snapshots, newest first' })
        .locator('[aria-selected="true"]')
        .count(),
    ).toBe(1);

    // Found nowhere, and a pattern the engine refuses: said in words.
    await searchFor(page, 'no-such-name');
    expect(await searchStatus(page).textContent()).toBe(
      'No name matches “no-such-name” in the 2 snapshots.',
    );
    await searchFor(page, 'docs/report');
    expect(await searchStatus(page).textContent()).toBe(
      'The search could not be done. The pattern "docs/report" holds "/": it matches a file or folder name, not a path.',
    );
    // Back to the folder: the browser again.
    await page.getByRole('button', { name: 'Back to the Folder' }).click();
    expect(await page.locator('.browser').isVisible()).toBe(true);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('filters a folder of 5,000 files, with only the rows near the viewport in the page', async () => {
    const win = await harness.openReady(world);
    const { page } = win;
    await browseTo(page, world, 'many');
    expect(await page.locator('.browse-status').textContent()).toBe('5,000 items');
    const inPage = await items(page).count();
    expect(inPage).toBeGreaterThan(10);
    expect(inPage).toBeLessThan(60);
    expect(await items(page).first().getAttribute('aria-setsize')).toBe('5000');
    // Every name shows its full text on hover.
    expect(await row(page, 'file-0003.txt').locator('.name-text').getAttribute('title')).toBe(
      'file-0003.txt',
    );

    const filter = page.getByRole('searchbox', { name: 'Filter names in this folder' });
    await filter.pressSequentially('file-12');
    await page
      .locator('.browse-status', { hasText: '100 names match “file-12”.' })
      .waitFor({ timeout: WAIT_MS });
    // A hundred matches: only the rows near the viewport are in the page, in order.
    expect(await items(page).first().getAttribute('aria-setsize')).toBe('100');
    const shownOf100 = await items(page).count();
    expect(shownOf100).toBeLessThan(60);
    expect(await itemNames(page)).toEqual(
      Array.from({ length: shownOf100 }, (_, i) => manyName(1200 + i)),
    );
    await filter.fill('file-4');
    await page
      .locator('.browse-status', { hasText: '1,000 names match “file-4”.' })
      .waitFor({ timeout: WAIT_MS });
    expect(await items(page).first().getAttribute('aria-setsize')).toBe('1000');
    expect((await itemNames(page))[0]).toBe('file-4000.txt');
    expect(await items(page).count()).toBeLessThan(60);
    await bothThemes(page, 'filter-5000');

    // The keyboard walks the whole list: End reaches the last row, far below the viewport.
    await filter.fill('');
    await page.locator('.browse-status', { hasText: /^5,000 items$/ }).waitFor();
    await items(page).first().click();
    await page.keyboard.press('End');
    const focused = page.locator('[role="option"]:focus');
    expect(await focused.getAttribute('aria-label')).toMatch(/^file-4999\.txt, file, 5 bytes/);
    expect(await focused.getAttribute('aria-posinset')).toBe('5000');
    expect(await focused.getAttribute('aria-selected')).toBe('true');
    await page.locator('.details-name', { hasText: 'file-4999.txt' }).waitFor();
    await page.keyboard.press('ArrowUp');
    expect(await focused.getAttribute('aria-label')).toMatch(/^file-4998\.txt/);
    await page.keyboard.press('PageUp');
    const afterPage = Number(await focused.getAttribute('aria-posinset'));
    expect(afterPage).toBeLessThan(4999);
    expect(afterPage).toBeGreaterThan(4980);
    await page.keyboard.press('Home');
    expect(await focused.getAttribute('aria-label')).toMatch(/^file-0000\.txt/);
    expect(await items(page).count()).toBeLessThan(60);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('filters once typing pauses where filtering takes longer than a frame', async () => {
    const win = await harness.openReady(world);
    const { page } = win;
    await browseTo(page, world, 'many');
    await page.locator('.browse-status', { hasText: /^5,000 items$/ }).waitFor();
    // A machine fifty times slower: filtering 5,000 names now takes longer than a frame.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 50 });
    try {
      // Nine keys typed faster than the list can follow, as one burst.
      await page.evaluate((typed) => {
        const w = window as unknown as { __shown: string[] };
        w.__shown = [];
        const status = document.querySelector('.browse-status') as HTMLElement;
        new MutationObserver(() => w.__shown.push(status.textContent ?? '')).observe(status, {
          childList: true,
          characterData: true,
          subtree: true,
        });
        const box = document.querySelector('input.filter') as HTMLInputElement;
        for (let i = 1; i <= typed.length; i++) {
          box.value = typed.slice(0, i);
          box.dispatchEvent(new Event('input', { bubbles: true }));
        }
      }, 'file-1234');
      await page
        .locator('.browse-status', { hasText: '1 name matches “file-1234”.' })
        .waitFor({ timeout: WAIT_MS });
    } finally {
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    }
    // The first key filtered at once, the other eight once typing paused: two filters, not nine.
    const shown = await page.evaluate(() => (window as unknown as { __shown: string[] }).__shown);
    expect(shown).toEqual([
      '5,000 items 5,000 names match “f”.',
      '5,000 items 1 name matches “file-1234”.',
    ]);
    expect(await itemNames(page)).toEqual(['file-1234.txt']);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('selects three files and a folder and restores them into a folder in one go', async () => {
    const win = await harness.openReady(world);
    const { page } = win;
    const elsewhere = await makeTempDir('st-elsewhere-');
    await browseTo(page, world, 'pick');
    expect(await itemNames(page)).toEqual(['sub', 'a.txt', 'b.txt', 'c.txt', 'e.txt']);

    // Ctrl+A selects every item; Shift with the arrows a range; Ctrl-click adds one.
    await row(page, 'sub').click();
    await page.keyboard.press('Control+a');
    await page.locator('.several-count', { hasText: '5 items selected' }).waitFor();
    await row(page, 'a.txt').click();
    await page.locator('.details-name', { hasText: 'a.txt' }).waitFor();
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.locator('.several-count', { hasText: '3 items selected' }).waitFor();
    await row(page, 'sub').click({ modifiers: ['Control'] });
    await page.locator('.several-count', { hasText: '4 items selected' }).waitFor();
    expect(
      await page.locator('.several-list li').evaluateAll((l) => l.map((e) => e.textContent ?? '')),
    ).toEqual(['sub', 'a.txt', 'b.txt', 'c.txt']);
    expect(
      await items(page).evaluateAll(
        (rows) => rows.filter((r) => r.getAttribute('aria-selected') === 'true').length,
      ),
    ).toBe(4);
    await bothThemes(page, 'several-selected');

    world.dialogs.folders.push(elsewhere);
    await page
      .getByRole('button', { name: 'Restore the 4 items selected into another folder' })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor({ timeout: WAIT_MS });
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await dialog.getByRole('heading', { name: 'Restored 4 items' }).waitFor({ timeout: WAIT_MS });
    await dialog.getByRole('button', { name: 'Close' }).click();
    // One folder dialog for all four, and all four are there.
    expect(world.dialogs.folderDialogs).toHaveLength(1);
    expect((await readdir(elsewhere)).sort()).toEqual(['a.txt', 'b.txt', 'c.txt', 'sub']);
    expect(await readFile(join(elsewhere, 'a.txt'), 'utf8')).toBe('a\n');
    expect(await readFile(join(elsewhere, 'b.txt'), 'utf8')).toBe('bb\n');
    expect(await readFile(join(elsewhere, 'c.txt'), 'utf8')).toBe('ccc\n');
    expect(await readFile(join(elsewhere, 'sub/d.txt'), 'utf8')).toBe('dddd\n');
    expect(win.problems).toEqual([]);
    await page.close();
  });
});
