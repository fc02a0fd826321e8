/**
 * The restore choices beyond the usual one, against snapshots made by real backups through a real
 * sshd: "Keep both" leaves the file here as it is (its bytes and its inode) and writes the
 * snapshot's version beside it under a name that says so; comparing a text version with the file
 * here; and Verify naming, for a damaged copy hard-linked into three snapshots, the older intact
 * copy, or saying that every snapshot holding that version shares the damage.
 */
import { chmod, lstat, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDestination } from '../../../core/destination/ops.js';
import { snapshotsOf, type Snapshot } from '../../../core/destination/snapshot.js';
import { compareWithHere } from '../../../core/restore/compare.js';
import { verifySnapshot } from '../../../core/restore/verify.js';
import { restorePaths, type RestoreRequest } from '../../../core/restore/restore.js';
import { makeCliHome, runCli, type CliHome } from '../../support/cli.js';
import { openTestDestination, type TestDestination } from '../../support/destination.js';
import { cliFlags, startSshd, type Sshd } from '../../support/sshd.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

let sshd: Sshd;
let home: CliHome;
let src: string;
let destDir: string;
let where: string;
let dest: TestDestination;
let snapshots: Snapshot[];

const REPORT = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
const MTIME = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

function request(over: Partial<RestoreRequest>): RestoreRequest {
  return {
    paths: [],
    from: { before: null },
    to: null,
    missingOnly: false,
    dryRun: false,
    asRoot: true,
    now: new Date(2026, 10, 29, 10, 15, 0),
    watched: false,
    prefix: 'c',
    ...over,
  };
}

/** `2026-12-06 12.01` from a snapshot named `c-2026-12-06-120102` (its local time). */
function stampOf(snapshot: Snapshot): string {
  const m = /-(\d{4}-\d\d-\d\d)-(\d\d)(\d\d)\d\d$/.exec(snapshot.name);
  return `${m?.[1]} ${m?.[2]}.${m?.[3]}`;
}

async function backup(): Promise<void> {
  const r = await runCli(
    ['backup', '--dest', where, '--prefix', 'c', '--source', src, '--json', ...cliFlags(sshd)],
    home,
  );
  expect(r.code, r.stderr).toBe(0);
}

/**
 * Five snapshots. `v.txt` is in the first, not in the second, and back (the same bytes and time)
 * in the last three: a fresh copy in the third, which the fourth and fifth link. `w.txt` is only
 * in the last three, one copy linked.
 */
beforeAll(async () => {
  sshd = await startSshd();
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  destDir = await makeTempDir('st-dest-');
  where = `${sshd.user}@127.0.0.1:${destDir}`;
  await writeTree(src, {
    'docs/report.txt': REPORT,
    'docs/blob.bin': Buffer.concat([Buffer.from([0, 1, 2, 0]), randomBytes(2000)]),
    'docs/gone.txt': 'soon gone\n',
    'photos/a.txt': 'a',
    'photos/b.txt': 'b',
    'v.txt': 'the same version\n',
  });
  await utimes(join(src, 'v.txt'), MTIME, MTIME);
  expect((await runCli(['init', '--dest', where, ...cliFlags(sshd)], home)).code).toBe(0);
  await backup();
  await rm(join(src, 'v.txt'));
  await backup();
  await writeFile(join(src, 'v.txt'), 'the same version\n');
  await utimes(join(src, 'v.txt'), MTIME, MTIME);
  await writeFile(join(src, 'w.txt'), 'only one copy\n');
  await utimes(join(src, 'w.txt'), MTIME, MTIME);
  await backup();
  await backup();
  await backup();
  dest = await openTestDestination({ server: sshd, path: destDir });
  const listing = await listDestination(dest.ctx);
  if (!listing.ok) throw new Error(listing.failure.message);
  snapshots = snapshotsOf('c', listing.value).snapshots;
  expect(snapshots).toHaveLength(5);
});

