import {
  chmod,
  chown,
  lchown,
  mkdir,
  mkdtemp,
  readdir,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  configDir,
  ensurePrivateDir,
  profileStateDir,
  runtimeDir,
  stateRoot,
} from '../../../core/state/paths.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

describe('stateRoot', () => {
  it('uses an absolute XDG_STATE_HOME', () => {
    expect(stateRoot({ XDG_STATE_HOME: '/srv/state' }, '/home/ben')).toBe('/srv/state/snaptray');
  });

  it('falls back to ~/.local/state when XDG_STATE_HOME is unset, empty or relative', () => {
    expect(stateRoot({}, '/home/ben')).toBe('/home/ben/.local/state/snaptray');
    expect(stateRoot({ XDG_STATE_HOME: '' }, '/home/ben')).toBe('/home/ben/.local/state/snaptray');
    expect(stateRoot({ XDG_STATE_HOME: 'state' }, '/home/ben')).toBe(
      '/home/ben/.local/state/snaptray',
    );
  });
});

describe('profileStateDir', () => {
  it('puts each profile in its own folder under the root', () => {
    expect(profileStateDir('/home/ben/.local/state/snaptray', 'default')).toBe(
      '/home/ben/.local/state/snaptray/default',
    );
  });

  it('refuses names that would leave the root', () => {
    expect(() => profileStateDir('/r', '..')).toThrow(/Invalid profile name/);
    expect(() => profileStateDir('/r', 'a/../../etc')).toThrow(/Invalid profile name/);
    expect(() => profileStateDir('/r', '')).toThrow(/Invalid profile name/);
  });
});

describe('configDir', () => {
  it('uses an absolute XDG_CONFIG_HOME, else ~/.config', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/etc/xdg-ben' }, '/home/ben')).toBe(
      '/etc/xdg-ben/Snaptray',
    );
    expect(configDir({}, '/home/ben')).toBe('/home/ben/.config/Snaptray');
    expect(configDir({ XDG_CONFIG_HOME: 'cfg' }, '/home/ben')).toBe('/home/ben/.config/Snaptray');
  });
});

describe('runtimeDir', () => {
  it('uses an absolute XDG_RUNTIME_DIR', () => {
    expect(runtimeDir({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000)).toBe('/run/user/1000/snaptray');
  });

  it('falls back to a per-user folder under /tmp', () => {
    expect(runtimeDir({}, 1000)).toBe('/tmp/snaptray-1000');
    expect(runtimeDir({ XDG_RUNTIME_DIR: 'run' }, 1000)).toBe('/tmp/snaptray-1000');
  });

  it('leaves room for an ssh ControlPath socket (%C is 40 hex digits, 108 bytes at most)', () => {
    const socket = join(runtimeDir({}, 4294967294), 'f'.repeat(40));
    expect(Buffer.byteLength(socket)).toBeLessThan(108);
  });
});

describe('ensurePrivateDir', () => {
  let base: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'snaptray-paths-'));
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('creates missing folders with mode 0700', async () => {
    const dir = join(base, 'state', 'snaptray', 'default');
    expect(await ensurePrivateDir(dir)).toEqual({ kind: 'ok', path: dir });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(base, 'state'))).mode & 0o777).toBe(0o700);
  });

  it('tightens an existing folder of ours to 0700 and keeps its contents', async () => {
    const dir = join(base, 'open');
    await mkdir(dir);
    await chmod(dir, 0o777);
    await writeFile(join(dir, 'history.jsonl'), 'x\n');
    expect(await ensurePrivateDir(dir)).toEqual({ kind: 'ok', path: dir });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'history.jsonl'))).size).toBe(2);
  });

  it('refuses a file in the way', async () => {
    const path = join(base, 'file');
    await writeFile(path, '');
    const result = await ensurePrivateDir(path);
    expect(result).toMatchObject({ kind: 'refused', reason: 'not-a-directory' });
  });

  it('accepts our own symlink to our own folder', async () => {
    const target = join(base, 'real');
    await mkdir(target);
    await symlink(target, join(base, 'link'));
    expect(await ensurePrivateDir(join(base, 'link'))).toEqual({
      kind: 'ok',
      path: join(base, 'link'),
    });
    expect((await stat(target)).mode & 0o777).toBe(0o700);
  });

  it('refuses a dangling symlink', async () => {
    await symlink(join(base, 'nowhere'), join(base, 'link'));
    const result = await ensurePrivateDir(join(base, 'link'));
    expect(result).toMatchObject({ kind: 'refused', reason: 'not-a-directory' });
  });

  // Only root can make a folder owned by another user; the test suite runs as root (CI does).
  it('refuses a folder that another user created first', async () => {
    expect(isRoot).toBe(true);
    const dir = join(base, 'snaptray-0');
    await mkdir(dir, { mode: 0o777 });
    await chmod(dir, 0o777);
    await chown(dir, NOBODY, NOBODY);
    const result = await ensurePrivateDir(dir);
    expect(result).toMatchObject({ kind: 'refused', reason: 'other-owner' });
    expect(result.kind === 'refused' && result.message).toContain(`user id ${NOBODY}`);
    // Its mode is left alone: it is not ours to change.
    expect((await stat(dir)).mode & 0o777).toBe(0o777);
  });

  // Only root can give a folder to another user.
  it('as root, creates nothing inside another account’s folder (a HOME kept by sudo)', async () => {
    expect(isRoot).toBe(true);
    const home = join(base, 'home');
    await mkdir(home);
    await chown(home, NOBODY, NOBODY);
    const dir = join(home, '.local', 'state', 'snaptray', 'default');
    const result = await ensurePrivateDir(dir);
    expect(result).toEqual({
      kind: 'refused',
      reason: 'other-owner',
      message:
        `${dir} does not exist, and Snaptray runs as root: made now, it would belong to root ` +
        `inside ${home}, which belongs to user nobody, and that user's own Snaptray could not ` +
        "use it afterwards. sudo probably kept that user's HOME: run Snaptray as that user, or " +
        'as root with root\'s own home ("sudo -H snaptray …" or "sudo -i").',
    });
    expect(await readdir(home)).toEqual([]);
    // Root's own folders, and folders that exist already, are as before.
    expect(await ensurePrivateDir(join(base, 'root-owned', 'x'))).toMatchObject({ kind: 'ok' });
  });

  // Only root can plant a symlink owned by another user.
  it('refuses a symlink that another user planted', async () => {
    expect(isRoot).toBe(true);
    const target = join(base, 'ours');
    await mkdir(target, { mode: 0o700 });
    const link = join(base, 'snaptray-0');
    await symlink(target, link);
    await lchown(link, NOBODY, NOBODY);
    expect(await ensurePrivateDir(link)).toMatchObject({ kind: 'refused', reason: 'other-owner' });
  });
});
