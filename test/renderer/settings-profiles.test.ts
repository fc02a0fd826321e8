/**
 * Profiles in the settings window, in real Chromium over the real handlers: adding, renaming,
 * duplicating and removing one, with the settings file read back after each, and the CLI backing
 * up a renamed profile as before.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { defaultPrefix } from '../../core/destination/snapshot-name.js';
import { openConfStore } from '../../core/settings/store.js';
import { createSettingsApi, type SettingsApi } from '../../electron/settings/api.js';
import { answeredDialogs, type AnsweredDialogs } from '../support/answered-dialogs.js';
import { launchChromium, type Chromium } from '../support/chromium.js';
import { makeCliHome, runCli, writeSettingsFile, type CliHome } from '../support/cli.js';
import { makeTempDir, writeTree } from '../support/tree.js';
import {
  buildBridge,
  buildWindows,
  openSettingsWindow,
  serveFolder,
  type SettingsWindow,
  type StaticServer,
} from '../support/window-page.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'settings-window');
const WINDOW_SIZE = { width: 900, height: 720 };
const HOST = hostname();
const UID = process.getuid?.() ?? 1000;

let chromium: Chromium;
let server: StaticServer;
let bridge: string;
let builtDir: string;

interface UserHome extends CliHome {
  home: string;
  configFile: string;
  api: SettingsApi;
  dialogs: AnsweredDialogs;
  src: string;
  dest: string;
}

interface FileProfile {
  displayName?: string;
  prefix?: string;
  destination?: string;
  sources?: string[];
  [key: string]: unknown;
}

/** A user with a folder to back up and an initialised local destination. */
async function makeUser(): Promise<UserHome> {
  const cli = await makeCliHome();
  const home = await makeTempDir('st-user-');
  const env = { ...cli.env, HOME: home };
  const dialogs = answeredDialogs();
  const api = createSettingsApi({
    env,
    spawn: spawnProcess,
    openBackend: openConfStore,
    now: () => new Date(),
    hostname: HOST,
    dialogs,
  });
  const src = await makeTempDir('st-src-');
  await writeTree(src, { 'a.txt': 'alpha', 'sub/b.txt': 'bravo' });
  const dest = await makeTempDir('st-dest-');
  const user = {
    ...cli,
    env,
    home,
    configFile: join(cli.configDir, 'Snaptray', 'config.json'),
    api,
    dialogs,
    src,
    dest,
  };
  const init = await runCli(['init', '--dest', dest], user);
  expect(init.code, init.stderr).toBe(0);
  return user;
}

async function readProfiles(user: UserHome): Promise<Record<string, FileProfile>> {
  const file = JSON.parse(await readFile(user.configFile, 'utf8')) as {
    profiles: Record<string, FileProfile>;
  };
  return file.profiles;
}

/** What each profile backs up under: the saved prefix, or the default its key gives. */
function prefixes(profiles: Record<string, FileProfile>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(profiles).map(([key, p]) => [
      key,
      p.prefix !== undefined && p.prefix !== '' ? p.prefix : defaultPrefix(HOST, key, UID),
    ]),
  );
}

async function open(user: UserHome): Promise<SettingsWindow> {
  const win = await openSettingsWindow(
    chromium.context,
    `${server.url}settings.html`,
    bridge,
    user.api,
    WINDOW_SIZE,
  );
  await win.page.getByRole('button', { name: 'Save' }).waitFor();
  return win;
}

function status(page: Page) {
  return page.locator('.actionbar [role="status"]');
}

async function waitForStatus(page: Page, text: string): Promise<void> {
  await status(page).filter({ hasText: text }).waitFor();
}

/** The chooser's options as the user reads them, and the one chosen. */
async function chooser(page: Page): Promise<{ options: string[]; chosen: string }> {
  const select = page.getByRole('combobox', { name: 'Profile' });
  return {
    options: await select.locator('option').allTextContents(),
    chosen: await select.evaluate((s) => {
      const e = s as HTMLSelectElement;
      return e.options[e.selectedIndex]?.textContent ?? '';
    }),
  };
}