afterAll(async () => {
  await dest.close();
  await sshd.stop();
});

describe('keep both or replace', () => {
  it('keeps the file here untouched and writes the snapshot’s version beside it, numbered the second time', async () => {
    const report = join(src, 'docs/report.txt');
    await writeFile(report, REPORT.replace('line 5\n', 'line five, edited here\n'));
    const before = await stat(report);
    const newest = snapshots.at(-1)!;
    const restoredAs = join(src, `docs/report (restored from ${stampOf(newest)}).txt`);

    const dry = await restorePaths(
      dest.ctx,
      snapshots,
      request({ paths: [report], conflicts: 'keep-both', dryRun: true }),
    );
    expect(dry).toMatchObject({
      ok: true,
      value: { placed: [{ path: report, to: restoredAs, keptBoth: true }], keptAside: [] },
    });
    expect(await readdir(join(src, 'docs'))).not.toContain(
      `report (restored from ${stampOf(newest)}).txt`,
    );

    const first = await restorePaths(
      dest.ctx,
      snapshots,
      request({ paths: [report], conflicts: 'keep-both' }),
    );
    expect(first).toMatchObject({
      ok: true,
      value: {
        outcome: 'ok',
        restored: 1,
        placed: [{ path: report, to: restoredAs, keptBoth: true }],
        keptAside: [],
        skipped: [],
      },
    });
    const after = await stat(report);
    expect(await readFile(report, 'utf8')).toContain('line five, edited here');
    expect([after.ino, after.mtimeMs, after.size]).toEqual([
      before.ino,
      before.mtimeMs,
      before.size,
    ]);
    expect(await readFile(restoredAs, 'utf8')).toBe(REPORT);

    const second = await restorePaths(
      dest.ctx,
      snapshots,
      request({ paths: [report], conflicts: 'keep-both' }),
    );
    const numbered = join(src, `docs/report (restored from ${stampOf(newest)}, 2).txt`);
    expect(second).toMatchObject({
      ok: true,
      value: { placed: [{ path: report, to: numbered, keptBoth: true }] },
    });
    expect(await readFile(numbered, 'utf8')).toBe(REPORT);
    expect((await stat(report)).ino).toBe(before.ino);
    // Nothing else was left beside it: no private folder, no kept-aside copy.
    expect((await readdir(join(src, 'docs'))).sort()).toEqual(
      [
        'blob.bin',
        'gone.txt',
        'report.txt',
        `report (restored from ${stampOf(newest)}).txt`,
        `report (restored from ${stampOf(newest)}, 2).txt`,
      ].sort(),
    );
    await rm(restoredAs);
    await rm(numbered);
  });

  it('replaces as before: the file here is kept aside under .before-restore-TIME', async () => {
    const report = join(src, 'docs/report.txt');
    await writeFile(report, 'changed here\n');
    const r = await restorePaths(
      dest.ctx,
      snapshots,
      request({ paths: [report], conflicts: 'replace' }),
    );
    const keptAs = `${report}.before-restore-2026-11-29-101500`;
    expect(r).toMatchObject({
      ok: true,
      value: {
        placed: [{ path: report, to: report, keptBoth: false }],
        keptAside: [{ path: report, keptAs }],
      },
    });
    expect(await readFile(report, 'utf8')).toBe(REPORT);
    expect(await readFile(keptAs, 'utf8')).toBe('changed here\n');
    await rm(keptAs);
  });

  it('keeps both for a folder, and restores as usual where nothing differs', async () => {
    const photos = join(src, 'photos');
    await writeFile(join(photos, 'a.txt'), 'A, edited');
    const before = await stat(join(photos, 'a.txt'));
    const newest = snapshots.at(-1)!;
    const beside = join(src, `photos (restored from ${stampOf(newest)})`);
    const r = await restorePaths(
      dest.ctx,
      snapshots,
      request({ paths: [photos], conflicts: 'keep-both' }),
    );
    expect(r).toMatchObject({
      ok: true,
      value: { placed: [{ path: photos, to: beside, keptBoth: true }], keptAside: [] },
    });
    expect(await readFile(join(photos, 'a.txt'), 'utf8')).toBe('A, edited');
    expect((await stat(join(photos, 'a.txt'))).ino).toBe(before.ino);
    expect(await readFile(join(beside, 'a.txt'), 'utf8')).toBe('a');
    expect(await readFile(join(beside, 'b.txt'), 'utf8')).toBe('b');
    expect((await lstat(beside)).isDirectory()).toBe(true);
    await rm(beside, { recursive: true });

    // Only missing here: nothing differs, so it comes back in its place.
    await writeFile(join(photos, 'a.txt'), 'a');
    await utimes(
      join(photos, 'a.txt'),
      before.atime,
      (await stat(join(destDir, newest.name, photos, 'a.txt'))).mtime,
    );
    await rm(join(photos, 'b.txt'));
    const usual = await restorePaths(
      dest.ctx,
      snapshots,
      request({ paths: [photos], conflicts: 'keep-both' }),
    );
    expect(usual).toMatchObject({
      ok: true,
      value: {
        placed: [{ path: photos, to: photos, keptBoth: false }],
        restored: 1,
        keptAside: [],
      },
    });
    expect(await readFile(join(photos, 'b.txt'), 'utf8')).toBe('b');
    expect((await readdir(src)).filter((n) => n.startsWith('photos'))).toEqual(['photos']);
  });

  it('refuses keep-both with missing-only, in words', async () => {
    const r = await restorePaths(
      dest.ctx,
      snapshots,
      request({ paths: [join(src, 'docs')], conflicts: 'keep-both', missingOnly: true }),
    );
    expect(r).toMatchObject({ ok: false, failure: { kind: 'refused' } });
    if (r.ok) return;
    expect(r.failure.message).toContain('--missing-only leaves every file here as it is');
  });
});

