/**
 * A login that fails because of the key says what ssh said about the key, with the fix for it,
 * against a real sshd on loopback: a missing key file, a key others may read, a key ssh cannot
 * load, and a key the router does not know. And a destination path that is a file on the router.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeCliHome, runCli, type CliHome } from '../../support/cli.js';
import { cliFlags, sshArgs, startSshd, type Sshd } from '../../support/sshd.js';
import { makeTempDir } from '../../support/tree.js';

let sshd: Sshd;
let home: CliHome;
let keys: string;
let destDir: string;

// Each ssh connection costs 1-2 s here, and far more on a busy machine.
beforeAll(async () => {
  sshd = await startSshd();
}, 120_000);
afterAll(async () => {
  await sshd.stop();
});
beforeEach(async () => {
  home = await makeCliHome();
  keys = await makeTempDir('st-keys-');
  destDir = await makeTempDir('st-router-');
});

/** `init` with this key: the error it reports, and that the destination was left alone. */
async function initWith(key: string, path = destDir): Promise<unknown> {
  const r = await runCli(
    ['init', '--dest', `${sshd.user}@127.0.0.1:${path}`, '--json', ...cliFlags(sshd, key)],
    home,
  );
  expect(r.code, r.stderr).toBe(1);
  expect(execFileSync('ls', ['-A', destDir], { encoding: 'utf8' })).toBe('');
  return r.json?.error;
}

describe('ssh login failures keep the reason ssh gave', () => {
  const target = () => `${sshd.user}@127.0.0.1`;

  it('a key file that does not exist', async () => {
    const key = join(keys, 'id_ed25519');
    expect(await initWith(key)).toEqual({
      kind: 'ssh-key-missing',
      message:
        `${target()} refused the login: the ssh key file ${key} does not exist, so ssh had no ` +
        'key to offer ("no such identity"). Check the path of the ssh key (--ssh-key, or the key ' +
        'in the settings). On a new machine, copy the private key from the old one, or make a ' +
        "new key with ssh-keygen and add its .pub to the router's authorized_keys.",
    });
  }, 300_000);

  it('a key others may read (mode 0644), as a copy often is', async () => {
    const key = join(keys, 'id_ed25519');
    await copyFile(sshd.clientKey, key);
    await chmod(key, 0o644);
    expect(await initWith(key)).toEqual({
      kind: 'ssh-key-too-open',
      message:
        `${target()} refused the login: ssh ignored the key ${key} because others may read it ` +
        '(mode 0644); ssh uses a private key only when its owner alone can read it. Fix: chmod ' +
        `600 ${key}.`,
    });
    // The fix it names is the fix: the same login with the key at 0600 gets in.
    await chmod(key, 0o600);
    const login = spawnSync('ssh', [
      ...sshArgs(sshd).map((a) => (a === sshd.clientKey ? key : a)),
      `${target()}`,
      'true',
    ]);
    expect(login.status, String(login.stderr)).toBe(0);
  }, 300_000);

  it('a key ssh cannot load (a cut-off copy)', async () => {
    const key = join(keys, 'id_ed25519');
    await writeFile(key, (await readFile(sshd.clientKey)).subarray(0, 100), { mode: 0o600 });
    expect(await initWith(key)).toEqual({
      kind: 'ssh-key-unreadable',
      message:
        `${target()} refused the login: ssh cannot read the key ${key} ("error in libcrypto"): ` +
        'it is not a private key ssh can load: a damaged or cut-off copy, or another kind of ' +
        'file. Copy the private key again (the file that begins "-----BEGIN OPENSSH PRIVATE ' +
        'KEY-----"), or make a new key with ssh-keygen and add its .pub to the router\'s ' +
        'authorized_keys.',
    });
  }, 300_000);

  it('a key the router does not know', async () => {
    const key = join(keys, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    expect(await initWith(key)).toEqual({
      kind: 'auth-refused',
      message:
        `${target()} refused the login (authentication failed). Check the user name and that ` +
        "this machine's public key is in the router's authorized_keys.",
    });
  }, 300_000);
});

describe('a destination that is a file on the router', () => {
  it('is named as a file, and init does not offer to create it', async () => {
    const plain = join(destDir, 'backups');
    await writeFile(plain, 'not a folder');
    const dest = `${sshd.user}@127.0.0.1:${plain}`;
    const message =
      `The destination ${dest} is not a folder: it, or a folder on its way, is a file ("Not a ` +
      'directory"). The destination names the folder that holds the snapshots: check the path.';
    const r = await runCli(['init', '--dest', dest, '--json', ...cliFlags(sshd)], home);
    expect(r.code).toBe(1);
    expect(r.json?.error).toEqual({ kind: 'destination-not-folder', message });
    const created = await runCli(['init', '--create', '--dest', dest, ...cliFlags(sshd)], home);
    expect(created.code).toBe(1);
    expect(created.stderr).toBe(`snaptray: ${message}\n`);
    expect(await readFile(plain, 'utf8')).toBe('not a folder');
  }, 300_000);
});
