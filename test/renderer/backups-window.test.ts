/**
 * The Backups window in real Chromium, over the real handlers of the main process (only the IPC
 * transport replaced), the restore engine, rsync, and an sshd on loopback as the router. The
 * snapshots are made by the real CLI.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { spawnProcess, type SpawnRequest } from '../../core/process.js';
import { defaultProfile, type Profile } from '../../core/settings/schema.js';
import { openConfStore, saveSettings } from '../../core/settings/store.js';
import { readHistory } from '../../core/state/history.js';
import { createBackupsApi, type BackupsApi } from '../../electron/backups/api.js';
import type { BackupsEvent, BackupsWindowApi } from '../../electron/ipc/contract.js';
import type { NotifyRequest } from '../../electron/shared/notifier.js';
import { answeredDialogs, type AnsweredDialogs } from '../support/answered-dialogs.js';
import { lowContrastTexts } from '../support/contrast.js';
import { makeCliHome, runCli, startCli, type CliHome } from '../support/cli.js';
import { mountTmpfs } from '../support/disks.js';
import { freePort, profileSsh } from '../support/sshd.js';
import { HOSTILE_NAMES, makeTempDir, PWNED_MARKER, writeTree } from '../support/tree.js';
import { expectStrictPage, type BackupsWindow } from '../support/window-page.js';
import {
  itemNames,
  browseTo,
  items,
  openFolder,
  settled,
  machineParts,
  selectItem,
  useBackupsWindowHarness,
  WAIT_MS,
} from '../support/backups-window-harness.js';

const run = promisify(execFile);
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'backups-window');
const harness = useBackupsWindowHarness({ artifacts: ARTIFACTS });

/** A file's time that says which version it is. */
const DRAFT_TIME = new Date(2026, 10, 20, 10, 0);
const FINAL_TIME = new Date(2026, 10, 25, 16, 30);
const XSS_NAME = '<img src=x onerror=alert(1)>.txt';

interface World extends CliHome {
  home: string;
  src: string;
  destDir: string;
  configFile: string;
  profileState: string;
  api: BackupsApi;
  /** What the desktop was asked to open (shell.openPath). */
  opened: string[];
  /** What the file manager was asked to show (shell.showItemInFolder). */
  shown: string[];
  /** The app's own dialogs, as the user answers them. */
  dialogs: AnsweredDialogs;
  notified: NotifyRequest[];
  /** Snapshot names, oldest first. */
  snapshots: string[];
  /** Where the api's events go: the open window. */
  send: (event: BackupsEvent) => void;
}

interface WorldOptions {
  /** The ssh port the settings name (a closed one makes the destination unreachable). */
  port?: number;
  busyRetryMs?: number;
  longRestoreMs?: number;
  /** rsync calls to slow down, as a slow router's transfers are. */
  slow?: (req: SpawnRequest) => boolean;
  /** Holds an rsync call back until the promise it gives settles (the test decides when). */
  hold?: (req: SpawnRequest) => Promise<void> | null;
}

function profileFor(w: { src: string; destDir: string }, port: number): Profile {
  return {
    ...defaultProfile(),
    sources: [w.src],
    destination: `${harness.sshd.user}@127.0.0.1:${w.destDir}`,
    prefix: 'box',
    ssh: { ...defaultProfile().ssh, ...profileSsh(harness.sshd), port },
  };
}

async function writeProfile(configFile: string, profile: Profile): Promise<void> {
  const store = await openConfStore(configFile);
  expect(saveSettings(store, { version: 1, profiles: { default: profile } }).ok).toBe(true);
}

/**
 * A user with a source folder in their home and two snapshots over ssh, made by the CLI: the
 * second after a file was edited, one deleted and one added.
 */
async function makeWorld(opts: WorldOptions = {}): Promise<World> {
  const cli = await makeCliHome();
  const home = await makeTempDir('st-user-');
  const env = { ...cli.env, HOME: home };
  const src = join(home, 'src');
  await mkdir(src);
  const destDir = await makeTempDir('st-router-');
  const configFile = join(cli.configDir, 'Snaptray', 'config.json');
  await mkdir(dirname(configFile), { recursive: true });
  await writeProfile(configFile, profileFor({ src, destDir }, harness.sshd.port));
  const user = { ...cli, env };
  const init = await runCli(['init'], user);
  expect(init.code, init.stderr).toBe(0);

  await writeTree(src, {
    'docs/report.txt': 'first draft\n',
    'docs/notes.md': 'meeting notes\n',
    'docs/old-plan.txt': 'the old plan\n',
    'photos/cat.jpg': Buffer.alloc(40_000, 9),
  });
  await writeTree(
    join(src, 'odd'),
    HOSTILE_NAMES.map((name) => [name, 'odd\n'] as const),
  );
  await writeTree(src, { [`odd/${XSS_NAME}`]: 'not markup\n' });
  await utimes(join(src, 'docs/report.txt'), DRAFT_TIME, DRAFT_TIME);
  await backup(user);

  await writeFile(join(src, 'docs/report.txt'), 'the final report, longer\n');
  await utimes(join(src, 'docs/report.txt'), FINAL_TIME, FINAL_TIME);
  await rm(join(src, 'docs/old-plan.txt'));
  await writeTree(src, { 'docs/new.txt': 'new this time\n' });
  await backup(user);

  const world: World = {
    ...user,
    home,
    src,
    destDir,
    configFile,
    profileState: join(cli.stateDir, 'snaptray', 'default'),
    opened: [],
    shown: [],
    dialogs: answeredDialogs(),
    notified: [],
    snapshots: await snapshotNames(destDir),
    send: () => undefined,
    api: null as unknown as BackupsApi,
  };
  if (opts.port !== undefined) {
    await writeProfile(configFile, profileFor({ src, destDir }, opts.port));
  }
  world.api = createBackupsApi({
    env,
    spawn: async (req) => {
      await opts.hold?.(req);
      return spawnProcess(
        opts.slow?.(req) === true
          ? { ...req, args: ['--bwlimit=300', '-M--bwlimit=300', ...req.args] }
          : req,
      );
    },
    ...machineParts(),
    openPath: async (path) => {
      world.opened.push(path);
      return '';
    },
    showItemInFolder: (path) => {
      world.shown.push(path);
    },
    dialogs: world.dialogs,
    send: (event) => world.send(event),
    notify: async (request) => {
      world.notified.push(request);
    },
    notificationIcon: null,
    busyRetryMs: opts.busyRetryMs ?? 1000,
    longRestoreMs: opts.longRestoreMs ?? 60_000,
  });
  return world;
}