describe('compare a text version with the file here', () => {
  it('shows the changed lines of a file edited here, with line numbers, and diff -u text', async () => {
    const report = join(src, 'docs/report.txt');
    await writeFile(report, REPORT.replace('line 5\n', 'line five\n').replace('line 12\n', ''));
    const newest = snapshots.at(-1)!;
    const c = await compareWithHere(dest.ctx, snapshots, {
      path: report,
      snapshot: null,
      prefix: 'c',
    });
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.value).toMatchObject({
      snapshot: newest.name,
      here: 'differs',
      oldLineCount: 12,
      newLineCount: 11,
    });
    const changed = c.value.hunks.flatMap((h) => h.lines.filter((l) => l.kind !== 'same'));
    expect(changed).toEqual([
      { kind: 'removed', text: 'line 5', old: 5, new: null, noNewline: false },
      { kind: 'added', text: 'line five', old: null, new: 5, noNewline: false },
      { kind: 'removed', text: 'line 12', old: 12, new: null, noNewline: false },
    ]);
    expect(c.value.hunks[0]).toMatchObject({ oldStart: 2, newStart: 2 });
    expect(c.value.unified).toContain(`--- ${report} (${newest.name})\n+++ ${report} (here)\n`);
    expect(c.value.unified).toContain('-line 5\n+line five\n');

    await writeFile(report, REPORT);
    const same = await compareWithHere(dest.ctx, snapshots, {
      path: report,
      snapshot: snapshots[0]!.name,
      prefix: 'c',
    });
    expect(same).toMatchObject({
      ok: true,
      value: { here: 'same', hunks: [], unified: '', snapshot: snapshots[0]!.name },
    });
  });

  it('refuses a binary file in words, and says when the file here is missing', async () => {
    const blob = join(src, 'docs/blob.bin');
    const binary = await compareWithHere(dest.ctx, snapshots, {
      path: blob,
      snapshot: null,
      prefix: 'c',
    });
    expect(binary).toEqual({
      ok: false,
      failure: {
        kind: 'refused',
        message:
          `"${blob}" in ${snapshots.at(-1)!.name} is not text (it holds binary data (NUL bytes)): ` +
          'only text files are compared. Open the version instead.',
      },
    });
    const gone = join(src, 'docs/gone.txt');
    await rm(gone);
    const missing = await compareWithHere(dest.ctx, snapshots, {
      path: gone,
      snapshot: null,
      prefix: 'c',
    });
    expect(missing).toMatchObject({
      ok: true,
      value: { here: 'missing', oldLineCount: 1, newLineCount: 0, hunks: [], unified: '' },
    });
    await writeFile(gone, 'soon gone\n');
  });
});

