/**
 * What Snaptray does on a destination with rsync alone, against a real local folder: listing,
 * pushing small files, and deleting snapshots in the order that never leaves a complete-looking
 * half snapshot.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  deleteSnapshots,
  deleteTopEntries,
  listDestination,
  pushTopFile,
  type DestinationContext,
} from '../../../core/destination/ops.js';
import { snapshotsOf } from '../../../core/destination/snapshot.js';
import { spawnProcess, type Spawn } from '../../../core/process.js';
import { makeImmutable, mountExfat, mountTmpfs } from '../../support/disks.js';
import { makeTempDir } from '../../support/tree.js';

let dest: string;
let scratch: string;

function context(spawn: Spawn = spawnProcess): DestinationContext {
  return { dest: { kind: 'local', path: dest }, spawn, rsyncShellArgs: [], scratch };
}

async function snapshotWithManifest(name: string): Promise<void> {
  await mkdir(join(dest, name, 'home'), { recursive: true });
  await writeFile(join(dest, name, 'home', 'f.txt'), name);
  await writeFile(
    join(dest, `${name}.snaptray.json`),
    JSON.stringify({
      format: 1,
      host: 'h',
      prefix: 'p',
      startedAt: '2026-11-01T02:00:00.000Z',
      endedAt: '2026-11-01T02:00:00.000Z',
      rsyncExitCode: 0,
      status: 'ok',
      files: 1,
      bytesSent: 1,
      appVersion: '0.2.0',
    }),
  );
}

async function states(): Promise<string[][]> {
  const listing = await listDestination(context());
  if (!listing.ok) throw new Error(listing.failure.message);
  return snapshotsOf('p', listing.value).snapshots.map((s) => [s.name, s.state]);
}

beforeEach(async () => {
  dest = await makeTempDir('st-ops-');
  scratch = await makeTempDir('st-ops-scratch-');
  await writeFile(join(dest, '.snaptray-destination'), '{}\n');
});

describe('deleteSnapshots', () => {
  it('deletes exactly the named snapshots and their manifests, nothing with a similar name', async () => {
    await snapshotWithManifest('p-2026-11-01-030000');
    await snapshotWithManifest('p-2026-11-02-030000');
    await mkdir(join(dest, 'p-2026-11-01-030000x'));
    await mkdir(join(dest, 'pp-2026-11-01-030000'));
    const result = await deleteSnapshots(context(), ['p-2026-11-01-030000']);
    expect(result).toEqual({ ok: true, value: null });
    expect((await readdir(dest)).sort()).toEqual([
      '.snaptray-destination',
      'p-2026-11-01-030000x',
      'p-2026-11-02-030000',
      'p-2026-11-02-030000.snaptray.json',
      'pp-2026-11-01-030000',
    ]);
  });

  it('removes the manifests first: stopped half way, a snapshot is left unfinished, never complete-looking', async () => {
    await snapshotWithManifest('p-2026-11-01-030000');
    // A fault between the two rsync calls: the second one (the folders) is never run.
    let calls = 0;
    const faulty: Spawn = async (req) => {
      calls++;
      if (calls === 2) {
        return {
          exitCode: 20,
          signal: null,
          stdout: '',
          stderr: 'rsync error: received SIGINT',
          cancelled: true,
          startError: null,
        };
      }
      return spawnProcess(req);
    };
    const result = await deleteSnapshots(context(faulty), ['p-2026-11-01-030000']);
    expect(result.ok).toBe(false);
    const listing = await listDestination(context());
    if (!listing.ok) throw new Error(listing.failure.message);
    expect(snapshotsOf('p', listing.value).snapshots.map((s) => [s.name, s.state])).toEqual([
      ['p-2026-11-01-030000', 'unfinished'],
    ]);
    expect(existsSync(join(dest, 'p-2026-11-01-030000', 'home', 'f.txt'))).toBe(true);
  });
});

describe('deleteSnapshots on a disk that refuses part of a delete', () => {
  it('keeps every folder whole when a manifest cannot be deleted, and names the manifests', async () => {
    await snapshotWithManifest('p-2026-11-01-030000');
    await snapshotWithManifest('p-2026-11-02-030000');
    const release = makeImmutable(join(dest, 'p-2026-11-01-030000.snaptray.json'));
    try {
      const result = await deleteSnapshots(context(), [
        'p-2026-11-01-030000',
        'p-2026-11-02-030000',
      ]);
      expect(result).toEqual({
        ok: false,
        failure: {
          kind: 'rsync-failed',
          message: expect.stringMatching(
            /^Deleting p-2026-11-01-030000\.snaptray\.json, p-2026-11-02-030000\.snaptray\.json failed \(rsync exit 23\): .*p-2026-11-01-030000\.snaptray\.json.*Operation not permitted/,
          ),
        },
      });
    } finally {
      release();
    }
    // The folders were never touched: one snapshot still complete, the other unfinished.
    expect(await states()).toEqual([
      ['p-2026-11-01-030000', 'ok'],
      ['p-2026-11-02-030000', 'unfinished'],
    ]);
    for (const name of ['p-2026-11-01-030000', 'p-2026-11-02-030000']) {
      expect(await readFile(join(dest, name, 'home', 'f.txt'), 'utf8')).toBe(name);
    }
  });

  it('leaves a folder it could not delete unfinished, never complete-looking, and names it', async () => {
    await snapshotWithManifest('p-2026-11-01-030000');
    const release = makeImmutable(join(dest, 'p-2026-11-01-030000', 'home', 'f.txt'));
    try {
      const result = await deleteSnapshots(context(), ['p-2026-11-01-030000']);
      expect(result).toEqual({
        ok: false,
        failure: {
          kind: 'rsync-failed',
          message: expect.stringMatching(
            /^Deleting p-2026-11-01-030000 failed \(rsync exit 23\): .*Operation not permitted/,
          ),
        },
      });
    } finally {
      release();
    }
    expect(await states()).toEqual([['p-2026-11-01-030000', 'unfinished']]);
  });
});

describe('pushTopFile on a disk without hard links (exFAT)', () => {
  it('claims by an exclusive create: a new file is written whole, one that is there stays', async () => {
    const disk = await mountExfat(16);
    try {
      const exfat: DestinationContext = { ...context(), dest: { kind: 'local', path: disk.dir } };
      const claim = { keepExisting: true };
      expect(await pushTopFile(exfat, 'p.snaptray-owner.json', 'first\n', claim)).toEqual({
        ok: true,
        value: null,
      });
      expect(await pushTopFile(exfat, 'p.snaptray-owner.json', 'second\n', claim)).toEqual({
        ok: true,
        value: null,
      });
      expect(await readFile(join(disk.dir, 'p.snaptray-owner.json'), 'utf8')).toBe('first\n');
      // Without keepExisting the file is replaced, by a rename.
      await pushTopFile(exfat, 'p.snaptray-owner.json', 'adopted\n');
      expect(await readFile(join(disk.dir, 'p.snaptray-owner.json'), 'utf8')).toBe('adopted\n');
      // No temporary file is left beside it.
      expect(await readdir(disk.dir)).toEqual(['p.snaptray-owner.json']);
    } finally {
      await disk.unmount();
    }
  });
});

describe('pushTopFile', () => {
  it('with keepExisting leaves a file that is there, and writes one that is not', async () => {
    await writeFile(join(dest, 'p.snaptray-owner.json'), 'first\n');
    expect(
      await pushTopFile(context(), 'p.snaptray-owner.json', 'second\n', { keepExisting: true }),
    ).toEqual({ ok: true, value: null });
    expect(await readFile(join(dest, 'p.snaptray-owner.json'), 'utf8')).toBe('first\n');
    await pushTopFile(context(), 'q.snaptray-owner.json', 'mine\n', { keepExisting: true });
    expect(await readFile(join(dest, 'q.snaptray-owner.json'), 'utf8')).toBe('mine\n');
    await pushTopFile(context(), 'p.snaptray-owner.json', 'replaced\n');
    expect(await readFile(join(dest, 'p.snaptray-owner.json'), 'utf8')).toBe('replaced\n');
    expect((await readdir(dest)).filter((n) => n.startsWith('.p'))).toEqual([]);
  });
});

describe('listDestination', () => {
  it('sees folders, manifests, owner files and the marker, and nothing else', async () => {
    await snapshotWithManifest('p-2026-11-01-030000');
    await writeFile(join(dest, 'p.snaptray-owner.json'), '{}');
    await writeFile(join(dest, 'notes.txt'), 'x');
    // Symbolic links are not followed: not a snapshot, not a manifest.
    const elsewhere = await makeTempDir('st-ops-elsewhere-');
    await writeFile(join(elsewhere, 'q.json'), '{}');
    await symlink(elsewhere, join(dest, 'p-2026-11-03-030000'));
    await symlink(join(elsewhere, 'q.json'), join(dest, 'p-2026-11-03-030000.snaptray.json'));
    const listing = await listDestination(context());
    expect(listing.ok && listing.value.directories).toEqual(['p-2026-11-01-030000']);
    expect(listing.ok && [...listing.value.manifests.keys()].sort()).toEqual([
      'p-2026-11-01-030000.snaptray.json',
      'p.snaptray-owner.json',
    ]);
    expect(listing.ok && listing.value.marker).toBe('{}\n');
  });
});

describe('a local destination that cannot be used', () => {
  it('names a folder that does not exist, or is a file, as missing', async () => {
    const missing = join(dest, 'not', 'mounted');
    const listing = await listDestination({ ...context(), dest: { kind: 'local', path: missing } });
    expect(listing).toEqual({
      ok: false,
      failure: {
        kind: 'destination-missing',
        message: `The destination folder "${missing}" does not exist. Check the path, and that the disk is mounted.`,
      },
    });
    const file = join(dest, 'a-file');
    await writeFile(file, 'x');
    const pushed = await pushTopFile(
      { ...context(), dest: { kind: 'local', path: file } },
      'm',
      'x',
    );
    expect(pushed.ok === false && pushed.failure.kind).toBe('destination-missing');
  });

  it('says a read-only or full disk is that, and leaves no temporary file behind', async () => {
    const ro = await mountTmpfs(1);
    const full = await mountTmpfs(1);
    try {
      execFileSync('mount', ['-o', 'remount,ro', ro.dir]);
      const refused = await pushTopFile(
        { ...context(), dest: { kind: 'local', path: ro.dir } },
        'm.json',
        'x',
      );
      expect(refused.ok === false && refused.failure.kind).toBe('refused');
      expect(refused.ok === false && refused.failure.message).toMatch(
        /^The destination refused access \(Writing m\.json: /,
      );

      await writeFile(join(full.dir, 'filler'), Buffer.alloc(1024 * 1024 - 4096, 1)).catch(
        () => undefined,
      );
      const big = 'x'.repeat(256 * 1024);
      const noRoom = await pushTopFile(
        { ...context(), dest: { kind: 'local', path: full.dir } },
        'm.json',
        big,
      );
      expect(noRoom).toEqual({
        ok: false,
        failure: {
          kind: 'disk-full',
          message:
            'The destination is full (Writing m.json). Delete old snapshots with "snaptray ' +
            'prune", lower the retention, or use a bigger disk.',
        },
      });
      expect((await readdir(full.dir)).sort()).toEqual(['filler']);
    } finally {
      await ro.unmount();
      await full.unmount();
    }
  });
  it('says a folder that may not be changed refused access, naming the error', async () => {
    const release = makeImmutable(dest);
    try {
      const pushed = await pushTopFile(context(), 'm.json', 'x', { keepExisting: true });
      expect(pushed).toEqual({
        ok: false,
        failure: {
          kind: 'refused',
          message: expect.stringMatching(
            /^The destination refused access \(Writing m\.json: EPERM: operation not permitted, open '.*\/\.m\.json\.[0-9a-f]{8}'\)\.$/,
          ),
        },
      });
    } finally {
      release();
    }
    expect(await readdir(dest)).toEqual(['.snaptray-destination']);
  });
});

describe('deleteTopEntries', () => {
  it('runs nothing for no names, deletes files or folders by exact name, and nothing else', async () => {
    let calls = 0;
    const counting: Spawn = (req) => {
      calls++;
      return spawnProcess(req);
    };
    expect(await deleteTopEntries(context(counting), [], 'folders')).toEqual({
      ok: true,
      value: null,
    });
    expect(calls).toBe(0);
    await mkdir(join(dest, 'keep', 'inside'), { recursive: true });
    await mkdir(join(dest, 'gone', 'deep', 'er'), { recursive: true });
    await writeFile(join(dest, 'gone', 'deep', 'er', 'f'), 'x');
    await writeFile(join(dest, 'gone.json'), 'x');
    await writeFile(join(dest, 'keep.json'), 'x');
    expect(await deleteTopEntries(context(counting), ['gone.json'], 'files')).toEqual({
      ok: true,
      value: null,
    });
    expect(existsSync(join(dest, 'gone'))).toBe(true);
    expect(await deleteTopEntries(context(counting), ['gone'], 'folders')).toEqual({
      ok: true,
      value: null,
    });
    expect((await readdir(dest)).sort()).toEqual(['.snaptray-destination', 'keep', 'keep.json']);
    expect(existsSync(join(dest, 'keep', 'inside'))).toBe(true);
    expect(calls).toBe(2);
    // The empty folder it synced from is gone again.
    expect(await readdir(scratch)).toEqual([]);
  });

  it('deletes in a folder whose name holds a space, brackets and a star, and nowhere else', async () => {
    const odd = join(dest, 'backups [1] *');
    const decoy = join(dest, 'backups 1 x');
    for (const folder of [odd, decoy])
      await mkdir(join(folder, 'p-2026-11-01-030000', 'home'), { recursive: true });
    const inOdd: DestinationContext = { ...context(), dest: { kind: 'local', path: odd } };
    expect(await deleteSnapshots(inOdd, ['p-2026-11-01-030000'])).toEqual({
      ok: true,
      value: null,
    });
    expect(await readdir(odd)).toEqual([]);
    expect(await readdir(decoy)).toEqual(['p-2026-11-01-030000']);
    expect((await readdir(dest)).sort()).toEqual([
      '.snaptray-destination',
      'backups 1 x',
      'backups [1] *',
    ]);
  });
});
