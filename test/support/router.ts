import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  access,
  appendFile,
  chmod,
  chown,
  copyFile,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { KeyHome, KeyOptions } from './authorized-keys.js';
import { authorizedKeyLine, installUntaggedRsync } from './authorized-keys.js';
import { terminate, terminateTree } from './processes.js';
import { entwareLaunch } from './entware.js';
import type { ServerOptions, Sshd } from './sshd.js';
import { freePort, probe } from './sshd.js';

/**
 * A router as users have it, on 127.0.0.1: dropbear (run in the foreground, so the test owns its
 * PID) and an account of its own whose login shell is BusyBox sh, as testing.md describes. Each
 * router has its own account (`snaptray-rt-` and 8 hex digits), because dropbear reads only
 * ~/.ssh/authorized_keys: two routers started at once by two test files never share keys.
 * Like a router, dropbear runs commands with a fixed PATH and reads no profile.
 */
export interface Router extends Sshd {
  /** The router account's user and group ids: own destination folders with them. */
  uid: number;
  gid: number;
  /** The account's login shell: a copy of BusyBox, called as `sh`. */
  shell: string;
  /** A fresh empty folder owned by the router account, removed by stop(). */
  makeRouterFolder(prefix?: string): Promise<string>;
}

const run = promisify(execFile);
const USER_PREFIX = 'snaptray-rt-';
// One lock for every change to /etc/passwd, /etc/group and /etc/shells made for routers: two
// test files may start or stop routers at once, and useradd refuses to run while another holds
// its lock.
const ACCOUNTS_LOCK = '/run/lock/snaptray-router.lock';
// dropbear 2022.83 logs `Pubkey auth succeeded for 'user' with ssh-ed25519 key SHA256:… from …`.
const AUTH_LINE = /Pubkey auth succeeded for /g;
const KEY_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Starts a fresh dropbear router; its own client key (`clientKey`) gets `opts`. Destination
 * folders must belong to the router account: make them with `makeRouterFolder()`.
 */
export async function startRouter(
  opts: KeyOptions = {},
  server: ServerOptions = {},
): Promise<Router> {
  const dir = await mkdtemp(join(tmpdir(), 'snaptray-router-'));
  // The account reaches its shell and home through this folder.
  await chmod(dir, 0o755);
  const user = USER_PREFIX + randomBytes(4).toString('hex');
  const shell = join(dir, 'bin', 'sh');
  let created = false;
  try {
    await mkdir(join(dir, 'bin'), { mode: 0o755 });
    await copyFile('/bin/busybox', join(dir, 'bin', 'busybox'));
    await chmod(join(dir, 'bin', 'busybox'), 0o755);
    await symlink('busybox', shell);
    await mkdir(join(dir, 'home'), { mode: 0o755 });
    await mkdir(join(dir, 'folders'), { mode: 0o755 });
    await addAccount(user, join(dir, 'home'), shell);
    created = true;
    return await startIn(dir, user, shell, opts, server);
  } catch (error) {
    if (created) await removeAccount(user, shell).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function startIn(
  dir: string,
  user: string,
  shell: string,
  opts: KeyOptions,
  options: ServerOptions,
) {
  const uid = Number((await run('id', ['-u', user])).stdout.trim());
  const gid = Number((await run('id', ['-g', user])).stdout.trim());
  const hostKey = join(dir, 'host_key');
  const clientKey = join(dir, 'client_key');
  const sshDir = join(dir, 'home', '.ssh');
  const authorizedKeys = join(sshDir, 'authorized_keys');
  const logFile = join(dir, 'dropbear.log');
  const knownHosts = join(dir, 'known_hosts');
  const sshConfig = join(dir, 'ssh_config');
  const hostKeyPub = `${hostKey}.pub`;

  await Promise.all([
    run('dropbearkey', ['-t', 'ed25519', '-f', hostKey]),
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'snaptray-test', '-f', clientKey]),
  ]);
  // dropbear wants ~/.ssh and authorized_keys owned by the account and closed to others.
  await mkdir(sshDir, { mode: 0o700 });
  await chown(join(dir, 'home'), uid, gid);
  await chown(sshDir, uid, gid);
  const keyHome: KeyHome = { dir, shell, untaggedRsyncDir: await installUntaggedRsync(dir) };
  const ownedRestrictedDir = async (keyOpts: KeyOptions): Promise<void> => {
    const restricted = keyOpts.restrictedDir;
    if (restricted === undefined || (await pathExists(restricted))) return;
    await mkdir(restricted, { recursive: true });
    await chown(restricted, uid, gid);
  };
  await ownedRestrictedDir(opts);
  await writeFile(authorizedKeys, await authorizedKeyLine(clientKey, opts, keyHome), {
    mode: 0o600,
  });
  await chown(authorizedKeys, uid, gid);
  await writeFile(
    sshConfig,
    '# Pass this file with -F so that the account’s own ~/.ssh/config plays no part.\n',
  );

  const publicLine = (await run('dropbearkey', ['-y', '-f', hostKey])).stdout
    .split('\n')
    .find((line) => line.startsWith('ssh-'));
  if (publicLine === undefined) throw new Error(`no public key from dropbearkey -y -f ${hostKey}`);
  const [keyType, keyData] = publicLine.split(' ');
  await writeFile(hostKeyPub, `${keyType} ${keyData}\n`);

  const server = await launch(
    hostKey,
    join(dir, 'dropbear.pid'),
    logFile,
    options.entware === true ? dir : null,
  );
  await writeFile(knownHosts, `[127.0.0.1]:${server.port} ${keyType} ${keyData}\n`);

  let stopped = false;
  let folders = 0;
  return {
    port: server.port,
    dir,
    clientKey,
    knownHosts,
    sshConfig,
    hostKeyPub,
    user,
    logFile,
    untaggedRsync: join(keyHome.untaggedRsyncDir, 'rsync'),
    uid,
    gid,
    shell,
    async stop() {
      if (stopped) return;
      stopped = true;
      await terminateTree(server.pid);
      // A transfer whose connection broke may have left the account's rsync behind.
      await terminate(await processesOf(uid));
      await removeAccount(user, shell);
      await rm(dir, { recursive: true, force: true });
    },
    async connectionCount() {
      const log = await readFile(logFile, 'utf8');
      return [...log.matchAll(AUTH_LINE)].length;
    },
    async addClientKey(name, keyOpts = {}) {
      if (!KEY_NAME.test(name) || name.startsWith('host_key') || name === 'client_key') {
        throw new Error(`unusable key name ${JSON.stringify(name)}`);
      }
      const key = join(dir, name);
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'snaptray-test', '-f', key]);
      await ownedRestrictedDir(keyOpts);
      await appendFile(authorizedKeys, await authorizedKeyLine(key, keyOpts, keyHome));
      return key;
    },
    async makeRouterFolder(prefix = 'dest-') {
      if (prefix.includes('/')) throw new Error(`a prefix without '/': ${prefix}`);
      const folder = await mkdtemp(join(dir, 'folders', `${folders++}-${prefix}`));
      await chown(folder, uid, gid);
      return folder;
    },
  } satisfies Router;
}

