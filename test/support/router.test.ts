import { spawn } from 'node:child_process';
import { access, chmod, chown, readFile, stat } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Router } from './router.js';
import { startRouter } from './router.js';
import { rsyncShell, runProgram } from './run-program.js';
import { sshArgs } from './sshd.js';
import { inode, makeTempDir, readTree, writeTree } from './tree.js';

const made: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await makeTempDir(prefix);
  made.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(made.map((dir) => runProgram('rm', ['-rf', dir])));
});

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function source(files: Record<string, string>): Promise<string> {
  const src = await tempDir('snaptray-router-src-');
  await writeTree(src, files);
  return src;
}

describe('dropbear router', () => {
  let router: Router;

  beforeAll(async () => {
    router = await startRouter();
  });

  afterAll(async () => {
    await router.stop();
  });

  it('logs in to a BusyBox shell with dropbear’s fixed PATH', async () => {
    const hostKey = (await readFile(router.hostKeyPub, 'utf8')).trim();
    expect(await readFile(router.knownHosts, 'utf8')).toBe(
      `[127.0.0.1]:${router.port} ${hostKey}\n`,
    );
    expect(hostKey).toMatch(/^ssh-ed25519 AAAA\S+$/);
    const before = await router.connectionCount();
    // `; :` keeps the shell from exec-ing readlink in its own place.
    const result = await runProgram('ssh', [
      ...sshArgs(router),
      `${router.user}@127.0.0.1`,
      'id -un; readlink /proc/$$/exe; echo $PATH; :',
    ]);
    expect(result).toEqual({
      code: 0,
      stdout: `${router.user}\n${join(router.dir, 'bin', 'busybox')}\n/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games\n`,
      stderr: '',
    });
    expect(await router.connectionCount()).toBe(before + 1);
    expect(await readFile('/etc/shells', 'utf8')).toContain(`\n${router.shell}\n`);
  });

  it('takes rsync pushes into its own folders and hard-links with --link-dest', async () => {
    const src = await source({ 'a.txt': 'alpha', 'sub/b.txt': 'beta' });
    const dest = await router.makeRouterFolder();
    expect((await stat(dest)).uid).toBe(router.uid);
    const target = `${router.user}@127.0.0.1:${dest}`;
    const first = await runProgram('rsync', [
      '-a',
      '-e',
      rsyncShell(router),
      `${src}/`,
      `${target}/one/`,
    ]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const second = await runProgram('rsync', [
      '-a',
      `--link-dest=${dest}/one`,
      '-e',
      rsyncShell(router),
      `${src}/`,
      `${target}/two/`,
    ]);
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(await readTree(join(dest, 'two'))).toEqual(await readTree(src));
    expect(await inode(join(dest, 'two', 'sub', 'b.txt'))).toBe(
      await inode(join(dest, 'one', 'sub', 'b.txt')),
    );
    expect((await stat(join(dest, 'two', 'a.txt'))).uid).toBe(router.uid);
  });

  it('with rsyncOffPath finds rsync only by its absolute path', async () => {
    const key = await router.addClientKey('off_path_key', { rsyncOffPath: true });
    const src = await source({ 'a.txt': 'alpha' });
    const dest = await router.makeRouterFolder();
    const args = ['-a', '-e', rsyncShell(router, key), `${src}/`];
    const plain = await runProgram('rsync', [...args, `${router.user}@127.0.0.1:${dest}/`]);
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toContain('rsync: not found');
    expect(await readTree(dest)).toEqual(new Map());

    const absolute = await runProgram('rsync', [
      ...args,
      '--rsync-path=/usr/bin/rsync',
      `${router.user}@127.0.0.1:${dest}/`,
    ]);
    expect(absolute).toMatchObject({ code: 0, stderr: '' });
    expect(await readTree(dest)).toEqual(await readTree(src));
  });

  it('with a banner breaks rsync’s protocol', async () => {
    const key = await router.addClientKey('banner_key', { banner: 'Welcome to RT-AC66U' });
    const shell = await runProgram('ssh', [
      ...sshArgs(router).map((a) => (a === router.clientKey ? key : a)),
      `${router.user}@127.0.0.1`,
      'echo "quoted  words"',
    ]);
    expect(shell).toEqual({ code: 0, stdout: 'Welcome to RT-AC66U\nquoted  words\n', stderr: '' });

    const src = await source({ 'a.txt': 'alpha' });
    const dest = await router.makeRouterFolder();
    const push = await runProgram('rsync', [
      '-a',
      '-e',
      rsyncShell(router, key),
      `${src}/`,
      `${router.user}@127.0.0.1:${dest}/`,
    ]);
    expect(push.code).toBe(2);
    expect(push.stderr).toContain('protocol version mismatch -- is your shell clean?');
    expect(await readTree(dest)).toEqual(new Map());
  });

  describe('rrsync keys', () => {
    it('-no-del refuses --delete', async () => {
      const dest = await router.makeRouterFolder();
      const key = await router.addClientKey('no_del_key', { restrictedDir: dest, noDel: true });
      const src = await source({ 'a.txt': 'alpha' });
      const args = ['-r', '-e', rsyncShell(router, key), `${src}/`, `${router.user}@127.0.0.1:/`];
      expect(await runProgram('rsync', args)).toMatchObject({ code: 0, stderr: '' });
      expect(await readTree(dest)).toEqual(await readTree(src));
      const withDelete = await runProgram('rsync', ['--delete', ...args]);
      expect(withDelete.code).toBe(12);
      expect(withDelete.stderr).toContain('option --delete has been disabled on this server');
    });

    it('-ro refuses a push and allows a pull', async () => {
      const dest = await router.makeRouterFolder();
      await writeTree(dest, { 'kept.txt': 'kept' });
      const key = await router.addClientKey('ro_key', { restrictedDir: dest, readOnly: true });
      const src = await source({ 'a.txt': 'alpha' });
      const push = await runProgram('rsync', [
        '-r',
        '-e',
        rsyncShell(router, key),
        `${src}/`,
        `${router.user}@127.0.0.1:/`,
      ]);
      expect(push.code).toBe(12);
      expect(push.stderr).toContain('sending to read-only server is not allowed');
      const back = await tempDir('snaptray-router-pull-');
      const pull = await runProgram('rsync', [
        '-r',
        '-e',
        rsyncShell(router, key),
        `${router.user}@127.0.0.1:/`,
        `${back}/`,
      ]);
      expect(pull).toMatchObject({ code: 0, stderr: '' });
      expect(await readTree(back)).toEqual(new Map([['kept.txt', Buffer.from('kept')]]));
    });

    it('locks its folder while a slow transfer runs, unless -no-lock', async () => {
      const dest = await router.makeRouterFolder();
      const key = await router.addClientKey('lock_key', { restrictedDir: dest });
      const src = await tempDir('snaptray-router-slow-');
      await writeTree(src, { 'big.bin': Buffer.alloc(400_000, 7) });
      const slow = spawn(
        'rsync',
        [
          '-r',
          '--bwlimit=100',
          '-e',
          rsyncShell(router, key),
          `${src}/`,
          `${router.user}@127.0.0.1:/`,
        ],
        { stdio: 'ignore' },
      );
      const slowDone = new Promise<number | null>((resolve) => slow.once('exit', resolve));
      try {
        // The lock is held from rrsync's start; wait until the transfer has begun writing.
        for (let i = 0; i < 200; i++) {
          const names = await runProgram('ls', ['-A', dest]);
          if (names.stdout !== '') break;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        const second = await runProgram('rsync', [
          '-r',
          '-e',
          rsyncShell(router, key),
          `${src}/`,
          `${router.user}@127.0.0.1:/other/`,
        ]);
        expect(second.code).toBe(12);
        expect(second.stderr).toContain(
          'Another instance of rrsync is already accessing this directory.',
        );

        const unlocked = await router.addClientKey('no_lock_key', {
          restrictedDir: dest,
          noLock: true,
        });
        const small = await source({ 'small.txt': 'small' });
        const third = await runProgram('rsync', [
          '-r',
          '-e',
          rsyncShell(router, unlocked),
          `${small}/`,
          `${router.user}@127.0.0.1:/other/`,
        ]);
        expect(third).toMatchObject({ code: 0, stderr: '' });
      } finally {
        slow.kill('SIGTERM');
        await slowDone;
      }
    });

    it('-absolute takes an absolute path inside its folder', async () => {
      const dest = await router.makeRouterFolder();
      const key = await router.addClientKey('abs_key', { restrictedDir: dest, absolute: true });
      const src = await source({ 'a.txt': 'alpha' });
      const push = await runProgram('rsync', [
        '-r',
        '-e',
        rsyncShell(router, key),
        `${src}/`,
        `${router.user}@127.0.0.1:${dest}/snap/`,
      ]);
      expect(push).toMatchObject({ code: 0, stderr: '' });
      expect(await readTree(dest)).toEqual(new Map([['snap/a.txt', Buffer.from('alpha')]]));
    });
  });

  describe('the untagged rsync of an old router', () => {
    let rootOwned: string;
    let src: string;

    beforeAll(async () => {
      // A folder the router account cannot write to: the receiver's mkstemp fails.
      rootOwned = await router.makeRouterFolder('root-owned-');
      await chown(rootOwned, 0, 0);
      await chmod(rootOwned, 0o755);
      src = await source({ 'a.txt': 'alpha' });
    });

    async function pushWith(args: readonly string[], key = router.clientKey) {
      return runProgram('rsync', [
        '-r',
        ...args,
        '-e',
        rsyncShell(router, key),
        `${src}/`,
        `${router.user}@127.0.0.1:${rootOwned}/`,
      ]);
    }

    it('drops [receiver] from the far side’s messages, as --rsync-path or on the PATH', async () => {
      const tagged = await pushWith([]);
      expect(tagged.code).toBe(23);
      expect(tagged.stderr).toMatch(
        /^rsync: \[receiver\] mkstemp ".*\/\.a\.txt\.\w+" failed: Permission denied \(13\)$/m,
      );

      const asPath = await pushWith([`--rsync-path=${router.untaggedRsync}`]);
      const key = await router.addClientKey('untagged_key', { untaggedRsync: true });
      const onPath = await pushWith([], key);
      for (const untagged of [asPath, onPath]) {
        expect(untagged.code).toBe(23);
        expect(untagged.stderr).toMatch(
          /^rsync: mkstemp ".*\/\.a\.txt\.\w+" failed: Permission denied \(13\)$/m,
        );
        expect(untagged.stderr).not.toContain('[receiver]');
        // The client is still rsync 3.5: its own summary line keeps its role.
        expect(untagged.stderr).toContain('(code 23) at main.c(');
        expect(untagged.stderr).toContain('[sender=3.5.0]');
      }
    });

    it('drops [sender] from a far sender’s messages and still carries files', async () => {
      const back = await tempDir('snaptray-router-pull-');
      const missing = `${router.user}@127.0.0.1:${rootOwned}/missing.txt`;
      const pull = (args: string[]) =>
        runProgram('rsync', ['-a', ...args, '-e', rsyncShell(router), missing, `${back}/`]);
      const tagged = await pull([]);
      const untagged = await pull([`--rsync-path=${router.untaggedRsync}`]);
      expect(tagged.stderr).toContain(
        `rsync: [sender] link_stat "${rootOwned}/missing.txt" failed`,
      );
      expect(untagged.stderr).toContain(`rsync: link_stat "${rootOwned}/missing.txt" failed`);
      expect([tagged.code, untagged.code]).toEqual([23, 23]);

      const dest = await router.makeRouterFolder();
      const good = await source({ 'x/y.txt': 'why', 'z.bin': 'zed'.repeat(50_000) });
      const push = await runProgram('rsync', [
        '-a',
        '--stats',
        `--rsync-path=${router.untaggedRsync}`,
        '-e',
        rsyncShell(router),
        `${good}/`,
        `${router.user}@127.0.0.1:${dest}/`,
      ]);
      expect(push).toMatchObject({ code: 0, stderr: '' });
      expect(await readTree(dest)).toEqual(await readTree(good));
    });
  });
});

describe('routers side by side', () => {
  it('start at once with accounts of their own, and stop without a trace', async () => {
    const routers = await Promise.all([startRouter(), startRouter()]);
    const [a, b] = routers;
    if (a === undefined || b === undefined) throw new Error('two routers expected');
    expect(a.user).not.toBe(b.user);
    expect(a.uid).not.toBe(b.uid);
    // A's key does not open B.
    const cross = await runProgram('ssh', [
      ...sshArgs(b).map((arg) => (arg === b.clientKey ? a.clientKey : arg)),
      `${b.user}@127.0.0.1`,
      'true',
    ]);
    expect(cross.code).toBe(255);

    const open = spawn('ssh', [...sshArgs(a), `${a.user}@127.0.0.1`, 'sleep 60'], {
      stdio: 'ignore',
    });
    const closed = new Promise<void>((resolve) => open.once('exit', () => resolve()));
    for (let i = 0; i < 200 && (await a.connectionCount()) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(await a.connectionCount()).toBe(1);

    await Promise.all(routers.map((r) => r.stop()));
    await closed;
    for (const r of routers) {
      expect(await canConnect(r.port)).toBe(false);
      await expect(access(r.dir)).rejects.toThrow();
      expect((await runProgram('id', [r.user])).code).toBe(1);
      expect(await readFile('/etc/shells', 'utf8')).not.toContain(r.shell);
    }
  });
});
