/**
 * The restore engine as the CLI and the Backups window call it, against snapshots made by real
 * backups, on a local destination and over ssh (one sshd for the file): hostile names restored
 * byte for byte, wildcard characters taken literally, one rsync call for all snapshots, symlinked
 * folders followed and never replaced, a stopped restore leaving no half-written file, and
 * verify finding a flipped byte. Through an `rrsync -ro` key, reading works the same. Every
 * folder has a time of its own in the past, and a restored folder must come back with it.
 */
import {
  chmod,
  lstat,
  mkdir,
  readFile,
  readdir,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../core/destination/snapshot.js';
import { snapshotsOf } from '../../../core/destination/snapshot.js';
import { listDestination } from '../../../core/destination/ops.js';
import { listFolder } from '../../../core/restore/browse.js';
import { completeSnapshots } from '../../../core/restore/choose.js';
import { diffSnapshots } from '../../../core/restore/diff.js';
import { findByName, namePattern } from '../../../core/restore/find.js';
import { pathBytes } from '../../../core/restore/remote-names.js';
import {
  restorePaths,
  type RestoreEvent,
  type RestoreRequest,
} from '../../../core/restore/restore.js';
import { verifySnapshot } from '../../../core/restore/verify.js';
import { fileVersions } from '../../../core/restore/versions.js';
import { makeCliHome, runCli, type CliHome } from '../../support/cli.js';
import {
  openTestDestination,
  rsyncCalls,
  type ServerAccess,
  type TestDestination,
} from '../../support/destination.js';
import { cliFlags, sshArgs, startSshd, type Sshd } from '../../support/sshd.js';
import {
  folderTimes,
  HOSTILE_NAMES,
  makeTempDir,
  readTree,
  stampFolders,
  writeTree,
} from '../../support/tree.js';

const ODD_NAMES: ReadonlyArray<string | Buffer> = [
  ...HOSTILE_NAMES.filter((n) => typeof n !== 'string' || !n.includes('/')),
  'x[1].txt',
  'x1.txt',
  'star*.txt',
  'starA.txt',
  'q?.txt',
  'qA.txt',
  'é.txt',
];

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd.stop();
});

interface World {
  home: CliHome;
  src: string;
  destDir: string;
  dest: TestDestination;
  snapshots: Snapshot[];
  serverFlags: string[];
}

async function snapshotsIn(d: TestDestination, prefix = 'e'): Promise<Snapshot[]> {
  const listing = await listDestination(d.ctx);
  if (!listing.ok) throw new Error(listing.failure.message);
  return snapshotsOf(prefix, listing.value).snapshots;
}

function request(w: World, over: Partial<RestoreRequest>): RestoreRequest {
  return {
    paths: [],
    from: { before: null },
    to: null,
    missingOnly: false,
    dryRun: false,
    asRoot: true,
    now: new Date(2026, 10, 29, 10, 15, 0),
    watched: false,
    prefix: 'e',
    ...over,
  };
}

/** Two backups: the second after report.txt changed and keep.txt was deleted. */
async function makeWorld(mode: 'local' | 'ssh'): Promise<World> {
  const home = await makeCliHome();
  const src = await makeTempDir('st-src-');
  // A destination path the far side must read literally: a space and wildcard characters.
  const destDir = join(await makeTempDir('st-dest-'), 'backups [1] *');
  await mkdir(destDir);
  await writeTree(src, {
    'docs/report.txt': 'v1',
    'docs/keep.txt': 'kept',
    'docs/verify-me.txt': 'a checked file',
    'nest/plain.txt': 'plain',
    'nest/linked/inner.txt': 'inner',
    'big/blob': randomBytes(1_500_000),
    'tree/a/b/c.txt': 'c',
    'tree/a/d.txt': 'd',
    'tree/e/f.txt': 'f',
  });
  await writeTree(
    join(src, 'odd'),
    ODD_NAMES.map((n) => [n, Buffer.concat([Buffer.from('content of '), Buffer.from(n)])] as const),
  );
  const where = mode === 'local' ? destDir : `${sshd.user}@127.0.0.1:${destDir}`;
  const serverFlags = mode === 'local' ? [] : cliFlags(sshd);
  const backup = async () => {
    const r = await runCli(
      ['backup', '--dest', where, '--prefix', 'e', '--source', src, '--json', ...serverFlags],
      home,
    );
    expect(r.code, r.stderr).toBe(0);
  };
  expect((await runCli(['init', '--dest', where, ...serverFlags], home)).code).toBe(0);
  await stampFolders(src, new Date(Date.UTC(2021, 2, 3, 10, 0, 0)));
  await backup();
  await writeFile(join(src, 'docs/report.txt'), 'version two');
  await rm(join(src, 'docs/keep.txt'));
  await stampFolders(src, new Date(Date.UTC(2022, 4, 5, 10, 0, 0)));
  await backup();
  const dest = await openTestDestination(
    mode === 'local' ? destDir : { server: sshd, path: destDir },
  );
  return { home, src, destDir, dest, snapshots: await snapshotsIn(dest), serverFlags };
}

