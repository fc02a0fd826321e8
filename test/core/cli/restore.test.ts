/**
 * Getting files back with the `snaptray` command, the way a user lives it: back up, change and
 * delete files, back up again; then versions, restore (a deleted file, an older version with the
 * current one kept aside, a folder elsewhere, only the missing files of a folder), find, diff, ls
 * and verify. Locally and over ssh to a real sshd; through an `rrsync -ro` key; and Ctrl-C.
 * Every folder has a time of its own in the past, and a restored folder must come back with it.
 */
import {
  chmod,
  mkdir,
  readFile,
  readdir,
  readlink,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCliHome, runCli, startCli, type CliHome, type CliRun } from '../../support/cli.js';
import { cliFlags, startSshd, type Sshd } from '../../support/sshd.js';
import { folderTimes, makeTempDir, readTree, stampFolders, writeTree } from '../../support/tree.js';

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd.stop();
});

function serverFlags(key = sshd.clientKey): string[] {
  return cliFlags(sshd, key);
}

interface Story {
  home: CliHome;
  src: string;
  destDir: string;
  /** --dest and the flags that reach it. */
  at: string[];
  run(...args: string[]): Promise<CliRun>;
  s1: string;
  s2: string;
}

async function liveTheStory(mode: 'local' | 'ssh'): Promise<Story> {
  const home = await makeCliHome();
  const src = await makeTempDir('st-src-');
  const destDir = await makeTempDir('st-dest-');
  const at =
    mode === 'local'
      ? ['--dest', destDir, '--prefix', 'u']
      : ['--dest', `${sshd.user}@127.0.0.1:${destDir}`, '--prefix', 'u', ...serverFlags()];
  const run = (...args: string[]) => runCli([...args, ...at], home);
  await writeTree(src, {
    'docs/report.txt': 'first draft',
    'docs/notes.txt': 'notes',
    'docs/old.txt': 'old',
    'photos/a.jpg': 'AAAA',
    'photos/b.jpg': 'BBBB',
  });
  await stampFolders(src, new Date(Date.UTC(2021, 2, 3, 10, 0, 0)));
  expect((await run('init')).code).toBe(0);
  const first = await run('backup', '--source', src, '--json');
  expect(first.code, first.stderr).toBe(0);
  await writeFile(join(src, 'docs/report.txt'), 'second draft, longer');
  await rm(join(src, 'docs/old.txt'));
  await rm(join(src, 'photos/b.jpg'));
  await writeFile(join(src, 'docs/new.txt'), 'new');
  await stampFolders(src, new Date(Date.UTC(2022, 4, 5, 10, 0, 0)));
  const second = await run('backup', '--source', src, '--json');
  expect(second.code, second.stderr).toBe(0);
  return {
    home,
    src,
    destDir,
    at,
    run,
    s1: String(first.json?.snapshot),
    s2: String(second.json?.snapshot),
  };
}

