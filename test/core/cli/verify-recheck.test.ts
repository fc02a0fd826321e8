/**
 * When Verify finds a file whose copy in a snapshot differs from the file here (same size and
 * modification time, other content), rsync's quick check would link every later snapshot to that
 * same copy. The next backup compares such files by content instead: the new snapshot holds the
 * file as it is here, the earlier snapshots keep theirs, and a folder left out since stays out.
 * With the real CLI and rsync: to a local folder, and over an sshd on loopback with a plain key
 * and with an rrsync key. A one-off verify of a destination the profile does not save notes
 * nothing for the profile's backups.
 */
import { access, chmod, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCliHome, runCli, writeSettingsFile, type CliHome } from '../../support/cli.js';
import { cliFlags, startSshd, type Sshd } from '../../support/sshd.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

/** Writes other bytes of the same length into a snapshot's copy, its time put back. */
async function damage(copy: string): Promise<void> {
  const was = await stat(copy);
  const text = await readFile(copy, 'utf8');
  await chmod(copy, 0o644);
  await writeFile(
    copy,
    text.replace(/.$/, (c) => (c === 'X' ? 'Y' : 'X')),
  );
  await utimes(copy, was.atime, was.mtime);
  await chmod(copy, was.mode & 0o7777);
}

async function snapshotsIn(root: string): Promise<string[]> {
  return (await readdir(root)).filter((n) => /^v-\d{4}-/.test(n) && !n.endsWith('.json')).sort();
}

const ways = [
  { way: 'a folder on this machine', kind: 'local' },
  { way: 'a plain key', kind: 'ssh' },
  { way: 'an rrsync key', kind: 'rrsync' },
] as const;

describe.each(ways)('the next backup after Verify found a differing copy, through $way', (w) => {
  let sshd: Sshd | null = null;
  let root: string;
  let home: CliHome;
  let src: string;
  let at: string[];
  const run = (...args: string[]) => runCli([...args, ...at], home);
  beforeAll(async () => {
    root = await makeTempDir('st-recheck-dest-');
    home = await makeCliHome();
    src = await makeTempDir('st-recheck-src-');
    if (w.kind === 'local') {
      at = ['--dest', root, '--prefix', 'v'];
      return;
    }
    sshd = await startSshd(w.kind === 'rrsync' ? { restrictedDir: root } : {});
    const path = w.kind === 'rrsync' ? '/' : root;
    at = ['--dest', `${sshd.user}@127.0.0.1:${path}`, '--prefix', 'v', ...cliFlags(sshd)];
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('stores the file afresh, leaves the earlier copy as it was, and keeps a folder left out since out', async () => {
    await writeTree(src, {
      'docs/report.txt': 'quarterly figures',
      'docs/same.txt': 'never damaged',
      'cache/blob.bin': 'cached bytes',
    });
    expect((await run('init')).code).toBe(0);
    const first = await run('backup', '--source', src, '--json');
    expect(first.code, first.stderr).toBe(0);
    const [s1] = await snapshotsIn(root);
    const inS1 = (p: string) => join(root, s1!, src, p);
    await damage(inS1('docs/report.txt'));
    await damage(inS1('cache/blob.bin'));
    const damagedReport = await readFile(inS1('docs/report.txt'), 'utf8');
    expect(damagedReport).not.toBe('quarterly figures');

    const verified = await run('verify', '--json');
    expect(verified.code, verified.stderr).toBe(3);
    expect(verified.json).toMatchObject({
      snapshot: s1,
      mismatched: [join(src, 'cache/blob.bin'), join(src, 'docs/report.txt')],
      comparedByNextBackup: true,
    });
    const said = await run('verify');
    expect(said.stdout).toContain(
      'The next backup of this profile compares these files by content and stores them as they are here',
    );

    // The cache is left out from now on; a second later, the next backup.
    await new Promise((r) => setTimeout(r, 1100));
    const second = await run('backup', '--source', src, '--exclude', 'cache/', '--json');
    expect(second.code, second.stderr).toBe(0);
    expect(second.json?.outcome).toBe('ok');
    const warned = (second.json?.warnings as string[]).join('\n');
    expect(warned).toMatch(
      /Verify had found 2 files whose copy in the snapshots differed from the file here: compared by content, 1 file was stored afresh in v-\S+\. The earlier snapshots keep the copy they have\./,
    );
    expect(second.stderr).toContain('1 file was stored afresh');
    const [, s2] = await snapshotsIn(root);
    const inS2 = (p: string) => join(root, s2!, src, p);
    // The file as it is here, in a copy of its own; the first snapshot's copy untouched.
    expect(await readFile(inS2('docs/report.txt'), 'utf8')).toBe('quarterly figures');
    expect((await stat(inS2('docs/report.txt'))).ino).not.toBe(
      (await stat(inS1('docs/report.txt'))).ino,
    );
    expect(await readFile(inS1('docs/report.txt'), 'utf8')).toBe(damagedReport);
    expect((await stat(inS2('docs/report.txt'))).mtimeMs).toBe(
      (await stat(join(src, 'docs/report.txt'))).mtimeMs,
    );
    // A file Verify did not name is linked as always.
    expect((await stat(inS2('docs/same.txt'))).ino).toBe((await stat(inS1('docs/same.txt'))).ino);
    // What the excludes leave out is not brought back by the comparison.
    await expect(stat(join(root, s2!, src, 'cache'))).rejects.toThrow(/ENOENT/);

    // Done once: the backup after it links the fresh copy and says nothing more of it.
    await new Promise((r) => setTimeout(r, 1100));
    const third = await run('backup', '--source', src, '--exclude', 'cache/', '--json');
    expect(third.code, third.stderr).toBe(0);
    expect((third.json?.warnings as string[]).join('\n')).not.toContain('Verify');
    const [, , s3] = await snapshotsIn(root);
    expect((await stat(join(root, s3!, src, 'docs/report.txt'))).ino).toBe(
      (await stat(inS2('docs/report.txt'))).ino,
    );
  });
});

describe('a one-off verify of a destination the profile does not save', () => {
  it('leaves the profile’s next backup as it is, and says how to store a fresh copy', async () => {
    const home = await makeCliHome();
    const src = await makeTempDir('st-recheck-src-');
    const own = await makeTempDir('st-recheck-own-');
    const other = await makeTempDir('st-recheck-other-');
    await writeTree(src, { 'docs/report.txt': 'quarterly figures' });
    await writeSettingsFile(join(home.configDir, 'Snaptray', 'config.json'), {
      default: { sources: [src], destination: own, prefix: 'v' },
    });
    expect((await runCli(['init'], home)).code).toBe(0);
    expect((await runCli(['init', '--dest', other], home)).code).toBe(0);
    const oneOff = await runCli(['backup', '--dest', other, '--json'], home);
    expect(oneOff.code, oneOff.stderr).toBe(0);
    const [made] = await snapshotsIn(other);
    await damage(join(other, made!, src, 'docs/report.txt'));

    const verified = await runCli(['verify', '--dest', other, '--json'], home);
    expect(verified.code, verified.stderr).toBe(3);
    expect(verified.json).toMatchObject({
      mismatched: [join(src, 'docs/report.txt')],
      comparedByNextBackup: false,
    });
    const said = await runCli(['verify', '--dest', other], home);
    expect(said.stdout).toContain('If the file here is right, touch it (a new modification time)');
    // Nothing noted for the profile's own backups.
    await expect(
      access(join(home.stateDir, 'snaptray', 'default', 'recheck.json')),
    ).rejects.toThrow(/ENOENT/);
  });
});