describe.each(['local', 'ssh'] as const)('restore engine, %s destination', (mode) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(mode);
  });
  afterAll(async () => {
    await w.dest.close();
  });

  it('finds both versions of a file with one rsync call for all snapshots', async () => {
    const before = rsyncCalls(w.dest.spawned);
    const found = await fileVersions(
      w.dest.ctx,
      completeSnapshots(w.snapshots),
      join(w.src, 'docs/report.txt'),
      { prefix: 'e' },
    );
    expect(rsyncCalls(w.dest.spawned) - before).toBe(1);
    expect(found.ok).toBe(true);
    if (!found.ok) return;
    const [first, second] = w.snapshots;
    expect(found.value.versions.map((v) => [v.snapshot, v.size, v.snapshots])).toEqual([
      [first?.name, 2, [first?.name]],
      [second?.name, 11, [second?.name]],
    ]);
  });

  it('names the nearest folder the snapshots hold for a path they do not', async () => {
    const found = await fileVersions(
      w.dest.ctx,
      completeSnapshots(w.snapshots),
      join(w.src, 'docs/gone/deeper/x.txt'),
      { prefix: 'e' },
    );
    const docs = join(w.src, 'docs');
    expect(found).toEqual({
      ok: false,
      failure: {
        kind: 'not-found',
        message:
          `"${join(w.src, 'docs/gone/deeper/x.txt')}" is in none of the 2 complete snapshots of "e". ` +
          `The nearest folder that is: ${docs} (in all of them, the newest ${w.snapshots[1]?.name}); ` +
          `"snaptray ls ${w.snapshots[1]?.name} ${docs}" lists it.`,
      },
    });
  });

  it('lists one folder with hostile names, byte for byte', async () => {
    const newest = w.snapshots.at(-1)!;
    const folder = await listFolder(w.dest.ctx, newest, join(w.src, 'odd'));
    expect(folder.ok).toBe(true);
    if (!folder.ok) return;
    expect(folder.value.type).toBe('dir');
    expect(folder.value.entries.map((e) => pathBytes(e.name).toString('hex')).sort()).toEqual(
      ODD_NAMES.map((n) => Buffer.from(n).toString('hex')).sort(),
    );
    expect(folder.value.entries.every((e) => e.type === 'file')).toBe(true);
  });

  it('finds names by pattern, the wildcard characters of a name taken literally', async () => {
    const find = async (text: string) => {
      const pattern = namePattern(text);
      if (!pattern.ok) throw new Error(pattern.message);
      const found = await findByName(w.dest.ctx, completeSnapshots(w.snapshots), pattern.value);
      if (!found.ok) throw new Error(found.failure.message);
      return found.value.matches.map((m) => [m.path.slice(w.src.length), m.snapshots.length]);
    };
    expect(await find('star\\*.txt')).toEqual([['/odd/star*.txt', 2]]);
    expect(await find('KEEP')).toEqual([['/docs/keep.txt', 1]]);
  });

  it('restores a folder of hostile names byte for byte, and x[1].txt as itself', async () => {
    const odd = join(w.src, 'odd');
    const original = await readTree(odd);
    await rm(odd, { recursive: true });
    const whole = await restorePaths(w.dest.ctx, w.snapshots, request(w, { paths: [odd] }));
    expect(whole).toMatchObject({
      ok: true,
      value: { outcome: 'ok', restored: ODD_NAMES.length, keptAside: [], skipped: [] },
    });
    expect(await readTree(odd)).toEqual(original);

    await rm(join(odd, 'x[1].txt'));
    await rm(join(odd, 'x1.txt'));
    const one = await restorePaths(
      w.dest.ctx,
      w.snapshots,
      request(w, { paths: [join(odd, 'x[1].txt')] }),
    );
    expect(one).toMatchObject({ ok: true, value: { restored: 1 } });
    expect(await readFile(join(odd, 'x[1].txt'), 'utf8')).toBe('content of x[1].txt');
    expect((await readdir(odd)).includes('x1.txt')).toBe(false);

    const bad = Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x74, 0x78, 0x74]);
    await writeFile(Buffer.concat([Buffer.from(`${odd}/`), bad]), 'changed here');
    const typed = `${odd}/f\\#377\\#376.txt`;
    const byText = await restorePaths(w.dest.ctx, w.snapshots, request(w, { paths: [typed] }));
    expect(byText).toMatchObject({
      ok: true,
      value: {
        restored: 1,
        keptAside: [{ path: typed, keptAs: `${typed}.before-restore-2026-11-29-101500` }],
      },
    });
    expect(await readFile(Buffer.concat([Buffer.from(`${odd}/`), bad]))).toEqual(
      Buffer.concat([Buffer.from('content of '), bad]),
    );
    expect(
      await readFile(
        Buffer.concat([
          Buffer.from(`${odd}/`),
          bad,
          Buffer.from('.before-restore-2026-11-29-101500'),
        ]),
        'utf8',
      ),
    ).toBe('changed here');
  });

  it('follows a folder that is a symlink here and never replaces it', async () => {
    const nest = join(w.src, 'nest');
    const data = await makeTempDir('st-data-');
    await rename(join(nest, 'linked'), join(data, 'moved-away'));
    await symlink(data, join(nest, 'linked'));

    const one = await restorePaths(
      w.dest.ctx,
      w.snapshots,
      request(w, { paths: [join(nest, 'linked/inner.txt')] }),
    );
    expect(one).toMatchObject({
      ok: true,
      value: { outcome: 'ok', restored: 1, placed: [{ to: join(nest, 'linked/inner.txt') }] },
    });
    expect(await readlink(join(nest, 'linked'))).toBe(data);
    expect(await readFile(join(data, 'inner.txt'), 'utf8')).toBe('inner');

    await rm(join(data, 'inner.txt'));
    const folder = await restorePaths(
      w.dest.ctx,
      w.snapshots,
      request(w, { paths: [join(nest, 'linked')] }),
    );
    expect(folder).toMatchObject({ ok: true, value: { outcome: 'ok', restored: 1 } });
    expect((await lstat(join(nest, 'linked'))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(data, 'inner.txt'), 'utf8')).toBe('inner');

    // The folder above it, restored whole: rsync will not write through the link, and says so;
    // the folders' times are set after, and neither the link nor the folder it leads to changes.
    await rm(join(nest, 'plain.txt'));
    const dataTime = new Date(Date.UTC(2020, 0, 1));
    await utimes(data, dataTime, dataTime);
    const above = await restorePaths(w.dest.ctx, w.snapshots, request(w, { paths: [nest] }));
    expect(above.ok).toBe(true);
    if (!above.ok) return;
    expect(above.value.outcome).toBe('partial');
    expect(await readFile(join(nest, 'plain.txt'), 'utf8')).toBe('plain');
    expect(await readlink(join(nest, 'linked'))).toBe(data);
    expect((await stat(data)).mtimeMs).toBe(dataTime.getTime());
    expect((await stat(nest)).mtimeMs).toBe(
      (await stat(join(w.destDir, w.snapshots.at(-1)!.name, nest))).mtimeMs,
    );
    expect(above.value.warnings).toEqual([]);
    expect(above.value.skipped).toEqual([
      {
        path: join(nest, 'linked/inner.txt'),
        why:
          `a folder on its way, ${join(nest, 'linked')}, is a symbolic link here to ${data}, ` +
          'which a restore never replaces; restore that folder by itself to follow the link, or ' +
          'restore elsewhere with --to',
      },
    ]);

    await rm(join(nest, 'linked'));
    await symlink(join(data, 'nowhere'), join(nest, 'linked'));
    const dangling = await restorePaths(
      w.dest.ctx,
      w.snapshots,
      request(w, { paths: [join(nest, 'linked/inner.txt')] }),
    );
    expect(dangling).toMatchObject({ ok: false, failure: { kind: 'refused' } });
    expect(await readlink(join(nest, 'linked'))).toBe(join(data, 'nowhere'));
  });

  it('restores several paths from one snapshot, and names the one that holds a path the named one lacks', async () => {
    const keep = join(w.src, 'docs/keep.txt');
    const plain = join(w.src, 'nest/plain.txt');
    await rm(plain, { force: true });
    const both = await restorePaths(w.dest.ctx, w.snapshots, request(w, { paths: [keep, plain] }));
    expect(both).toMatchObject({
      ok: true,
      value: { outcome: 'ok', snapshot: w.snapshots[0]?.name, restored: 2, keptAside: [] },
    });
    expect(await readFile(keep, 'utf8')).toBe('kept');
    expect(await readFile(plain, 'utf8')).toBe('plain');
    await rm(keep);

    const never = await restorePaths(
      w.dest.ctx,
      w.snapshots,
      request(w, {
        paths: [keep, join(w.src, 'docs/report.txt')],
        from: { snapshot: w.snapshots[1]!.name },
      }),
    );
    expect(never).toEqual({
      ok: false,
      failure: {
        kind: 'not-found',
        message:
          `"${keep}" is not in ${w.snapshots[1]?.name}. It is in 1 other snapshot, the newest ` +
          `${w.snapshots[0]?.name}: leave out --snapshot to restore from the newest one holding it.`,
      },
    });
  });

  it('restores into a folder that does not exist yet, after a dry run that creates nothing', async () => {
    const to = join(await makeTempDir('st-to-'), 'new', 'place');
    const docs = join(w.src, 'docs');
    const dry = await restorePaths(
      w.dest.ctx,
      w.snapshots,
      request(w, { paths: [docs], to, dryRun: true }),
    );
    expect(dry).toMatchObject({
      ok: true,
      value: {
        dryRun: true,
        restored: 2,
        keptAside: [],
        placed: [{ path: docs, to: join(to, 'docs') }],
      },
    });
    await expect(stat(to)).rejects.toThrow();
    // Unwatched into a new place, the count comes from rsync's totals; watched, file by file.
    const real = await restorePaths(w.dest.ctx, w.snapshots, request(w, { paths: [docs], to }));
    expect(real).toMatchObject({ ok: true, value: { restored: 2 } });
    const elsewhere = join(await makeTempDir('st-to-'), 'watched');
    const watched = await restorePaths(
      w.dest.ctx,
      w.snapshots,
      request(w, { paths: [join(w.src, 'odd')], to: elsewhere, watched: true }),
    );
    const unwatched = await restorePaths(
      w.dest.ctx,
      w.snapshots,
      request(w, { paths: [join(w.src, 'odd')], to: join(elsewhere, 'again') }),
    );
    expect(watched).toMatchObject({ ok: true, value: { restored: ODD_NAMES.length } });
    expect(unwatched).toMatchObject({ ok: true, value: { restored: ODD_NAMES.length } });
    expect(await readTree(join(elsewhere, 'again', 'odd'))).toEqual(
      await readTree(join(elsewhere, 'odd')),
    );
    expect(await readTree(join(to, 'docs'))).toEqual(
      new Map([
        ['report.txt', Buffer.from('version two')],
        ['verify-me.txt', Buffer.from('a checked file')],
      ]),
    );
    const newest = join(w.destDir, w.snapshots.at(-1)!.name);
    expect(await folderTimes(join(to, 'docs'))).toEqual(await folderTimes(join(newest, docs)));
    expect(await folderTimes(join(elsewhere, 'odd'))).toEqual(
      await folderTimes(join(newest, w.src, 'odd')),
    );
  });

  it('gives restored folders their times in place, missing only too, counting each file once', async () => {
    const tree = join(w.src, 'tree');
    const stored = await folderTimes(join(w.destDir, w.snapshots.at(-1)!.name, tree));
    expect(stored.size).toBe(4);
    expect([...stored.values()].every((t) => t < Date.UTC(2023, 0, 1))).toBe(true);
    await writeFile(join(tree, 'a/b/c.txt'), 'changed here');
    await rm(join(tree, 'e/f.txt'));
    const events: RestoreEvent[] = [];
    const r = await restorePaths(
      w.dest.ctx,
      w.snapshots,
      request(w, { paths: [tree], watched: true, onEvent: (e) => events.push(e) }),
    );
    expect(r).toMatchObject({
      ok: true,
      value: {
        outcome: 'ok',
        restored: 2,
        keptAside: [{ path: join(tree, 'a/b/c.txt') }],
        skipped: [],
        warnings: [],
      },
    });
    expect(await readFile(join(tree, 'a/b/c.txt'), 'utf8')).toBe('c');
    expect(await folderTimes(tree)).toEqual(stored);
    // The second pass sends no file: it comes after the progress reports and makes none.
    const kinds = events.map((e) => (e.type === 'phase' ? e.phase : e.type));
    expect(kinds.filter((k) => k !== 'progress' && k !== 'snapshot')).toEqual([
      'locating',
      'transferring',
      'folder-times',
    ]);
    expect(kinds.lastIndexOf('progress')).toBeLessThan(kinds.indexOf('folder-times'));

    await rm(join(tree, 'a/d.txt'));
    const missing = await restorePaths(
      w.dest.ctx,
      w.snapshots,
      request(w, { paths: [tree], missingOnly: true }),
    );
    expect(missing).toMatchObject({ ok: true, value: { outcome: 'ok', restored: 1 } });
    expect(await readFile(join(tree, 'a/d.txt'), 'utf8')).toBe('d');
    expect(await folderTimes(tree)).toEqual(stored);

    // A file here where the snapshot has a folder: only missing files are restored, so the file
    // stays, and the folders' pass leaves it as it is too, its time included.
    await rm(join(tree, 'e'), { recursive: true });
    await writeFile(join(tree, 'e'), 'mine');
    const old = new Date(Date.UTC(2020, 0, 1));
    await utimes(join(tree, 'e'), old, old);
    const beside = await restorePaths(
      w.dest.ctx,
      w.snapshots,
      request(w, { paths: [tree], missingOnly: true }),
    );
    expect(beside).toMatchObject({ ok: true, value: { restored: 0, warnings: [] } });
    if (!beside.ok) return;
    expect(beside.value.skipped.map((x) => x.path)).toContain(join(tree, 'e'));
    expect(await readFile(join(tree, 'e'), 'utf8')).toBe('mine');
    expect((await stat(join(tree, 'e'))).mtimeMs).toBe(old.getTime());
    expect(await folderTimes(tree)).toEqual(new Map([...stored].filter(([k]) => k !== 'e')));
  });

  it('verifies by checksum, and names a byte flipped in the snapshot without a new time', async () => {
    const newest = w.snapshots.at(-1)!;
    const clean = await verifySnapshot(w.dest.ctx, newest, { samplePercent: 100 });
    expect(clean).toMatchObject({
      ok: true,
      value: { outcome: 'ok', mismatched: [], unchecked: [] },
    });
    if (!clean.ok) return;
    expect(clean.value.checked).toBeGreaterThanOrEqual(ODD_NAMES.length + 3);
    expect(clean.value.checked).toBe(clean.value.eligible);

    const copy = join(w.destDir, newest.name, w.src, 'docs/verify-me.txt');
    const before = await stat(copy);
    await chmod(copy, 0o644);
    await writeFile(copy, 'a chucked file');
    await utimes(copy, before.atime, before.mtime);
    const flipped = await verifySnapshot(w.dest.ctx, newest, { samplePercent: 100 });
    expect(flipped).toMatchObject({
      ok: true,
      value: { mismatched: [join(w.src, 'docs/verify-me.txt')], checked: clean.value.checked },
    });
    const sampled = await verifySnapshot(w.dest.ctx, newest, {
      samplePercent: 10,
      random: () => 0.5,
    });
    expect(sampled).toMatchObject({
      ok: true,
      value: { checked: Math.ceil(clean.value.eligible / 10) },
    });
    await writeFile(copy, 'a checked file');
    await utimes(copy, before.atime, before.mtime);
  });

  it('compares two snapshots below one folder', async () => {
    const [older, newer] = w.snapshots;
    const d = await diffSnapshots(w.dest.ctx, older!, newer!, join(w.src, 'docs'));
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect({
      added: d.value.added.map((i) => i.path),
      changed: d.value.changed.map((c) => [c.path, c.before.size, c.after.size]),
      deleted: d.value.deleted.map((i) => [i.path, i.size]),
    }).toEqual({
      added: [],
      changed: [[join(w.src, 'docs/report.txt'), 2, 11]],
      deleted: [[join(w.src, 'docs/keep.txt'), 4]],
    });
  });

  it('reports progress, and stopped midway leaves no half-written file', async () => {
    const big = join(w.src, 'big');
    const blob = await readFile(join(big, 'blob'));
    await rm(join(big, 'blob'));
    const events: RestoreEvent[] = [];
    const full = await restorePaths(
      w.dest.ctx,
      w.snapshots,
      request(w, { paths: [join(big, 'blob')], watched: true, onEvent: (e) => events.push(e) }),
    );
    expect(full).toMatchObject({ ok: true, value: { outcome: 'ok', restored: 1 } });
    expect((await readFile(join(big, 'blob'))).equals(blob)).toBe(true);
    const progress = events.flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
    expect(progress.at(-1)).toMatchObject({ percent: 100, bytes: blob.length });
    expect(events[0]).toEqual({ type: 'phase', phase: 'locating' });
    expect(events).toContainEqual({ type: 'snapshot', name: w.snapshots.at(-1)?.name });

    if (mode !== 'ssh') return;
    // The far side's rsync sends slowly here, so the restore is surely stopped midway.
    const slow = join(sshd.dir, 'slow-rsync');
    await writeFile(slow, '#!/bin/sh\nexec rsync --bwlimit=200 "$@"\n', { mode: 0o755 });
    const slowDest = await openTestDestination({
      server: sshd,
      path: w.destDir,
      rsyncPath: slow,
    } satisfies ServerAccess);
    try {
      await rm(join(big, 'blob'));
      const stop = new AbortController();
      const stopped = await restorePaths(
        slowDest.ctx,
        w.snapshots,
        request(w, {
          paths: [join(big, 'blob')],
          watched: true,
          signal: stop.signal,
          onEvent: (e) => {
            if (e.type === 'progress' && e.progress.bytes > 0) stop.abort();
          },
        }),
      );
      expect(stopped).toMatchObject({ ok: true, value: { outcome: 'cancelled' } });
      expect(await readdir(big)).toEqual([]);
    } finally {
      await slowDest.close();
    }
  });
});

