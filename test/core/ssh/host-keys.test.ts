/**
 * Scanning and trusting a host key against a real sshd on loopback, then connecting with host-key
 * checking on through the very file that was written.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkDestination } from '../../../core/destination/check.js';
import {
  fingerprintOf,
  knownHostsName,
  resolveSshHost,
  scanHostKey,
  trustHostKey,
} from '../../../core/ssh/host-keys.js';
import { spawnProcess } from '../../../core/process.js';
import { sshSchema } from '../../../core/settings/schema.js';
import { startSshd, type Sshd } from '../../support/sshd.js';
import { makeTempDir } from '../../support/tree.js';

const run = promisify(execFile);

let sshd: Sshd;
let home: string;
let appKnownHosts: string;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd.stop();
});
beforeEach(async () => {
  home = await makeTempDir('st-hk-home-');
  await mkdir(join(home, '.ssh'), { mode: 0o700 });
  await writeFile(join(home, '.ssh', 'known_hosts'), '# the user file\n');
  appKnownHosts = join(home, '.config', 'Snaptray', 'known_hosts');
});

async function serverFingerprint(): Promise<string> {
  const { stdout } = await run('ssh-keygen', ['-l', '-f', sshd.hostKeyPub]);
  return stdout.split(' ')[1] ?? '';
}

/** The engine's check of a folder on the sshd, with this test's home and the app's known_hosts. */
function checkAt(
  path: string,
  host = '127.0.0.1',
  ssh = sshSchema.parse({ port: sshd.port, identityFile: sshd.clientKey }),
) {
  return checkDestination(
    {
      spawn: spawnProcess,
      runtimeDir: join(home, 'run'),
      userKnownHosts: [join(home, '.ssh', 'known_hosts')],
      appKnownHosts,
      defaultSshConfig: sshd.sshConfig,
    },
    { kind: 'ssh', user: sshd.user, host, path },
    ssh,
  );
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('scanHostKey', () => {
  it('offers the server key with the fingerprint ssh-keygen prints for it', async () => {
    const scanned = await scanHostKey(spawnProcess, '127.0.0.1', sshd.port);
    const pub = (await readFile(sshd.hostKeyPub, 'utf8')).trim().split(' ');
    expect(scanned).toEqual({
      ok: true,
      value: {
        host: '127.0.0.1',
        port: sshd.port,
        keyType: 'ssh-ed25519',
        fingerprint: await serverFingerprint(),
        knownHostsLine: `[127.0.0.1]:${sshd.port} ssh-ed25519 ${pub[1]}`,
      },
    });
  });

  it('names a refused connection in words', async () => {
    const port = await closedPort();
    const scanned = await scanHostKey(spawnProcess, '127.0.0.1', port);
    expect(scanned.ok).toBe(false);
    if (scanned.ok) return;
    expect(scanned.failure.kind).toBe('connection-refused');
    expect(scanned.failure.message).toContain('refused the connection');
  });

  it('takes an IPv6 address bare, as the window passes it', async () => {
    const port = await closedPort();
    const scanned = await scanHostKey(spawnProcess, '::1', port);
    expect(scanned.ok).toBe(false);
    if (scanned.ok) return;
    expect(['connection-refused', 'unreachable']).toContain(scanned.failure.kind);
  });

  it('refuses a host that would be read as an option, without running anything', async () => {
    const ran: string[] = [];
    const scanned = await scanHostKey(
      (req) => {
        ran.push(req.file);
        return spawnProcess(req);
      },
      '-oProxyCommand=touch /tmp/pwned',
      22,
    );
    expect(scanned).toEqual({
      ok: false,
      failure: {
        kind: 'settings',
        message:
          'The host "-oProxyCommand=touch /tmp/pwned" starts with "-" and would be read as an ssh option.',
      },
    });
    expect(ran).toEqual([]);
  });
});

describe('trustHostKey', () => {
  it('writes the key to the app file only, after which checking with it succeeds', async () => {
    const realKnownHosts = join(userInfo().homedir, '.ssh', 'known_hosts');
    const realBefore = await readFile(realKnownHosts, 'utf8').catch(() => null);
    const fingerprint = await serverFingerprint();
    const trusted = await trustHostKey(spawnProcess, appKnownHosts, {
      host: '127.0.0.1',
      port: sshd.port,
      fingerprint,
    });
    expect(trusted).toEqual({
      ok: true,
      value: { host: '127.0.0.1', port: sshd.port, keyType: 'ssh-ed25519', fingerprint },
    });
    expect((await stat(appKnownHosts)).mode & 0o777).toBe(0o600);
    expect(await readFile(join(home, '.ssh', 'known_hosts'), 'utf8')).toBe('# the user file\n');
    expect(await readdir(join(home, '.ssh'))).toEqual(['known_hosts']);
    expect(await readFile(realKnownHosts, 'utf8').catch(() => null)).toBe(realBefore);

    // Trusting again does not add the line twice.
    await trustHostKey(spawnProcess, appKnownHosts, {
      host: '127.0.0.1',
      port: sshd.port,
      fingerprint,
    });
    const lines = (await readFile(appKnownHosts, 'utf8')).split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);

    // Plain ssh with strict checking against that file alone logs in.
    const ssh = await run('ssh', [
      '-F',
      sshd.sshConfig,
      '-i',
      sshd.clientKey,
      '-p',
      String(sshd.port),
      '-o',
      `UserKnownHostsFile=${appKnownHosts}`,
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      `${sshd.user}@127.0.0.1`,
      'echo connected',
    ]);
    expect(ssh.stdout.trim()).toBe('connected');

    // And the engine's own check passes its host-key step with it.
    const dest = await makeTempDir('st-hk-dest-');
    const steps = await checkAt(dest);
    expect(steps.slice(0, 3).map((s) => [s.step, s.ok])).toEqual([
      ['reachable', true],
      ['host-key', true],
      ['authentication', true],
    ]);
    await rm(dest, { recursive: true, force: true });
  });

  it('without the trusted key, the check stops at the host-key step', async () => {
    const dest = await makeTempDir('st-hk-dest-');
    const steps = await checkAt(dest);
    expect(steps.at(-1)).toMatchObject({ step: 'host-key', ok: false, kind: 'host-key-unknown' });
  });

  it('writes nothing when the key is not the one the user saw', async () => {
    const trusted = await trustHostKey(spawnProcess, appKnownHosts, {
      host: '127.0.0.1',
      port: sshd.port,
      fingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(trusted.ok).toBe(false);
    if (trusted.ok) return;
    expect(trusted.failure.kind).toBe('host-key-changed');
    expect(trusted.failure.message).toContain('changed since you looked at it');
    expect(trusted.failure.message).toContain(await serverFingerprint());
    await expect(stat(appKnownHosts)).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(home, '.ssh', 'known_hosts'), 'utf8')).toBe('# the user file\n');
  });
});