async function pathExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Runs a shell script with `args` while holding the accounts lock. */
async function underAccountsLock(script: string, args: readonly string[]): Promise<void> {
  await mkdir(dirname(ACCOUNTS_LOCK), { recursive: true });
  await run('flock', ['-w', '60', ACCOUNTS_LOCK, '/bin/sh', '-euc', script, 'sh', ...args]);
}

/**
 * Creates the account and lets its shell log in. Accounts and shells of routers whose folder is
 * gone (a test run that was killed) are removed on the way, so they do not pile up across runs.
 */
async function addAccount(user: string, home: string, shell: string): Promise<void> {
  await underAccountsLock(
    `
    for stale in $(awk -F: '$1 ~ /^${USER_PREFIX}/ { print $1 ":" $6 }' /etc/passwd); do
      [ -d "\${stale#*:}" ] || userdel "\${stale%%:*}" 2>/dev/null || true
    done
    tmp=$(mktemp)
    while IFS= read -r line; do
      case $line in
        ${tmpdir()}/snaptray-router-*/bin/sh) [ -e "$line" ] || continue ;;
      esac
      printf '%s\\n' "$line"
    done < /etc/shells > "$tmp"
    grep -qxF "$3" "$tmp" || printf '%s\\n' "$3" >> "$tmp"
    # Rewritten in place: /etc/shells keeps its inode and mode.
    cat "$tmp" > /etc/shells
    rm -f "$tmp"
    useradd -M -d "$2" -s "$3" -p '*' -U "$1"
    `,
    [user, home, shell],
  );
}

async function removeAccount(user: string, shell: string): Promise<void> {
  await underAccountsLock(
    `
    userdel "$1"
    tmp=$(mktemp)
    grep -vxF "$2" /etc/shells > "$tmp" || true
    cat "$tmp" > /etc/shells
    rm -f "$tmp"
    `,
    [user, shell],
  );
}

/** Live processes owned by `uid`, read from /proc/PID/status. */
async function processesOf(uid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const status = await readFile(`/proc/${name}/status`, 'utf8').catch(() => '');
    if (new RegExp(`^Uid:\\t${uid}\\t`, 'm').test(status)) pids.push(Number(name));
  }
  return pids;
}

/**
 * True once dropbear itself took a connection on `port`: its log names the probe's source port,
 * so a stranger that grabbed the port first is not mistaken for it.
 */
async function accepted(port: number, logFile: string): Promise<true> {
  const probePort = await probe(port);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    if (log.includes(`Child connection from 127.0.0.1:${probePort}\n`)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no connection logged by dropbear on port ${port} within 10 s`);
}

interface Launched {
  port: number;
  pid: number;
}

/** Starts dropbear on a free port; tries again if another process took the port meanwhile. */
async function launch(
  hostKey: string,
  pidFile: string,
  logFile: string,
  entwareScratch: string | null,
): Promise<Launched> {
  let failure = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const log = await open(logFile, 'w');
    // -F: stay in the foreground as our child, which Node reaps; -E: log to standard error.
    const plain = {
      file: 'dropbear',
      args: ['-F', '-E', '-p', `127.0.0.1:${port}`, '-r', hostKey, '-P', pidFile],
    };
    const command =
      entwareScratch === null ? plain : entwareLaunch(entwareScratch, plain.file, plain.args);
    const server = spawn(command.file, command.args, { stdio: ['ignore', 'ignore', log.fd] });
    await log.close();
    server.unref();
    const exited = new Promise<string>((resolve) => {
      server.once('error', (error) => resolve(error.message));
      server.once('exit', (code, sig) => resolve(`dropbear exited (code ${code}, signal ${sig})`));
    });
    const outcome = await Promise.race([accepted(port, logFile), exited]);
    if (outcome === true && server.pid !== undefined) return { port, pid: server.pid };
    const text = await readFile(logFile, 'utf8').catch(() => '');
    failure = `${outcome}\n${text}`;
    if (!/Address already in use/.test(text)) break;
  }
  throw new Error(`dropbear did not start: ${failure}`);
}
