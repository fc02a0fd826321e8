/**
 * The destination operations over ssh, through one master connection to a real sshd, on a folder
 * whose path the far side must read literally: a space, brackets and a star.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  deleteSnapshots,
  listDestination,
  pushTopFile,
  remote,
  remoteOption,
  runRsync,
} from '../../../core/destination/ops.js';
import { openTestDestination, type TestDestination } from '../../support/destination.js';
import { startSshd, type Sshd } from '../../support/sshd.js';
import { linkCount, makeTempDir, writeTree } from '../../support/tree.js';

let sshd: Sshd;
let dir: string;
let open: TestDestination;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd.stop();
});
beforeEach(async () => {
  dir = join(await makeTempDir('st-ops-ssh-'), 'backups [1] *');
  await mkdir(dir);
  await writeFile(join(dir, '.snaptray-destination'), '{"format":1}\n');
  open = await openTestDestination({ server: sshd, path: dir });
});
afterEach(async () => {
  await open.close();
});

async function snapshot(name: string): Promise<void> {
  await mkdir(join(dir, name, 'home'), { recursive: true });
  await writeFile(join(dir, name, 'home', 'f.txt'), name);
  await writeFile(join(dir, `${name}.snaptray.json`), '{}');
}

describe('over ssh', () => {
  it('lists folders, manifests, owner files and the marker of the literal path, nothing else', async () => {
    await snapshot('p-2026-11-01-030000');
    await writeFile(join(dir, 'p.snaptray-owner.json'), '{"owner":1}');
    await writeFile(join(dir, 'notes.txt'), 'x');
    // What a wildcard in the path would also have matched.
    await mkdir(join(dir, '..', 'backups 1 x'));
    await mkdir(join(dir, '..', 'backups 1 x', 'decoy-2026-11-01-030000'));
    const listing = await listDestination(open.ctx);
    if (!listing.ok) throw new Error(listing.failure.message);
    expect(listing.value.directories).toEqual(['p-2026-11-01-030000']);
    expect([...listing.value.manifests.entries()].sort()).toEqual([
      ['p-2026-11-01-030000.snaptray.json', '{}'],
      ['p.snaptray-owner.json', '{"owner":1}'],
    ]);
    expect(listing.value.marker).toBe('{"format":1}\n');
  });

  it('names a folder that is not there as missing', async () => {
    const gone = await openTestDestination({ server: sshd, path: join(dir, 'not here') });
    try {
      const listing = await listDestination(gone.ctx);
      expect(listing.ok || listing.failure.kind).toBe('destination-missing');
    } finally {
      await gone.close();
    }
  });

  it('pushes a top file, keeping one that is there when asked', async () => {
    await writeFile(join(dir, 'p.snaptray-owner.json'), 'first\n');
    const kept = await pushTopFile(open.ctx, 'p.snaptray-owner.json', 'second\n', {
      keepExisting: true,
    });
    expect(kept).toEqual({ ok: true, value: null });
    expect(await readFile(join(dir, 'p.snaptray-owner.json'), 'utf8')).toBe('first\n');
    await pushTopFile(open.ctx, 'q.snaptray-owner.json', 'mine\n', { keepExisting: true });
    expect(await readFile(join(dir, 'q.snaptray-owner.json'), 'utf8')).toBe('mine\n');
    await pushTopFile(open.ctx, 'p.snaptray-owner.json', 'replaced\n');
    expect(await readFile(join(dir, 'p.snaptray-owner.json'), 'utf8')).toBe('replaced\n');
  });

  it('deletes exactly the named snapshots and their manifests', async () => {
    await snapshot('p-2026-11-01-030000');
    await snapshot('p-2026-11-02-030000');
    await mkdir(join(dir, 'p-2026-11-01-030000x'));
    expect(await deleteSnapshots(open.ctx, ['p-2026-11-01-030000'])).toEqual({
      ok: true,
      value: null,
    });
    expect((await readdir(dir)).sort()).toEqual([
      '.snaptray-destination',
      'p-2026-11-01-030000x',
      'p-2026-11-02-030000',
      'p-2026-11-02-030000.snaptray.json',
    ]);
    expect(existsSync(join(dir, 'p-2026-11-02-030000', 'home', 'f.txt'))).toBe(true);
  });

  it('a push below a folder that is not there names that folder as missing', async () => {
    const gone = join(dir, 'missing', 'x');
    const elsewhere = await openTestDestination({ server: sshd, path: gone });
    try {
      const pushed = await pushTopFile(elsewhere.ctx, 'p.snaptray-owner.json', '{}');
      expect(pushed.ok || pushed.failure.kind).toBe('destination-missing');
      // rsync names the first folder on the way that is not there.
      expect(pushed.ok || pushed.failure.message).toContain(
        `"${join(dir, 'missing')}" does not exist`,
      );
      expect(existsSync(join(dir, 'missing'))).toBe(false);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('over ssh, with a local rsync that hands paths to the far shell (RSYNC_OLD_ARGS=2)', () => {
  // The far shell then splits names at the space and expands the brackets and the star; and an
  // option value such as --link-dest reaches it as it is too.
  let old: TestDestination;
  beforeEach(async () => {
    process.env['RSYNC_OLD_ARGS'] = '2';
    old = await openTestDestination({ server: sshd, path: dir });
  });
  afterEach(async () => {
    await old.close();
    delete process.env['RSYNC_OLD_ARGS'];
  });

  it('is given that style by the session', () => {
    expect(old.ctx.argStyle).toEqual({ names: 'shell', options: 'shell' });
  });

  it('lists, pushes to and deletes in exactly the folder named', async () => {
    await snapshot('p-2026-11-01-030000');
    await snapshot('p-2026-11-02-030000');
    const listing = await listDestination(old.ctx);
    if (!listing.ok) throw new Error(listing.failure.message);
    expect(listing.value.directories.sort()).toEqual([
      'p-2026-11-01-030000',
      'p-2026-11-02-030000',
    ]);
    expect(await pushTopFile(old.ctx, 'p.snaptray-owner.json', 'mine\n')).toEqual({
      ok: true,
      value: null,
    });
    expect(await deleteSnapshots(old.ctx, ['p-2026-11-01-030000'])).toEqual({
      ok: true,
      value: null,
    });
    expect((await readdir(dir)).sort()).toEqual([
      '.snaptray-destination',
      'p-2026-11-02-030000',
      'p-2026-11-02-030000.snaptray.json',
      'p.snaptray-owner.json',
    ]);
    expect(await readFile(join(dir, 'p.snaptray-owner.json'), 'utf8')).toBe('mine\n');
  });

  it('links a new folder against a base named as an option value', async () => {
    await snapshot('p-2026-11-01-030000');
    const src = await makeTempDir('st-ops-ssh-src-');
    await writeTree(src, { 'home/f.txt': 'p-2026-11-01-030000' });
    const copied = await runRsync(old.ctx, [
      '-rt',
      `--link-dest=${remoteOption(old.ctx, join(dir, 'p-2026-11-01-030000'))}`,
      `${src}/`,
      `${remote(old.ctx, join(dir, 'p-2026-11-02-030000'))}/`,
    ]);
    expect(copied.exitCode, copied.stderr).toBe(0);
    expect(await linkCount(join(dir, 'p-2026-11-02-030000', 'home', 'f.txt'))).toBe(2);
  });
});

describe('over a connection that broke', () => {
  it('names what it was doing when the server went away, and leaves no scratch files', async () => {
    const server = await startSshd();
    const folder = await makeTempDir('st-ops-broken-');
    const broken = await openTestDestination({ server, path: folder });
    try {
      await server.stop();
      const listing = await listDestination(broken.ctx);
      expect(listing.ok || listing.failure.kind).toBe('connection-closed');
      expect(listing.ok || listing.failure.message).toMatch(
        /^The connection to the destination broke \(Listing the destination\): \S/,
      );
      const pushed = await pushTopFile(broken.ctx, 'p.snaptray-owner.json', '{}');
      expect(pushed.ok || pushed.failure.message).toMatch(
        /^The connection to the destination broke \(Writing p\.snaptray-owner\.json\): \S/,
      );
      const deleted = await deleteSnapshots(broken.ctx, ['p-2026-11-01-030000']);
      expect(deleted.ok || deleted.failure.message).toMatch(
        /^The connection to the destination broke \(Deleting p-2026-11-01-030000\.snaptray\.json\): \S/,
      );
      expect(await readdir(broken.ctx.scratch)).toEqual([]);
    } finally {
      await broken.close();
    }
  });
});
