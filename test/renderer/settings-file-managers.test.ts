/**
 * The settings window's switch for "Restore Previous Versions…" in the file managers, in real
 * Chromium over the real handlers: the entries it writes and removes are checked on disk, in a
 * temporary HOME and XDG data folder. The file managers themselves cannot run here: programs
 * named nautilus, dolphin and nemo on PATH stand in for them being installed.
 */
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { openConfStore } from '../../core/settings/store.js';
import { createSettingsApi, type SettingsApi } from '../../electron/settings/api.js';
import { answeredDialogs } from '../support/answered-dialogs.js';
import { launchChromium, type Chromium } from '../support/chromium.js';
import { lowContrastTexts } from '../support/contrast.js';
import { makeCliHome } from '../support/cli.js';
import { makeTempDir } from '../support/tree.js';
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
/** What starts the app in a development build: electron and the app's folder. */
const LAUNCH = ['/opt/Snaptray dev/electron', '/opt/Snaptray dev/app'];
const SWITCH = 'Restore Previous Versions in the file manager';

let chromium: Chromium;
let server: StaticServer;
let bridge: string;
let builtDir: string;

interface User {
  home: string;
  data: string;
  api: SettingsApi;
  paths: { script: string; dolphin: string; nemo: string; extension: string };
}

/** A program that does nothing, standing in for an installed file manager. */
async function fakePrograms(names: readonly string[]): Promise<string> {
  const bin = await makeTempDir('st-bin-');
  for (const name of names) {
    await writeFile(join(bin, name), '#!/bin/sh\nexit 0\n');
    await chmod(join(bin, name), 0o755);
  }
  return bin;
}

async function makeUser(fileManagers: readonly string[]): Promise<User> {
  const cli = await makeCliHome();
  const home = await makeTempDir('st-user-');
  const data = await makeTempDir('st-data-');
  const bin = await fakePrograms(fileManagers);
  const env = { ...cli.env, HOME: home, XDG_DATA_HOME: data, PATH: bin };
  const api = createSettingsApi({
    env,
    spawn: spawnProcess,
    openBackend: openConfStore,
    now: () => new Date(),
    hostname: hostname(),
    dialogs: answeredDialogs(),
    launchCommand: LAUNCH,
    // No nautilus-python here: Nautilus gets the script.
    nautilusPythonRoots: [await makeTempDir('st-no-nautilus-python-')],
  });
  return {
    home,
    data,
    api,
    paths: {
      script: join(data, 'nautilus', 'scripts', 'Restore Previous Versions (Snaptray)'),
      dolphin: join(data, 'kio', 'servicemenus', 'snaptray-restore-versions.desktop'),
      nemo: join(data, 'nemo', 'actions', 'snaptray-restore-versions.nemo_action'),
      extension: join(data, 'nautilus-python', 'extensions', 'snaptray-restore-versions.py'),
    },
  };
}

async function openAdvanced(user: User): Promise<SettingsWindow> {
  const win = await openSettingsWindow(
    chromium.context,
    `${server.url}settings.html`,
    bridge,
    user.api,
    WINDOW_SIZE,
  );
  await win.page.getByRole('button', { name: 'Save' }).waitFor();
  await win.page.getByRole('tab', { name: 'Advanced', exact: true }).click();
  await win.page.getByRole('tabpanel', { name: 'Advanced', exact: true }).waitFor();
  // The switch is enabled, or its hint says why not, once the entries were read from disk.
  await win.page.locator('#file-managers .file-managers-found:not(:empty)').waitFor();
  return win;
}

function groupStatus(page: Page): Promise<string | null> {
  return page.locator('#file-managers [role="status"]').textContent();
}

