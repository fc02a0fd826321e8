/**
 * Faults of a local destination that the disks here cannot produce for root: link() refused in
 * each way a file system without hard links refuses it, access denied, a quota, an I/O error, a
 * file that cannot be read. They are injected into node:fs/promises for one path each; every
 * other call, and the folder itself, is real.
 */
import type * as FsPromises from 'node:fs/promises';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  listDestination,
  pushTopFile,
  type DestinationContext,
} from '../../../core/destination/ops.js';
import { snapshotsOf } from '../../../core/destination/snapshot.js';
import { spawnProcess } from '../../../core/process.js';
import { makeTempDir } from '../../support/tree.js';

type Call = 'link' | 'writeFile' | 'readdir' | 'readFile';

/** The calls to fail: which call, on which path (exactly, or the paths a pattern matches), how. */
const faults = vi.hoisted(
  () =>
    [] as {
      call: 'link' | 'writeFile' | 'readdir' | 'readFile';
      path: string | RegExp;
      code: string;
    }[],
);

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  /** The error Node gives for `code`, with the message shape of a real one. */
  const injected = (call: Call, path: string, code: string) =>
    Object.assign(new Error(`${code}: injected fault, ${call} '${path}'`), {
      code,
      syscall: call,
      path,
    });
  const faulty =
    <A extends unknown[]>(call: Call, real: (...args: A) => Promise<unknown>, pathAt: number) =>
    (...args: A): Promise<unknown> => {
      const path = String(args[pathAt]);
      const fault = faults.find(
        (f) =>
          f.call === call && (typeof f.path === 'string' ? f.path === path : f.path.test(path)),
      );
      return fault ? Promise.reject(injected(call, path, fault.code)) : real(...args);
    };
  const replaced = {
    link: faulty('link', actual.link as (...a: unknown[]) => Promise<unknown>, 1),
    writeFile: faulty('writeFile', actual.writeFile as (...a: unknown[]) => Promise<unknown>, 0),
    readdir: faulty('readdir', actual.readdir as (...a: unknown[]) => Promise<unknown>, 0),
    readFile: faulty('readFile', actual.readFile as (...a: unknown[]) => Promise<unknown>, 0),
  };
  return { ...actual, ...replaced, default: { ...actual, ...replaced } };
});

const OWNER = 'p.snaptray-owner.json';
let dest: string;

function context(): DestinationContext {
  return {
    dest: { kind: 'local', path: dest },
    spawn: spawnProcess,
    rsyncShellArgs: [],
    scratch: '',
  };
}

function failWith(call: Call, path: string | RegExp, code: string): void {
  faults.push({ call, path, code });
}

beforeEach(async () => {
  dest = await makeTempDir('st-ops-faults-');
  await writeFile(join(dest, '.snaptray-destination'), '{}\n');
});
afterEach(() => {
  faults.length = 0;
});

describe('a claim on a file system that refuses hard links', () => {
  it.each(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV'])(
    'link() failing with %s: made by an exclusive create, keeping a file that is there',
    async (code) => {
      failWith('link', join(dest, OWNER), code);
      failWith('link', join(dest, 'q.snaptray-owner.json'), code);
      await writeFile(join(dest, 'q.snaptray-owner.json'), 'first\n');
      const claim = { keepExisting: true };
      expect(await pushTopFile(context(), OWNER, 'mine\n', claim)).toEqual({
        ok: true,
        value: null,
      });
      expect(await pushTopFile(context(), 'q.snaptray-owner.json', 'second\n', claim)).toEqual({
        ok: true,
        value: null,
      });
      expect(await readFile(join(dest, OWNER), 'utf8')).toBe('mine\n');
      expect(await readFile(join(dest, 'q.snaptray-owner.json'), 'utf8')).toBe('first\n');
      expect((await readdir(dest)).sort()).toEqual([
        '.snaptray-destination',
        OWNER,
        'q.snaptray-owner.json',
      ]);
    },
  );

  it('link() failing otherwise fails the claim in words, leaving nothing behind', async () => {
    failWith('link', join(dest, OWNER), 'EIO');
    expect(await pushTopFile(context(), OWNER, 'mine\n', { keepExisting: true })).toEqual({
      ok: false,
      failure: {
        kind: 'rsync-failed',
        message: `Writing ${OWNER} failed: EIO: injected fault, link '${join(dest, OWNER)}'`,
      },
    });
    expect(await readdir(dest)).toEqual(['.snaptray-destination']);
  });

  it('an exclusive create that finds the disk full says so, leaving nothing behind', async () => {
    failWith('link', join(dest, OWNER), 'ENOTSUP');
    failWith('writeFile', join(dest, OWNER), 'ENOSPC');
    expect(await pushTopFile(context(), OWNER, 'mine\n', { keepExisting: true })).toEqual({
      ok: false,
      failure: {
        kind: 'disk-full',
        message:
          `The destination is full (Writing ${OWNER}). Delete old snapshots with "snaptray ` +
          'prune", lower the retention, or use a bigger disk.',
      },
    });
    expect(await readdir(dest)).toEqual(['.snaptray-destination']);
  });
});

/** The temporary file a local write starts with: `.<name>.<random>` in the destination. */
function temporaryOf(name: string): RegExp {
  return new RegExp(
    `^${dest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.${name.replace('.', '\\.')}\\.[0-9a-f]{8}$`,
  );
}

describe('a local destination that fails a write', () => {
  it.each([
    [
      'EACCES',
      'refused',
      'The destination refused access (Writing m.json: EACCES: injected fault, ',
    ],
    [
      'EDQUOT',
      'disk-full',
      'The destination is full (Writing m.json). Delete old snapshots with "snaptray prune", ' +
        'lower the retention, or use a bigger disk.',
    ],
    ['EIO', 'rsync-failed', 'Writing m.json failed: EIO: injected fault, '],
  ])('%s is named as %s, in words', async (code, kind, words) => {
    failWith('writeFile', temporaryOf('m.json'), code);
    const pushed = await pushTopFile(context(), 'm.json', 'x');
    expect(pushed).toEqual({ ok: false, failure: { kind, message: expect.any(String) } });
    expect(pushed.ok === false && pushed.failure.message.startsWith(words)).toBe(true);
    expect(await readdir(dest)).toEqual(['.snaptray-destination']);
  });
});

describe('a local destination that cannot be read', () => {
  it('refused: the listing says so, naming what failed', async () => {
    failWith('readdir', dest, 'EACCES');
    expect(await listDestination(context())).toEqual({
      ok: false,
      failure: {
        kind: 'refused',
        message: `The destination refused access (Listing the destination: EACCES: injected fault, readdir '${dest}').`,
      },
    });
  });

  it('a manifest or marker that cannot be read is listed as unreadable, never as missing', async () => {
    await mkdir(join(dest, 'p-2026-11-01-030000'));
    await writeFile(join(dest, 'p-2026-11-01-030000.snaptray.json'), '{"format":1}');
    failWith('readFile', join(dest, 'p-2026-11-01-030000.snaptray.json'), 'EIO');
    failWith('readFile', join(dest, '.snaptray-destination'), 'EIO');
    const listed = await listDestination(context());
    if (!listed.ok) throw new Error(listed.failure.message);
    expect(listed.value).toEqual({
      hasMarker: true,
      marker: null,
      directories: ['p-2026-11-01-030000'],
      manifests: new Map([['p-2026-11-01-030000.snaptray.json', '']]),
    });
    expect(snapshotsOf('p', listed.value).snapshots.map((x) => x.state)).toEqual(['unknown']);
  });
});