async function backup(user: CliHome, extra: string[] = []): Promise<void> {
  const result = await runCli(['backup', ...extra], user);
  expect(result.code, result.stderr).toBe(0);
}

async function snapshotNames(destDir: string): Promise<string[]> {
  return (await readdir(destDir)).filter((n) => /^box-\d{4}-\d\d-\d\d(-\d{6})?$/.test(n)).sort();
}

/** `atSnapshots: false` leaves the window where it goes by itself (the Overview, or a page asked for). */
async function open(world: World, { atSnapshots = true } = {}): Promise<BackupsWindow> {
  const win = await harness.open(world, { atSnapshots });
  return win;
}

/** Waits until the timeline and the first folder are shown. */
async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** A time as the window shows it, in this machine's time zone (the browser's too). */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function shownTime(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** The modification time an item of the folder shows. */
async function modifiedOf(page: Page, name: string): Promise<string> {
  const row = items(page).filter({ has: page.locator('.name-text', { hasText: name }) });
  return (await row.locator('.entry-time').textContent()) ?? '';
}

/** Confirms the restore dialog; gives its text. */
async function confirmRestore(page: Page, button = 'Restore'): Promise<string> {
  const dialog = page.getByRole('dialog');
  await dialog.waitFor({ timeout: WAIT_MS });
  const text = (await dialog.textContent()) ?? '';
  await dialog.getByRole('button', { name: button, exact: true }).click();
  return text;
}

/** Waits for the result dialog; gives its text and closes it. */
async function restoreResult(page: Page, name: string | RegExp): Promise<string> {
  const dialog = page.getByRole('dialog');
  await dialog.waitFor({ timeout: WAIT_MS });
  await dialog.getByRole('heading', { name }).waitFor({ timeout: WAIT_MS });
  const text = (await dialog.textContent()) ?? '';
  await screenshotBefore(page, dialog);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });
  return text;
}

let resultShots = 0;
async function screenshotBefore(page: Page, _dialog: unknown): Promise<void> {
  resultShots++;
  await screenshot(page, `restore-result-${resultShots}`);
}

