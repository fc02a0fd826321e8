/**
 * ssh for one run: a generated config file (keeps user paths out of rsync's `-e` string), one
 * master connection that rsync reuses, and connection failures classified in words.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Destination } from '../destination/address.js';
import { sshTarget } from '../destination/address.js';
import { failure, stderrTail, type Failure } from '../errors.js';
import type { Spawn } from '../process.js';

export interface SshOptions {
  port: number | null;
  identityFile: string | null;
  /** Added to the user's own known_hosts files, which stay in effect. */
  knownHostsFiles: readonly string[];
  /** The user's ssh config to include, so their own host settings still apply. */
  includeConfig: string | null;
  connectTimeoutSeconds: number;
}

export interface SshSession {
  configFile: string;
  target: string;
  /** For rsync's `-e`: rsync splits it on spaces itself, so it holds only our own paths. */
  rsyncShell: string;
}

/**
 * A path as one ssh_config value: quoted, and with `%` doubled where ssh expands `%h`, `%d`, …
 * (IdentityFile, UserKnownHostsFile, ControlPath; not Include, which takes the path as it is).
 */
function quoteConfigValue(field: string, value: string, tokens = true): string {
  if (/["\n\r\0]/.test(value)) {
    throw new SshConfigError(
      `${field} "${value}" contains a quote or line break, which ssh cannot read`,
    );
  }
  return `"${tokens ? value.replace(/%/g, '%%') : value}"`;
}

export class SshConfigError extends Error {}

/**
 * The per-run ssh config. Settings before any Host line apply to every host, and ssh takes the
 * first value it reads, so ours come first and the user's own file is included after them.
 */
export function sshConfigText(
  opts: SshOptions,
  controlPath: string,
  userKnownHosts: string[],
): string {
  const lines = [
    '# Written by Snaptray for one run; safe to delete.',
    'BatchMode yes',
    'StrictHostKeyChecking yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    `ConnectTimeout ${opts.connectTimeoutSeconds}`,
    'ServerAliveInterval 15',
    'ServerAliveCountMax 4',
    'ControlMaster no',
    `ControlPath ${quoteConfigValue('the control path', controlPath)}`,
    `UserKnownHostsFile ${[...userKnownHosts, ...opts.knownHostsFiles]
      .map((f) => quoteConfigValue('the known_hosts file', f))
      .join(' ')}`,
  ];
  if (opts.port !== null) lines.push(`Port ${opts.port}`);
  if (opts.identityFile !== null) {
    lines.push(`IdentityFile ${quoteConfigValue('the ssh key file', opts.identityFile)}`);
    lines.push('IdentitiesOnly yes');
  }
  if (opts.includeConfig !== null) {
    lines.push(`Include ${quoteConfigValue('the ssh config file', opts.includeConfig, false)}`);
  }
  return lines.join('\n') + '\n';
}

/** The master connection's socket in a run's folder: short, as a socket path fits in 108 bytes. */
export const CONTROL_SOCKET = 'c';

export async function prepareSsh(
  dest: Extract<Destination, { kind: 'ssh' }>,
  opts: SshOptions,
  runDir: string,
  userKnownHosts: string[],
): Promise<SshSession> {
  const configFile = join(runDir, 'ssh_config');
  const controlPath = join(runDir, CONTROL_SOCKET);
  await writeFile(configFile, sshConfigText(opts, controlPath, userKnownHosts), { mode: 0o600 });
  if (/\s/.test(configFile)) throw new SshConfigError(`the run folder ${runDir} contains a space`);
  return { configFile, target: sshTarget(dest), rsyncShell: `ssh -F ${configFile}` };
}

/** Opens the master connection every later ssh and rsync of the run goes through. */
export async function openMaster(
  spawn: Spawn,
  session: SshSession,
  signal?: AbortSignal,
): Promise<{ ok: true } | { ok: false; failure: Failure; stderr: string }> {
  const result = await spawn({
    file: 'ssh',
    args: [
      '-F',
      session.configFile,
      '-o',
      'ControlMaster=yes',
      '-o',
      'ControlPersist=120',
      '-N',
      '-f',
      '--',
      session.target,
    ],
    signal,
  });
  if (result.exitCode === 0) return { ok: true };
  if (result.cancelled) {
    return {
      ok: false,
      failure: failure('killed', 'Stopped while connecting.'),
      stderr: result.stderr,
    };
  }
  return {
    ok: false,
    failure: classifySshFailure(result.stderr, session.target),
    stderr: result.stderr,
  };
}

/** The account ssh logs in as, after the user's own ssh config (`ssh -G`); null if it will not say. */
export async function remoteUser(spawn: Spawn, session: SshSession): Promise<string | null> {
  const result = await spawn({
    file: 'ssh',
    args: ['-F', session.configFile, '-G', '--', session.target],
  });
  if (result.exitCode !== 0) return null;
  return /^user (\S+)$/m.exec(result.stdout)?.[1] ?? null;
}

export async function closeMaster(spawn: Spawn, session: SshSession): Promise<void> {
  await spawn({
    file: 'ssh',
    args: ['-F', session.configFile, '-O', 'exit', '--', session.target],
  });
}

/** How long a dead run's master may take to answer "exit" before it is left for later. */
const LEFTOVER_EXIT_MS = 10_000;

/**
 * Ends the master listening on `socket`, one a dead run left lingering (ControlPersist). The
 * socket alone names it: no config file is read, and the host name is never looked up.
 */
export async function closeLeftoverMaster(spawn: Spawn, socket: string): Promise<void> {
  await spawn({
    file: 'ssh',
    args: [
      '-F',
      'none',
      '-o',
      `ControlPath=${socket.replace(/%/g, '%%')}`,
      '-O',
      'exit',
      '--',
      'snaptray-leftover',
    ],
    signal: AbortSignal.timeout(LEFTOVER_EXIT_MS),
  });
}

/** Names a failed ssh connection from ssh's own words (rsync's exit code for it is unreliable). */
export function classifySshFailure(stderr: string, target: string): Failure {
  const s = stderr;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(s)) {
    return failure(
      'host-key-changed',
      `The host key of ${target} has CHANGED since it was trusted. This can mean someone is ` +
        'intercepting the connection, or the router was reinstalled. Nothing was sent. Check the ' +
        'router, then remove the old key from your known_hosts file yourself.',
    );
  }
  if (/No .* host key is known for|Host key verification failed/i.test(s)) {
    return failure(
      'host-key-unknown',
      `The host key of ${target} is not known yet, and Snaptray never trusts a key without asking. ` +
        'Connect once with ssh and check the fingerprint, or trust it in the settings window.',
    );
  }
  if (/Permission denied|Too many authentication failures/i.test(s)) {
    return (
      keyProblem(s, target) ??
      failure(
        'auth-refused',
        `${target} refused the login (authentication failed). Check the user name and that this ` +
          "machine's public key is in the router's authorized_keys.",
      )
    );
  }
  if (/Connection refused/i.test(s)) {
    return failure(
      'connection-refused',
      `${target} refused the connection: no ssh server is listening on that port. Check the port ` +
        'and that the ssh server on the router is running.',
    );
  }
  if (
    /Could not resolve hostname|Name or service not known|Temporary failure in name resolution/i.test(
      s,
    )
  ) {
    return failure(
      'unknown-host-name',
      `The host name of ${target} cannot be resolved. Check the spelling and the network.`,
    );
  }
  if (/timed out/i.test(s)) {
    return failure(
      'timeout',
      `${target} did not answer in time: it is switched off, asleep or not on this network.`,
    );
  }
  if (/No route to host|Network is unreachable/i.test(s)) {
    return failure('unreachable', `${target} cannot be reached from this network.`);
  }
  if (/Connection closed|Connection reset|kex_exchange_identification/i.test(s)) {
    return failure(
      'connection-closed',
      `${target} closed the connection before login (${stderrTail(s, 1)}).`,
    );
  }
  return failure('ssh-failed', `ssh to ${target} failed: ${stderrTail(s) || 'no message'}`);
}

