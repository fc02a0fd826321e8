import { access, chmod, link, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Disk } from './disks.js';
import { mountExfat, mountNtfs, mountTmpfs } from './disks.js';
import { runProgram } from './run-program.js';
import { makeTempDir, readTree, writeTree } from './tree.js';

const made: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await makeTempDir(prefix);
  made.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(made.map((dir) => runProgram('rm', ['-rf', dir])));
});

async function mounted(dir: string): Promise<boolean> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  return mounts.split('\n').some((line) => line.split(' ')[1] === dir);
}

/** The loop devices backed by a file below `folder`. */
async function loopDevicesUnder(folder: string): Promise<string[]> {
  const { stdout } = await runProgram('losetup', ['-n', '-O', 'NAME,BACK-FILE', '-l']);
  return stdout.split('\n').filter((line) => line.includes(folder));
}

/** Checks what unmount() promises: nothing mounted, no loop device, no image left. */
async function expectGone(disk: Disk): Promise<void> {
  const root = join(disk.dir, '..');
  await disk.unmount();
  await disk.unmount();
  expect(await mounted(disk.dir)).toBe(false);
  expect(await loopDevicesUnder(root)).toEqual([]);
  await expect(access(root)).rejects.toThrow();
}

/** A source with a symbolic link and a hard-linked pair, for `rsync -aH`. */
async function linkedSource(): Promise<string> {
  const src = await tempDir('snaptray-disk-src-');
  await writeTree(src, { 'a.txt': 'alpha', 'b.txt': 'beta' });
  await link(join(src, 'b.txt'), join(src, 'b-again.txt'));
  await symlink('a.txt', join(src, 'to-a'));
  return src;
}

describe('exFAT disk', () => {
  it('refuses hard links and symbolic links, so rsync -aH exits 23', async () => {
    const disk = await mountExfat(8);
    try {
      expect(await mounted(disk.dir)).toBe(true);
      await writeFile(join(disk.dir, 'a.txt'), 'alpha');
      await expect(link(join(disk.dir, 'a.txt'), join(disk.dir, 'b.txt'))).rejects.toMatchObject({
        code: 'EPERM',
      });
      await expect(symlink('a.txt', join(disk.dir, 'c'))).rejects.toMatchObject({
        code: 'ENOSYS',
      });
      expect((await stat(join(disk.dir, 'a.txt'))).mode & 0o777).toBe(0o777);

      const src = await linkedSource();
      const copy = await runProgram('rsync', ['-aH', `${src}/`, `${disk.dir}/snap/`]);
      expect(copy.code).toBe(23);
      expect(copy.stderr).toMatch(
        /^rsync: \[generator\] symlink ".*\/to-a" -> "a\.txt" failed: Function not implemented \(38\)$/m,
      );
      expect(copy.stderr).toMatch(
        /^rsync: \[generator\] link ".*\/b-again\.txt" => b\.txt failed: Operation not permitted \(1\)$/m,
      );
    } finally {
      await expectGone(disk);
    }
  });

  it('belongs to the owner it is given', async () => {
    const disk = await mountExfat(4, { uid: 65534, gid: 65534 });
    try {
      await writeFile(join(disk.dir, 'a.txt'), 'alpha');
      expect((await stat(join(disk.dir, 'a.txt'))).uid).toBe(65534);
      expect((await stat(disk.dir)).uid).toBe(65534);
    } finally {
      await expectGone(disk);
    }
  });
});

describe('NTFS disk', () => {
  it('without permissions shows every file as mode 777, but keeps hard links', async () => {
    const disk = await mountNtfs(16, { permissions: false });
    try {
      await writeFile(join(disk.dir, 'a.txt'), 'alpha', { mode: 0o644 });
      await chmod(join(disk.dir, 'a.txt'), 0o600);
      expect((await stat(join(disk.dir, 'a.txt'))).mode & 0o777).toBe(0o777);
      await link(join(disk.dir, 'a.txt'), join(disk.dir, 'b.txt'));
      expect((await stat(join(disk.dir, 'b.txt'))).nlink).toBe(2);
    } finally {
      await expectGone(disk);
    }
  });

  it('with permissions keeps modes', async () => {
    const disk = await mountNtfs(16, { permissions: true });
    try {
      await writeFile(join(disk.dir, 'a.txt'), 'alpha');
      await chmod(join(disk.dir, 'a.txt'), 0o640);
      expect((await stat(join(disk.dir, 'a.txt'))).mode & 0o777).toBe(0o640);
    } finally {
      await expectGone(disk);
    }
  });
});

describe('small tmpfs', () => {
  it('fills up: rsync fails with No space left on device', async () => {
    const disk = await mountTmpfs(1);
    try {
      const src = await tempDir('snaptray-disk-big-');
      await writeTree(src, { 'small.txt': 'small', 'big.bin': Buffer.alloc(2 * 1024 * 1024, 1) });
      const copy = await runProgram('rsync', ['-a', `${src}/`, `${disk.dir}/snap/`]);
      expect(copy.code).not.toBe(0);
      expect(copy.stderr).toContain('No space left on device (28)');
      expect(await readTree(join(disk.dir, 'snap'))).not.toEqual(await readTree(src));
    } finally {
      await expectGone(disk);
    }
  });
});