describe('known_hosts names and fingerprints', () => {
  it('uses the bare host on port 22 and [host]:port elsewhere', () => {
    expect(knownHostsName('Router.LAN', 22)).toBe('router.lan');
    expect(knownHostsName('[fe80::1]', 2222)).toBe('[fe80::1]:2222');
    expect(knownHostsName('fe80::1', 22)).toBe('fe80::1');
  });

  it('fingerprints like ssh-keygen', async () => {
    const blob = (await readFile(sshd.hostKeyPub, 'utf8')).trim().split(' ')[1] ?? '';
    expect(fingerprintOf(blob)).toBe(await serverFingerprint());
  });
});

describe('resolveSshHost', () => {
  it('follows a host alias of the ssh config, so the trusted key is the one ssh will look up', async () => {
    const config = join(home, '.ssh', 'config');
    await writeFile(config, `Host myrouter\n  HostName 127.0.0.1\n  Port ${sshd.port}\n`);
    const target = await resolveSshHost(spawnProcess, 'myrouter', null, config);
    expect(target).toEqual({ host: '127.0.0.1', port: sshd.port });
    // A port in the profile wins over the config, as in the backup's own ssh config.
    expect(await resolveSshHost(spawnProcess, 'myrouter', 2222, config)).toEqual({
      host: '127.0.0.1',
      port: 2222,
    });
    expect(await resolveSshHost(spawnProcess, 'plain.lan', null, null)).toEqual({
      host: 'plain.lan',
      port: 22,
    });

    const scanned = await scanHostKey(spawnProcess, target.host, target.port);
    expect(scanned.ok).toBe(true);
    if (!scanned.ok) return;
    const trusted = await trustHostKey(spawnProcess, appKnownHosts, {
      host: target.host,
      port: target.port,
      fingerprint: scanned.value.fingerprint,
    });
    expect(trusted.ok).toBe(true);
    const dest = await makeTempDir('st-hk-dest-');
    const steps = await checkAt(
      dest,
      'myrouter',
      sshSchema.parse({ identityFile: sshd.clientKey, configFile: config }),
    );
    expect(steps.slice(0, 3).map((s) => [s.step, s.ok])).toEqual([
      ['reachable', true],
      ['host-key', true],
      ['authentication', true],
    ]);
    await rm(dest, { recursive: true, force: true });
  });
});