async function nameDialog(page: Page, button: string, name: string): Promise<void> {
  await page.getByRole('button', { name: button }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill(name);
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** Every entry under `dir`, with its size: what "untouched" is compared with. */
async function listing(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((e) => join(e.parentPath, e.name).slice(dir.length)).sort();
}

beforeAll(async () => {
  builtDir = await mkdtemp(join(tmpdir(), 'st-window-'));
  await mkdir(ARTIFACTS, { recursive: true });
  [, bridge, chromium] = await Promise.all([
    buildWindows(builtDir),
    buildBridge(),
    launchChromium(),
  ]);
  server = await serveFolder(builtDir);
});
afterAll(async () => {
  await chromium?.close();
  await server?.close();
  if (builtDir) await rm(builtDir, { recursive: true, force: true });
});

describe('profiles in the settings window', () => {
  it('adds, renames, duplicates and removes profiles, each with a key and prefix of its own', async () => {
    const user = await makeUser();
    // The default profile saves no prefix: it backs up under the host name's.
    await writeSettingsFile(user.configFile, {
      default: { destination: user.dest, sources: [user.src], excludes: ['*.tmp'] },
    });
    const win = await open(user);
    const { page } = win;
    expect(await chooser(page)).toEqual({ options: ['default'], chosen: 'default' });
    // The last profile cannot be removed.
    expect(await page.getByRole('button', { name: 'Remove this profile' }).isDisabled()).toBe(true);

    // Add: a key made from the name, the name kept as typed, a prefix nobody else uses.
    await nameDialog(page, 'Add a profile', 'Work laptop');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `profiles-${scheme}-1-add-dialog`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('dialog').getByRole('button', { name: 'Add' }).click();
    await waitForStatus(page, 'Added the profile “Work laptop”');
    let profiles = await readProfiles(user);
    expect(Object.keys(profiles)).toEqual(['default', 'work-laptop']);
    expect(profiles['work-laptop']).toEqual({
      displayName: 'Work laptop',
      prefix: defaultPrefix(HOST, 'work-laptop', UID),
      sources: [user.home],
    });
    expect(await chooser(page)).toEqual({
      options: ['default', 'Work laptop'],
      chosen: 'Work laptop',
    });
    expect(await page.getByLabel('Prefix', { exact: true }).inputValue()).toBe(
      defaultPrefix(HOST, 'work-laptop', UID),
    );

    // A name another profile shows is refused in the dialog, and nothing is written.
    const before = await readFile(user.configFile, 'utf8');
    await nameDialog(page, 'Add a profile', 'work LAPTOP');
    await page.getByRole('dialog').getByRole('button', { name: 'Add' }).click();
    await page
      .getByRole('dialog')
      .getByRole('alert')
      .filter({ hasText: 'Another profile is already called "work LAPTOP".' })
      .waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await readFile(user.configFile, 'utf8')).toBe(before);

    // Rename: only the display name changes.
    await nameDialog(page, 'Rename this profile', 'Office');
    await page.getByRole('dialog').getByRole('button', { name: 'Rename' }).click();
    await waitForStatus(page, 'Renamed the profile to “Office”.');
    profiles = await readProfiles(user);
    expect(Object.keys(profiles)).toEqual(['default', 'work-laptop']);
    expect(profiles['work-laptop']).toEqual({
      displayName: 'Office',
      prefix: defaultPrefix(HOST, 'work-laptop', UID),
      sources: [user.home],
    });

    // Duplicate the default profile: every setting but the prefix, which must not be the host's.
    await page.getByRole('combobox', { name: 'Profile' }).selectOption({ label: 'default' });
    await waitForStatus(page, 'Showing the profile “default”.');
    expect(await page.getByLabel('Prefix', { exact: true }).inputValue()).toBe(
      defaultPrefix(HOST, 'default', UID),
    );
    await page.getByRole('button', { name: 'Duplicate this profile' }).click();
    await waitForStatus(page, 'Made the profile “default copy”');
    profiles = await readProfiles(user);
    expect(Object.keys(profiles)).toEqual(['default', 'work-laptop', 'default-copy']);
    expect(profiles['default-copy']).toEqual({
      ...profiles.default,
      displayName: 'default copy',
      prefix: defaultPrefix(HOST, 'default-copy', UID),
    });
    const used = Object.values(prefixes(profiles));
    expect(new Set(used).size).toBe(used.length);
    expect(await chooser(page)).toEqual({
      options: ['default', 'Office', 'default copy'],
      chosen: 'default copy',
    });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `profiles-${scheme}-2-chooser`);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // The copy backs up: snapshots, an owner claim and history of its own.
    const backup = await runCli(['backup', '--profile', 'default-copy', '--json'], user);
    expect(backup.code, backup.stderr).toBe(0);
    const copyPrefix = defaultPrefix(HOST, 'default-copy', UID);
    const destBefore = await listing(user.dest);
    expect(destBefore).toContain(`/${copyPrefix}.snaptray-owner.json`);
    const stateDir = join(user.stateDir, 'snaptray', 'default-copy');
    const stateBefore = await listing(stateDir);
    expect(stateBefore).toContain('/history.jsonl');

    // Remove, cancelled in the app's dialog: nothing changes.
    const file = await readFile(user.configFile, 'utf8');
    await page.getByRole('button', { name: 'Remove this profile' }).click();
    await waitForStatus(page, 'Nothing was removed: you did not confirm it.');
    expect(user.dialogs.questions).toHaveLength(1);
    const question = user.dialogs.questions[0]!;
    expect(question).toMatchObject({
      title: 'Remove Profile',
      message: 'Remove the profile “default copy” from the settings?',
      confirm: 'Remove',
      warning: true,
    });
    expect(question.detail.split('\n')).toEqual([
      `Destination: ${user.dest}`,
      `Prefix: ${copyPrefix}`,
      '',
      `Its snapshots on the destination are not touched, and neither is the claim on the prefix ${copyPrefix}: a profile with that prefix can back up there again.`,
      `Its history, logs and pause stay in ${stateDir}.`,
      `Only the profile is removed from ${user.configFile}.`,
    ]);
    expect(await readFile(user.configFile, 'utf8')).toBe(file);
    expect(await chooser(page)).toEqual({
      options: ['default', 'Office', 'default copy'],
      chosen: 'default copy',
    });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `profiles-${scheme}-3-remove-cancelled`);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // Remove, confirmed: only the profile leaves the file.
    user.dialogs.answers.push('Remove');
    await page.getByRole('button', { name: 'Remove this profile' }).click();
    await waitForStatus(page, 'Removed the profile “default copy”.');
    profiles = await readProfiles(user);
    expect(Object.keys(profiles)).toEqual(['default', 'work-laptop']);
    expect(await listing(user.dest)).toEqual(destBefore);
    expect(await listing(stateDir)).toEqual(stateBefore);
    expect(await chooser(page)).toEqual({ options: ['default', 'Office'], chosen: 'default' });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `profiles-${scheme}-4-removed`);
    }
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('waits for unsaved edits before switching or changing profiles', async () => {
    const user = await makeUser();
    await writeSettingsFile(user.configFile, {
      default: { destination: user.dest, sources: [user.src] },
      work: { destination: user.dest, sources: [user.src], prefix: 'box-work' },
    });
    const win = await open(user);
    const { page } = win;
    const select = page.getByRole('combobox', { name: 'Profile' });
    await page.getByLabel('Prefix', { exact: true }).fill('edited');
    expect(await select.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Add a profile' }).isDisabled()).toBe(true);
    expect(
      await page.getByText('Save or revert your edits to switch or change profiles.').isVisible(),
    ).toBe(true);
    await page.getByRole('button', { name: 'Revert' }).click();
    expect(await select.isEnabled()).toBe(true);
    await select.selectOption({ label: 'work' });
    await waitForStatus(page, 'Showing the profile “work”.');
    expect(await page.getByLabel('Prefix', { exact: true }).inputValue()).toBe('box-work');
    // Saving edits the profile chosen, and only it.
    await page.getByLabel('Prefix', { exact: true }).fill('box-office');
    await page.getByRole('button', { name: 'Save' }).click();
    await waitForStatus(page, 'Saved.');
    const profiles = await readProfiles(user);
    expect(profiles.work?.prefix).toBe('box-office');
    expect(profiles.default?.prefix).toBeUndefined();
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('a renamed profile with history and a claimed prefix backs up from the CLI as before', async () => {
    const user = await makeUser();
    await writeSettingsFile(user.configFile, {
      default: { destination: user.dest, sources: [user.src], prefix: 'box' },
      work: { destination: user.dest, sources: [user.src], prefix: 'box-work' },
    });
    const first = await runCli(['backup', '--profile', 'work', '--json'], user);
    expect(first.code, first.stderr).toBe(0);
    const claimFile = join(user.dest, 'box-work.snaptray-owner.json');
    const claim = JSON.parse(await readFile(claimFile, 'utf8')) as { owner: { profile: string } };
    expect(claim.owner.profile).toBe('work');

    const win = await open(user);
    const { page } = win;
    await page.getByRole('combobox', { name: 'Profile' }).selectOption({ label: 'work' });
    await waitForStatus(page, 'Showing the profile “work”.');
    await nameDialog(page, 'Rename this profile', 'Office');
    await page.getByRole('dialog').getByRole('button', { name: 'Rename' }).click();
    await waitForStatus(page, 'Renamed the profile to “Office”.');
    const profiles = await readProfiles(user);
    expect(Object.keys(profiles)).toEqual(['default', 'work']);
    expect(profiles.work).toMatchObject({ displayName: 'Office', prefix: 'box-work' });
    await page.close();

    // The same key: the same claim, state folder and history.
    const second = await runCli(['backup', '--profile', 'work', '--json'], user);
    expect(second.code, second.stderr).toBe(0);
    expect(second.json).toMatchObject({ outcome: 'ok', warnings: [] });
    const snapshots = (await readdir(user.dest)).filter((n) =>
      /^box-work-\d{4}-\d\d-\d\d-\d{6}$/.test(n),
    );
    expect(snapshots).toHaveLength(2);
    const history = (
      await readFile(join(user.stateDir, 'snaptray', 'work', 'history.jsonl'), 'utf8')
    )
      .trim()
      .split('\n');
    expect(history).toHaveLength(2);
    expect(JSON.parse(await readFile(claimFile, 'utf8'))).toEqual(claim);

    // --profile takes the key; the name shown points to it, and nothing runs.
    const byName = await runCli(['backup', '--profile', 'office'], user);
    expect(byName.code).toBe(2);
    expect(byName.stderr).toBe(
      'snaptray: There is no profile "office", but the profile "work" is shown by that name: ' +
        'the command line names a profile by its key. Pass --profile work.\n',
    );
    expect(await listing(join(user.stateDir, 'snaptray'))).not.toContain('/office');
  });
});
