/**
 * The Backups window's chooser in real Chromium, over the real handlers: every profile of the
 * settings file, and every machine on the chosen profile's destination. The snapshots are made by
 * the real CLI: this machine's, and another machine's (its own host name and machine id, in a
 * namespace), whose only backup was made with its clock 30 days back, so it is overdue.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { createBackupsApi, type BackupsApi } from '../../electron/backups/api.js';
import type { BackupsEvent } from '../../electron/ipc/contract.js';
import { answeredDialogs, type AnsweredDialogs } from '../support/answered-dialogs.js';
import { makeCliHome, runCli, runCliOn, writeSettingsFile, type CliHome } from '../support/cli.js';
import { makeTempDir, writeTree } from '../support/tree.js';
import type { BackupsWindow } from '../support/window-page.js';
import {
  itemNames,
  items,
  openFolder,
  machineParts,
  useBackupsWindowHarness,
  WAIT_MS,
} from '../support/backups-window-harness.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'backups-machines');
const harness = useBackupsWindowHarness({ artifacts: ARTIFACTS, sshd: false });
const FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

interface World {
  /** This machine's home: two profiles, "default" (docs, to the shared destination) and "photos". */
  me: CliHome;
  src: string;
  shared: string;
  photosDest: string;
  /** The other machine's source folder and its letter, backed up to the shared destination. */
  otherSrc: string;
  letter: Buffer;
  dialogs: AnsweredDialogs;
  api: BackupsApi;
  send: (event: BackupsEvent) => void;
}

async function ok(run: Promise<{ code: number | null; stderr: string }>): Promise<void> {
  const result = await run;
  expect(result.code, result.stderr).toBe(0);
}

