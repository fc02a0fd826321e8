/**
 * Real faults during a real rsync run: files that vanish or cannot be read, a full disk, and a
 * stopped run that the next one resumes without sending its files again.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CLI,
  makeCliHome,
  runCli,
  startCli,
  writeSettingsFile,
  type CliHome,
} from '../../support/cli.js';
import { makeTempDir, readTree, writeTree } from '../../support/tree.js';

let home: CliHome;
let src: string;
let dest: string;

async function writeSettings(profile: Record<string, unknown>): Promise<string> {
  const file = join(await makeTempDir('st-cfg-'), 'config.json');
  await writeSettingsFile(file, { default: profile });
  return file;
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(50);
  }
}

beforeEach(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  await runCli(['init', '--dest', dest], home);
});

describe('rsync exit 24: files that vanished during the run', () => {
  it('is a success with a note naming the file', async () => {
    await writeTree(src, { 'a-big.bin': Buffer.alloc(400_000, 3), 'z-gone.txt': 'bye' });
    const config = await writeSettings({
      sources: [src],
      destination: dest,
      prefix: 't',
      rsync: { bandwidthLimit: 200 },
    });
    const run = startCli(['backup', '--config', config, '--json'], home);
    // Once rsync writes the big file's temporary copy, both files are in its list; sending the
    // big one takes about two seconds, time enough for the small one to vanish.
    await waitFor(async () => {
      const snap = (await readdir(dest)).find((n) => /^t-[\d-]+$/.test(n));
      const inside = snap ? join(dest, snap, src) : null;
      return (
        inside !== null &&
        existsSync(inside) &&
        (await readdir(inside)).some((n) => n.startsWith('.a-big.bin.'))
      );
    });
    await unlink(join(src, 'z-gone.txt'));
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ outcome: 'ok', rsyncExitCode: 24, error: null });
    expect((r.json?.warnings as string[]).join(' ')).toMatch(/vanished.*z-gone\.txt/);
  });
});

describe('rsync exit 23: files that cannot be read', () => {
  it('completes with errors (exit 3), names the files and keeps everything else', async () => {
    await writeTree(src, { 'fine.txt': 'ok', 'secret.txt': 'no' });
    await chmod(join(src, 'secret.txt'), 0o000);
    for (const dir of [src, dest, home.stateDir, home.runtimeDir, home.configDir]) {
      await mkdir(dir, { recursive: true });
      execFileSync('chown', ['-R', 'nobody', dir]);
    }
    execFileSync('chown', ['root', join(src, 'secret.txt')]);
    execFileSync('chmod', ['755', join(home.stateDir, '..')]);
    let out = '';
    let code = 0;
    try {
      out = execFileSync(
        'setpriv',
        [
          '--reuid=nobody',
          '--regid=nogroup',
          '--clear-groups',
          process.execPath,
          CLI,
          'backup',
          '--dest',
          dest,
          '--source',
          src,
          '--prefix',
          't',
          '--json',
        ],
        { env: { ...home.env, HOME: home.stateDir }, encoding: 'utf8' },
      );
    } catch (e) {
      const err = e as { status: number; stdout: string };
      code = err.status;
      out = err.stdout;
    }
    const json = JSON.parse(out);
    expect(code).toBe(3);
    expect(json).toMatchObject({ outcome: 'partial', rsyncExitCode: 23 });
    expect(json.warnings.join(' ')).toMatch(
      /1 file or folder could not be read and is missing from the snapshot: .*secret\.txt/,
    );
    const manifest = JSON.parse(
      await readFile(join(dest, `${json.snapshot}.snaptray.json`), 'utf8'),
    );
    expect(manifest.status).toBe('partial');
    expect(await readFile(join(dest, json.snapshot, src, 'fine.txt'), 'utf8')).toBe('ok');
    expect(existsSync(join(dest, json.snapshot, src, 'secret.txt'))).toBe(false);
  });
});

describe('a full destination disk', () => {
  it('fails with a hint to prune, keeps earlier snapshots byte-identical and prunes nothing', async () => {
    const small = await makeTempDir('st-tmpfs-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=5m', 'tmpfs', small]);
    try {
      await runCli(['init', '--dest', small], home);
      await writeTree(src, { 'small.txt': 'fits' });
      // An old legacy snapshot that retention would delete after a success.
      await mkdir(join(small, 't-2001-01-01'));
      const first = await runCli(
        ['backup', '--dest', small, '--source', src, '--prefix', 't', '--json'],
        home,
      );
      expect(first.code, first.stderr).toBe(0);
      expect(existsSync(join(small, 't-2001-01-01'))).toBe(false);
      await mkdir(join(small, 't-2001-01-02'));
      const before = await readTree(small);
      await sleep(1100);
      await writeTree(src, { 'huge.bin': Buffer.alloc(8 * 1024 * 1024, 9) });
      const full = await runCli(
        ['backup', '--dest', small, '--source', src, '--prefix', 't', '--json'],
        home,
      );
      expect(full.code).toBe(1);
      expect(full.json?.error).toMatchObject({ kind: 'disk-full' });
      expect((full.json?.error as { message: string }).message).toMatch(/prune/);
      const after = await readTree(small);
      for (const [path, content] of before) expect(after.get(path)).toEqual(content);
      expect(existsSync(join(small, 't-2001-01-02'))).toBe(true);
    } finally {
      execFileSync('umount', [small]);
    }
  });
});

describe('stopping a backup', () => {
  it('SIGTERM ends rsync, leaves the unfinished snapshot, and the next run does not resend its files', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 30; i++)
      files[`f${String(i).padStart(2, '0')}.bin`] = Buffer.alloc(50_000, i);
    await writeTree(src, files);
    const total = 30 * 50_000;
    const slow = await writeSettings({
      sources: [src],
      destination: dest,
      prefix: 't',
      rsync: { bandwidthLimit: 250 },
    });
    const run = startCli(['backup', '--config', slow, '--json'], home);
    const partialDir = async () => (await readdir(dest)).find((n) => /^t-[\d-]+$/.test(n));
    // Wait until some files have arrived, then stop it.
    await waitFor(async () => {
      const dir = await partialDir();
      if (!dir) return false;
      const inside = join(dest, dir, src);
      return (
        existsSync(inside) && (await readdir(inside)).filter((n) => n.endsWith('.bin')).length >= 5
      );
    });
    run.child.kill('SIGTERM');
    const stopped = await run.done;
    expect(stopped.code).toBe(5);
    expect(stopped.json).toMatchObject({ outcome: 'cancelled', error: { kind: 'killed' } });
    const unfinished = stopped.json?.snapshot as string;
    expect(existsSync(join(dest, unfinished))).toBe(true);
    expect(existsSync(join(dest, `${unfinished}.snaptray.json`))).toBe(false);
    const arrived = (await readdir(join(dest, unfinished, src))).filter((n) => n.endsWith('.bin'));
    let arrivedBytes = 0;
    for (const n of arrived) arrivedBytes += (await stat(join(dest, unfinished, src, n))).size;
    expect(arrived.length).toBeGreaterThanOrEqual(5);
    expect(arrived.length).toBeLessThan(30);
    const list = await runCli(['list', '--dest', dest, '--prefix', 't', '--json'], home);
    expect(list.json?.snapshots).toEqual([
      expect.objectContaining({ name: unfinished, state: 'unfinished', files: null }),
    ]);

    await sleep(1100);
    const resumed = await runCli(
      ['backup', '--dest', dest, '--source', src, '--prefix', 't', '--json'],
      home,
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    // Literal data: only what had not arrived.
    expect(resumed.json?.bytesSent).toBeLessThanOrEqual(total - arrivedBytes);
    expect(resumed.json?.files).toBe(30 - arrived.length);
    const done = resumed.json?.snapshot as string;
    expect((await readTree(join(dest, done, src))).size).toBe(30);
    // The superseded unfinished snapshot is deleted after the success.
    expect(existsSync(join(dest, unfinished))).toBe(false);
    await rm(join(dest, done), { recursive: true });
  });
});