describe.each(['local', 'ssh'] as const)('getting files back, %s destination', (mode) => {
  let s: Story;
  beforeAll(async () => {
    s = await liveTheStory(mode);
  });

  it('versions shows both versions of a changed file, oldest first', async () => {
    const report = join(s.src, 'docs/report.txt');
    const r = await s.run('versions', report, '--json');
    expect(r.code, r.stderr).toBe(0);
    const list = await s.run('list', '--json');
    const times = new Map(
      (list.json?.snapshots as Array<{ name: string; time: string }>).map((x) => [x.name, x.time]),
    );
    const mtimes = (r.json?.versions as Array<{ mtime: string }>).map((v) => v.mtime);
    expect(r.json).toEqual({
      path: report,
      versions: [
        {
          snapshot: s.s1,
          time: times.get(s.s1),
          type: 'file',
          size: 11,
          mtime: mtimes[0],
          snapshots: [s.s1],
        },
        {
          snapshot: s.s2,
          time: times.get(s.s2),
          type: 'file',
          size: 20,
          mtime: mtimes[1],
          snapshots: [s.s2],
        },
      ],
      warnings: [],
      error: null,
    });
    const text = await s.run('versions', report);
    expect(text.stdout).toContain(`${report}: 2 versions in 2 snapshots, oldest first`);
  });

  it('restores a deleted file from the newest snapshot that holds it', async () => {
    const r = await s.run('restore', join(s.src, 'docs/old.txt'), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({
      snapshot: s.s1,
      restored: 1,
      keptAside: [],
      skipped: [],
      dryRun: false,
    });
    expect(await readFile(join(s.src, 'docs/old.txt'), 'utf8')).toBe('old');
  });

  it('restores an older version in place, keeping the current one beside it', async () => {
    const report = join(s.src, 'docs/report.txt');
    const dry = await s.run('restore', report, '--snapshot', s.s1, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      'These differ from the snapshot and would be kept beside it first:',
    );
    expect(dry.stdout).toContain('Dry run: nothing was changed.');
    expect(await readFile(report, 'utf8')).toBe('second draft, longer');

    const r = await s.run('restore', report, '--snapshot', s.s1, '--json');
    expect(r.code, r.stderr).toBe(0);
    const kept = (r.json?.keptAside as Array<{ path: string; keptAs: string }>)[0];
    expect(r.json).toMatchObject({ snapshot: s.s1, restored: 1, skipped: [], dryRun: false });
    expect(kept?.path).toBe(report);
    expect(kept?.keptAs).toMatch(/\/docs\/report\.txt\.before-restore-\d{4}-\d\d-\d\d-\d{6}$/);
    expect(await readFile(report, 'utf8')).toBe('first draft');
    expect(await readFile(kept?.keptAs ?? '', 'utf8')).toBe('second draft, longer');
  });

  it('restores a folder elsewhere with --to', async () => {
    const other = await makeTempDir('st-other-');
    const r = await s.run('restore', join(s.src, 'photos'), '--to', other, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ snapshot: s.s2, restored: 1 });
    expect(await readTree(other)).toEqual(new Map([['photos/a.jpg', Buffer.from('AAAA')]]));
  });

  it('brings back only the missing files of a folder, leaving newer files untouched', async () => {
    const docs = join(s.src, 'docs');
    await writeFile(join(docs, 'notes.txt'), 'my newer notes');
    await rm(join(docs, 'new.txt'));
    const before = await readTree(docs);
    const r = await s.run('restore', docs, '--missing-only', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ snapshot: s.s2, restored: 1, keptAside: [] });
    const why = 'exists here and differs from the snapshot (only missing files were restored)';
    expect(r.json?.skipped).toEqual([
      { path: join(docs, 'notes.txt'), why },
      { path: join(docs, 'report.txt'), why },
    ]);
    const after = await readTree(docs);
    expect(after.get('new.txt')?.toString()).toBe('new');
    after.delete('new.txt');
    expect(after).toEqual(before);
    // The folder the missing file went into has the snapshot's time, not the restore's.
    expect(await folderTimes(docs)).toEqual(await folderTimes(join(s.destDir, s.s2, docs)));
  });

  it('gives every restored folder its time, into an empty place and into one that holds it', async () => {
    const to = await makeTempDir('st-times-');
    const here = join(to, basename(s.src));
    const stored = await folderTimes(join(s.destDir, s.s2, s.src));
    expect([...stored.values()].every((t) => t < Date.UTC(2023, 0, 1))).toBe(true);
    const first = await s.run('restore', s.src, '--to', to, '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(await folderTimes(here)).toEqual(stored);

    // Again into the folder that now holds it: current files differ and are kept aside, a
    // folder of mine stays as it is, and every folder of the snapshot gets its time back.
    await writeFile(join(here, 'docs/report.txt'), 'changed here');
    await writeFile(join(here, 'docs/mine.txt'), 'mine');
    await mkdir(join(here, 'photos/mine'));
    const mine = (await stat(join(here, 'photos/mine'))).mtimeMs;
    await rm(join(here, 'photos/a.jpg'));
    const again = await s.run('restore', s.src, '--to', to, '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(again.json).toMatchObject({ restored: 2, skipped: [], warnings: [] });
    expect(again.json?.keptAside).toEqual([
      expect.objectContaining({ path: join(here, 'docs/report.txt') }),
    ]);
    expect(await readFile(join(here, 'photos/a.jpg'), 'utf8')).toBe('AAAA');
    expect(await readFile(join(here, 'docs/mine.txt'), 'utf8')).toBe('mine');
    expect(await folderTimes(here)).toEqual(new Map([...stored, ['photos/mine', mine]]));

    await rm(join(here, 'photos/a.jpg'));
    const missing = await s.run('restore', s.src, '--to', to, '--missing-only', '--json');
    expect(missing.code, missing.stderr).toBe(0);
    expect(missing.json).toMatchObject({ restored: 1 });
    expect(await folderTimes(here)).toEqual(new Map([...stored, ['photos/mine', mine]]));
  });

  it('finds a file in the newest snapshot or in all of them', async () => {
    const newest = await s.run('find', 'old.txt', '--json');
    expect(newest.code, newest.stderr).toBe(0);
    expect(newest.json).toMatchObject({ pattern: 'old.txt', snapshots: [s.s2], matches: [] });
    const all = await s.run('find', 'OLD', '--all', '--json');
    expect(
      (all.json?.matches as Array<Record<string, unknown>>).map((m) => [
        m.path,
        m.type,
        m.size,
        m.snapshots,
      ]),
    ).toEqual([[join(s.src, 'docs/old.txt'), 'file', 3, [s.s1]]]);
    const text = await s.run('find', '*.jpg', '--all');
    expect(text.stdout).toContain(`${join(s.src, 'photos/a.jpg')}  4 B`);
    expect(text.stdout).toContain('in 2 of 2');
  });

  it('diff names what was added, changed and deleted, with sizes', async () => {
    const r = await s.run('diff', s.s1, s.s2, '--json');
    expect(r.code, r.stderr).toBe(0);
    const pick = (key: string) =>
      (r.json?.[key] as Array<{ path: string; size: number }>).map((x) => [x.path, x.size]);
    expect([r.json?.older, r.json?.newer]).toEqual([s.s1, s.s2]);
    expect(pick('added')).toEqual([[join(s.src, 'docs/new.txt'), 3]]);
    expect(pick('changed')).toEqual([[join(s.src, 'docs/report.txt'), 20]]);
    expect(pick('deleted')).toEqual([
      [join(s.src, 'docs/old.txt'), 3],
      [join(s.src, 'photos/b.jpg'), 4],
    ]);
    const text = await s.run('diff', s.s1, s.s2, join(s.src, 'docs'));
    expect(text.stdout).toBe(
      [
        `+ ${join(s.src, 'docs/new.txt')} (3 B)`,
        `~ ${join(s.src, 'docs/report.txt')} (11 B -> 20 B)`,
        `- ${join(s.src, 'docs/old.txt')} (3 B)`,
        `1 added, 1 changed, 1 deleted (${s.s1} -> ${s.s2}).`,
        '',
      ].join('\n'),
    );
    const now = await s.run('diff', s.s2, '--now', join(s.src, 'docs'), '--json');
    expect(now.code, now.stderr).toBe(0);
    expect(now.json?.newer).toBe('now');
    expect((now.json?.changed as Array<{ path: string }>).map((c) => c.path)).toEqual([
      join(s.src, 'docs/notes.txt'),
      join(s.src, 'docs/report.txt'),
    ]);
    expect((now.json?.added as Array<{ path: string }>).map((c) => c.path)).toEqual([
      join(s.src, 'docs/old.txt'),
      expect.stringMatching(/\/docs\/report\.txt\.before-restore-/),
    ]);
  });

  it('ls lists one folder of a snapshot', async () => {
    const r = await s.run('ls', s.s1, join(s.src, 'docs'), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ snapshot: s.s1, path: join(s.src, 'docs') });
    expect(
      (r.json?.entries as Array<Record<string, unknown>>).map((e) => [e.name, e.type, e.size]),
    ).toEqual([
      ['notes.txt', 'file', 5],
      ['old.txt', 'file', 3],
      ['report.txt', 'file', 11],
    ]);
    const top = await s.run('ls', s.src, '--json');
    expect(
      (top.json?.entries as Array<Record<string, unknown>>).map((e) => [e.name, e.type]),
    ).toEqual([
      ['docs', 'dir'],
      ['photos', 'dir'],
    ]);
  });

  it('restores under a folder that is a symlink here, keeping the symlink', async () => {
    const photos = join(s.src, 'photos');
    const elsewhere = join(await makeTempDir('st-moved-'), 'pictures');
    await rename(photos, elsewhere);
    await rm(join(elsewhere, 'a.jpg'));
    const { symlink } = await import('node:fs/promises');
    await symlink(elsewhere, photos);
    const r = await s.run('restore', join(photos, 'a.jpg'), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ restored: 1, skipped: [] });
    expect(await readlink(photos)).toBe(elsewhere);
    expect(await readFile(join(elsewhere, 'a.jpg'), 'utf8')).toBe('AAAA');
  });

  it('verify finds nothing when clean, and a byte flipped in the snapshot', async () => {
    const clean = await s.run('verify', '--json');
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.json).toMatchObject({ snapshot: s.s2, mismatched: [], error: null });
    const checked = Number(clean.json?.checked);
    expect(checked).toBeGreaterThanOrEqual(2);

    const copy = join(s.destDir, s.s2, s.src, 'photos/a.jpg');
    const was = await stat(copy);
    await chmod(copy, 0o644);
    await writeFile(copy, 'AAAB');
    await utimes(copy, was.atime, was.mtime);
    const bad = await s.run('verify', '--json');
    expect(bad.code).toBe(3);
    expect(bad.json).toMatchObject({
      snapshot: s.s2,
      checked,
      mismatched: [join(s.src, 'photos/a.jpg')],
    });
    const text = await s.run('verify');
    expect(text.code).toBe(3);
    expect(text.stdout).toContain(`  ${join(s.src, 'photos/a.jpg')}\n`);
    expect(text.stdout).toContain('changed without a new modification time');
  });

  it('refuses bad input in words, and lets anyone read another owner’s prefix', async () => {
    const missing = await s.run('versions', join(s.src, 'docs/nothing/here.txt'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`The nearest folder that is: ${join(s.src, 'docs')}`);
    const both = await s.run(
      'restore',
      join(s.src, 'docs'),
      '--snapshot',
      s.s1,
      '--before',
      '2026-01-01',
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('Give --snapshot or --before, not both.');
    const when = await s.run('restore', join(s.src, 'docs'), '--before', 'last tuesday', '--json');
    expect(when.code).toBe(2);
    expect(when.json?.error).toMatchObject({ kind: 'usage' });
    const stranger = await makeCliHome();
    const read = await runCli(
      ['versions', join(s.src, 'docs/report.txt'), '--json', ...s.at],
      stranger,
    );
    expect(read.code, read.stderr).toBe(0);
    expect((read.json?.versions as unknown[]).length).toBe(2);
  });
});

