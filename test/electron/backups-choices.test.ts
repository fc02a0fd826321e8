/**
 * The Backups window's API for the restore choices, as the window calls it (the very handlers,
 * under plain Node), over snapshots the real CLI made on a local disk: a keep-both restore in
 * place, a text version compared with the file here, and verify's good copy restored.
 */
import { chmod, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { openConfStore } from '../../core/settings/store.js';
import { createBackupsApi, type BackupsApi } from '../../electron/backups/api.js';
import type { RestoreReport, VerifyReport } from '../../electron/ipc/contract.js';
import { answeredDialogs, type AnsweredDialogs } from '../support/answered-dialogs.js';
import { makeCliHome, runCli, writeSettingsFile, type CliHome } from '../support/cli.js';
import { makeTempDir, writeTree } from '../support/tree.js';

const MTIME = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

let me: CliHome;
let src: string;
let dest: string;
let api: BackupsApi;
let dialogs: AnsweredDialogs;
let names: string[];

async function ok(run: Promise<{ code: number | null; stderr: string }>): Promise<void> {
  const r = await run;
  expect(r.code, r.stderr).toBe(0);
}

/** Three snapshots: `v.txt` in the first and the third, a fresh copy each (the second lacks it). */
beforeAll(async () => {
  me = await makeCliHome();
  const home = await makeTempDir('st-user-');
  me.env = { ...me.env, HOME: home };
  src = join(home, 'src');
  dest = await makeTempDir('st-disk-');
  await writeTree(src, { 'report.txt': 'one\ntwo\nthree\n', 'v.txt': 'intact\n' });
  await utimes(join(src, 'v.txt'), MTIME, MTIME);
  await writeSettingsFile(join(me.configDir, 'Snaptray', 'config.json'), {
    default: { destination: dest, prefix: 'box', sources: [src] },
  });
  await ok(runCli(['init'], me));
  await ok(runCli(['backup'], me));
  await rm(join(src, 'v.txt'));
  await ok(runCli(['backup'], me));
  await writeFile(join(src, 'v.txt'), 'intact\n');
  await utimes(join(src, 'v.txt'), MTIME, MTIME);
  await ok(runCli(['backup'], me));
  names = (await readdir(dest)).filter((n) => /^box-[\d-]+$/.test(n)).sort();
  expect(names).toHaveLength(3);
  dialogs = answeredDialogs();
  api = createBackupsApi({
    env: me.env,
    spawn: spawnProcess,
    openBackend: openConfStore,
    now: () => new Date(2026, 11, 6, 12, 0, 0),
    hostname: hostname(),
    timers: {
      setTimer: (ms, fn) => setTimeout(fn, ms),
      clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
    },
    openPath: async () => '',
    showItemInFolder: () => undefined,
    dialogs,
    send: () => undefined,
    notify: async () => undefined,
    notificationIcon: null,
    busyRetryMs: 1000,
    longRestoreMs: 60_000,
  });
});

describe('the Backups window’s restore choices', () => {
  it('plans and restores with keep-both: the file here stays, the version goes beside it', async () => {
    const report = join(src, 'report.txt');
    await writeFile(report, 'one\nTWO\nthree\n');
    const before = await stat(report);
    const newest = names.at(-1)!;
    const request = { snapshot: newest, paths: [report], into: null, missingOnly: false };
    const plan = await api.handlers.planRestore({ ...request, conflicts: 'keep-both' });
    expect(plan).toMatchObject({
      ok: true,
      value: { keptAside: [], placed: [{ keptBoth: true }] },
    });
    dialogs.answers.push('Restore');
    const done = await api.handlers.restore({ ...request, conflicts: 'keep-both' });
    expect(done.ok).toBe(true);
    const placed = (done as { value: RestoreReport }).value.placed[0]!;
    expect(placed).toMatchObject({ path: report, keptBoth: true });
    expect(placed.to).toMatch(/\/report \(restored from \d{4}-\d\d-\d\d \d\d\.\d\d\)\.txt$/);
    expect(await readFile(placed.to, 'utf8')).toBe('one\ntwo\nthree\n');
    expect(await readFile(report, 'utf8')).toBe('one\nTWO\nthree\n');
    expect((await stat(report)).ino).toBe(before.ino);
    await rm(placed.to);
    dialogs.answers.length = 0;

    const invalid = await api.handlers.restore({ ...request, conflicts: 'both' } as never);
    expect(invalid).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('compares a version with the file here, line by line', async () => {
    const report = join(src, 'report.txt');
    await writeFile(report, 'one\nTWO\nthree\n');
    const c = await api.handlers.compareVersion({ snapshot: names.at(-1)!, path: report });
    expect(c).toMatchObject({
      ok: true,
      value: {
        here: 'differs',
        hunks: [
          {
            oldStart: 1,
            newStart: 1,
            lines: [
              { kind: 'same', text: 'one', old: 1, new: 1 },
              { kind: 'removed', text: 'two', old: 2, new: null },
              { kind: 'added', text: 'TWO', old: null, new: 2 },
              { kind: 'same', text: 'three', old: 3, new: 3 },
            ],
          },
        ],
      },
    });
    await writeFile(report, 'one\ntwo\nthree\n');
  });

  it('verify names the good copy, and restoreGoodCopy brings that copy back', async () => {
    const v = join(src, 'v.txt');
    const [s1, , s3] = names;
    const copy = join(dest, s3!, v);
    const info = await stat(copy);
    await chmod(copy, 0o644);
    await writeFile(copy, 'INTACT\n');
    await utimes(copy, info.atime, info.mtime);
    const verified = await api.handlers.verify({ snapshot: s3! });
    expect(verified.ok).toBe(true);
    const report = (verified as { value: VerifyReport }).value;
    expect(report.damaged).toEqual([
      { path: v, goodCopy: { snapshot: s1, path: v }, sharedBy: [s3] },
    ]);
    // The profile's own snapshots: its next backup compares the file by content.
    expect(report.comparedByNextBackup).toBe(true);

    await rm(v);
    const restored = await api.handlers.restoreGoodCopy({ verified: s3!, path: v, into: null });
    expect(restored).toMatchObject({ ok: true, value: { snapshot: s1, restored: 1 } });
    expect(await readFile(v, 'utf8')).toBe('intact\n');

    const unknown = await api.handlers.restoreGoodCopy({
      verified: s3!,
      path: join(src, 'report.txt'),
      into: null,
    });
    expect(unknown).toMatchObject({ ok: false, reason: 'not-found' });
  });
});
