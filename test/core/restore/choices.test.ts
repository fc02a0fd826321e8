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

void chmod;
