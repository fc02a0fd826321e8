/**
 * The engine called directly, as the tray app will: progress events, the 20-base limit of
 * --link-dest, and a base that disappears under rsync (injected through the spawn edge; rsync
 * itself runs for real).
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { backupEnvironment, places } from '../../../core/environment.js';
import { spawnProcess, type Spawn } from '../../../core/process.js';
import type { BackupEvent } from '../../../core/backup/run.js';
import { runBackup } from '../../../core/backup/run.js';
import { defaultProfile, type Profile } from '../../../core/settings/schema.js';
import { addRecheck, readRecheck } from '../../../core/state/recheck.js';
import { makeCliHome, runCli, type CliHome } from '../../support/cli.js';
import { linkCount, makeTempDir, writeTree } from '../../support/tree.js';

let home: CliHome;
let src: string;
let dest: string;
let profile: Profile;

function env(spawn: Spawn = spawnProcess) {
  return backupEnvironment(places(home.env), 'default', spawn, 'tray');
}

beforeEach(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  await runCli(['init', '--dest', dest], home);
  profile = { ...defaultProfile(), sources: [src], destination: dest, prefix: 'e' };
});

describe('runBackup', () => {
  it('reports progress: bytes as they go, a percent only once rsync knows the total', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 12; i++) files[`d${i % 3}/f${i}.bin`] = Buffer.alloc(60_000, i);
    await writeTree(src, files);
    const events: BackupEvent[] = [];
    const result = await runBackup(env(), {
      profileName: 'default',
      profile: { ...profile, rsync: { ...profile.rsync, bandwidthLimit: 400 } },
      force: false,
      onEvent: (e) => events.push(e),
    });
    expect(result).toMatchObject({ outcome: 'ok', exitCode: 0, files: 12 });
    const phases = events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []));
    expect(phases).toEqual([
      'checking',
      'pre-hook',
      'transferring',
      'finishing',
      'pruning',
      'after-hook',
    ]);
    const progress = events.flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toMatchObject({ percent: 100 });
    expect(progress.at(-1)!.bytes).toBeGreaterThanOrEqual(12 * 60_000);
    for (const p of progress) if (p.percent !== null) expect(p.total).not.toBeNull();
    const bytes = progress.map((p) => p.bytes);
    expect([...bytes].sort((a, b) => a - b)).toEqual(bytes);
  });

  it('links against the newest complete snapshot plus newer unfinished ones, at most 20', async () => {
    await writeTree(src, { 'same.bin': Buffer.alloc(10_000, 1) });
    const first = await runBackup(env(), { profileName: 'default', profile, force: false });
    expect(first.outcome).toBe('ok');
    // 25 unfinished runs after it, each holding the file.
    for (let i = 0; i < 25; i++) {
      const name = `e-2099-01-01-0000${String(i).padStart(2, '0')}`;
      await mkdir(join(dest, name, src), { recursive: true });
      await writeFile(join(dest, name, src, 'same.bin'), Buffer.alloc(10_000, 1));
    }
    const second = await runBackup(env(), { profileName: 'default', profile, force: false });
    expect(second.outcome, second.error?.message).toBe('ok');
    expect(second.bytesSent).toBe(0);
    // Superseded unfinished snapshots are deleted after the success... but these are dated in
    // the future, so newer than the new one: they stay.
    expect((await readdir(dest)).filter((n) => n.startsWith('e-2099')).length).toBe(25);
    expect(await linkCount(join(dest, second.snapshot!, src, 'same.bin'))).toBeGreaterThanOrEqual(
      2,
    );
  });

  it('a base that rsync cannot find stops the run instead of making a silent full copy', async () => {
    await writeTree(src, { 'a.txt': 'a' });
    const first = await runBackup(env(), { profileName: 'default', profile, force: false });
    expect(first.outcome).toBe('ok');
    await new Promise((r) => setTimeout(r, 1100));
    // The base vanishes between the listing and the push (a disk swapped under us).
    const removeBaseFirst: Spawn = async (req) => {
      if (req.args.includes('--relative'))
        await rm(join(dest, first.snapshot!), { recursive: true });
      return spawnProcess(req);
    };
    const second = await runBackup(env(removeBaseFirst), {
      profileName: 'default',
      profile,
      force: false,
    });
    expect(second.outcome).toBe('failed');
    expect(second.error?.kind).toBe('link-base-missing');
    expect(existsSync(join(dest, `${second.snapshot}.snaptray.json`))).toBe(false);
  });

  it('compares a file Verify found differing by content; when that fails, warns and tries again next run', async () => {
    const doc = join(src, 'doc.txt');
    await writeTree(src, { 'doc.txt': 'the right words\n' });
    const first = await runBackup(env(), { profileName: 'default', profile, force: false });
    expect(first.outcome).toBe('ok');
    // Its copy damaged on the destination, size and time kept; Verify noted it (verify-recheck
    // tests that part through the CLI).
    const copy = join(dest, first.snapshot!, doc);
    const was = await stat(copy);
    await chmod(copy, 0o644);
    await writeFile(copy, 'the wrong words\n');
    await utimes(copy, was.atime, was.mtime);
    const { stateDir } = env();
    await addRecheck(stateDir, [doc]);

    // The comparison fails (injected at the spawn edge: the run's other rsync calls are real).
    const failing: Spawn = (req) =>
      req.args.includes('--existing')
        ? spawnProcess({ ...req, file: 'false', args: [] })
        : spawnProcess(req);
    const second = await runBackup(env(failing), { profileName: 'default', profile, force: false });
    expect(second.outcome).toBe('ok');
    expect(second.warnings).toContain(
      `1 file Verify found differing could not be compared by content (rsync ended with exit code 1): ${second.snapshot} links the copy the earlier snapshots have, and the next backup tries again.`,
    );
    expect((await stat(join(dest, second.snapshot!, doc))).ino).toBe(was.ino);
    expect((await readRecheck(stateDir)).paths).toEqual([doc]);

    const third = await runBackup(env(), { profileName: 'default', profile, force: false });
    expect(third.outcome).toBe('ok');
    expect(third.warnings).toContain(
      `Verify had found 1 file whose copy in the snapshots differed from the file here: compared by content, 1 file was stored afresh in ${third.snapshot}. The earlier snapshots keep the copy they have.`,
    );
    expect(await readFile(join(dest, third.snapshot!, doc), 'utf8')).toBe('the right words\n');
    expect((await stat(join(dest, third.snapshot!, doc))).ino).not.toBe(was.ino);
    expect(await readFile(copy, 'utf8')).toBe('the wrong words\n');
    expect((await readRecheck(stateDir)).paths).toEqual([]);
  });
});
