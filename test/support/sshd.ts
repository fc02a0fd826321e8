import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KeyHome, KeyOptions } from './authorized-keys.js';
import { entwareLaunch } from './entware.js';
import { authorizedKeyLine, installUntaggedRsync } from './authorized-keys.js';
import { terminateTree } from './processes.js';

export type { KeyOptions } from './authorized-keys.js';

/**
 * A throwaway OpenSSH server on 127.0.0.1 (the "router" of the tests), set up as
 * /work/shared/docs/testing.md describes. Everything lives in one temporary folder.
 */
export interface Sshd {
  port: number;
  /** The server's temporary folder, removed by stop(). */
  dir: string;
  /** Private key file of the client key that startSshd authorised. */
  clientKey: string;
  /** A known_hosts file holding `[127.0.0.1]:PORT <host key>`. */
  knownHosts: string;
  /** A harmless ssh config file: pass it with -F (or Include it) to keep ~/.ssh/config out. */
  sshConfig: string;
  /** The host key's `.pub` file. */
  hostKeyPub: string;
  /** The account to log in as (for sshd the current user). */
  user: string;
  /** The server's log (sshd: LogLevel VERBOSE; dropbear: its standard error). */
  logFile: string;
  /**
   * The untagged rsync installed on the server (see KeyOptions.untaggedRsync): pass it as
   * `--rsync-path` to have the far side report errors as rsync 3.0/3.1 do.
   */
  untaggedRsync: string;
  /** Ends the server and any connection still open, and removes its folder. */
  stop(): Promise<void>;
  /** Connections accepted so far (the readiness probe of startSshd not counted). */
  connectionCount(): Promise<number>;
  /** Authorises one more client key; gives the private key's path. */
  addClientKey(name: string, opts?: KeyOptions): Promise<string>;
}

const SSHD = '/usr/sbin/sshd';
const run = promisify(execFile);
// OpenSSH 9.2 logs `Connection from 127.0.0.1 port 36448 on 127.0.0.1 port 42222 rdomain ""`.
const CONNECTION_LINE = /^Connection from \S+ port (\d+) on \S+ port \d+/gm;
const KEY_NAME = /^[A-Za-z0-9._-]+$/;

/** How the server itself is set up (KeyOptions shape its first client key). */
export interface ServerOptions {
  /**
   * rsync only at /opt/bin/rsync, as Entware installs it on a router, and not on the PATH that
   * ssh commands get: the server runs in a mount namespace of its own (entware.ts).
   */
  entware?: boolean;
}

