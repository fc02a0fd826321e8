/**
 * `snaptray` against a local destination folder, run as a separate process with real rsync:
 * what a user finds on the disk, the exit codes and the JSON.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeCliHome, runCli, type CliHome } from '../../support/cli.js';
import {
  HOSTILE_NAMES,
  PWNED_MARKER,
  linkCount,
  makeTempDir,
  readTree,
  treeKey,
  writeTree,
} from '../../support/tree.js';

let home: CliHome;
let src: string;
let dest: string;

async function snapshots(): Promise<string[]> {
  return (await readdir(dest)).filter((n) => /^t-\d{4}-\d\d-\d\d-\d{6}$/.test(n)).sort();
}

async function backup(...extra: string[]) {
  return runCli(
    ['backup', '--dest', dest, '--prefix', 't', '--source', src, '--json', ...extra],
    home,
  );
}

beforeEach(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  await writeTree(src, {
    'a.txt': 'alpha',
    'sub/b.txt': 'bravo',
    'sub/deep/c.bin': Buffer.alloc(100_000, 7),
  });
});

describe('snaptray backup to a local folder', () => {
  it('refuses a folder without the marker: it could be an unmounted disk', async () => {
    const r = await backup();
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ outcome: 'failed', error: { kind: 'not-initialised' } });
    expect((r.json?.error as { message: string }).message).toContain('snaptray init');
    expect(await readdir(dest)).toEqual([]);
  });

  it('makes a first snapshot with full paths, then a second that hard-links unchanged files', async () => {
    expect((await runCli(['init', '--dest', dest], home)).code).toBe(0);
    expect(existsSync(join(dest, '.snaptray-destination'))).toBe(true);

    const first = await backup();
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({
      outcome: 'ok',
      rsyncExitCode: 0,
      error: null,
      warnings: [],
    });
    const [s1] = await snapshots();
    expect(first.json?.snapshot).toBe(s1);
    expect(first.json?.files).toBe(3);
    expect(first.json?.bytesSent).toBeGreaterThanOrEqual(100_000);
    // --relative: the source's full path is inside the snapshot.
    const copied = await readTree(join(dest, s1!, src));
    expect([...copied.keys()].sort()).toEqual(['a.txt', 'sub/b.txt', 'sub/deep/c.bin']);
    expect(copied.get('sub/b.txt')?.toString()).toBe('bravo');
    const manifest = JSON.parse(await readFile(join(dest, `${s1}.snaptray.json`), 'utf8'));
    expect(manifest).toMatchObject({
      format: 1,
      prefix: 't',
      status: 'ok',
      rsyncExitCode: 0,
      files: 3,
    });

    await new Promise((r) => setTimeout(r, 1100)); // a new second, a new name
    await writeFile(join(src, 'a.txt'), 'alpha, changed');
    const second = await backup();
    expect(second.code).toBe(0);
    const [, s2] = await snapshots();
    expect(second.json?.snapshot).toBe(s2);
    expect(second.json?.files).toBe(1);
    expect(second.json?.bytesSent).toBeLessThan(1000);
    expect(await linkCount(join(dest, s2!, src, 'sub/deep/c.bin'))).toBe(2);
    expect(await linkCount(join(dest, s2!, src, 'sub/b.txt'))).toBe(2);
    expect(await linkCount(join(dest, s2!, src, 'a.txt'))).toBe(1);
    expect(await readFile(join(dest, s1!, src, 'a.txt'), 'utf8')).toBe('alpha');

    const list = await runCli(['list', '--dest', dest, '--prefix', 't', '--json'], home);
    expect(list.code).toBe(0);
    expect(list.json?.snapshots).toEqual([
      expect.objectContaining({ name: s1, time: manifest.startedAt, state: 'ok', totalFiles: 3 }),
      expect.objectContaining({ name: s2, state: 'ok', files: 1, totalFiles: 3 }),
    ]);
  });

  it('keeps several sources under their full paths', async () => {
    const other = await makeTempDir('st-other-');
    await writeTree(other, { 'notes.md': 'n' });
    await runCli(['init', '--dest', dest], home);
    const r = await backup('--source', other);
    expect(r.code).toBe(0);
    const snap = r.json?.snapshot as string;
    expect(await readFile(join(dest, snap, other, 'notes.md'), 'utf8')).toBe('n');
    expect(await readFile(join(dest, snap, src, 'a.txt'), 'utf8')).toBe('alpha');
  });

  it('copies hostile file names byte for byte and runs none of them', async () => {
    await rm(PWNED_MARKER, { force: true });
    await writeTree(
      src,
      HOSTILE_NAMES.map((name) => [name, 'x'] as const),
    );
    await runCli(['init', '--dest', dest], home);
    const r = await backup('--exclude', '*.bin');
    expect(r.code).toBe(0);
    const copied = await readTree(join(dest, r.json?.snapshot as string, src));
    for (const name of HOSTILE_NAMES) expect(copied.get(treeKey(name))?.toString()).toBe('x');
    expect(copied.has('sub/deep/c.bin')).toBe(false);
    expect(existsSync(PWNED_MARKER)).toBe(false);
  });

  it('excludes its own state folder when it lies inside a source', async () => {
    home.env.XDG_STATE_HOME = join(src, 'state');
    await runCli(['init', '--dest', dest], home);
    const r = await backup();
    expect(r.code).toBe(0);
    expect(existsSync(join(src, 'state', 'snaptray', 'default', 'history.jsonl'))).toBe(true);
    expect(existsSync(join(dest, r.json?.snapshot as string, src, 'state', 'snaptray'))).toBe(
      false,
    );
    expect(existsSync(join(dest, r.json?.snapshot as string, src, 'a.txt'))).toBe(true);
  });

  it('records one history line per run and a log of the itemized changes', async () => {
    await runCli(['init', '--dest', dest], home);
    const r = await backup();
    const history = (
      await readFile(join(home.stateDir, 'snaptray', 'default', 'history.jsonl'), 'utf8')
    )
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      outcome: 'ok',
      exitCode: 0,
      snapshot: r.json?.snapshot,
      files: 3,
    });
    const log = await readFile(r.json?.logPath as string, 'utf8');
    expect(log).toMatch(/>f\+{9} .*sub\/deep\/c\.bin/);
    expect((await stat(r.json?.logPath as string)).mode & 0o777).toBe(0o600);
  });

  it('takes a relative --source from the folder it runs in', async () => {
    await runCli(['init', '--dest', dest], home);
    const r = await runCli(
      ['backup', '--dest', dest, '--prefix', 't', '--source', 'sub', '--json'],
      home,
      { cwd: src },
    );
    expect(r.code, r.stderr).toBe(0);
    const [s1] = await snapshots();
    expect([...(await readTree(join(dest, s1!, src))).keys()].sort()).toEqual([
      'sub/b.txt',
      'sub/deep/c.bin',
    ]);
  });

  it('fails with a clear reason when a source is missing (a usage error, 2), and writes nothing', async () => {
    await runCli(['init', '--dest', dest], home);
    const r = await runCli(
      ['backup', '--dest', dest, '--source', join(src, 'nope'), '--json'],
      home,
    );
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ outcome: 'failed', error: { kind: 'source-missing' } });
    expect(await readdir(dest)).toEqual(['.snaptray-destination']);
  });

  it.each([
    ['is the destination', (d: string) => d],
    ['lies inside the destination', (d: string) => join(d, 'inner')],
  ])('refuses a source that %s (it would back up nothing), exit 2', async (_what, source) => {
    await runCli(['init', '--dest', dest], home);
    await mkdir(join(dest, 'inner'), { recursive: true });
    await writeFile(join(dest, 'inner', 'x.txt'), 'x');
    const r = await runCli(['backup', '--dest', dest, '--source', source(dest)], home);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^Backup failed: The source \S+ (is|lies inside) the destination \S+, which a backup always leaves out, so nothing would be backed up\./,
    );
    expect((await readdir(dest)).sort()).toEqual(['.snaptray-destination', 'inner']);
  });

  it('reports a destination folder that does not exist', async () => {
    const r = await runCli(['init', '--dest', join(dest, 'missing', 'deeper'), '--json'], home);
    expect(r.code).toBe(1);
    expect(r.json?.error).toMatchObject({ kind: 'destination-missing' });
  });
});

describe('snaptray init and a folder that does not exist', () => {
  it('refuses to create it unasked, asks whether the disk is mounted, and names --create', async () => {
    const folder = join(dest, 'snap tray');
    const r = await runCli(['init', '--dest', folder, '--prefix', 't'], home);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `snaptray: ${folder} does not exist. Is the disk mounted? Snaptray does not create a ` +
        'destination folder by itself, because on an unmounted disk it would fill the wrong one. ' +
        'If the path is right and the disk is mounted, create the folder (only the last one) with:\n' +
        `  snaptray init --create --dest '${folder}' --prefix t\n`,
    );
    expect(existsSync(folder)).toBe(false);
  });

  it('creates the last folder with --create, then writes the marker', async () => {
    const folder = join(dest, 'snaptray');
    const r = await runCli(['init', '--create', '--dest', folder], home);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      `Created the folder ${folder}.`,
      `${folder} is now a Snaptray destination.`,
    ]);
    expect(await readdir(folder)).toEqual(['.snaptray-destination']);
    expect((await runCli(['backup', '--dest', folder, '--source', src], home)).code).toBe(0);
  });

  it('never creates a missing parent: that is what an unmounted disk looks like', async () => {
    const folder = join(dest, 'media', 'usb', 'snaptray');
    const r = await runCli(['init', '--create', '--dest', folder, '--json'], home);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ initialised: false, created: false });
    expect((r.json?.error as { message: string }).message).toBe(
      `${join(dest, 'media', 'usb')}, the folder that would hold ${folder}, does not exist either. ` +
        'Is the disk mounted? --create makes only the last folder, so that an unmounted disk is never written to.',
    );
    expect(await readdir(dest)).toEqual([]);
  });
});

describe('snaptray prune', () => {
  it('deletes only what retention says, and never a name that is not exactly ours', async () => {
    await runCli(['init', '--dest', dest], home);
    const manifest = (name: string, startedAt: string) =>
      JSON.stringify({
        format: 1,
        host: 'x',
        prefix: 't',
        startedAt,
        endedAt: startedAt,
        rsyncExitCode: 0,
        status: 'ok',
        files: 1,
        bytesSent: 1,
        appVersion: '0',
      });
    const r = await backup();
    const host = JSON.parse(
      await readFile(join(dest, `${r.json?.snapshot}.snaptray.json`), 'utf8'),
    ).host;
    for (const [name, when] of [
      ['t-2020-01-01-000000', '2020-01-01T00:00:00Z'],
      ['t-2020-01-02-000000', '2020-01-02T00:00:00Z'],
    ] as const) {
      await mkdir(join(dest, name, 'data'), { recursive: true });
      await writeFile(
        join(dest, `${name}.snaptray.json`),
        manifest(name, when).replace('"x"', JSON.stringify(host)),
      );
    }
    await mkdir(join(dest, 't-old-2020-01-01'));
    await mkdir(join(dest, 't-2020-01-03')); // legacy, complete
    await mkdir(join(dest, 'tt-2020-01-01-000000'));

    const dry = await runCli(
      ['prune', '--dest', dest, '--prefix', 't', '--dry-run', '--json'],
      home,
    );
    expect(dry.code).toBe(0);
    expect(dry.json?.dryRun).toBe(true);
    const doomed = (dry.json?.delete as { name: string }[]).map((d) => d.name).sort();
    expect(doomed).toEqual(['t-2020-01-01-000000', 't-2020-01-02-000000', 't-2020-01-03']);
    expect(existsSync(join(dest, 't-2020-01-01-000000'))).toBe(true);

    const real = await runCli(['prune', '--dest', dest, '--prefix', 't', '--json'], home);
    expect(real.code).toBe(0);
    expect((await readdir(dest)).sort()).toEqual(
      [
        '.snaptray-destination',
        't.snaptray-owner.json',
        r.json?.snapshot,
        `${r.json?.snapshot}.snaptray.json`,
        // The backup's link to its snapshot, which prune leaves alone.
        't-latest',
        't-old-2020-01-01',
        'tt-2020-01-01-000000',
      ].sort(),
    );
  });
});
