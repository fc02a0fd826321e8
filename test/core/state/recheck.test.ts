/**
 * The list of files Verify found differing, which the next backup compares by content: kept
 * across verifies, taken off once compared, and only files still here inside a source compared.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addRecheck,
  readRecheck,
  recheckable,
  settleRecheck,
} from '../../../core/state/recheck.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'snaptray-recheck-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the files Verify found differing', () => {
  it('are gathered across verifies, once each, and taken off when compared', async () => {
    const state = join(dir, 'state', 'default');
    expect(await readRecheck(state)).toEqual({ paths: [], problem: null });
    await addRecheck(state, ['/home/u/a.txt', '/home/u/b.txt']);
    await addRecheck(state, ['/home/u/b.txt', '/home/u/c.txt']);
    expect((await readRecheck(state)).paths).toEqual([
      '/home/u/a.txt',
      '/home/u/b.txt',
      '/home/u/c.txt',
    ]);
    await settleRecheck(state, ['/home/u/a.txt', '/home/u/c.txt']);
    expect(await readRecheck(state)).toEqual({ paths: ['/home/u/b.txt'], problem: null });
  });

  it('say so in words when the list cannot be read', async () => {
    await writeFile(join(dir, 'recheck.json'), '{"paths": [1, 2]}');
    expect(await readRecheck(dir)).toEqual({
      paths: [],
      problem: `${join(dir, 'recheck.json')} is not a list of files Snaptray can read`,
    });
  });

  it('are compared only where they are still files here, inside a source', async () => {
    const src = join(dir, 'src');
    await mkdir(join(src, 'docs'), { recursive: true });
    await writeFile(join(src, 'docs/report.txt'), 'figures');
    await writeFile(join(dir, 'elsewhere.txt'), 'not a source');
    await symlink(join(src, 'docs/report.txt'), join(src, 'docs/link.txt'));
    const listed = [
      join(src, 'docs/report.txt'),
      join(src, 'docs/deleted.txt'),
      join(src, 'docs/link.txt'),
      join(src, 'docs'),
      join(dir, 'elsewhere.txt'),
    ];
    expect(await recheckable(listed, [`${src}/`])).toEqual({
      files: [join(src, 'docs/report.txt')],
      gone: listed.slice(1),
    });
  });
});