describe('over ssh with care', () => {
  let s: Story;
  beforeAll(async () => {
    s = await liveTheStory('ssh');
  });

  it('versions, restore and verify through an rrsync -ro key', async () => {
    const key = await sshd.addClientKey('ro-cli', { restrictedDir: s.destDir, readOnly: true });
    const ro = (...args: string[]) =>
      runCli(
        [...args, '--dest', `${sshd.user}@127.0.0.1:/`, '--prefix', 'u', ...serverFlags(key)],
        s.home,
      );
    const versions = await ro('versions', join(s.src, 'docs/report.txt'), '--json');
    expect(versions.code, versions.stderr).toBe(0);
    expect((versions.json?.versions as Array<{ size: number }>).map((v) => v.size)).toEqual([
      11, 20,
    ]);
    const to = await makeTempDir('st-ro-');
    const restored = await ro(
      'restore',
      join(s.src, 'docs'),
      '--snapshot',
      s.s1,
      '--to',
      to,
      '--json',
    );
    expect(restored.code, restored.stderr).toBe(0);
    expect(await readTree(to)).toEqual(
      new Map([
        ['docs/notes.txt', Buffer.from('notes')],
        ['docs/old.txt', Buffer.from('old')],
        ['docs/report.txt', Buffer.from('first draft')],
      ]),
    );
    const stored = await folderTimes(join(s.destDir, s.s1, s.src, 'docs'));
    expect(await folderTimes(join(to, 'docs'))).toEqual(stored);
    // Into the folder that now holds it: the folders' times are pulled too, with the same key.
    await writeFile(join(to, 'docs/notes.txt'), 'changed here');
    const again = await ro(
      'restore',
      join(s.src, 'docs'),
      '--snapshot',
      s.s1,
      '--to',
      to,
      '--json',
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.json).toMatchObject({ restored: 1, warnings: [] });
    expect(await readFile(join(to, 'docs/notes.txt'), 'utf8')).toBe('notes');
    expect(await folderTimes(join(to, 'docs'))).toEqual(stored);
    const verified = await ro('verify', '--json');
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.json).toMatchObject({ snapshot: s.s2, mismatched: [] });
  });

  it('Ctrl-C stops a restore with exit 5 and no half-written file', async () => {
    const big = join(s.src, 'big');
    await mkdir(big);
    await writeFile(join(big, 'blob'), randomBytes(2_000_000));
    expect((await s.run('backup', '--source', s.src)).code).toBe(0);
    await rm(join(big, 'blob'));
    const slow = join(sshd.dir, 'slow-rsync-cli');
    await writeFile(slow, '#!/bin/sh\nexec rsync --bwlimit=300 "$@"\n', { mode: 0o755 });
    const started = startCli(
      ['restore', join(big, 'blob'), '--json', ...s.at, '--rsync-path', slow],
      s.home,
    );
    // rsync writes into a temporary name first: wait until it has begun (or the run ended,
    // which the expectation below reports), however long a loaded machine takes to get there.
    let ended = false;
    void started.done.then(() => (ended = true));
    while (!ended && (await readdir(big)).length === 0) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await readdir(big)).some((n) => n.startsWith('.blob.'))).toBe(true);
    started.child.kill('SIGINT');
    const r = await started.done;
    expect(r.code).toBe(5);
    expect(r.json).toMatchObject({ error: { kind: 'killed' } });
    expect(await readdir(big)).toEqual([]);
  });
});

describe('snaptray --help', () => {
  it('names the new commands and what "changed" means', async () => {
    const r = await runCli(['--help'], await makeCliHome());
    const words = r.stdout.replace(/\s+/g, ' ');
    for (const c of ['ls', 'find', 'versions', 'restore', 'diff', 'verify'])
      expect(words).toContain(`snaptray ${c} `);
    expect(words).toContain('changed means the size or the modification time differs');
  });
});
