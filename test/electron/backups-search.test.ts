/**
 * searchSnapshots in the main process: payloads checked before anything runs, the engine's
 * `find --all` over real rsync and a real sshd, and a newer search stopping the one on its way.
 */
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProcess, type SpawnRequest } from '../../core/process.js';
import { openConfStore } from '../../core/settings/store.js';
import { createBackupsApi, type BackupsApi } from '../../electron/backups/api.js';
import { SUPERSEDED_MESSAGE } from '../../electron/backups/searching.js';
import { answeredDialogs } from '../support/answered-dialogs.js';
import { makeCliHome, runCli, writeSettingsFile } from '../support/cli.js';
import { profileSsh, startSshd, type Sshd } from '../support/sshd.js';
import { makeTempDir, writeTree } from '../support/tree.js';

let sshd: Sshd;
let api: BackupsApi;
let src: string;
const spawned: SpawnRequest[] = [];
/** Holds the next search's rsync call until the test lets it go. */
let hold: { reached: () => void; release: Promise<void> } | null = null;

const isSearch = (req: SpawnRequest) =>
  basename(req.file) === 'rsync' && req.args.includes('--include=*/');

beforeAll(async () => {
  sshd = await startSshd();
  const home = await makeCliHome();
  const env = { ...home.env, HOME: dirname(home.configDir) };
  src = await makeTempDir('st-src-');
  const destDir = await makeTempDir('st-router-');
  const configFile = join(home.configDir, 'Snaptray', 'config.json');
  await mkdir(dirname(configFile), { recursive: true });
  await writeSettingsFile(configFile, {
    default: {
      sources: [src],
      destination: `${sshd.user}@127.0.0.1:${destDir}`,
      prefix: 'box',
      ssh: profileSsh(sshd),
    },
  });
  const user = { ...home, env };
  expect((await runCli(['init'], user)).code).toBe(0);
  await writeTree(src, { 'a/notes.txt': 'one\n', 'b/plan.txt': 'two\n' });
  for (let i = 0; i < 2; i++) {
    await writeTree(src, { [`c/log-${i}.txt`]: `${i}\n` });
    const backup = await runCli(['backup'], user);
    expect(backup.code, backup.stderr).toBe(0);
  }
  api = createBackupsApi({
    env,
    spawn: async (req) => {
      spawned.push(req);
      const held = isSearch(req) ? hold : null;
      if (held !== null) {
        hold = null;
        held.reached();
        await held.release;
      }
      return spawnProcess(req);
    },
    openBackend: openConfStore,
    now: () => new Date(),
    hostname: hostname(),
    timers: {
      setTimer: (ms, fn) => setTimeout(fn, ms),
      clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
    },
    openPath: async () => '',
    showItemInFolder: () => undefined,
    dialogs: answeredDialogs(),
    send: () => undefined,
    notify: async () => undefined,
    notificationIcon: null,
  });
});
afterAll(async () => {
  await api?.dispose();
  await sshd?.stop();
});

describe('searchSnapshots', () => {
  it('refuses a payload not of its form, running nothing', async () => {
    for (const bad of [
      undefined,
      'notes',
      {},
      { query: '' },
      { query: 7 },
      { query: 'x'.repeat(256) },
    ]) {
      expect(await api.handlers.searchSnapshots(bad as never)).toEqual({
        ok: false,
        reason: 'invalid',
        message: 'The window asked for a search in a form the app does not take.',
      });
    }
    // A path is not a name: the engine's own words.
    expect(await api.handlers.searchSnapshots({ query: 'a/notes.txt' })).toEqual({
      ok: false,
      reason: 'invalid',
      message: 'The pattern "a/notes.txt" holds "/": it matches a file or folder name, not a path.',
    });
    expect(spawned).toEqual([]);
  });

  it('finds a name in every snapshot, grouped by path, newest snapshot first', async () => {
    const found = await api.handlers.searchSnapshots({ query: 'LOG-*' });
    if (!found.ok) throw new Error(found.message);
    expect(found.value.searched).toBe(2);
    expect(found.value.total).toBe(2);
    expect(found.value.matches.map((m) => [m.path, m.name, m.snapshots.length])).toEqual([
      [join(src, 'c/log-0.txt'), 'log-0.txt', 2],
      [join(src, 'c/log-1.txt'), 'log-1.txt', 1],
    ]);
    const [both] = found.value.matches;
    const times = both!.snapshots.map((s) => Date.parse(s.time));
    expect(times[0]).toBeGreaterThan(times[1]!);
    expect(found.value.matches[1]!.snapshots[0]!.name).toBe(both!.snapshots[0]!.name);
  });

  it('stops a search still on its way when a newer one comes', async () => {
    let reached: () => void = () => undefined;
    const atRsync = new Promise<void>((resolve) => (reached = resolve));
    let release: () => void = () => undefined;
    hold = { reached, release: new Promise<void>((resolve) => (release = resolve)) };
    const older = api.handlers.searchSnapshots({ query: 'notes' });
    await atRsync;
    const newer = api.handlers.searchSnapshots({ query: 'plan' });
    release();
    expect(await older).toEqual({ ok: false, reason: 'declined', message: SUPERSEDED_MESSAGE });
    const answer = await newer;
    if (!answer.ok) throw new Error(answer.message);
    expect(answer.value.matches.map((m) => m.path)).toEqual([join(src, 'b/plan.txt')]);
  });
});