describe('the Backups window', () => {
  it('is built with a strict CSP and no inline script', async () => {
    await expectStrictPage(join(harness.builtDir, 'backups.html'));
  });

  it('shows the timeline and browses into folders through one connection, names literal', async () => {
    const world = await makeWorld();
    // The old router script's daily snapshots are read too: one of them, a week earlier.
    const legacy = join(world.destDir, 'box-2026-11-20');
    await mkdir(join(legacy, dirname(world.src)), { recursive: true });
    await run('cp', ['-a', world.src, join(legacy, world.src)]);
    // ...but its manifest here is damaged: it is "unknown".
    await writeFile(`${legacy}.snaptray.json`, '{"format": 1, "status": "ok"');
    // A run stopped midway leaves an unfinished snapshot.
    await writeProfile(world.configFile, {
      ...profileFor(world, harness.sshd.port),
      rsync: { ...defaultProfile().rsync, bandwidthLimit: 300 },
    });
    await writeTree(world.src, { 'slow/blob.bin': Buffer.alloc(3_000_000, 5) });
    const stopped = startCli(['backup'], world);
    await expect
      .poll(async () => (await snapshotNames(world.destDir)).length, { timeout: WAIT_MS })
      .toBe(4);
    await new Promise((resolve) => setTimeout(resolve, 500));
    stopped.child.kill('SIGTERM');
    expect((await stopped.done).code).toBe(5);
    await rm(join(world.src, 'slow'), { recursive: true });
    const before = await harness.sshd.connectionCount();
    const win = await open(world);
    const { page } = win;
    await items(page).first().waitFor({ timeout: WAIT_MS });
    const timeline = page.getByRole('listbox', { name: 'Snapshots, newest first' });
    const groups = await timeline.getByRole('group').evaluateAll((gs) =>
      gs.map((g) => ({
        day: g.querySelector('.group-heading')?.textContent,
        rows: Array.from(g.querySelectorAll('[role="option"]')).map((o) => ({
          label: o.getAttribute('aria-label'),
          selected: o.getAttribute('aria-selected'),
        })),
      })),
    );
    // Today's by day; the old one, more than a week before any day these tests run, by month.
    expect(groups.map((g) => g.day)).toEqual(['Today', 'November 2026']);
    const today = groups[0]!.rows;
    const stoppedName = (await snapshotNames(world.destDir)).at(-1)!;
    // A row reads by its time; its snapshot's name is its tooltip.
    expect(
      await timeline.getByRole('option').first().locator('.snapshot-row').getAttribute('title'),
    ).toBe(stoppedName);
    // Newest first, the newest selected: when, its state, what its run sent, what is wrong.
    expect(today).toEqual([
      {
        label: expect.stringMatching(
          new RegExp(
            `^Today \\d\\d:\\d\\d(:\\d\\d)?, unfinished, This snapshot is unfinished \\(its run was stopped or is still running\\): it may lack files\\.$`,
          ),
        ),
        selected: 'true',
      },
      {
        label: expect.stringMatching(/^Today \d\d:\d\d(:\d\d)?, ok, 2 files, 39 bytes sent$/),
        selected: 'false',
      },
      {
        label: expect.stringMatching(/^Today \d\d:\d\d(:\d\d)?, ok, 13 files, 40 KB sent$/),
        selected: 'false',
      },
    ]);
    expect(groups[1]!.rows).toEqual([
      {
        label:
          '20 Nov 2026, 00:00, unknown, The manifest of this snapshot cannot be read; its files are read as they are. (it is not valid JSON)',
        selected: 'false',
      },
    ]);
    await screenshot(page, 'timeline');
    // The newest complete snapshot, to browse.
    await timeline.getByRole('option').nth(1).click();
    await settled(page);
    expect(await page.locator('.destination-line').textContent()).toBe(
      `box on ${harness.sshd.user}@127.0.0.1:${world.destDir}`,
    );

    // It starts at the sources; each folder is listed when it is opened.
    expect(await itemNames(page)).toEqual([world.src]);
    await openFolder(page, world.src);
    expect(await itemNames(page)).toEqual(['docs', 'odd', 'photos']);
    await openFolder(page, 'docs');
    expect(await itemNames(page)).toEqual(['new.txt', 'notes.md', 'report.txt']);
    expect(await page.locator('.browse-status').textContent()).toBe('3 items');
    await page
      .getByRole('navigation', { name: 'Folder path' })
      .getByRole('button', { name: world.src, exact: true })
      .click();
    await page.locator('.crumb-current', { hasText: world.src }).waitFor();
    await openFolder(page, 'odd');
    await screenshot(page, 'browse-hostile-names');

    // Hostile names are text: no markup ran, no command ran, nothing was dropped.
    const names = await itemNames(page);
    expect(names).toContain(XSS_NAME);
    expect(names).toContain('new\\#012line.txt');
    expect(names).toContain('$(touch ');
    expect(names).toContain('`touch ');
    expect(names).toContain("single 'quote'.txt");
    expect(names).toContain('-n leading dash.txt');
    expect(names).toContain('f\\#377\\#376.txt');
    expect(await page.locator('.browser img').count()).toBe(0);
    expect(existsSync(PWNED_MARKER)).toBe(false);

    // The filter narrows the folder shown, once typing pauses.
    await page.getByLabel('Filter names in this folder').fill('QUOTE');
    await page.locator('.browse-status', { hasText: '2 names match' }).waitFor();
    expect(await itemNames(page)).toEqual(['double "quote".txt', "single 'quote'.txt"]);
    expect(await page.locator('.browse-status').textContent()).toBe(
      `${names.length} items 2 names match “QUOTE”.`,
    );

    // Every folder opened through the one connection the window holds.
    expect((await harness.sshd.connectionCount()) - before).toBe(1);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('lists the versions of a file and opens an old one read-only, in a private folder', async () => {
    const world = await makeWorld();
    const win = await harness.openReady(world);
    const { page } = win;
    await browseTo(page, world, 'docs');
    await selectItem(page, 'report.txt');
    const table = page.getByRole('table', { name: /^Versions of .*report\.txt, newest first$/ });
    await table.waitFor({ timeout: WAIT_MS });
    expect(await page.locator('.versions h4').textContent()).toBe('2 versions in 2 snapshots');
    const rows = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) =>
        Array.from(tr.querySelectorAll('td'))
          .slice(0, 3)
          .map((td) => td.textContent),
      ),
    );
    const taken = (name: string) => {
      const t = /-(\d{2})(\d{2})\d{2}$/.exec(name)!;
      return `${new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })}, ${t[1]}:${t[2]}`;
    };
    expect(rows).toEqual([
      ['25 Nov 2026, 16:30this snapshot', '25 bytes', `1 snapshot${taken(world.snapshots[1]!)}`],
      ['20 Nov 2026, 10:00', '12 bytes', `1 snapshot${taken(world.snapshots[0]!)}`],
    ]);
    await screenshot(page, 'versions');

    await page
      .getByRole('button', { name: 'Open the version modified 20 Nov 2026, 10:00, read-only' })
      .click();
    await page
      .locator('.versions [role="status"]', { hasText: 'Opened a read-only copy' })
      .waitFor({ timeout: WAIT_MS });
    expect(world.opened).toHaveLength(1);
    const copy = world.opened[0]!;
    // The desktop was handed the old version, read-only, in a folder only this user can enter.
    expect(copy).toMatch(
      new RegExp(`^${escapeRegExp(world.runtimeDir)}/snaptray/open/v-[^/]+/report\\.txt$`),
    );
    expect(await readFile(copy, 'utf8')).toBe('first draft\n');
    expect((await stat(copy)).mode & 0o777).toBe(0o400);
    expect((await stat(dirname(copy))).mode & 0o777).toBe(0o700);
    // The file here is untouched.
    expect(await readFile(join(world.src, 'docs/report.txt'), 'utf8')).toBe(
      'the final report, longer\n',
    );

    // Disposing of the window's handlers removes the copies.
    await world.api.dispose();
    expect(existsSync(copy)).toBe(false);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('opens at a file’s versions for “Restore Previous Versions…” (--browse PATH)', async () => {
    const world = await makeWorld();
    const report = join(world.src, 'docs/report.txt');
    // Asked before the page has loaded, as a launch with --browse PATH does.
    world.api.request({ page: 'snapshots', path: report });
    const win = await open(world);
    const { page } = win;
    const table = page.getByRole('table', { name: /^Versions of .*report\.txt, newest first$/ });
    await table.waitFor({ timeout: WAIT_MS });
    expect(await page.locator('.versions h4').textContent()).toBe('2 versions in 2 snapshots');
    const selected = page
      .getByRole('listbox', { name: 'Items in this folder' })
      .locator('[aria-selected="true"]');
    expect(await selected.getAttribute('aria-label')).toMatch(/^report\.txt\b/);
    expect(await page.locator('.crumbs').textContent()).toContain('docs');

    // Asked again while the window is open (a second launch): it goes to that file.
    world.api.request({ page: 'snapshots', path: join(world.src, 'docs/notes.md') });
    await page
      .getByRole('table', { name: /^Versions of .*notes\.md, newest first$/ })
      .waitFor({ timeout: WAIT_MS });
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('does for a page gone bad only what the app allows, and shows a script in Files instead of opening it', async () => {
    const world = await makeWorld();
    await writeTree(world.src, { 'tools/deploy.sh': '#!/bin/sh\necho deploying\n' });
    await backup(world);
    world.snapshots = await snapshotNames(world.destDir);
    const win = await harness.openReady(world);
    const { page } = win;
    const newest = world.snapshots.at(-1)!;
    const report = join(world.src, 'docs/report.txt');
    const script = join(world.src, 'tools/deploy.sh');
    const outside = join(world.home, '.config', 'autostart');

    // The page calls its API itself, with payloads of its own making.
    const answers = await page.evaluate(
      async ([newest, older, report, script, outside]) => {
        const api = (window as unknown as { snaptray: BackupsWindowApi }).snaptray;
        const restore = (snapshot: string, into: string | null) =>
          api.restore({ snapshot, paths: [report], into, missingOnly: false });
        return {
          intoPath: await restore(newest, outside),
          intoForged: await restore(newest, 'Zm9yZ2VkLXRva2VuLWJ5LXRoZS1wYWdl'),
          chosen: await api.chooseRestoreFolder({ snapshot: newest, paths: [report] }),
          overCurrent: await restore(older, null),
          opened: await api.openVersion({ snapshot: newest, path: script }),
        };
      },
      [newest, world.snapshots[0]!, report, script, outside] as const,
    );
    expect(answers).toEqual({
      intoPath: {
        ok: false,
        reason: 'invalid',
        message: 'The window asked for a restore in a form the app does not take.',
      },
      intoForged: {
        ok: false,
        reason: 'refused',
        message: expect.stringMatching(
          /^Nothing was restored: the folder to restore into was not chosen/,
        ),
      },
      // The app's folder dialog opened, and the user cancelled it.
      chosen: null,
      overCurrent: {
        ok: false,
        reason: 'declined',
        message: 'Nothing was restored: you did not confirm it.',
      },
      opened: {
        ok: true,
        value: {
          opened: false,
          file: expect.stringMatching(/\/deploy\.sh$/),
          message: expect.stringMatching(/^deploy\.sh was not opened: it is a script/),
        },
      },
    });
    expect(world.dialogs.folderDialogs).toEqual([
      { title: 'Restore “report.txt” into which folder?', createFolders: true },
    ]);
    expect(world.dialogs.questions.map((q) => q.message)).toEqual([
      `Restore “report.txt” from ${world.snapshots[0]} to its original place?`,
    ]);
    expect(existsSync(outside)).toBe(false);
    expect(await readFile(report, 'utf8')).toBe('the final report, longer\n');
    expect(await readdir(join(world.src, 'docs'))).not.toContainEqual(
      expect.stringMatching(/before-restore/),
    );
    expect(world.opened).toEqual([]);

    // Through the window: Open says why not, and offers Show in Files.
    await browseTo(page, world, 'tools');
    await selectItem(page, 'deploy.sh');
    await page
      .getByRole('button', { name: `Open deploy.sh as it is in ${newest}, read-only` })
      .click();
    const showIt = page.getByRole('button', {
      name: `Show the copy in ${newest} in Files, read-only`,
    });
    await showIt.waitFor({ timeout: WAIT_MS });
    expect(await page.locator('.not-opened').textContent()).toBe(
      'deploy.sh was not opened: it is a script (it starts with #!), and the desktop could run it. ' +
        'Snaptray opens only documents, images, audio, video and plain text. Show in Files shows ' +
        'the read-only copy, for you to choose what opens it.',
    );
    await screenshot(page, 'open-refused-show-in-files');
    await showIt.click();
    await expect.poll(() => world.shown.length).toBe(1);
    expect(world.shown[0]).toMatch(
      new RegExp(`^${escapeRegExp(world.runtimeDir)}/snaptray/open/v-[^/]+/deploy\\.sh$`),
    );
    expect(await readFile(world.shown[0]!, 'utf8')).toBe('#!/bin/sh\necho deploying\n');
    expect((await stat(world.shown[0]!)).mode & 0o777).toBe(0o400);
    expect(world.opened).toEqual([]);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('restores a deleted file, and an older version in place with the current one kept aside', async () => {
    const world = await makeWorld();
    const win = await harness.openReady(world);
    const { page } = win;
    const timeline = page.getByRole('listbox', { name: 'Snapshots, newest first' });

    // The file deleted before the newest snapshot is in the one before it.
    await timeline.getByRole('option').nth(1).click();
    await settled(page);
    await browseTo(page, world, 'docs');
    expect(await itemNames(page)).toEqual(['notes.md', 'old-plan.txt', 'report.txt']);
    await selectItem(page, 'old-plan.txt');
    await page.getByRole('button', { name: 'Restore old-plan.txt to its original place' }).click();
    const asked = await confirmRestore(page);
    expect(asked).toContain(
      `Restore “old-plan.txt” from ${world.snapshots[0]} to its original place: 1 file to write.`,
    );
    expect(asked).toContain('No file here is replaced: nothing needs to be kept aside.');
    const restored = await restoreResult(page, 'Restored “old-plan.txt”');
    expect(restored).toContain(`Restored 1 file from ${world.snapshots[0]}.`);
    expect(await readFile(join(world.src, 'docs/old-plan.txt'), 'utf8')).toBe('the old plan\n');

    // The draft of report.txt, restored in place over the final version, which is kept aside.
    await timeline.getByRole('option').first().click();
    await settled(page);
    expect(await page.locator('.crumb-current').textContent()).toBe('docs');
    await selectItem(page, 'report.txt');
    // It replaces the file here: the app's own dialog asks too, after the window's choice.
    world.dialogs.answers.push('Restore');
    await page
      .getByRole('button', { name: 'Restore the version modified 20 Nov 2026, 10:00' })
      .click();
    // The window asks first whether to keep both or replace; Replace keeps the current one aside.
    expect(await confirmRestore(page, 'Replace')).toContain(
      '1 file here differs from the snapshot’s:',
    );
    const result = await restoreResult(page, /^Restored the version of “report\.txt”/);
    expect(world.dialogs.questions).toEqual([
      {
        title: 'Restore',
        message: `Restore “report.txt” from ${world.snapshots[0]} to its original place?`,
        detail: [
          'It replaces 1 file here with the snapshot’s copy. Each current file is kept aside first, renamed NAME.before-restore-(date and time of the restore):',
          `  ${join(world.src, 'docs/report.txt')}`,
          '',
          '1 file to write.',
        ].join('\n'),
        confirm: 'Restore',
        warning: false,
      },
    ]);
    expect(result).toContain('Kept aside');
    const docs = await readdir(join(world.src, 'docs'));
    const aside = docs.filter((n) => n.startsWith('report.txt.before-restore-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(world.src, 'docs', aside[0]!), 'utf8')).toBe(
      'the final report, longer\n',
    );
    expect(await readFile(join(world.src, 'docs/report.txt'), 'utf8')).toBe('first draft\n');
    expect((await stat(join(world.src, 'docs/report.txt'))).mtime).toEqual(DRAFT_TIME);
    expect(result).toContain(join(world.src, 'docs', aside[0]!));
    // The bar under the page keeps the outcome in words.
    expect(await page.locator('.actionbar [role="status"]').textContent()).toBe(
      `Restored 1 file from ${world.snapshots[0]}. 1 current file kept aside.`,
    );
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('restores a folder into another place, and the files missing here', async () => {
    const world = await makeWorld({ longRestoreMs: 0 });
    const elsewhere = await makeTempDir('st-elsewhere-');
    const win = await harness.openReady(world);
    const { page } = win;
    await browseTo(page, world);
    await selectItem(page, 'docs');
    world.dialogs.folders.push(elsewhere);
    await page.getByRole('button', { name: 'Restore docs into another folder' }).click();
    const asked = await confirmRestore(page);
    expect(asked).toContain(
      `Restore “docs” from ${world.snapshots[1]} into ${elsewhere}: 3 files to write.`,
    );
    await restoreResult(page, 'Restored “docs”');
    expect(world.dialogs.folderDialogs).toEqual([
      { title: 'Restore “docs” into which folder?', createFolders: true },
    ]);
    expect(await readdir(join(elsewhere, 'docs'))).toEqual(['new.txt', 'notes.md', 'report.txt']);
    expect(await readFile(join(elsewhere, 'docs/report.txt'), 'utf8')).toBe(
      'the final report, longer\n',
    );

    // Two files gone here, one edited: only the missing ones come back, the edit stays.
    await rm(join(world.src, 'docs/notes.md'));
    await rm(join(world.src, 'docs/new.txt'));
    await writeFile(join(world.src, 'docs/report.txt'), 'edited since\n');
    await page
      .getByRole('button', { name: 'Restore the files of docs that are missing here' })
      .click();
    const missing = await confirmRestore(page, 'Restore Missing Files');
    expect(missing).toContain(
      `Bring back what ${world.snapshots[1]} holds of “docs” but this computer does not: 2 files. Files here stay as they are.`,
    );
    const result = await restoreResult(page, 'Restored “docs”');
    // The edited file is named as left as it is, not as a failure.
    expect(result).toContain(
      `Restored 2 files from ${world.snapshots[1]}. 1 file here left as it is.`,
    );
    expect(result).toContain(`Left as they are`);
    expect(result).toContain(join(world.src, 'docs/report.txt'));
    expect(result).not.toContain('Not restored');
    expect((await readdir(join(world.src, 'docs'))).sort()).toEqual([
      'new.txt',
      'notes.md',
      'report.txt',
    ]);
    expect(await readFile(join(world.src, 'docs/notes.md'), 'utf8')).toBe('meeting notes\n');
    expect(await readFile(join(world.src, 'docs/report.txt'), 'utf8')).toBe('edited since\n');

    // A long restore ends with a notification (here every restore counts as long).
    expect(world.notified.map((n) => n.summary)).toEqual(['Restore finished', 'Restore finished']);
    expect(world.notified[1]!.body).toMatch(
      new RegExp(`^Restored 2 files from ${world.snapshots[1]} in \\d+ s\\.$`),
    );
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('says while it gives restored folders their times, which are the snapshot’s after', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const world = await makeWorld({
      // The folders' pass begins with a dry run that only it makes with --existing.
      hold: (req) => (req.args.includes('--existing') && req.args.includes('-n') ? held : null),
    });
    const docs = join(world.src, 'docs');
    const stored = (await stat(join(world.destDir, world.snapshots[1]!, docs))).mtimeMs;
    await rm(join(docs, 'notes.md'));
    expect((await stat(docs)).mtimeMs).not.toBe(stored);
    const win = await harness.openReady(world);
    const { page } = win;
    await browseTo(page, world);
    await selectItem(page, 'docs');
    await page
      .getByRole('button', { name: 'Restore the files of docs that are missing here' })
      .click();
    await confirmRestore(page, 'Restore Missing Files');
    const bar = page.locator('.actionbar');
    await expect
      .poll(() => bar.getByRole('status').textContent(), { timeout: WAIT_MS })
      .toBe('Setting the times of the folders…');
    expect(
      await bar.getByRole('progressbar', { name: 'Restore progress' }).getAttribute('value'),
    ).toBe('100');
    expect(await readFile(join(docs, 'notes.md'), 'utf8')).toBe('meeting notes\n');
    release();
    const result = await restoreResult(page, 'Restored “docs”');
    expect(result).toContain(`Restored 1 file from ${world.snapshots[1]}.`);
    expect((await stat(docs)).mtimeMs).toBe(stored);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('shows a restore’s progress, and stops it on Cancel leaving no half-written file', async () => {
    const world = await makeWorld({
      longRestoreMs: 0,
      // The window's restore transfers (not its listings) go at 300 KiB/s.
      slow: (req) => req.args.includes('--info=progress2'),
    });
    await writeTree(world.src, { 'video/film.bin': Buffer.alloc(4_000_000, 7) });
    await backup(world);
    await rm(join(world.src, 'video/film.bin'));
    const win = await harness.openReady(world);
    const { page } = win;
    await browseTo(page, world, 'video');
    await selectItem(page, 'film.bin');
    await page.getByRole('button', { name: 'Restore film.bin to its original place' }).click();
    await confirmRestore(page);
    const bar = page.locator('.actionbar');
    const progress = bar.getByRole('progressbar', { name: 'Restore progress' });
    await expect
      .poll(async () => Number((await progress.getAttribute('value')) ?? 0), { timeout: WAIT_MS })
      .toBeGreaterThan(0);
    expect(await bar.getByRole('status').textContent()).toMatch(
      /^Restoring… \d+%, [\d.]+ KB\/s, \d+ s left$/,
    );
    // Other restores wait meanwhile.
    expect(
      await page.getByRole('button', { name: 'Restore film.bin into another folder' }).isDisabled(),
    ).toBe(true);
    await screenshot(page, 'restore-progress');
    await bar.getByRole('button', { name: 'Cancel' }).click();
    const stopped = await restoreResult(page, 'Restore stopped');
    expect(stopped).toContain('No file is left half-written. Restore again to finish.');
    expect(await readdir(join(world.src, 'video'))).toEqual([]);
    expect(world.notified.map((n) => n.summary)).toEqual(['Restore stopped']);
    expect(
      await page.getByRole('button', { name: 'Restore film.bin into another folder' }).isDisabled(),
    ).toBe(false);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('shows only what changed in a snapshot, and restores a file deleted in it', async () => {
    const world = await makeWorld();
    const win = await harness.openReady(world);
    const { page } = win;
    await browseTo(page, world);
    await page.getByRole('switch', { name: 'Show only what changed in this snapshot' }).check();
    await settled(page);
    // At the top: the folder with changes inside; the rest of the source did not change.
    expect(await itemNames(page)).toEqual(['docs']);
    expect(await items(page).first().getAttribute('aria-label')).toMatch(
      /^docs, folder, changes inside/,
    );
    await openFolder(page, 'docs');
    const rows = await items(page).evaluateAll((rs) =>
      rs.map((r) => [
        r.querySelector('.name-text')?.textContent,
        r.querySelector('.badge')?.textContent,
      ]),
    );
    expect(rows).toEqual([
      ['new.txt', 'new'],
      ['old-plan.txt', 'deleted'],
      ['report.txt', 'changed'],
    ]);
    expect(await page.locator('.browse-status').textContent()).toBe(
      `Since ${world.snapshots[0]}: 1 new, 1 changed, 1 deleted, 0 folders with changes inside.`,
    );
    await screenshot(page, 'only-changes');

    // What this snapshot lost comes back from the one before, which holds it.
    await rm(join(world.src, 'docs/old-plan.txt'), { force: true });
    await selectItem(page, 'old-plan.txt');
    expect(await page.locator('.facts').textContent()).toContain(`Snapshot${world.snapshots[0]}`);
    await page.getByRole('button', { name: 'Restore old-plan.txt to its original place' }).click();
    await confirmRestore(page);
    await restoreResult(page, 'Restored “old-plan.txt”');
    expect(await readFile(join(world.src, 'docs/old-plan.txt'), 'utf8')).toBe('the old plan\n');

    // Switched off, the folder lists everything again.
    await page.getByRole('switch', { name: 'Show only what changed in this snapshot' }).uncheck();
    await settled(page);
    expect(await itemNames(page)).toEqual(['new.txt', 'notes.md', 'report.txt']);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('shows every run in History, a failed run’s reason first, and its log searchable', async () => {
    const world = await makeWorld();
    // A line an older version wrote, without who started the run.
    const historyFile = join(world.profileState, 'history.jsonl');
    const first = JSON.parse((await readFile(historyFile, 'utf8')).split('\n')[0]!) as Record<
      string,
      unknown
    >;
    delete first.source;
    first.startedAt = '2026-11-01T02:00:00.000Z';
    first.endedAt = '2026-11-01T02:01:05.000Z';
    first.logPath = null;
    await writeFile(
      historyFile,
      JSON.stringify(first) + '\n' + (await readFile(historyFile, 'utf8')),
    );
    // A one-off run to a small disk that fills up fails, with a log.
    const disk = await mountTmpfs(2);
    const stick = disk.dir;
    try {
      expect((await runCli(['init', '--dest', disk.dir], world)).code).toBe(0);
      await writeTree(world.src, { 'big/blob.bin': Buffer.alloc(3_000_000, 1) });
      const failed = await runCli(['backup', '--dest', disk.dir], world);
      expect(failed.code).toBe(1);
    } finally {
      await disk.unmount();
    }
    const history = await readHistory(world.profileState);
    const reason = history.at(-1)!.error!.message;
    expect(history.map((h) => [h.outcome, h.source, h.oneOff?.destination])).toEqual([
      ['ok', undefined, undefined],
      ['ok', 'cli', undefined],
      ['ok', 'cli', undefined],
      ['failed', 'cli', stick],
    ]);

    const win = await open(world);
    const { page } = win;
    await page.getByRole('tab', { name: 'History' }).click();
    const runs = page
      .getByRole('listbox', { name: 'Backup runs, newest first' })
      .getByRole('option');
    await runs.first().waitFor({ timeout: WAIT_MS });
    const labels = await runs.evaluateAll((rs) => rs.map((r) => r.getAttribute('aria-label')));
    // Each run is shown at the time its history entry records, whatever day the test runs on.
    const at = (i: number) => escapeRegExp(shownTime(history[i]!.startedAt));
    expect(labels).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${at(3)}, from Command line, Failed, one-off to ${escapeRegExp(stick)}, prefix box, \\d+ (s|min)`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^${at(2)}, from Command line, Succeeded, 2 files, 39 bytes sent, \\d+ s$`),
      ),
      expect.stringMatching(
        new RegExp(`^${at(1)}, from Command line, Succeeded, 13 files, 40 KB sent, \\d+ s$`),
      ),
      `${shownTime(first.startedAt as string)}, from Unknown, Succeeded, 13 files, 40 KB sent, 1 min 5 s`,
    ]);
    // The newest, failed run is selected: why it failed comes first, then the log in words.
    const details = page.getByRole('region', { name: 'Selected run' });
    const alarm = details.locator('.failure-reason');
    await alarm.waitFor({ timeout: WAIT_MS });
    expect(await alarm.textContent()).toBe(`Why it failed${reason}`);
    expect(reason).toMatch(/full/);
    const order = await details.evaluate((d) =>
      Array.from(d.children).map((c) => c.className || c.tagName),
    );
    expect(order.slice(0, 3)).toEqual(['H3', 'alarm failure-reason', 'hint one-off-note']);
    // It went elsewhere, and says so: the One-off badge in its row, where it went in its details.
    expect(await runs.first().locator('.one-off-badge').textContent()).toBe('One-off');
    expect(await details.locator('.one-off-note').textContent()).toBe(
      `One-off: this run went to ${stick}, prefix box, not to this profile’s destination, ` +
        'prefix and sources. It is kept here for the record; the schedule, the tray and ' +
        '“snaptray status” do not count it as a backup of this profile.',
    );
    expect(await details.locator('.facts div').allTextContents()).toContainEqual(
      `Went to${stick}, prefix box`,
    );
    expect(await runs.nth(1).locator('.one-off-badge').count()).toBe(0);
    const log = page.getByRole('list', { name: 'The run’s log' });
    await log.getByRole('listitem').first().waitFor({ timeout: WAIT_MS });
    const messages = await log.locator('.kind-message').count();
    expect(messages).toBeGreaterThan(0);
    expect(await log.locator('.log-line.kind-message .log-text').allTextContents()).toContainEqual(
      expect.stringMatching(/No space left on device/),
    );
    await screenshot(page, 'history-failed-run');

    // The second run's log, searched: the edited report is "changed", and says what changed.
    await runs.nth(1).click();
    const search = page.getByRole('searchbox', { name: 'Search the log' });
    await search.waitFor();
    await log.locator('.kind-new').first().waitFor({ timeout: WAIT_MS });
    await search.fill('REPORT');
    await expect
      .poll(() => log.getByRole('listitem').allTextContents())
      .toEqual([`changed${join(world.src, 'docs/report.txt')}(size, time)`]);
    expect(await details.locator('.run-log [role="status"]').textContent()).toBe(
      '1 new file, 1 changed file, 0 deleted, 0 messages. 1 line matches “REPORT”.',
    );
    await screenshot(page, 'history-log-search');

    // The log file itself still opens with the desktop's viewer.
    await details.getByRole('button', { name: 'Open the log file' }).click();
    await expect.poll(() => world.opened.length).toBe(1);
    expect(world.opened[0]).toBe(history[2]!.logPath);
    // The oldest line has no log any more.
    await runs.nth(3).click();
    await details.getByText('This run has no log any more').waitFor();
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('opens at History on the run the tray names, whether the window is open or not', async () => {
    const world = await makeWorld();
    // A run that fails at once: its destination does not exist.
    const gone = join(world.home, 'not-mounted');
    expect((await runCli(['backup', '--dest', gone], world)).code).toBe(1);
    const history = await readHistory(world.profileState);
    expect(history.map((h) => h.outcome)).toEqual(['ok', 'ok', 'failed']);
    const runs = (page: Page) =>
      page.getByRole('listbox', { name: 'Backup runs, newest first' }).getByRole('option');
    const selectedRun = async (page: Page) =>
      (await runs(page).evaluateAll((rs) =>
        rs
          .filter((r) => r.getAttribute('aria-selected') === 'true')
          .map((r) => r.getAttribute('aria-label')),
      )) as string[];

    // Backup History… for an older run, asked before the window has loaded its page.
    world.api.request({ page: 'history', profile: null, run: history[0]!.startedAt });
    const win = await open(world, { atSnapshots: false });
    const { page } = win;
    await expect
      .poll(() => page.getByRole('tab', { name: 'History' }).getAttribute('aria-selected'))
      .toBe('true');
    await expect
      .poll(() => selectedRun(page))
      .toEqual([
        expect.stringMatching(new RegExp(`^${escapeRegExp(shownTime(history[0]!.startedAt))}, `)),
      ]);

    // A failure's Show Details… while the window is open: History goes to that run, reason first.
    await page.getByRole('tab', { name: 'Snapshots' }).click();
    world.api.request({ page: 'history', profile: 'default', run: history[2]!.startedAt });
    await expect.poll(() => selectedRun(page)).toEqual([expect.stringMatching(/, Failed, /)]);
    const alarm = page.getByRole('region', { name: 'Selected run' }).locator('.failure-reason');
    await alarm.waitFor({ timeout: WAIT_MS });
    expect(await alarm.textContent()).toBe(`Why it failed${history[2]!.error!.message}`);
    // Taken once: the next open of the window starts where the user was.
    expect(await world.api.handlers.takeOpenRequest()).toBeNull();
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('verifies a snapshot and names the file whose copy was damaged', async () => {
    const world = await makeWorld();
    const events: BackupsEvent[] = [];
    const copy = join(world.destDir, world.snapshots[1]!, world.src, 'docs/notes.md');
    const before = await stat(copy);
    // Same size and time, different content: what a failing disk does.
    await chmod(copy, 0o644);
    await writeFile(copy, 'MEETING NOTES\n');
    await utimes(copy, before.atime, before.mtime);
    const win = await harness.openReady(world);
    const { page } = win;
    const send = world.send;
    world.send = (event) => {
      events.push(event);
      send(event);
    };
    await page.getByRole('tab', { name: 'Verify' }).click();
    expect(await page.getByLabel('Snapshot to verify').inputValue()).toBe(world.snapshots[1]);
    await page.getByRole('button', { name: 'Verify Backups' }).click();
    const outcome = page.locator('.verify-outcome');
    await outcome.waitFor({ timeout: WAIT_MS });
    expect(await outcome.locator('h3').textContent()).toBe('1 file differs in content');
    expect(await outcome.getByRole('list', { name: 'Files that differ' }).textContent()).toBe(
      join(world.src, 'docs/notes.md'),
    );
    expect(await outcome.textContent()).toContain(
      'Of 13 files compared, this one has the same size and modification time here and in the snapshot, but not the same content:',
    );
    expect(events.map((e) => (e.type === 'verify-progress' ? e.phase : e.type))).toEqual(
      expect.arrayContaining(['listing', 'comparing', 'checking']),
    );
    expect(events.at(-1)).toEqual({
      type: 'verify-progress',
      phase: 'checking',
      done: 13,
      total: 13,
    });
    await screenshot(page, 'verify-damaged');

    // The older snapshot holds the same damaged copy (hard-linked), the newer file is intact.
    await page.getByLabel('Snapshot to verify').selectOption(world.snapshots[0]!);
    await page.getByRole('button', { name: 'Verify Backups' }).click();
    await page
      .locator('.verify-outcome h3')
      .filter({ hasText: '1 file differs' })
      .waitFor({ timeout: WAIT_MS });
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('says when the destination cannot be reached, with Retry', async () => {
    const closed = await freePort();
    const world = await makeWorld({ port: closed });
    const win = await open(world);
    const { page } = win;
    const alert = page.getByRole('alert');
    await alert
      .getByRole('heading', { name: 'The destination cannot be reached' })
      .waitFor({ timeout: WAIT_MS });
    expect(await alert.textContent()).toMatch(new RegExp(`refused|${closed}`, 'i'));
    const retry = alert.getByRole('button', { name: 'Retry' });
    // A failure read while the page is shown gives Retry the focus: Enter tries again. (The first
    // one may have come while the window still showed the Overview: reading again settles it.)
    await page.keyboard.press('F5');
    await expect
      .poll(() => retry.evaluate((e) => e === document.activeElement), { timeout: WAIT_MS })
      .toBe(true);
    await screenshot(page, 'unreachable');

    // The router is back (here: the settings name the right port), and Retry shows the snapshots.
    await writeProfile(world.configFile, profileFor(world, harness.sshd.port));
    await page.keyboard.press('Enter');
    await items(page).first().waitFor({ timeout: WAIT_MS });
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await itemNames(page)).toEqual([world.src]);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('works from the keyboard, names every control, and follows light and dark', async () => {
    const world = await makeWorld();
    const win = await harness.openReady(world);
    const { page } = win;
    const focusedLine = async () => {
      const line =
        (await page.locator(':focus').ariaSnapshot()).split('\n')[0]?.replace(/^- /, '') ?? '';
      return /^\w+ "[^"]+"/.exec(line)?.[0] ?? line.replace(/:$/, '');
    };

    // Tab goes from the sidebar through the timeline and the folder's controls, each named.
    await page.getByRole('tab', { name: 'Snapshots' }).focus();
    const stops: string[] = [];
    for (let i = 0; i < 30 && !stops.at(-1)?.startsWith('option "/'); i++) {
      if (i > 0) await page.keyboard.press('Tab');
      stops.push(await focusedLine());
    }
    expect(stops).toEqual([
      'tab "Snapshots"',
      'button "Read the snapshots again"',
      expect.stringMatching(/^option "Today \d\d:\d\d(:\d\d)?, ok, 2 files, 39 bytes sent"$/),
      'searchbox "Search all snapshots by name"',
      'searchbox "Filter names in this folder"',
      'switch "Show only what changed in this snapshot"',
      `option "${world.src}, folder"`,
    ]);

    // Enter opens a folder, the arrow keys move, Backspace goes back up.
    await page.keyboard.press('Enter');
    await settled(page);
    expect(await focusedLine()).toBe(
      'option "docs, folder, modified ' + (await modifiedOf(page, 'docs')) + '"',
    );
    await page.keyboard.press('Enter');
    await settled(page);
    await page.keyboard.press('End');
    expect(await focusedLine()).toMatch(/^option "report\.txt, file, 25 bytes, modified /);
    await page.locator('.versions-table').waitFor({ timeout: WAIT_MS });
    await page.keyboard.press('Backspace');
    await settled(page);
    expect(await focusedLine()).toMatch(/^option "docs, folder/);

    // In the timeline, the arrow keys choose the snapshot shown.
    await page
      .getByRole('listbox', { name: 'Snapshots, newest first' })
      .getByRole('option')
      .first()
      .focus();
    await page.keyboard.press('ArrowDown');
    await settled(page);
    expect(await focusedLine()).toMatch(
      /^option "Today \d\d:\d\d(:\d\d)?, ok, 13 files, 40 KB sent"$/,
    );
    expect(await page.locator('.facts').textContent()).toContain(`Snapshot${world.snapshots[0]}`);

    // Every page: every control named; the sidebar is a tablist.
    await openFolder(page, 'docs');
    await selectItem(page, 'report.txt');
    await page.locator('.versions-table').waitFor({ timeout: WAIT_MS });
    const controls: string[] = [];
    let tree = '';
    const ready = { Snapshots: '.versions-table', History: '.run-log li', Verify: '.verify-card' };
    for (const [name, shown] of Object.entries(ready)) {
      await page.getByRole('tab', { name }).click();
      await page.locator(shown).first().waitFor({ timeout: WAIT_MS });
      const snapshot = await page.locator('body').ariaSnapshot();
      tree += snapshot;
      controls.push(
        ...snapshot
          .split('\n')
          .map((l) => l.trim())
          .filter((l) =>
            /^- (textbox|searchbox|checkbox|radio|button|switch|combobox|listbox|option|tab|table|progressbar)\b/.test(
              l,
            ),
          ),
      );
    }
    expect(controls.length).toBeGreaterThan(25);
    expect(controls.filter((l) => !/^- \w+ "[^"]+"/.test(l))).toEqual([]);
    for (const name of [
      'tablist "Backups pages"',
      'listbox "Snapshots, newest first"',
      'navigation "Folder path"',
      'button "Up to the parent folder"',
      'button "Restore report.txt to its original place"',
      'button "Restore report.txt into another folder"',
      'button "Open the version modified 20 Nov 2026, 10:00, read-only"',
      'listbox "Backup runs, newest first"',
      'searchbox "Search the log"',
      'combobox "Snapshot to verify"',
      'button "Verify Backups"',
    ]) {
      expect(tree).toContain(name);
    }

    // Light and dark: each page as the desktop's style asks, every text readable (WCAG AA).
    const unreadable: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, shown] of Object.entries(ready)) {
        await page.getByRole('tab', { name }).click();
        await page.locator(shown).first().waitFor({ timeout: WAIT_MS });
        await screenshot(page, `${scheme}-${name.toLowerCase()}`);
        for (const low of await lowContrastTexts(page)) {
          unreadable.push(
            `${scheme} ${name}: "${low.text}" ${low.ratio}:1 (needs ${low.needed}:1; ${low.color} on ${low.background})`,
          );
        }
      }
    }
    expect(unreadable).toEqual([]);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(34, 34, 38)');
    expect(win.problems).toEqual([]);
    await page.close();
  });
});