/**
 * The reason ssh itself gave for having no usable key, which the login's "Permission denied"
 * only follows: a missing key file, a key others may read, a key it cannot read or load.
 */
function keyProblem(stderr: string, target: string): Failure | null {
  const refused = `${target} refused the login`;
  const missing = /^no such identity: (.+): No such file or directory$/m.exec(stderr)?.[1];
  if (missing !== undefined) {
    return failure(
      'ssh-key-missing',
      `${refused}: the ssh key file ${missing} does not exist, so ssh had no key to offer ` +
        '("no such identity"). Check the path of the ssh key (--ssh-key, or the key in the ' +
        'settings). On a new machine, copy the private key from the old one, or make a new key ' +
        "with ssh-keygen and add its .pub to the router's authorized_keys.",
    );
  }
  const open = /^Permissions (\d+) for '(.+)' are too open\.$/m.exec(stderr);
  if (open?.[1] !== undefined && open[2] !== undefined) {
    const [, mode, path] = open;
    return failure(
      'ssh-key-too-open',
      `${refused}: ssh ignored the key ${path} because others may read it (mode ${mode}); ssh ` +
        `uses a private key only when its owner alone can read it. Fix: chmod 600 ${path}` +
        (path.endsWith('.pub')
          ? '. This file is a public key, though: give the private key, the same path without .pub.'
          : '.'),
    );
  }
  const load =
    /^Load key "(.+)": (.+)$/m.exec(stderr) ?? /^no such identity: (.+): (.+)$/m.exec(stderr);
  if (load?.[1] !== undefined && load[2] !== undefined) {
    const [, path, reason] = load;
    const fix = /Permission denied/i.test(reason)
      ? 'this account may not read it. Give it to the account that runs Snaptray, readable by ' +
        `that account alone (as root: chown ACCOUNT ${path}; chmod 600 ${path}), or run ` +
        "Snaptray as the key's owner."
      : 'it is not a private key ssh can load: a damaged or cut-off copy, or another kind of ' +
        'file. Copy the private key again (the file that begins "-----BEGIN OPENSSH PRIVATE ' +
        'KEY-----"), or make a new key with ssh-keygen and add its .pub to the router\'s ' +
        'authorized_keys.';
    return failure(
      'ssh-key-unreadable',
      `${refused}: ssh cannot read the key ${path} ("${reason}"): ${fix}`,
    );
  }
  return null;
}
