/**
 * The Backups window while a backup runs, in real Chromium over the real handlers (only the IPC
 * transport replaced), rsync, an sshd on loopback as the router and real rrsync keys: the window
 * reads and browses wherever the destination lets it; where it refuses (an rrsync key that locks
 * its folder, held by another transfer), the window says so once across its top, keeps what it
 * showed browsable, and reads again by itself once the destination is free.
 */
import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { defaultProfile, type Profile } from '../../core/settings/schema.js';
import { createBackupsApi, type BackupsApi } from '../../electron/backups/api.js';
import type { BackupsEvent } from '../../electron/ipc/contract.js';
import { answeredDialogs } from '../support/answered-dialogs.js';
import { lowContrastTexts } from '../support/contrast.js';
import { makeCliHome, runCli, type CliHome } from '../support/cli.js';
import {
  holdCliBackup,
  releaseHeldBackups,
  saveProfile,
  waitUntil,
} from '../support/held-backup.js';
import { profileSsh, sshArgs } from '../support/sshd.js';
import { makeTempDir, writeTree } from '../support/tree.js';
import type { BackupsWindow } from '../support/window-page.js';
import {
  itemNames,
  items,
  doubleClickItem,
  settled,
  snapshotRows,
  machineParts,
  useBackupsWindowHarness,
  WAIT_MS,
} from '../support/backups-window-harness.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'backups-window');
const harness = useBackupsWindowHarness({ artifacts: ARTIFACTS, afterEach: releaseStopped });
const BUSY_WORDS =
  'The destination is busy: another transfer, most likely a backup, is using it through a key that lets one transfer at a time. What is shown stays browsable; this window asks again by itself.';

const stopped: ChildProcess[] = [];

/** Lets go of every process a test stopped, so none outlives it. */
function releaseStopped(): void {
  for (const child of stopped.splice(0)) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  releaseHeldBackups();
}

interface World extends CliHome {
  src: string;
  destDir: string;
  profile: Profile;
  configFile: string;
  stateDir: string;
  keyFile: string;
  api: BackupsApi;
  /** What the handlers answered the window's reading requests: "listFolder busy", … */
  answers: string[];
  send: (event: BackupsEvent) => void;
}

/** A user with two snapshots made by the CLI, through a plain key or a locking rrsync key. */
async function makeWorld(key: 'plain' | 'locking rrsync'): Promise<World> {
  const cli = await makeCliHome();
  const home = await makeTempDir('st-user-');
  const env = { ...cli.env, HOME: home };
  const src = join(home, 'src');
  const destDir = await makeTempDir('st-router-');
  const keyFile =
    key === 'plain'
      ? harness.sshd.clientKey
      : await harness.sshd.addClientKey(`locking-${String(Date.now())}`, {
          restrictedDir: destDir,
        });
  const profile: Profile = {
    ...defaultProfile(),
    sources: [src],
    destination: `${harness.sshd.user}@127.0.0.1:${key === 'plain' ? destDir : '/'}`,
    prefix: 'box',
    ssh: { ...defaultProfile().ssh, ...profileSsh(harness.sshd, keyFile) },
  };
  const configFile = join(cli.configDir, 'Snaptray', 'config.json');
  await mkdir(join(cli.configDir, 'Snaptray'), { recursive: true });
  await saveProfile(cli.configDir, profile);
  const user = { ...cli, env };
  expect((await runCli(['init'], user)).code).toBe(0);
  await writeTree(src, {
    'docs/report.txt': 'the report\n',
    'docs/notes.md': 'notes\n',
    'photos/cat.jpg': Buffer.alloc(20_000, 9),
  });
  for (let i = 0; i < 2; i++) {
    await writeTree(src, { 'count.txt': `${String(i)}\n` });
    const made = await runCli(['backup'], user);
    expect(made.code, made.stderr).toBe(0);
  }
  const world: World = {
    ...user,
    src,
    destDir,
    profile,
    configFile,
    stateDir: join(cli.stateDir, 'snaptray', 'default'),
    keyFile,
    answers: [],
    send: () => undefined,
    api: null as unknown as BackupsApi,
  };
  world.api = createBackupsApi({
    env,
    spawn: spawnProcess,
    ...machineParts(),
    openPath: async () => '',
    showItemInFolder: () => undefined,
    dialogs: answeredDialogs(),
    send: (event) => world.send(event),
    notify: async () => undefined,
    notificationIcon: null,
    // Asked again only when the destination is free: no timer does it within a test.
    busyRetryMs: 600_000,
  });
  const handlers = world.api.handlers as unknown as Record<
    string,
    (...args: unknown[]) => Promise<{ ok: boolean; reason?: string }>
  >;
  for (const method of ['loadTimeline', 'listFolder']) {
    const handler = handlers[method]!;
    handlers[method] = async (...args) => {
      const answer = await handler(...args);
      world.answers.push(`${method} ${answer.ok ? 'ok' : answer.reason!}`);
      return answer;
    };
  }
  return world;
}

async function open(world: World): Promise<BackupsWindow> {
  const win = await harness.open(world);
  return win;
}

/**
 * Another transfer through the world's locking key (a slow pull of a file in its folder), held
 * with SIGSTOP once it transfers: rrsync's lock on the folder stays held until `release`.
 */