describe('verify names a good copy of a damaged file', () => {
  /** Writes other bytes of the same length into a snapshot's copy, and puts its time back. */
  async function damage(snapshot: Snapshot, path: string): Promise<() => Promise<void>> {
    const copy = join(destDir, snapshot.name, path);
    const before = await stat(copy);
    const bytes = await readFile(copy);
    await chmod(copy, 0o644);
    await writeFile(copy, Buffer.from(bytes.toString('latin1').toUpperCase(), 'latin1'));
    await utimes(copy, before.atime, before.mtime);
    return async () => {
      await writeFile(copy, bytes);
      await utimes(copy, before.atime, before.mtime);
      await chmod(copy, before.mode & 0o7777);
    };
  }

  it('names the older intact copy, or says that all three snapshots share the damaged one', async () => {
    const [s1, s2, s3, s4, s5] = snapshots;
    const v = join(src, 'v.txt');
    const w = join(src, 'w.txt');
    // One copy in the last three snapshots (hard links), another in the first.
    const inodes = await Promise.all(
      [s1, s3, s4, s5].map(async (s) => (await stat(join(destDir, s!.name, v))).ino),
    );
    expect(new Set(inodes.slice(1)).size).toBe(1);
    expect(inodes[0]).not.toBe(inodes[1]);
    const repairs = [await damage(s5!, v), await damage(s5!, w)];
    try {
      const r = await verifySnapshot(dest.ctx, s5!, { samplePercent: 100, snapshots });
      expect(r).toMatchObject({ ok: true, value: { outcome: 'ok', mismatched: [v, w] } });
      if (!r.ok) return;
      const shared = [s3!.name, s4!.name, s5!.name];
      expect(r.value.damaged).toEqual([
        { path: v, goodCopy: { snapshot: s1!.name, path: v }, sharedBy: shared },
        { path: w, goodCopy: null, sharedBy: shared },
      ]);
      expect(s2).toBeDefined();

      // The command line: exit 3, each damaged file with its good copy or the sharing snapshots.
      const cli = await runCli(
        ['verify', s5!.name, '--dest', where, '--prefix', 'c', '--json', ...cliFlags(sshd)],
        home,
      );
      expect(cli.code, cli.stderr).toBe(3);
      expect(cli.json).toMatchObject({
        mismatched: [v, w],
        damaged: [
          { path: v, goodCopy: { snapshot: s1!.name, path: v }, sharedBy: shared },
          { path: w, goodCopy: null, sharedBy: shared },
        ],
        error: null,
      });
      const text = await runCli(
        ['verify', s5!.name, '--dest', where, '--prefix', 'c', ...cliFlags(sshd)],
        home,
      );
      expect(text.code).toBe(3);
      expect(text.stdout).toContain(
        `  ${v}\n    its copy is one file in 3 snapshots (${shared.join(', ')}); an intact copy, ` +
          `equal to the file here, is in ${s1!.name}: the damaged one is the snapshots' copy\n`,
      );
      expect(text.stdout).toContain(
        `  ${w}\n    no other snapshot holds an intact copy; these 3 share the damaged one: ${shared.join(', ')}\n`,
      );
    } finally {
      for (const repair of repairs) await repair();
    }
  });
});