async function makeWorld(): Promise<World> {
  const me = await makeCliHome();
  const home = await makeTempDir('st-user-');
  me.env = { ...me.env, HOME: home };
  const src = join(home, 'src');
  await writeTree(src, {
    'docs/report.txt': 'my report\n',
    'photos/cat.jpg': Buffer.alloc(2_000, 7),
  });
  const shared = await makeTempDir('st-shared-');
  const photosDest = await makeTempDir('st-photos-');
  await writeSettingsFile(join(me.configDir, 'Snaptray', 'config.json'), {
    default: { destination: shared, prefix: 'box', sources: [join(src, 'docs')] },
    photos: { destination: photosDest, prefix: 'box-photos', sources: [join(src, 'photos')] },
  });
  await ok(runCli(['init'], me));
  await ok(runCli(['backup'], me));
  await ok(runCli(['init', '--profile', 'photos'], me));
  await ok(runCli(['backup', '--profile', 'photos'], me));

  // Another machine of the household backs up to the same destination, once, 30 days ago by its
  // clock: with its schedule of a day, it is overdue.
  const other = await makeCliHome();
  const otherHome = await makeTempDir('st-other-');
  const otherSrc = join(otherHome, 'letters');
  const letter = Buffer.from('Dear Ann,\nthe other machine wrote this.\n');
  await writeTree(otherSrc, { 'letter.txt': letter });
  other.env = {
    ...other.env,
    HOME: otherHome,
    LD_PRELOAD: FAKETIME,
    FAKETIME: '-30d',
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
  await writeSettingsFile(join(other.configDir, 'Snaptray', 'config.json'), {
    default: { destination: shared, prefix: 'otherbox', sources: [otherSrc] },
  });
  const machineId = join(otherHome, 'machine-id');
  await writeFile(machineId, '0123456789abcdef0123456789abcdef\n');
  await ok(runCliOn({ host: 'otherlaptop', machineId }, ['backup'], other));

  const world: World = {
    me,
    src,
    shared,
    photosDest,
    otherSrc,
    letter,
    dialogs: answeredDialogs(),
    send: () => undefined,
    api: null as unknown as BackupsApi,
  };
  world.api = createBackupsApi({
    env: me.env,
    spawn: spawnProcess,
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

async function open(world: World): Promise<BackupsWindow> {
  // Each test starts from the window as it first opens: the default profile, its own prefix.
  expect(await world.api.handlers.chooseView({ profile: 'default', prefix: null })).toEqual({
    ok: true,
    value: null,
  });
  const win = await harness.open(world);
  await destinationLine(win.page, /^box on /);
  return win;
}

async function destinationLine(page: Page, text: RegExp): Promise<void> {
  await page.locator('.destination-line').filter({ hasText: text }).waitFor({ timeout: WAIT_MS });
  await page.locator('.browser:not([aria-busy])').waitFor({ timeout: WAIT_MS });
}

function machineRows(page: Page) {
  return page.getByRole('listbox', { name: 'Machines on this destination' }).getByRole('option');
}

/** Opens the other machine's prefix in the chooser and waits for its snapshots. */
async function chooseOther(page: Page): Promise<void> {
  await machineRows(page).filter({ hasText: 'otherbox' }).click();
  await destinationLine(page, /^otherbox on /);
}

async function selectLetter(page: Page, world: World): Promise<void> {
  await openFolder(page, world.otherSrc);
  await items(page).filter({ hasText: 'letter.txt' }).click();
  await page.locator('.details-name', { hasText: 'letter.txt' }).waitFor({ timeout: WAIT_MS });
}

describe('the Backups window with several profiles and machines', () => {
  let world: World;
  beforeAll(async () => {
    world = await makeWorld();
  });

  it('switches between the profiles of the settings file, each with its own snapshots', async () => {
    const win = await open(world);
    const { page } = win;
    const profile = page.getByLabel('Profile');
    expect(await profile.locator('option').allTextContents()).toEqual(['default', 'photos']);
    expect(await profile.inputValue()).toBe('default');
    expect(await page.locator('.destination-line').textContent()).toBe(`box on ${world.shared}`);
    expect(await itemNames(page)).toEqual([join(world.src, 'docs')]);

    await profile.selectOption('photos');
    await destinationLine(page, /^box-photos on /);
    expect(await page.locator('.destination-line').textContent()).toBe(
      `box-photos on ${world.photosDest}`,
    );
    expect(await itemNames(page)).toEqual([join(world.src, 'photos')]);
    // Alone on its destination: there is no machine to choose.
    expect(await page.locator('.machines').isHidden()).toBe(true);

    await profile.selectOption('default');
    await destinationLine(page, /^box on /);
    expect(await itemNames(page)).toEqual([join(world.src, 'docs')]);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('lists the other machine, overdue and read-only, and browses its snapshots', async () => {
    const win = await open(world);
    const { page } = win;
    const labels = await machineRows(page).evaluateAll((rows) =>
      rows.map((r) => r.getAttribute('aria-label')),
    );
    expect(labels).toEqual([
      `box, ${hostname()}, root, this machine, Last good backup today`,
      'otherbox, otherlaptop, root, read-only, Overdue: last good backup 30 days ago',
    ]);
    expect(await page.locator('.read-only-note').isHidden()).toBe(true);

    await chooseOther(page);
    const other = machineRows(page).filter({ hasText: 'otherbox' });
    expect(await other.getAttribute('aria-selected')).toBe('true');
    expect(await other.locator('.read-only-badge').textContent()).toBe('read-only');
    expect(await other.locator('.overdue-badge').textContent()).toBe('overdue');
    expect(await page.locator('.read-only-note').isVisible()).toBe(true);
    const timeline = page.getByRole('listbox', { name: 'Snapshots, newest first' });
    expect(await timeline.getByRole('option').count()).toBe(1);
    expect(await itemNames(page)).toEqual([world.otherSrc]);
    await selectLetter(page, world);
    expect(await page.locator('.details .read-only-badge').textContent()).toBe('read-only');
    // Restoring in place from another machine is not the first thing offered.
    const actions = await page.locator('.details .actions button').allTextContents();
    expect(actions.slice(0, 2)).toEqual(['Restore to…', 'Restore to Original Place…']);
    await page.getByRole('heading', { name: /versions? in/ }).waitFor({ timeout: WAIT_MS });

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(ARTIFACTS, `chooser-other-machine-${scheme}.png`) });
    }
    // The Overview only describes the other machine's backups: nothing there backs them up.
    await page.getByRole('tab', { name: 'Overview' }).click();
    const overview = page.getByRole('tabpanel', { name: 'Overview' });
    await overview
      .getByRole('heading', { name: 'Another machine’s backups: otherbox' })
      .waitFor({ timeout: WAIT_MS });
    expect(await overview.getByRole('button').count()).toBe(0);
    expect(await overview.textContent()).toContain('They are overdue.');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(ARTIFACTS, `overview-other-machine-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('restores a file of the other machine into a chosen folder', async () => {
    const win = await open(world);
    const { page } = win;
    await chooseOther(page);
    await selectLetter(page, world);
    const into = await makeTempDir('st-into-');
    world.dialogs.folders.push(into);
    await page.getByRole('button', { name: 'Restore letter.txt into another folder' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor({ timeout: WAIT_MS });
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await dialog.getByRole('heading', { name: 'Restored “letter.txt”' }).waitFor({
      timeout: WAIT_MS,
    });
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(await readFile(join(into, 'letter.txt'))).toEqual(world.letter);
    expect(world.dialogs.questions).toEqual([]);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('restores the other machine’s file in place only after the app’s own question', async () => {
    const win = await open(world);
    const { page } = win;
    await chooseOther(page);
    await selectLetter(page, world);
    const here = join(world.otherSrc, 'letter.txt');
    await rm(here);
    world.dialogs.questions.length = 0;
    const inPlace = page.getByRole('button', { name: 'Restore letter.txt to its original place' });

    // Cancelled in the app's dialog: nothing is written.
    await inPlace.click();
    await page
      .locator('.actionbar')
      .filter({ hasText: 'Nothing was restored.' })
      .waitFor({ timeout: WAIT_MS });
    expect(existsSync(here)).toBe(false);
    expect(world.dialogs.questions).toHaveLength(1);
    const asked = world.dialogs.questions[0]!;
    expect(asked.title).toBe('Restore from Another Machine');
    expect(asked.message).toBe(
      'Restore “letter.txt” from otherlaptop (root’s, prefix otherbox) to the same place on this computer? It is another machine’s backup.',
    );
    expect(asked.detail).toContain(`  ${here}`);

    // Said yes to: the letter is back where it was, byte for byte.
    world.dialogs.answers.push('Restore');
    await inPlace.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Restored “letter.txt”' }).waitFor({
      timeout: WAIT_MS,
    });
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(world.dialogs.questions).toHaveLength(2);
    expect(await readFile(here)).toEqual(world.letter);
    expect(win.problems).toEqual([]);
    await page.close();
  });
});