/** Starts a fresh sshd; its own client key is restricted when `opts.restrictedDir` is given. */
export async function startSshd(opts: KeyOptions = {}, server: ServerOptions = {}): Promise<Sshd> {
  const dir = await mkdtemp(join(tmpdir(), 'snaptray-sshd-'));
  try {
    return await startIn(dir, opts, server);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The client options testing.md gives, for running plain ssh (or `rsync -e`) against `s`. */
export function sshArgs(s: Sshd): string[] {
  return [
    '-F',
    s.sshConfig,
    '-i',
    s.clientKey,
    '-p',
    String(s.port),
    '-o',
    `UserKnownHostsFile=${s.knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
  ];
}

/** The snaptray command-line options that reach `s` (with another of its keys when given). */
export function cliFlags(s: Sshd, key = s.clientKey): string[] {
  return [
    '--ssh-port',
    String(s.port),
    '--ssh-key',
    key,
    '--known-hosts',
    s.knownHosts,
    '--ssh-config',
    s.sshConfig,
  ];
}

/** The same connection as cliFlags, as a profile's `ssh` settings. */
export function profileSsh(s: Sshd, key = s.clientKey) {
  return {
    port: s.port,
    identityFile: key,
    knownHostsFile: s.knownHosts,
    configFile: s.sshConfig,
  };
}

async function startIn(dir: string, opts: KeyOptions, options: ServerOptions): Promise<Sshd> {
  const hostKey = join(dir, 'host_key');
  const clientKey = join(dir, 'client_key');
  const authorizedKeys = join(dir, 'authorized_keys');
  const pidFile = join(dir, 'sshd.pid');
  const logFile = join(dir, 'sshd.log');
  const configFile = join(dir, 'sshd_config');
  const knownHosts = join(dir, 'known_hosts');
  const sshConfig = join(dir, 'ssh_config');

  await Promise.all([generateKey(hostKey), generateKey(clientKey)]);
  const keyHome: KeyHome = {
    dir,
    // Not root's login shell: bash would read ~/.bashrc, whose output depends on the machine.
    shell: '/bin/sh',
    untaggedRsyncDir: await installUntaggedRsync(dir),
  };
  await writeFile(authorizedKeys, await authorizedKeyLine(clientKey, opts, keyHome), {
    mode: 0o600,
  });
  await writeFile(
    sshConfig,
    '# Pass this file with -F so that the account’s own ~/.ssh/config plays no part.\n',
  );
  // sshd refuses to start without its privilege separation folder; nothing creates it here.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const sessionHome = join(dir, 'session-home');
  await mkdir(sessionHome, { mode: 0o700 });

  const probePorts = new Set<number>();
  const { port, server } = await launch({
    hostKey,
    authorizedKeys,
    pidFile,
    logFile,
    configFile,
    sessionHome,
    entwareScratch: options.entware === true ? dir : null,
  });
  try {
    probePorts.add(await probe(port));
  } catch (error) {
    await stopServer(pidFile, server);
    throw error;
  }
  const hostKeyLine = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(' ');
  await writeFile(knownHosts, `[127.0.0.1]:${port} ${hostKeyLine[0]} ${hostKeyLine[1]}\n`);

  let stopped = false;
  return {
    port,
    dir,
    clientKey,
    knownHosts,
    sshConfig,
    hostKeyPub: `${hostKey}.pub`,
    user: userInfo().username,
    logFile,
    untaggedRsync: join(keyHome.untaggedRsyncDir, 'rsync'),
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopServer(pidFile, server);
      await rm(dir, { recursive: true, force: true });
    },
    async connectionCount() {
      const log = await readFile(logFile, 'utf8');
      let count = 0;
      for (const m of log.matchAll(CONNECTION_LINE)) {
        if (!probePorts.has(Number(m[1]))) count++;
      }
      return count;
    },
    async addClientKey(name, keyOpts = {}) {
      if (!KEY_NAME.test(name) || name.startsWith('host_key') || name === 'client_key') {
        throw new Error(`unusable key name ${JSON.stringify(name)}`);
      }
      const key = join(dir, name);
      await generateKey(key);
      await appendFile(authorizedKeys, await authorizedKeyLine(key, keyOpts, keyHome));
      return key;
    },
  };
}

async function generateKey(path: string): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'snaptray-test', '-f', path]);
}

interface LaunchPaths {
  hostKey: string;
  authorizedKeys: string;
  pidFile: string;
  logFile: string;
  configFile: string;
  /** The sessions' HOME: an empty folder, so that no startup file of the account runs. */
  sessionHome: string;
  /** Where the Entware namespace keeps its overlay (ServerOptions.entware), or null. */
  entwareScratch: string | null;
}

interface Launched {
  port: number;
  server: ChildProcess;
}

/** Starts sshd on a free port; tries again if another process took the port meanwhile. */
async function launch(paths: LaunchPaths): Promise<Launched> {
  let failure = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    await writeFile(paths.configFile, sshdConfig(port, paths));
    await rm(paths.logFile, { force: true });
    // -D keeps sshd our own child, so Node reaps it: daemonised, it would be left to PID 1,
    // which in containers may never reap it.
    // With -E even configuration errors go to the log, so no output is read.
    const plain = { file: SSHD, args: ['-D', '-f', paths.configFile, '-E', paths.logFile] };
    const command =
      paths.entwareScratch === null
        ? plain
        : entwareLaunch(paths.entwareScratch, plain.file, plain.args);
    const server = spawn(command.file, command.args, { stdio: 'ignore' });
    const exited = new Promise<string>((resolve) => {
      server.once('error', (error) => resolve(error.message));
      server.once('exit', (code, sig) => resolve(`sshd exited (code ${code}, signal ${sig})`));
    });
    server.unref();
    const outcome = await Promise.race([waitForPidFile(paths.pidFile), exited]);
    if (outcome === true) return { port, server };
    const log = await readFile(paths.logFile, 'utf8').catch(() => '');
    failure = `${outcome}\n${log}`;
    if (!/Bind to port \d+ .* failed|Cannot bind any address/.test(log)) break;
  }
  throw new Error(`sshd did not start: ${failure}`);
}

function sshdConfig(port: number, p: LaunchPaths): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${p.hostKey}`,
    `PidFile ${p.pidFile}`,
    `AuthorizedKeysFile ${p.authorizedKeys}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'UsePAM no',
    // The folder sits under /tmp (mode 1777), where sshd would otherwise refuse the keys.
    'StrictModes no',
    // VERBOSE logs every accepted connection, which connectionCount() counts.
    'LogLevel VERBOSE',
    'PrintMotd no',
    'PrintLastLog no',
    // Root's login shell is bash, which reads ~/.bashrc for every command run over ssh; what
    // a machine's .bashrc does (a version manager waiting on its lock for a minute) is no part
    // of these tests. A router's account has a shell and home of its own (router.ts).
    `SetEnv HOME=${p.sessionHome}`,
    '',
  ].join('\n');
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port from listen(0)');
  return address.port;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True once sshd has written its pid file, which it does after it started listening. */
async function waitForPidFile(pidFile: string): Promise<true | string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if ((await readPid(pidFile)) !== null) return true;
    await sleep(20);
  }
  return 'no pid file within 10 s';
}

async function readPid(pidFile: string): Promise<number | null> {
  const text = await readFile(pidFile, 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Waits until the port takes connections; gives the probe's own source port. */
export async function probe(port: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await new Promise<number>((resolve, reject) => {
        const socket = createConnection({ host: '127.0.0.1', port }, () => {
          const localPort = socket.localPort ?? 0;
          socket.destroy();
          resolve(localPort);
        });
        socket.once('error', reject);
      });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(20);
    }
  }
}

/**
 * Ends the per-connection sshd processes and what they run, deepest first so that each is
 * reaped by its still-living parent, then the listening sshd itself.
 */
async function stopServer(pidFile: string, server: ChildProcess): Promise<void> {
  const pid = (await readPid(pidFile)) ?? server.pid;
  if (pid === undefined) return;
  await terminateTree(pid);
}