async function waitForStatus(page: Page, text: string): Promise<void> {
  await page
    .locator('#file-managers [role="status"]', { hasText: text })
    .waitFor({ timeout: 30_000 })
    .catch(async () => {
      throw new Error(`The status says: ${await groupStatus(page)}`);
    });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The group as it shows, in the light and the dark theme; every text readable (WCAG AA). */
async function screenshot(page: Page, name: string): Promise<void> {
  const unreadable: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page
      .locator('#file-managers')
      .screenshot({ path: join(ARTIFACTS, `${name}-${scheme}.png`) });
    for (const low of await lowContrastTexts(page)) {
      unreadable.push(`${scheme}: "${low.text}" ${low.ratio}:1 (needs ${low.needed}:1)`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  expect(unreadable).toEqual([]);
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

describe('the file-manager switch of the settings window', () => {
  it('installs the three entries with the app’s command, reads as on again, and removes exactly them', async () => {
    const user = await makeUser(['nautilus', 'dolphin', 'nemo']);
    // A user's own Nemo action, in the folder Snaptray writes its own into.
    const mine = join(user.data, 'nemo', 'actions', 'my-own.nemo_action');
    await mkdir(join(mine, '..'), { recursive: true });
    await writeFile(mine, '[Nemo Action]\nName=Mine\nExec=true %F\n');

    const win = await openAdvanced(user);
    const toggle = win.page.getByRole('switch', { name: SWITCH });
    expect(await toggle.isChecked()).toBe(false);
    expect(await toggle.isEnabled()).toBe(true);
    expect(await win.page.locator('#file-managers .file-managers-found').textContent()).toBe(
      'Found on this computer: Nautilus, Dolphin, Nemo.',
    );
    await screenshot(win.page, 'file-managers-off');

    await toggle.click();
    await waitForStatus(win.page, 'is in the menu of');
    expect(await groupStatus(win.page)).toBe(
      '"Restore Previous Versions…" is in the menu of Nautilus, Dolphin and Nemo.',
    );
    expect(await toggle.isChecked()).toBe(true);

    // On disk: each entry starts the app's own command with --browse and the file.
    const script = await readFile(user.paths.script, 'utf8');
    expect(script).toContain(
      `exec '/opt/Snaptray dev/electron' '/opt/Snaptray dev/app' --browse "$file"\n`,
    );
    expect((await stat(user.paths.script)).mode & 0o111).toBe(0o111);
    const dolphin = await readFile(user.paths.dolphin, 'utf8');
    expect(dolphin).toContain(
      'Exec="/opt/Snaptray dev/electron" "/opt/Snaptray dev/app" --browse %f\n',
    );
    expect((await stat(user.paths.dolphin)).mode & 0o111).toBe(0o111);
    const nemo = await readFile(user.paths.nemo, 'utf8');
    expect(nemo).toContain(
      `Exec='/opt/Snaptray dev/electron' '/opt/Snaptray dev/app' --browse %U\n`,
    );
    expect(await exists(user.paths.extension)).toBe(false);
    expect(await win.page.locator('#file-managers li').allTextContents()).toEqual([
      `Nautilus script: ${user.paths.script}`,
      `Dolphin service menu: ${user.paths.dolphin}`,
      `Nemo action: ${user.paths.nemo}`,
    ]);
    await screenshot(win.page, 'file-managers-on');
    await win.page.close();

    // Opened again, the window reads what is on disk.
    const again = await openAdvanced(user);
    const toggleAgain = again.page.getByRole('switch', { name: SWITCH });
    expect(await toggleAgain.isChecked()).toBe(true);
    expect(await again.page.locator('#file-managers li').count()).toBe(3);

    await toggleAgain.click();
    await waitForStatus(again.page, 'Removed');
    expect(await groupStatus(again.page)).toBe(
      'Removed Nautilus script, Dolphin service menu, Nemo action.',
    );
    expect(await toggleAgain.isChecked()).toBe(false);
    for (const path of [user.paths.script, user.paths.dolphin, user.paths.nemo]) {
      expect(await exists(path)).toBe(false);
    }
    expect(await readdir(join(user.data, 'nemo', 'actions'))).toEqual(['my-own.nemo_action']);
    expect(await readFile(mine, 'utf8')).toBe('[Nemo Action]\nName=Mine\nExec=true %F\n');
    expect(again.problems).toEqual([]);
    expect(win.problems).toEqual([]);
    await again.page.close();
  });

  it('says why it cannot turn on: no file manager found, or a write that failed', async () => {
    const none = await makeUser([]);
    const win = await openAdvanced(none);
    const toggle = win.page.getByRole('switch', { name: SWITCH });
    expect(await toggle.isChecked()).toBe(false);
    expect(await toggle.isDisabled()).toBe(true);
    expect(await win.page.locator('#file-managers .file-managers-found').textContent()).toBe(
      'Cannot be turned on: none of the file managers Snaptray knows (Nautilus, Dolphin, Nemo) was found on this computer.',
    );
    expect(await readdir(none.data)).toEqual([]);
    await screenshot(win.page, 'file-managers-none-found');
    await win.page.close();

    // Dolphin's folder cannot be made: a file named kio is where it would go.
    const blocked = await makeUser(['dolphin']);
    await writeFile(join(blocked.data, 'kio'), 'not a folder\n');
    const second = await openAdvanced(blocked);
    const toggle2 = second.page.getByRole('switch', { name: SWITCH });
    await toggle2.click();
    await waitForStatus(second.page, 'could not be installed');
    const said = (await groupStatus(second.page)) ?? '';
    expect(said).toMatch(
      /^The entries could not be installed: .*ENOTDIR.*kio.*\. Installed now: .*Restore Previous Versions \(Snaptray\)\. Check that you may write there, then turn the switch off and on again\.$/,
    );
    // The switch shows the truth: the Nautilus script was written before Dolphin's failed.
    expect(await toggle2.isChecked()).toBe(true);
    expect(await exists(blocked.paths.script)).toBe(true);
    expect(await exists(blocked.paths.nemo)).toBe(false);
    expect(await second.page.locator('#file-managers li').allTextContents()).toEqual([
      `Nautilus script: ${blocked.paths.script}`,
    ]);
    await screenshot(second.page, 'file-managers-write-failed');
    expect(second.problems).toEqual([]);
    await second.page.close();
  });
});
