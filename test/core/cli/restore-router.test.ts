/**
 * Getting files back from a router as users have it (dropbear, BusyBox, an account that is not
 * root): 200 snapshots read through one connection with commands dropbear accepts, versions,
 * restore before a time and verify; and whose files come back when root restores: never the
 * router account's, and the true owners from a snapshot stored with fake-super.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir, rm, stat, utimes, writeFile, chown, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestName, snapshotName } from '../../../core/destination/snapshot-name.js';
import { makeCliHome, runCli, writeSettingsFile, type CliHome } from '../../support/cli.js';
import { startRouter, type Router } from '../../support/router.js';
import { cliFlags, profileSsh } from '../../support/sshd.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

const run = promisify(execFile);

let router: Router;
let home: CliHome;
let src: string;
let dest: string;
let at: string[];
let names: string[];
const OWNER = 4321;

function routerFlags(): string[] {
  return cliFlags(router);
}

/**
 * 199 more snapshots beside the first, each a hard-linked copy of the one before (as --link-dest
 * makes them) with its manifest; report.txt changes in every 50th.
 */
async function growTo200(first: string): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(dest, manifestName(first)), 'utf8')) as Record<
    string,
    unknown
  >;
  const start = new Date(String(manifest.startedAt));
  const all = [first];
  for (let i = 1; i < 200; i++) {
    const at = new Date(start.getTime() + i * 3_600_000);
    const name = snapshotName('r', at);
    await run('cp', ['-al', join(dest, all[i - 1] ?? ''), join(dest, name)]);
    if (i % 50 === 0) {
      const report = join(dest, name, src, 'docs/report.txt');
      await rm(report);
      await writeFile(report, `version ${i / 50}`.padEnd(10 + i / 50, '.'));
      await utimes(report, at, at);
    }
    await writeFile(
      join(dest, manifestName(name)),
      JSON.stringify(
        { ...manifest, startedAt: at.toISOString(), endedAt: at.toISOString() },
        null,
        2,
      ),
    );
    all.push(name);
  }
  await run('chown', ['-R', `${router.uid}:${router.gid}`, dest]);
  return all;
}

beforeAll(async () => {
  router = await startRouter();
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  dest = await router.makeRouterFolder();
  await writeTree(src, {
    'docs/report.txt': 'version 0',
    'docs/static.txt': 'same',
    'sys/owned': 'mine',
  });
  await chown(join(src, 'sys/owned'), OWNER, OWNER);
  await chmod(join(src, 'sys/owned'), 0o4755);
  at = ['--dest', `${router.user}@127.0.0.1:${dest}`, '--prefix', 'r', ...routerFlags()];
  expect((await runCli(['init', ...at], home)).code).toBe(0);
  const first = await runCli(['backup', '--source', src, '--json', ...at], home);
  expect(first.code, first.stderr).toBe(0);
  names = await growTo200(String(first.json?.snapshot));
}, 300_000);

afterAll(async () => {
  await router.stop();
});

describe('200 snapshots on a dropbear router', () => {
  it('lists every version through one connection, with commands dropbear accepts', async () => {
    const before = await router.connectionCount();
    const started = Date.now();
    const r = await runCli(['versions', join(src, 'docs/report.txt'), '--json', ...at], home);
    const seconds = (Date.now() - started) / 1000;
    expect(r.code, r.stderr).toBe(0);
    expect(await router.connectionCount()).toBe(before + 1);
    const versions = r.json?.versions as Array<{
      snapshot: string;
      size: number;
      snapshots: string[];
    }>;
    expect(versions.map((v) => [v.snapshot, v.size, v.snapshots.length])).toEqual([
      [names[0], 9, 50],
      [names[50], 11, 50],
      [names[100], 12, 50],
      [names[150], 13, 50],
    ]);
    expect(r.stderr).not.toMatch(/String too long|exceeded/i);
    process.stderr.write(`versions across 200 snapshots on dropbear: ${seconds.toFixed(2)} s\n`);
  });

  it('restores the version of before a time, and verifies the newest snapshot', async () => {
    const to = await makeTempDir('st-to-');
    const when = new Date(
      new Date(
        String(
          JSON.parse(await readFile(join(dest, manifestName(names[120] ?? '')), 'utf8')).startedAt,
        ),
      ),
    );
    const r = await runCli(
      [
        'restore',
        join(src, 'docs/report.txt'),
        '--before',
        when.toISOString(),
        '--to',
        to,
        '--json',
        ...at,
      ],
      home,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ snapshot: names[119], restored: 1 });
    expect(await readFile(join(to, 'report.txt'), 'utf8')).toBe('version 2...');

    const v = await runCli(['verify', '--json', ...at], home);
    expect(v.code, v.stderr).toBe(0);
    // static.txt and sys/owned match here; report.txt (version 3 there) does not, so it is not compared.
    expect(v.json).toMatchObject({ snapshot: names[199], checked: 2, mismatched: [] });
  });

  it('as root, never gives restored files to the router account, nor keeps a setuid bit for root', async () => {
    const stored = await stat(join(dest, names[0] ?? '', src, 'sys/owned'));
    expect(stored.uid).toBe(router.uid);
    const to = await makeTempDir('st-own-');
    const r = await runCli(['restore', join(src, 'sys'), '--to', to, '--json', ...at], home);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ restoresOwners: false });
    const back = await stat(join(to, 'sys/owned'));
    expect([back.uid, back.gid, back.mode & 0o7777]).toEqual([0, 0, 0o755]);
  });
});

describe('a snapshot stored with fake-super', () => {
  it('gives root the true owner and mode back', async () => {
    const fsDest = await router.makeRouterFolder('fs-');
    const config = join(home.configDir, 'Snaptray', 'config.json');
    await writeSettingsFile(config, {
      fs: {
        sources: [src],
        destination: `${router.user}@127.0.0.1:${fsDest}`,
        prefix: 'f',
        ssh: profileSsh(router),
        rsync: { fakeSuper: true },
      },
    });
    expect((await runCli(['init', '--profile', 'fs'], home)).code).toBe(0);
    const b = await runCli(['backup', '--profile', 'fs', '--json'], home);
    expect(b.code, b.stderr).toBe(0);
    const name = String(b.json?.snapshot);
    expect((await stat(join(fsDest, name, src, 'sys/owned'))).uid).toBe(router.uid);
    // How the run stored it; written here for a run that does not say so in its manifest yet.
    const file = join(fsDest, manifestName(name));
    const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...manifest, ownership: 'fake-super' }));

    const to = await makeTempDir('st-fs-');
    const r = await runCli(
      ['restore', join(src, 'sys'), '--to', to, '--profile', 'fs', '--json'],
      home,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ snapshot: name, restoresOwners: true, restored: 1 });
    const back = await stat(join(to, 'sys/owned'));
    expect([back.uid, back.gid, back.mode & 0o7777]).toEqual([OWNER, OWNER, 0o4755]);
    expect(await readdir(join(to, 'sys'))).toEqual(['owned']);
  });
});
