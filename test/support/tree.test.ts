import { execFile } from 'node:child_process';
import { link, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  folderTimes,
  HOSTILE_NAMES,
  inode,
  linkCount,
  makeTempDir,
  readTree,
  stampFolders,
  treeKey,
  writeTree,
} from './tree.js';

const run = promisify(execFile);
const made: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await makeTempDir('snaptray-tree-');
  made.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('tree helpers', () => {
  it('makes a fresh, empty folder under the temporary folder', async () => {
    const a = await tempDir();
    const b = await tempDir();
    expect(a).not.toBe(b);
    expect(dirname(a)).toBe(tmpdir());
    expect(a.startsWith(join(tmpdir(), 'snaptray-tree-'))).toBe(true);
    expect(await readdir(a)).toEqual([]);
  });

  it('writes nested files and reads back only the regular ones', async () => {
    const root = await tempDir();
    await writeTree(root, {
      'top.txt': 'top',
      'a/b/c/deep.bin': Buffer.from([0, 1, 2, 255]),
      'a/empty.txt': '',
    });
    await symlink('top.txt', join(root, 'a/link-to-top'));
    expect(await readTree(root)).toEqual(
      new Map([
        ['a/b/c/deep.bin', Buffer.from([0, 1, 2, 255])],
        ['a/empty.txt', Buffer.alloc(0)],
        ['top.txt', Buffer.from('top')],
      ]),
    );
  });

  it('keeps hostile names intact, through a real rsync copy too', async () => {
    const src = await tempDir();
    const dst = await tempDir();
    await writeTree(
      src,
      HOSTILE_NAMES.map((name, i) => [name, `content ${i}`] as const),
    );
    const expected = new Map([
      ['$(touch /tmp/pwned)', Buffer.from('content 5')],
      ['-n leading dash.txt', Buffer.from('content 3')],
      ['`touch /tmp/pwned`.txt', Buffer.from('content 6')],
      ['double "quote".txt', Buffer.from('content 2')],
      ['f\\xff\\xfe.txt', Buffer.from('content 7')],
      ['new\nline.txt', Buffer.from('content 4')],
      ["single 'quote'.txt", Buffer.from('content 1')],
      ['with space.txt', Buffer.from('content 0')],
    ]);
    expect(await readTree(src)).toEqual(expected);
    // The non-UTF-8 name is on disk as its raw bytes.
    const names = await readdir(src, { encoding: 'buffer' });
    expect(
      names.some((n) => n.equals(Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x74, 0x78, 0x74]))),
    ).toBe(true);

    await run('rsync', ['-a', `${src}/`, `${dst}/`]);
    expect(await readTree(dst)).toEqual(expected);
  });

  it('writes UTF-8 names as themselves and others as \\x escapes', () => {
    expect(treeKey('größe.txt')).toBe('größe.txt');
    expect(treeKey(Buffer.from('größe.txt'))).toBe('größe.txt');
    expect(treeKey(Buffer.from([0x61, 0x2f, 0xe9]))).toBe('a/\\xe9');
  });

  it('counts hard links and tells files apart by inode', async () => {
    const root = await tempDir();
    await writeTree(root, { 'one.txt': 'same', 'two.txt': 'same' });
    const one = join(root, 'one.txt');
    const alias = join(root, 'alias.txt');
    expect(await linkCount(one)).toBe(1);
    await link(one, alias);
    expect(await linkCount(one)).toBe(2);
    expect(await linkCount(alias)).toBe(2);
    expect(await inode(alias)).toBe(await inode(one));
    expect(await inode(join(root, 'two.txt'))).not.toBe(await inode(one));
    expect(await inode(one)).toBe((await stat(one)).ino);
  });

  it('gives each folder a time of its own and reads them back, links not followed', async () => {
    const root = await tempDir();
    const elsewhere = await tempDir();
    await writeTree(root, { 'b/c/file.txt': 'x', 'a/file.txt': 'y' });
    await symlink(elsewhere, join(root, 'link'));
    const base = new Date(Date.UTC(2021, 2, 3, 10, 0, 0));
    await stampFolders(root, base);
    const minute = (n: number) => base.getTime() + n * 60_000;
    expect(await folderTimes(root)).toEqual(
      new Map([
        ['.', minute(0)],
        ['a', minute(1)],
        ['b', minute(2)],
        ['b/c', minute(3)],
      ]),
    );
    expect((await stat(elsewhere)).mtimeMs).not.toBe(minute(4));
  });
});