describe('the command line', () => {
  const flags = () => ['--dest', where, '--prefix', 'c', ...cliFlags(sshd)];

  it('restore --keep-both writes the version beside the file here; with --missing-only it is a usage error', async () => {
    const report = join(src, 'docs/report.txt');
    await writeFile(report, 'edited for the command line\n');
    const newest = snapshots.at(-1)!;
    const restoredAs = join(src, `docs/report (restored from ${stampOf(newest)}).txt`);
    const r = await runCli(['restore', report, '--keep-both', '--json', ...flags()], home);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({
      placed: [{ path: report, to: restoredAs, keptBoth: true }],
      keptAside: [],
      restored: 1,
      error: null,
    });
    expect(await readFile(report, 'utf8')).toBe('edited for the command line\n');
    expect(await readFile(restoredAs, 'utf8')).toBe(REPORT);

    const text = await runCli(['restore', report, '--keep-both', ...flags()], home);
    expect(text.code, text.stderr).toBe(0);
    const numbered = join(src, `docs/report (restored from ${stampOf(newest)}, 2).txt`);
    expect(text.stdout).toContain(
      'These differed from the snapshot and stay as they are; its version went beside them:\n' +
        `  ${report} -> ${numbered}\n`,
    );
    await rm(restoredAs);
    await rm(numbered);

    const both = await runCli(
      ['restore', report, '--keep-both', '--missing-only', '--json', ...flags()],
      home,
    );
    expect(both.code).toBe(2);
    expect(both.json).toMatchObject({
      error: {
        kind: 'usage',
        message:
          'Give --keep-both or --missing-only, not both: --missing-only leaves every file here as it is.',
      },
    });
    await writeFile(report, REPORT);
  });

  it('diff --text prints diff -u and exits 3 when they differ, 0 when identical, 1 for a binary file', async () => {
    const report = join(src, 'docs/report.txt');
    await writeFile(report, REPORT.replace('line 5\n', 'line five\n'));
    const newest = snapshots.at(-1)!;
    const differs = await runCli(['diff', '--text', report, ...flags()], home);
    expect(differs.code, differs.stderr).toBe(3);
    expect(differs.stdout).toBe(
      `--- ${report} (${newest.name})\n+++ ${report} (here)\n@@ -2,7 +2,7 @@\n` +
        ' line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n line 8\n',
    );
    const json = await runCli(
      ['diff', '--text', report, '--snapshot', snapshots[0]!.name, '--json', ...flags()],
      home,
    );
    expect(json.code).toBe(3);
    expect(json.json).toMatchObject({
      snapshot: snapshots[0]!.name,
      path: report,
      here: 'differs',
      hunks: [{ oldStart: 2, oldLines: 7, newStart: 2, newLines: 7 }],
      error: null,
    });
    await writeFile(report, REPORT);
    const same = await runCli(['diff', '--text', report, ...flags()], home);
    expect(same.code).toBe(0);
    expect(same.stdout).toBe(`${report} is the same here as in ${newest.name}.\n`);

    const binary = await runCli(['diff', '--text', join(src, 'docs/blob.bin'), ...flags()], home);
    expect(binary.code).toBe(1);
    expect(binary.stderr).toContain('is not text (it holds binary data (NUL bytes))');

    const gone = join(src, 'docs/gone.txt');
    await rm(gone);
    const missing = await runCli(['diff', '--text', gone, '--json', ...flags()], home);
    expect(missing.code).toBe(3);
    expect(missing.json).toMatchObject({ here: 'missing', hunks: [], error: null });
    await writeFile(gone, 'soon gone\n');

    const usage = await runCli(['diff', '--snapshot', newest.name, report, ...flags()], home);
    expect(usage.code).toBe(2);
  });
});
