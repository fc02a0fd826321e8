/**
 * The Backups window's handlers while a backup of the profile runs (the tray's own run, held with
 * holdOff, or a CLI run, seen through its lock file): reading goes on and answers with data,
 * wherever the destination lets it; only a request the destination itself refuses (an rrsync key
 * that locks its folder, held by the backup's transfer) is answered "busy", and restores and checks
 * wait for the backup with words that say so. The handlers under plain Node, over real rsync, a
 * real sshd and real rrsync keys; the snapshots are made by the real CLI.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { defaultProfile, type Profile } from '../../core/settings/schema.js';
import { openConfStore } from '../../core/settings/store.js';
import { createBackupsApi, type BackupsApi } from '../../electron/backups/api.js';
import { BUSY_MESSAGE, WAITS_FOR_BACKUP_MESSAGE } from '../../electron/backups/views.js';
import type { BackupsEvent, FolderView, Timeline } from '../../electron/ipc/contract.js';
import { answeredDialogs, type AnsweredDialogs } from '../support/answered-dialogs.js';
import { makeCliHome, runCli, type CliHome } from '../support/cli.js';
import { holdCliBackup, releaseHeldBackups, saveProfile } from '../support/held-backup.js';
import { profileSsh, startSshd, type Sshd } from '../support/sshd.js';
import { makeTempDir, writeTree } from '../support/tree.js';

let sshd: Sshd;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});
afterEach(releaseHeldBackups);

interface World extends CliHome {
  src: string;
  /** The folder the snapshots are in, on the router. */
  destDir: string;
  profile: Profile;
  stateDir: string;
  api: BackupsApi;
  dialogs: AnsweredDialogs;
  events: BackupsEvent[];
}

/**
 * A user with two snapshots made by the CLI, on the router through a plain key, or through an
 * rrsync key that locks its folder (as the README's example key does).
 */
async function makeWorld(key: 'plain' | 'locking rrsync'): Promise<World> {
  const cli = await makeCliHome();
  const src = await makeTempDir('st-src-');
  const destDir = await makeTempDir('st-router-');
  const keyFile =
    key === 'plain'
      ? sshd.clientKey
      : await sshd.addClientKey(`locking-${String(Date.now())}`, { restrictedDir: destDir });
  const profile: Profile = {
    ...defaultProfile(),
    sources: [src],
    destination: `${sshd.user}@127.0.0.1:${key === 'plain' ? destDir : '/'}`,
    prefix: 'box',
    ssh: { ...defaultProfile().ssh, ...profileSsh(sshd, keyFile) },
  };
  await saveProfile(cli.configDir, profile);
  expect((await runCli(['init'], cli)).code).toBe(0);
  await writeTree(src, { 'a.txt': 'alpha\n', 'docs/b.txt': 'beta\n' });
  for (let i = 0; i < 2; i++) {
    await writeTree(src, { 'count.txt': `${String(i)}\n` });
    const made = await runCli(['backup'], cli);
    expect(made.code, made.stderr).toBe(0);
  }
  const dialogs = answeredDialogs();
  const events: BackupsEvent[] = [];
  const api = createBackupsApi({
    env: cli.env,
    spawn: spawnProcess,
    openBackend: openConfStore,
    now: () => new Date(),
    hostname: hostname(),
    timers: {
      setTimer: (ms, fn) => setTimeout(fn, ms),
      clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
    },
    openPath: async () => '',
    showItemInFolder: () => undefined,
    dialogs,
    send: (event) => events.push(event),
    notify: async () => undefined,
    notificationIcon: null,
    busyRetryMs: 700,
  });
  return {
    ...cli,
    src,
    destDir,
    profile,
    stateDir: join(cli.stateDir, 'snaptray', 'default'),
    api,
    dialogs,
    events,
  };
}

function value<T>(answer: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!answer.ok) throw new Error(`Expected an answer with data, got: ${answer.message}`);
  return answer.value;
}