describe('through rrsync keys', () => {
  let w: World;
  let ro: TestDestination;
  beforeAll(async () => {
    w = await makeWorld('ssh');
    const key = await sshd.addClientKey('read-only', { restrictedDir: w.destDir, readOnly: true });
    ro = await openTestDestination({ server: sshd, path: '/', key });
  });
  afterAll(async () => {
    await ro.close();
    await w.dest.close();
  });

  it('lists folders, finds, compares, lists versions, restores and verifies with a read-only key', async () => {
    const snapshots = await snapshotsIn(ro);
    expect(snapshots.map((s) => s.name)).toEqual(w.snapshots.map((s) => s.name));
    const report = join(w.src, 'docs/report.txt');
    const versions = await fileVersions(ro.ctx, completeSnapshots(snapshots), report, {
      prefix: 'e',
    });
    expect(versions).toMatchObject({ ok: true, value: { versions: [{ size: 2 }, { size: 11 }] } });

    const restored = await restorePaths(
      ro.ctx,
      snapshots,
      request(w, { paths: [report], from: { snapshot: snapshots[0]!.name } }),
    );
    expect(restored).toMatchObject({
      ok: true,
      value: {
        outcome: 'ok',
        restored: 1,
        keptAside: [{ path: report, keptAs: `${report}.before-restore-2026-11-29-101500` }],
      },
    });
    expect(await readFile(report, 'utf8')).toBe('v1');
    expect(await readFile(`${report}.before-restore-2026-11-29-101500`, 'utf8')).toBe(
      'version two',
    );
    // A folder in place: its folders' times are pulled through the same key.
    const tree = join(w.src, 'tree');
    await writeFile(join(tree, 'e/f.txt'), 'changed here');
    const inPlace = await restorePaths(ro.ctx, snapshots, request(w, { paths: [tree] }));
    expect(inPlace).toMatchObject({
      ok: true,
      value: { outcome: 'ok', restored: 1, warnings: [] },
    });
    expect(await folderTimes(tree)).toEqual(
      await folderTimes(join(w.destDir, snapshots.at(-1)!.name, tree)),
    );

    const folder = await listFolder(ro.ctx, snapshots[1]!, join(w.src, 'docs'));
    expect(folder.ok && folder.value.entries.map((e) => e.name)).toEqual([
      'report.txt',
      'verify-me.txt',
    ]);
    const pattern = namePattern('keep');
    if (!pattern.ok) throw new Error(pattern.message);
    const found = await findByName(ro.ctx, snapshots, pattern.value);
    expect(found.ok && found.value.matches.map((m) => [m.path, m.snapshots])).toEqual([
      [join(w.src, 'docs/keep.txt'), [snapshots[0]!.name]],
    ]);
    const d = await diffSnapshots(ro.ctx, snapshots[0]!, snapshots[1]!, join(w.src, 'docs'));
    expect(d.ok && [d.value.added.length, d.value.changed.length, d.value.deleted.length]).toEqual([
      0, 1, 1,
    ]);

    const verified = await verifySnapshot(ro.ctx, snapshots[0]!, { samplePercent: 100 });
    expect(verified).toMatchObject({ ok: true, value: { mismatched: [], unchecked: [] } });
    if (verified.ok) expect(verified.value.checked).toBeGreaterThan(3);
  });
  it('says the destination is busy while another transfer holds the key', async () => {
    const key = await sshd.addClientKey('locking', { restrictedDir: w.destDir });
    const locked = await openTestDestination({ server: sshd, path: '/', key });
    const out = await makeTempDir('st-hold-');
    const newest = w.snapshots.at(-1)!.name;
    // A slow pull through the same key holds rrsync's lock on the folder while it runs.
    const shell = ['ssh', ...sshArgs(sshd).map((a) => (a === sshd.clientKey ? key : a))].join(' ');
    const holder = spawn(
      'rsync',
      [
        '-e',
        shell,
        '--bwlimit=50',
        `${sshd.user}@127.0.0.1:/${newest}${w.src}/big/blob`,
        `${out}/`,
      ],
      { stdio: 'ignore' },
    );
    try {
      for (let i = 0; i < 200 && (await readdir(out)).length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const busy = await fileVersions(
        locked.ctx,
        completeSnapshots(w.snapshots),
        join(w.src, 'docs/report.txt'),
        { prefix: 'e' },
      );
      expect(busy).toMatchObject({ ok: false, failure: { kind: 'destination-busy' } });
      if (!busy.ok) {
        expect(busy.failure.message).toMatch(
          /^The destination is busy: looking for the path in the snapshots was refused because another transfer is using its folder/,
        );
      }
    } finally {
      holder.kill();
      await locked.close();
    }
  });
});