async function holdTheLock(w: World): Promise<{ release(): Promise<void> }> {
  await writeFile(join(w.destDir, 'other-transfer.bin'), Buffer.alloc(2_000_000, 7));
  const into = await makeTempDir('st-other-');
  const child = spawnChild(
    'rsync',
    [
      '-e',
      ['ssh', ...sshArgs({ ...harness.sshd, clientKey: w.keyFile })].join(' '),
      '--bwlimit=20',
      `${harness.sshd.user}@127.0.0.1:/other-transfer.bin`,
      `${into}/`,
    ],
    { stdio: 'ignore' },
  );
  stopped.push(child);
  const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntil('the other transfer holds the lock', async () => {
    if (child.exitCode !== null)
      throw new Error('the other transfer ended before it held the lock');
    return (await readdir(into)).some((n) => n.startsWith('.other-transfer.bin.'));
  });
  child.kill('SIGSTOP');
  return {
    async release() {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await ended;
    },
  };
}

describe('the Backups window while a backup runs', () => {
  it('shows the timeline and browses a folder while a CLI run of the profile goes on', async () => {
    const w = await makeWorld('plain');
    const run = await holdCliBackup(w);
    const win = await open(w);
    const { page } = win;

    // The run's own snapshot is there too, unfinished; the newest complete one is browsed.
    await snapshotRows(page).nth(2).waitFor({ timeout: WAIT_MS });
    expect(
      await snapshotRows(page).evaluateAll((rows) =>
        rows.map((r) => r.querySelector('.state-badge')?.textContent ?? 'ok'),
      ),
    ).toEqual(['unfinished', 'ok', 'ok']);
    await items(page).first().waitFor({ timeout: WAIT_MS });
    await doubleClickItem(page, w.src);
    await page.locator('.crumb-current').filter({ hasText: 'src' }).waitFor({ timeout: WAIT_MS });
    await settled(page);
    await doubleClickItem(page, 'docs');
    await page.locator('.crumb-current').filter({ hasText: 'docs' }).waitFor({ timeout: WAIT_MS });
    await settled(page);
    expect(await itemNames(page)).toEqual(['notes.md', 'report.txt']);
    expect(await page.locator('.busy-notice').isVisible()).toBe(false);
    expect(await page.getByRole('alert').count()).toBe(0);

    const done = await run.finish();
    expect(done.code, done.stderr).toBe(0);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('says "busy" once across the top when a locking key refuses, keeps the folder browsable, and reads again once free', async () => {
    const w = await makeWorld('locking rrsync');
    const win = await open(w);
    const { page } = win;
    await items(page).first().waitFor({ timeout: WAIT_MS });
    await doubleClickItem(page, w.src);
    await page.locator('.crumb-current').filter({ hasText: 'src' }).waitFor({ timeout: WAIT_MS });
    await settled(page);
    const shown = await itemNames(page);
    expect(shown).toEqual(['docs', 'photos', 'count.txt']);

    // A backup starts (the tray's run), and another transfer holds the key's lock.
    const release = await w.api.holdOff();
    const held = await holdTheLock(w);
    // The user reads the snapshots again and opens a folder: both refused by the destination.
    await page.getByRole('button', { name: 'Read the snapshots again' }).click();
    const notice = page.locator('.busy-notice');
    await notice.waitFor({ state: 'visible', timeout: WAIT_MS });
    await doubleClickItem(page, 'docs');
    await page.locator('.crumb-current').filter({ hasText: 'docs' }).waitFor({ timeout: WAIT_MS });
    await waitUntil('the destination refused both', () =>
      ['loadTimeline busy', 'listFolder busy'].every((a) => w.answers.includes(a)),
    );

    // Said once, in the words of the answer, with no card over the page.
    expect(await page.locator('.busy-notice:visible').count()).toBe(1);
    expect(await notice.getByRole('paragraph').textContent()).toBe(BUSY_WORDS);
    expect(await page.getByText(BUSY_WORDS).count()).toBe(1);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.locator('.state-panel').isVisible()).toBe(false);
    // The timeline and the folder shown before stay, and can be browsed.
    expect(await snapshotRows(page).count()).toBe(2);
    expect(await itemNames(page)).toEqual(shown);
    await items(page).filter({ hasText: 'count.txt' }).click();
    expect(await items(page).filter({ hasText: 'count.txt' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    await page.getByRole('searchbox', { name: 'Filter names in this folder' }).fill('pho');
    await waitUntil('the filter applies', async () => (await itemNames(page)).length === 1);
    expect(await itemNames(page)).toEqual(['photos']);
    await page.getByRole('searchbox', { name: 'Filter names in this folder' }).fill('');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(ARTIFACTS, `busy-notice-${scheme}.png`) });
      expect(await lowContrastTexts(page)).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    // The other transfer ends and the backup lets go: the window reads again by itself.
    await held.release();
    release();
    await notice.waitFor({ state: 'hidden', timeout: WAIT_MS });
    await settled(page);
    expect(await itemNames(page)).toEqual(['notes.md', 'report.txt']);
    expect(await snapshotRows(page).count()).toBe(2);
    expect(win.problems).toEqual([]);
    await page.close();
  }, 300_000);
});
