import { execFile } from 'node:child_process';
import { access, readFile, rm, stat } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sshd } from './sshd.js';
import { sshArgs, startSshd } from './sshd.js';
import { makeTempDir, readTree, writeTree } from './tree.js';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program; a non-zero exit is a result here, not an error. */
function runProgram(file: string, args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(file, args, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `rsync -e` takes one string and splits it at spaces itself; these paths hold none. */
function rsyncShell(args: readonly string[]): string {
  for (const a of args) if (/\s/.test(a)) throw new Error(`space in ssh argument ${a}`);
  return ['ssh', ...args].join(' ');
}

const made: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await makeTempDir(prefix);
  made.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
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

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('throwaway sshd', () => {
  let sshd: Sshd;
  let restrictedKey: string;
  let routerDir: string;

  beforeAll(async () => {
    sshd = await startSshd();
    routerDir = join(await tempDir('snaptray-router-'), 'dest');
    restrictedKey = await sshd.addClientKey('rrsync_key', {
      restrictedDir: routerDir,
      noDel: true,
    });
  });

  afterAll(async () => {
    await sshd.stop();
  });

  it('writes the files the clients need', async () => {
    expect(sshd.user).toBe((await runProgram('id', ['-un'])).stdout.trim());
    const knownHosts = await readFile(sshd.knownHosts, 'utf8');
    const hostKey = (await readFile(sshd.hostKeyPub, 'utf8')).split(' ').slice(0, 2).join(' ');
    expect(knownHosts).toBe(`[127.0.0.1]:${sshd.port} ${hostKey}\n`);
    expect((await stat(join(sshd.dir, 'authorized_keys'))).mode & 0o777).toBe(0o600);
    await access(sshd.sshConfig);
    expect(await sshd.connectionCount()).toBe(0);
  });

  it('accepts the client key and counts the connection', async () => {
    const before = await sshd.connectionCount();
    const result = await runProgram('ssh', [
      ...sshArgs(sshd),
      `${sshd.user}@127.0.0.1`,
      'echo logged-in-as $(id -un)',
    ]);
    expect(result).toEqual({ code: 0, stdout: `logged-in-as ${sshd.user}\n`, stderr: '' });
    expect(await sshd.connectionCount()).toBe(before + 1);
  });

  it('carries a real rsync copy', async () => {
    const src = await tempDir('snaptray-sshd-src-');
    const dest = await tempDir('snaptray-sshd-dest-');
    await writeTree(src, { 'a.txt': 'alpha', 'sub/b.bin': Buffer.from([1, 2, 3]) });
    const before = await sshd.connectionCount();
    const result = await runProgram('rsync', [
      '-a',
      '-e',
      rsyncShell(sshArgs(sshd)),
      `${src}/`,
      `${sshd.user}@127.0.0.1:${dest}/`,
    ]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(await readTree(dest)).toEqual(await readTree(src));
    expect((await readTree(dest)).size).toBe(2);
    expect(await sshd.connectionCount()).toBe(before + 1);
  });

  it('confines a restricted key to rrsync -no-del', async () => {
    const src = await tempDir('snaptray-sshd-src-');
    await writeTree(src, { 'kept.txt': 'kept' });
    const restricted = sshArgs(sshd).map((a) => (a === sshd.clientKey ? restrictedKey : a));
    const target = `${sshd.user}@127.0.0.1:/`;

    // A plain push works and lands in rrsync's folder, not at the server's /.
    const push = await runProgram('rsync', ['-a', '-e', rsyncShell(restricted), `${src}/`, target]);
    expect(push).toMatchObject({ code: 0, stderr: '' });
    expect(await readTree(routerDir)).toEqual(new Map([['kept.txt', Buffer.from('kept')]]));

    const withDelete = await runProgram('rsync', [
      '-a',
      '--delete',
      '-e',
      rsyncShell(restricted),
      `${src}/`,
      target,
    ]);
    expect(withDelete.code).toBe(12);
    expect(withDelete.stderr).toContain('option --delete has been disabled');

    const shell = await runProgram('ssh', [...restricted, `${sshd.user}@127.0.0.1`, 'id']);
    expect(shell.code).not.toBe(0);
    expect(shell.stdout).toBe('');
  });
});

describe('router-like keys on OpenSSH', () => {
  let sshd: Sshd;

  beforeAll(async () => {
    sshd = await startSshd({ rsyncOffPath: true });
  });

  afterAll(async () => {
    await sshd.stop();
  });

  function withKey(key: string): string[] {
    return sshArgs(sshd).map((a) => (a === sshd.clientKey ? key : a));
  }

  it('puts rsync off the PATH, so that only --rsync-path=/usr/bin/rsync works', async () => {
    const src = await tempDir('snaptray-sshd-src-');
    const dest = await tempDir('snaptray-sshd-dest-');
    await writeTree(src, { 'a.txt': 'alpha' });
    const args = [
      '-a',
      '-e',
      rsyncShell(sshArgs(sshd)),
      `${src}/`,
      `${sshd.user}@127.0.0.1:${dest}/`,
    ];
    const plain = await runProgram('rsync', args);
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toContain('/bin/sh: 1: rsync: not found');
    expect(await runProgram('rsync', ['--rsync-path=/usr/bin/rsync', ...args])).toMatchObject({
      code: 0,
      stderr: '',
    });
    expect(await readTree(dest)).toEqual(await readTree(src));
  });

  it('prints a banner before the command', async () => {
    const key = await sshd.addClientKey('banner_key', { banner: "Welcome to RT-AC66U, it's me" });
    const result = await runProgram('ssh', [
      ...withKey(key),
      `${sshd.user}@127.0.0.1`,
      'echo "a  b"',
    ]);
    expect(result).toEqual({ code: 0, stdout: "Welcome to RT-AC66U, it's me\na  b\n", stderr: '' });
  });

  it('runs the untagged rsync for a key, or as --rsync-path', async () => {
    const back = await tempDir('snaptray-sshd-back-');
    const key = await sshd.addClientKey('untagged_key', { untaggedRsync: true });
    const missing = `${sshd.user}@127.0.0.1:${back}/missing.txt`;
    const tagged = await runProgram('rsync', [
      '-a',
      '--rsync-path=/usr/bin/rsync',
      '-e',
      rsyncShell(sshArgs(sshd)),
      missing,
      `${back}/`,
    ]);
    expect(tagged.stderr).toContain(`rsync: [sender] link_stat "${back}/missing.txt" failed`);
    for (const args of [
      ['-e', rsyncShell(withKey(key))],
      [`--rsync-path=${sshd.untaggedRsync}`, '-e', rsyncShell(sshArgs(sshd))],
    ]) {
      const untagged = await runProgram('rsync', ['-a', ...args, missing, `${back}/`]);
      expect(untagged.code).toBe(23);
      expect(untagged.stderr).toContain(`rsync: link_stat "${back}/missing.txt" failed`);
      expect(untagged.stderr).not.toContain('[sender]');
    }
  });
});

describe('stopping the sshd', () => {
  it('frees the port and removes the folder, even with a connection open', async () => {
    const sshd = await startSshd();
    const open = execFile('ssh', [...sshArgs(sshd), `${sshd.user}@127.0.0.1`, 'sleep 60']);
    const exited = new Promise<void>((resolve) => open.once('exit', () => resolve()));
    for (let i = 0; i < 100 && (await sshd.connectionCount()) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await sshd.connectionCount()).toBe(1);
    expect(await canConnect(sshd.port)).toBe(true);

    await sshd.stop();
    await exited;
    expect(await canConnect(sshd.port)).toBe(false);
    expect(await canListen(sshd.port)).toBe(true);
    await expect(access(sshd.dir)).rejects.toThrow();
  });
});