describe('the Backups window while a backup of the profile runs', () => {
  it('reads through a locking rrsync key while the tray’s run holds off; restore and verify wait for it, in words', async () => {
    const w = await makeWorld('locking rrsync');
    const release = await w.api.holdOff();

    const timeline = value(await w.api.handlers.loadTimeline()) as Timeline;
    expect(timeline.snapshots.map((s) => s.state)).toEqual(['ok', 'ok']);
    const newest = timeline.snapshots[0]!.name;
    const folder = value(
      await w.api.handlers.listFolder({ snapshot: newest, path: w.src }),
    ) as FolderView;
    expect(folder.entries.map((e) => e.name)).toEqual(['docs', 'a.txt', 'count.txt']);
    expect(
      value(await w.api.handlers.fileVersions({ path: join(w.src, 'count.txt') })),
    ).toMatchObject({ versions: [{}, {}] });

    const into = await makeTempDir('st-restored-');
    w.dialogs.folders.push(into);
    const paths = [join(w.src, 'a.txt')];
    const token = (await w.api.handlers.chooseRestoreFolder({ snapshot: newest, paths }))!.token;
    const restore = { snapshot: newest, paths, into: token, missingOnly: false };
    const waits = {
      ok: false,
      reason: 'busy',
      message: WAITS_FOR_BACKUP_MESSAGE,
      retryInMs: 700,
    };
    expect(await w.api.handlers.restore(restore)).toEqual(waits);
    expect(await w.api.handlers.verify({ snapshot: newest })).toEqual(waits);
    expect(existsSync(join(into, 'a.txt'))).toBe(false);

    // The run ends: the window hears it, and the restore it asks for again runs.
    release();
    expect(w.events.at(-1)).toEqual({ type: 'destination-free' });
    expect(await w.api.handlers.restore(restore)).toMatchObject({
      ok: true,
      value: { outcome: 'ok', restored: 1 },
    });
    expect(await readFile(join(into, 'a.txt'), 'utf8')).toBe('alpha\n');
    await w.api.dispose();
  });

  it('reads through a plain key while a CLI run holds the lock file; a restore waits for it', async () => {
    const w = await makeWorld('plain');
    const run = await holdCliBackup(w);

    const timeline = value(await w.api.handlers.loadTimeline()) as Timeline;
    // The run's snapshot has no manifest yet: shown as unfinished.
    expect(timeline.snapshots.map((s) => s.state)).toEqual(['unfinished', 'ok', 'ok']);
    const newest = timeline.snapshots[1]!.name;
    const folder = value(
      await w.api.handlers.listFolder({ snapshot: newest, path: w.src }),
    ) as FolderView;
    expect(folder.entries.map((e) => e.name)).toEqual(['docs', 'a.txt', 'count.txt']);
    const restore = {
      snapshot: newest,
      paths: [join(w.src, 'a.txt')],
      into: null,
      missingOnly: true,
    };
    expect(await w.api.handlers.planRestore(restore)).toEqual({
      ok: false,
      reason: 'busy',
      message: WAITS_FOR_BACKUP_MESSAGE,
      retryInMs: 700,
    });

    const done = await run.finish();
    expect(done.code, done.stderr).toBe(0);
    expect(await w.api.handlers.planRestore(restore)).toMatchObject({ ok: true });
    await w.api.dispose();
  });

  it('is told "busy" only by the destination itself: a locking key held by the run’s transfer', async () => {
    const w = await makeWorld('locking rrsync');
    // Read before the run: the window has its snapshots.
    const timeline = value(await w.api.handlers.loadTimeline()) as Timeline;
    const newest = timeline.snapshots[0]!.name;
    const run = await holdCliBackup(w);

    const busy = {
      ok: false,
      reason: 'busy',
      message: BUSY_MESSAGE,
      retryInMs: 700,
    };
    expect(await w.api.handlers.listFolder({ snapshot: newest, path: w.src })).toEqual(busy);
    expect(await w.api.handlers.loadTimeline()).toEqual(busy);

    // The window's reads did not disturb the run, which ends ok; the window reads again.
    const done = await run.finish();
    expect(done.code, done.stderr).toBe(0);
    expect(done.json).toMatchObject({ outcome: 'ok' });
    expect(await w.api.handlers.listFolder({ snapshot: newest, path: w.src })).toMatchObject({
      ok: true,
    });
    await w.api.dispose();
  });
});
