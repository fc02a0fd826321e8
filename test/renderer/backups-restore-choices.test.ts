/**
 * The Backups window's choices around a restore, in real Chromium over the real handlers of the
 * main process (only the IPC transport replaced), the restore engine, rsync and an sshd on
 * loopback as the router; the snapshots and runs are made by the real CLI. History's filter,
 * Show in Files after a restore, Keep Both or Replace, Compare with Current, and Verify's good copy.
 */
import { chmod, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { defaultProfile, type Profile } from '../../core/settings/schema.js';
import { openConfStore, saveSettings } from '../../core/settings/store.js';
import { readHistory } from '../../core/state/history.js';
import { createBackupsApi, type BackupsApi } from '../../electron/backups/api.js';
import type { BackupsEvent } from '../../electron/ipc/contract.js';
import { answeredDialogs, type AnsweredDialogs } from '../support/answered-dialogs.js';
import { lowContrastTexts } from '../support/contrast.js';
import { makeCliHome, runCli, type CliHome } from '../support/cli.js';
import { profileSsh } from '../support/sshd.js';
import { makeTempDir, writeTree } from '../support/tree.js';
import type { BackupsWindow } from '../support/window-page.js';
import {
  openFolder,
  machineParts,
  selectItem,
  useBackupsWindowHarness,
  WAIT_MS,
} from '../support/backups-window-harness.js';

const ARTIFACTS = join(
  import.meta.dirname,
  '..',
  '..',
  'test-artifacts',
  'backups-restore-choices',
);
const harness = useBackupsWindowHarness({ artifacts: ARTIFACTS });

/** A file's time that says which version it is. */
const DRAFT_TIME = new Date(2026, 10, 20, 10, 0);
const FINAL_TIME = new Date(2026, 10, 25, 16, 30);

interface World extends CliHome {
  home: string;
  src: string;
  destDir: string;
  profileState: string;
  api: BackupsApi;
  /** What the file manager was asked to show (shell.showItemInFolder). */
  shown: string[];
  dialogs: AnsweredDialogs;
  /** Snapshot names, oldest first. */
  snapshots: string[];
  send: (event: BackupsEvent) => void;
}

function profileFor(src: string, destDir: string): Profile {
  return {
    ...defaultProfile(),
    sources: [src],
    destination: `${harness.sshd.user}@127.0.0.1:${destDir}`,
    prefix: 'box',
    ssh: { ...defaultProfile().ssh, ...profileSsh(harness.sshd), port: harness.sshd.port },
  };
}

/**
 * A user with a source folder in their home and two snapshots over ssh, made by the CLI: the
 * second after report.txt was rewritten.
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
  expect(
    saveSettings(store, { version: 1, profiles: { default: profileFor(src, destDir) } }).ok,
  ).toBe(true);
  const user = { ...cli, env };
  await ok(runCli(['init'], user));

  await writeTree(src, {
    'docs/report.txt': 'Report\nfirst draft\nto be continued\n',
    'docs/notes.md': 'meeting notes\n',
    'docs/chart.bin': Buffer.from([0, 1, 2, 3, 0, 0, 255, 254]),
  });
  await utimes(join(src, 'docs/report.txt'), DRAFT_TIME, DRAFT_TIME);
  await ok(runCli(['backup'], user));
  await writeFile(join(src, 'docs/report.txt'), 'Report\nthe final version\nto be continued\n');
  await utimes(join(src, 'docs/report.txt'), FINAL_TIME, FINAL_TIME);
  await ok(runCli(['backup'], user));

  const world: World = {
    ...user,
    home,
    src,
    destDir,
    profileState: join(cli.stateDir, 'snaptray', 'default'),
    shown: [],
    dialogs: answeredDialogs(),
    snapshots: (await readHistory(join(cli.stateDir, 'snaptray', 'default'))).map(
      (e) => e.snapshot!,
    ),
    send: () => undefined,
    api: null as unknown as BackupsApi,
  };
  world.api = createBackupsApi({
    env,
    spawn: spawnProcess,
    ...machineParts(),
    openPath: async () => '',
    showItemInFolder: (path) => {
      world.shown.push(path);
    },
    dialogs: world.dialogs,
    send: (event) => world.send(event),
    notify: async () => undefined,
    notificationIcon: null,
    busyRetryMs: 1000,
    longRestoreMs: 60_000,
  });
  return world;
}

async function ok(run: Promise<{ code: number | null; stderr: string }>): Promise<void> {
  const result = await run;
  expect(result.code, result.stderr).toBe(0);
}

async function open(world: World): Promise<BackupsWindow> {
  const win = await harness.open(world);
  return win;
}

/** Screenshots of the page in light and in dark, every text of both readable (WCAG AA). */
async function screenshotBoth(page: Page, name: string): Promise<void> {
  const unreadable: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${scheme}.png`) });
    for (const low of await lowContrastTexts(page)) {
      unreadable.push(`${scheme}: "${low.text}" ${low.ratio}:1 (needs ${low.needed}:1)`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  expect(unreadable).toEqual([]);
}

function runRows(page: Page) {
  return page.getByRole('listbox', { name: 'Backup runs, newest first' }).getByRole('option');
}

async function runLabels(page: Page): Promise<string[]> {
  return runRows(page).evaluateAll((rs) => rs.map((r) => r.getAttribute('aria-label') ?? ''));
}

async function selectedRun(page: Page): Promise<string[]> {
  return runRows(page).evaluateAll((rs) =>
    rs
      .filter((r) => r.getAttribute('aria-selected') === 'true')
      .map((r) => r.getAttribute('aria-label') ?? ''),
  );
}

describe('the Backups window’s restore choices', () => {
  it('filters History by outcome, by who started a run and by text, with the count', async () => {
    const world = await makeWorld();
    // A run that fails at once: its destination is not mounted.
    const gone = join(world.home, 'not-mounted');
    expect((await runCli(['backup', '--dest', gone], world)).code).toBe(1);
    // A run from the tray that left a warning, as the tray writes it to the same history.
    const historyFile = join(world.profileState, 'history.jsonl');
    const history = await readHistory(world.profileState);
    const trayRun = {
      ...history[1]!,
      startedAt: '2026-11-01T02:00:00.000Z',
      endedAt: '2026-11-01T02:01:05.000Z',
      source: 'tray',
      outcome: 'partial',
      rsyncExitCode: 23,
      snapshot: 'box-2026-11-01-030000',
      logPath: null,
      warnings: ['1 file could not be read: /home/ann/locked.db (Permission denied)'],
    };
    await writeFile(
      historyFile,
      JSON.stringify(trayRun) + '\n' + (await readFile(historyFile, 'utf8')),
    );
    const failure = (await readHistory(world.profileState)).at(-1)!.error!.message;
    expect(failure).toContain(gone);

    const win = await open(world);
    const { page } = win;
    await page.getByRole('tab', { name: 'History' }).click();
    await runRows(page).first().waitFor({ timeout: WAIT_MS });
    const status = page.locator('.run-count [role="status"]');
    expect(await status.textContent()).toBe('4 runs, newest first.');
    const every = await runLabels(page);
    expect(every).toEqual([
      expect.stringMatching(/, from Command line, Failed, /),
      expect.stringMatching(/, from Command line, Succeeded, /),
      expect.stringMatching(/, from Command line, Succeeded, /),
      expect.stringMatching(/, from Tray, Completed with errors, .*1 warning$/),
    ]);

    // The keyboard reaches the filter from the sidebar, before the runs.
    await page.getByRole('tab', { name: 'History' }).focus();
    const stops: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      stops.push(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLElement;
          return `${el.tagName.toLowerCase()} ${(el as HTMLInputElement).labels?.[0]?.textContent ?? el.getAttribute('aria-label')}`;
        }),
      );
    }
    expect(stops).toEqual([
      'select Outcome',
      'select From',
      'input Search',
      expect.stringMatching(/^div .*, Failed, /),
    ]);

    // The second run selected stays selected while a filter still lists it.
    await runRows(page).nth(1).click();
    const chosen = await selectedRun(page);
    await page.getByLabel('From', { exact: true }).selectOption({ label: 'Command line' });
    await expect.poll(() => status.textContent()).toBe('3 of 4 runs match the filter.');
    expect(await selectedRun(page)).toEqual(chosen);

    // Only the failed run: it is selected, its reason shown.
    await page.getByLabel('Outcome').selectOption({ label: 'Failed' });
    await expect.poll(() => status.textContent()).toBe('1 of 4 runs matches the filter.');
    expect(await runLabels(page)).toEqual([expect.stringMatching(/, Failed, /)]);
    expect(await selectedRun(page)).toEqual(await runLabels(page));
    expect(await page.locator('.failure-reason').textContent()).toBe(`Why it failed${failure}`);
    await screenshotBoth(page, 'history-filter-failed');

    // With warnings: the tray's run, which Command line now leaves out.
    await page.getByLabel('Outcome').selectOption({ label: 'With warnings' });
    await expect.poll(() => status.textContent()).toBe('0 of 4 runs match the filter.');
    expect(await page.locator('.run-details').textContent()).toBe(
      'No run matches the filter. Clear Filters shows every run.',
    );
    await page.getByLabel('From', { exact: true }).selectOption({ label: 'Tray' });
    await expect.poll(() => runLabels(page)).toEqual([expect.stringMatching(/, from Tray, /)]);

    // Text: a word of a warning, of the error, or a snapshot's name; any case.
    await page.getByRole('button', { name: 'Clear Filters' }).click();
    await expect.poll(() => status.textContent()).toBe('4 runs, newest first.');
    await page.getByLabel('Search', { exact: true }).fill('LOCKED.DB');
    await page.getByLabel('Search', { exact: true }).press('Enter');
    await expect.poll(() => runLabels(page)).toEqual([expect.stringMatching(/, from Tray, /)]);
    expect(await status.textContent()).toBe('1 of 4 runs matches the filter.');
    await page.getByLabel('Search', { exact: true }).fill('not-mounted');
    await expect.poll(() => runLabels(page)).toEqual([expect.stringMatching(/, Failed, /)]);
    await page.getByLabel('Search', { exact: true }).fill(world.snapshots[0]!);
    await expect.poll(() => runLabels(page)).toEqual([every[2]]);
    await page.getByRole('button', { name: 'Clear Filters' }).click();
    await expect.poll(() => runLabels(page)).toHaveLength(4);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('shows in Files where a restore put a file, and refuses any other path', async () => {
    const world = await makeWorld();
    const notes = join(world.src, 'docs/notes.md');
    await rm(notes);
    const win = await harness.openReady(world);
    const { page } = win;
    await openFolder(page, world.src);
    await openFolder(page, 'docs');
    await selectItem(page, 'notes.md');
    await page.getByRole('button', { name: 'Restore notes.md to its original place' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await dialog
      .getByRole('heading', { name: 'Restored “notes.md”' })
      .waitFor({ timeout: WAIT_MS });
    expect(await readFile(notes, 'utf8')).toBe('meeting notes\n');
    await screenshotBoth(page, 'restore-result-show-in-files');

    await dialog.getByRole('button', { name: `Show ${notes} in Files` }).click();
    await expect.poll(() => world.shown).toEqual([notes]);
    expect(await dialog.getByRole('status').textContent()).toBe('');
    await dialog.getByRole('button', { name: 'Close' }).click();

    // A page gone bad cannot have the file manager open anything else.
    const asked = await page.evaluate(
      (paths) =>
        Promise.all(
          paths.map((path) =>
            (
              window as unknown as {
                snaptray: { showRestored(r: { path: string }): Promise<unknown> };
              }
            ).snaptray.showRestored({ path }),
          ),
        ),
      ['/etc/passwd', join(world.src, 'docs/report.txt'), join(world.src, 'docs')],
    );
    expect(asked).toEqual(
      Array(3).fill({
        ok: false,
        reason: 'refused',
        message: 'Only a place the last restore wrote to can be shown in Files: restore it first.',
      }),
    );
    expect(world.shown).toEqual([notes]);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('keeps both where the file here differs, leaving it untouched, or replaces it keeping it aside', async () => {
    const world = await makeWorld();
    const report = join(world.src, 'docs/report.txt');
    const docs = join(world.src, 'docs');
    const win = await harness.openReady(world);
    const { page } = win;
    await openFolder(page, world.src);
    await openFolder(page, 'docs');
    await selectItem(page, 'report.txt');
    const draft = page.getByRole('button', {
      name: 'Restore the version modified 20 Nov 2026, 10:00',
    });
    await draft.waitFor({ timeout: WAIT_MS });

    // Keep Both: the file here stays as it is, the draft goes beside it under a new name.
    await draft.click();
    const dialog = page.getByRole('dialog');
    await dialog
      .getByRole('heading', { name: 'Keep both, or replace?' })
      .waitFor({ timeout: WAIT_MS });
    expect(await dialog.locator('.dialog-body').textContent()).toBe(
      `Restore the version of “report.txt” modified 20 Nov 2026, 10:00 from ${world.snapshots[0]} ` +
        'to its original place: 1 file to write.' +
        '1 file here differs from the snapshot’s:' +
        report +
        'Keep BothThe file here stays as it is; the snapshot’s version is written beside it under ' +
        'a new name, NAME (restored from DATE TIME).' +
        'ReplaceThe snapshot’s version takes its place; the file here is kept aside first, ' +
        'renamed NAME.before-restore-(date and time of the restore).',
    );
    await screenshotBoth(page, 'restore-keep-both-or-replace');
    await dialog.getByRole('button', { name: 'Keep Both' }).click();
    await dialog
      .getByRole('heading', { name: /^Restored the version/ })
      .waitFor({ timeout: WAIT_MS });
    // No question from the app: nothing here is replaced.
    expect(world.dialogs.questions).toEqual([]);
    expect(await readFile(report, 'utf8')).toBe('Report\nthe final version\nto be continued\n');
    expect((await stat(report)).mtime).toEqual(FINAL_TIME);
    const beside = (await readdir(docs)).filter((n) => n.startsWith('report (restored from '));
    expect(beside).toEqual([
      expect.stringMatching(/^report \(restored from \d{4}-\d\d-\d\d \d\d\.\d\d\)\.txt$/),
    ]);
    expect(await readFile(join(docs, beside[0]!), 'utf8')).toBe(
      'Report\nfirst draft\nto be continued\n',
    );
    expect(await dialog.textContent()).toContain(
      `Restored 1 file from ${world.snapshots[0]}. 1 item written beside the current one, which is as it was.`,
    );
    expect(await dialog.getByRole('list', { name: 'Restored' }).textContent()).toBe(
      `${join(docs, beside[0]!)}beside report.txt, which is as it wasShow in Files`,
    );
    await screenshotBoth(page, 'restore-kept-both');
    await dialog.getByRole('button', { name: 'Close' }).click();

    // Replace: the draft takes the file's place, the current one kept aside, after the app asks.
    world.dialogs.answers.push('Restore');
    await selectItem(page, 'report.txt');
    await draft.click();
    await dialog
      .getByRole('heading', { name: 'Keep both, or replace?' })
      .waitFor({ timeout: WAIT_MS });
    await dialog.getByRole('button', { name: 'Replace' }).click();
    await dialog
      .getByRole('heading', { name: /^Restored the version/ })
      .waitFor({ timeout: WAIT_MS });
    expect(world.dialogs.questions.map((q) => q.message)).toEqual([
      `Restore “report.txt” from ${world.snapshots[0]} to its original place?`,
    ]);
    expect(await readFile(report, 'utf8')).toBe('Report\nfirst draft\nto be continued\n');
    const aside = (await readdir(docs)).filter((n) => n.startsWith('report.txt.before-restore-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(docs, aside[0]!), 'utf8')).toBe(
      'Report\nthe final version\nto be continued\n',
    );
    // The copy kept both ways earlier is still there, untouched.
    expect(await readFile(join(docs, beside[0]!), 'utf8')).toBe(
      'Report\nfirst draft\nto be continued\n',
    );
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('compares a text version with the file here, side by side or unified, and says when it cannot', async () => {
    const world = await makeWorld();
    const win = await harness.openReady(world);
    const { page } = win;
    await openFolder(page, world.src);
    await openFolder(page, 'docs');
    await selectItem(page, 'report.txt');
    const compareDraft = page.getByRole('button', {
      name: 'Compare with Current: the version modified 20 Nov 2026, 10:00',
    });
    await compareDraft.click();
    const dialog = page.getByRole('dialog');
    await dialog
      .getByRole('heading', {
        name: 'report.txt: the version modified 20 Nov 2026, 10:00 and the file here',
      })
      .waitFor({ timeout: WAIT_MS });
    expect(await dialog.locator('.comparison-summary').textContent()).toBe(
      `1 line only in ${world.snapshots[0]} (−), 1 line only here (+); 3 lines in the version, 3 lines here.`,
    );
    // The window is wide: side by side, the changed line paired with its replacement.
    const rows = () =>
      dialog.locator('.diff tr').evaluateAll((trs) =>
        trs.map((tr) =>
          Array.from(tr.children).map((td) => {
            const copy = td.cloneNode(true) as HTMLElement;
            copy.querySelectorAll('.visually-hidden').forEach((n) => n.remove());
            return copy.textContent ?? '';
          }),
        ),
      );
    expect(await dialog.getByRole('switch', { name: 'Side by side' }).isChecked()).toBe(true);
    expect(await rows()).toEqual([
      [`In ${world.snapshots[0]}`, 'Here'],
      ['@@ −1,3 +1,3 @@'],
      ['1', 'Report', '1', 'Report'],
      ['2', 'first draft', '2', 'the final version'],
      ['3', 'to be continued', '3', 'to be continued'],
    ]);
    expect(await dialog.locator('td.diff-removed.diff-text').textContent()).toBe(
      'only in the version: first draft',
    );
    await screenshotBoth(page, 'compare-side-by-side');
    await dialog.getByRole('switch', { name: 'Side by side' }).click();
    expect(await rows()).toEqual([
      ['Line in the version', 'Line here', 'Where', 'Text'],
      ['@@ −1,3 +1,3 @@'],
      ['1', '1', ' ', 'Report'],
      ['2', '', '−', 'first draft'],
      ['', '2', '+', 'the final version'],
      ['3', '3', ' ', 'to be continued'],
    ]);
    await screenshotBoth(page, 'compare-unified');
    await dialog.getByRole('button', { name: 'Close' }).click();

    // The version that is the file here; a binary file; a file no longer here.
    const versionsStatus = page.locator('.versions [role="status"]');
    await page
      .getByRole('button', {
        name: 'Compare with Current: the version modified 25 Nov 2026, 16:30',
      })
      .click();
    await dialog.waitFor({ timeout: WAIT_MS });
    expect(await dialog.locator('.comparison-summary').textContent()).toBe(
      'The file here has the same text as this version (3 lines).',
    );
    expect(await dialog.locator('.diff').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await selectItem(page, 'chart.bin');
    await page.getByRole('button', { name: /^Compare with Current: / }).click();
    await expect.poll(() => versionsStatus.textContent(), { timeout: WAIT_MS }).toMatch(/binary/);
    expect(await dialog.count()).toBe(0);
    await rm(join(world.src, 'docs/report.txt'));
    await selectItem(page, 'report.txt');
    await compareDraft.click();
    await dialog.waitFor({ timeout: WAIT_MS });
    expect(await dialog.locator('.comparison-summary').textContent()).toBe(
      `There is no file here at ${join(world.src, 'docs/report.txt')} to compare with: it was ` +
        'deleted or moved. Restore this version to bring it back.',
    );
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('offers from Verify the good copy of a damaged file, or says every snapshot shares the damage', async () => {
    const world = await makeWorld();
    const notes = join(world.src, 'docs/notes.md');
    const report = join(world.src, 'docs/report.txt');
    // notes.md leaves for one backup and comes back, the same bytes and time: a fresh copy.
    const was = await stat(notes);
    await rm(notes);
    await ok(runCli(['backup'], world));
    await writeFile(notes, 'meeting notes\n');
    await utimes(notes, was.atime, was.mtime);
    await ok(runCli(['backup'], world));
    const snapshots = (await readHistory(world.profileState)).map((e) => e.snapshot!);
    expect(snapshots).toHaveLength(4);
    const newest = snapshots[3]!;
    // A failing disk: the newest copies of notes.md and report.txt change, size and time kept.
    for (const path of [notes, report]) {
      const copy = join(world.destDir, newest, path);
      const before = await stat(copy);
      await chmod(copy, 0o644);
      await writeFile(copy, (await readFile(copy, 'utf8')).toUpperCase());
      await utimes(copy, before.atime, before.mtime);
    }

    const win = await harness.openReady(world);
    const { page } = win;
    await page.getByRole('tab', { name: 'Verify' }).click();
    expect(await page.getByLabel('Snapshot to verify').inputValue()).toBe(newest);
    await page.getByRole('button', { name: 'Verify Backups' }).click();
    const outcome = page.locator('.verify-outcome');
    await outcome.waitFor({ timeout: WAIT_MS });
    expect(await outcome.locator('h3').textContent()).toBe('2 files differ in content');
    const damaged = outcome.getByRole('list', { name: 'Damaged files' }).getByRole('listitem');
    const time = (name: string) =>
      page.evaluate(
        ([n]) => document.querySelector(`option[value="${n}"]`)?.textContent?.split(' — ')[0],
        [name],
      );
    const words = async (name: string) => `${await time(name)} (${name})`;
    expect(await damaged.allTextContents()).toEqual([
      `${notes}The damaged copy is only in ${await words(newest)}. An intact copy of the same ` +
        'version, with the same content as the file here, is in ' +
        `${await words(snapshots[1]!)}.Restore Good Copy…`,
      // report.txt: one copy, linked from the second snapshot on.
      `${report}The damaged copy is one file shared by 3 snapshots: ` +
        `${await words(snapshots[1]!)}, ${await words(snapshots[2]!)}, ${await words(newest)}. ` +
        'No other snapshot holds an intact copy of this version: the damage is in every snapshot ' +
        'sharing this copy. The next backup compares the file by content and stores it as it is ' +
        'here, instead of linking this copy again.',
    ]);
    expect(await damaged.nth(1).getByRole('button').count()).toBe(0);
    await screenshotBoth(page, 'verify-good-copy');

    // The file here is lost too; the good copy brings the right content back, not the damaged one.
    await rm(notes);
    await page
      .getByRole('button', { name: `Restore the good copy of ${notes} from ${snapshots[1]}` })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await dialog
      .getByRole('heading', { name: /^Restored the good copy/ })
      .waitFor({ timeout: WAIT_MS });
    expect(await dialog.textContent()).toContain(`Restored 1 file from ${snapshots[1]}.`);
    expect(await readFile(notes, 'utf8')).toBe('meeting notes\n');
    expect(win.problems).toEqual([]);
    await page.close();

    // The next backup stores both as they are here, rather than linking the damaged copies again.
    await ok(runCli(['backup'], world));
    const next = (await readHistory(world.profileState)).at(-1)!;
    for (const path of [notes, report]) {
      const stored = join(world.destDir, next.snapshot!, path);
      expect(await readFile(stored, 'utf8')).toBe(await readFile(path, 'utf8'));
      expect((await stat(stored)).ino).not.toBe(
        (await stat(join(world.destDir, newest, path))).ino,
      );
    }
    expect(next.warnings.join(' ')).toContain('compared by content, 2 files were stored afresh');
  });
});
