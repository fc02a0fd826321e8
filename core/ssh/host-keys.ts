/**
 * Trusting a destination's ssh host key: scan it, show its fingerprint, and write it to the app's
 * own known_hosts file only once the user has seen exactly that fingerprint.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hostProblem } from '../destination/address.js';
import { failure, stderrTail, type Failure } from '../errors.js';
import type { Spawn } from '../process.js';
import { classifySshFailure } from './master.js';

/** A host key that ssh does not know yet, offered to the user to trust. */
export interface HostKeyOffer {
  host: string;
  port: number;
  /** Such as `ssh-ed25519`. */
  keyType: string;
  /** `SHA256:…`, as `ssh-keygen -l` prints it. */
  fingerprint: string;
}

export type ScannedHostKey = HostKeyOffer & { knownHostsLine: string };

const SCAN_TIMEOUT_SECONDS = 10;

/** The order in which OpenSSH offers host key algorithms to a server it has no key for yet. */
const PREFERRED_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const;

/**
 * Where ssh really connects for `host`: the user's ssh config may turn an alias into another
 * HostName and Port (`ssh -G` prints what it resolved, and connects nowhere). A port given in
 * the profile wins over the config, as it does in the backup's own ssh config.
 */
export async function resolveSshHost(
  spawn: Spawn,
  host: string,
  port: number | null,
  configFile: string | null,
  signal?: AbortSignal,
): Promise<{ host: string; port: number }> {
  const fallback = { host, port: port ?? 22 };
  if (host.startsWith('-')) return fallback;
  const result = await spawn({
    file: 'ssh',
    args: [
      '-G',
      '-F',
      configFile ?? '/dev/null',
      ...(port !== null ? ['-p', String(port)] : []),
      '--',
      host,
    ],
    signal,
  });
  if (result.exitCode !== 0) return fallback;
  const settings = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) settings.set(line.slice(0, space), line.slice(space + 1).trim());
  }
  const resolvedPort = Number(settings.get('port'));
  return {
    host: settings.get('hostname') || host,
    port: Number.isInteger(resolvedPort) && resolvedPort > 0 ? resolvedPort : fallback.port,
  };
}

/** Fetches the key ssh would check first, with its fingerprint and the known_hosts line for it. */
export async function scanHostKey(
  spawn: Spawn,
  host: string,
  port: number,
  signal?: AbortSignal,
): Promise<{ ok: true; value: ScannedHostKey } | { ok: false; failure: Failure }> {
  // A destination writes an IPv6 address in brackets; ssh-keyscan and the window use it bare.
  const problem = hostProblem(/^[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*$/.test(host) ? `[${host}]` : host);
  if (problem) return { ok: false, failure: failure('settings', `The host ${problem}.`) };
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return {
      ok: false,
      failure: failure('settings', `The port ${port} is not a port number (1 to 65535).`),
    };
  }
  const bare = unbracket(host);
  const result = await spawn({
    file: 'ssh-keyscan',
    args: [
      '-p',
      String(port),
      '-T',
      String(SCAN_TIMEOUT_SECONDS),
      '-t',
      'ed25519,ecdsa,rsa',
      '--',
      bare,
    ],
    signal,
  });
  if (result.cancelled) return { ok: false, failure: failure('killed', 'Stopped while scanning.') };
  if (result.startError) {
    return {
      ok: false,
      failure: failure('internal', `ssh-keyscan could not be started: ${result.startError}`),
    };
  }
  const key = pickKey(result.stdout);
  if (key === null) {
    return { ok: false, failure: await explainNoKey(spawn, bare, port, result.stderr, signal) };
  }
  return {
    ok: true,
    value: {
      host: bare.toLowerCase(),
      port,
      keyType: key.type,
      fingerprint: fingerprintOf(key.blob),
      knownHostsLine: `${knownHostsName(bare, port)} ${key.type} ${key.blob}`,
    },
  };
}

/**
 * Scans the key again and appends it to the app's known_hosts file, only when it still has the
 * fingerprint the user was shown, and `confirm` (the app's own question, showing the key scanned)
 * says yes.
 */
export async function trustHostKey(
  spawn: Spawn,
  appKnownHosts: string,
  request: { host: string; port: number; fingerprint: string },
  options: { signal?: AbortSignal; confirm?: (offer: HostKeyOffer) => Promise<boolean> } = {},
): Promise<{ ok: true; value: HostKeyOffer } | { ok: false; failure: Failure }> {
  const scanned = await scanHostKey(spawn, request.host, request.port, options.signal);
  if (!scanned.ok) return scanned;
  const { knownHostsLine, ...offer } = scanned.value;
  if (offer.fingerprint !== request.fingerprint) {
    return {
      ok: false,
      failure: failure(
        'host-key-changed',
        `The host key of ${offer.host} port ${offer.port} changed since you looked at it: it was ` +
          `${request.fingerprint}, it is now ${offer.fingerprint}. Nothing was trusted. This can mean ` +
          'someone is intercepting the connection; check the router before trying again.',
      ),
    };
  }
  if (options.confirm !== undefined && !(await options.confirm(offer))) {
    return {
      ok: false,
      failure: failure('refused', 'Nothing was trusted: you did not confirm the host key.'),
    };
  }
  try {
    await mkdir(dirname(appKnownHosts), { recursive: true, mode: 0o700 });
    const existing = await readFile(appKnownHosts, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return '';
      throw e;
    });
    const lines = existing.split('\n').map((l) => l.trim());
    if (!lines.includes(knownHostsLine)) {
      const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
      await appendFile(appKnownHosts, `${separator}${knownHostsLine}\n`, { mode: 0o600 });
    }
  } catch (e) {
    return {
      ok: false,
      failure: failure(
        'internal',
        `The host key could not be saved in ${appKnownHosts}: ${(e as Error).message}`,
      ),
    };
  }
  return { ok: true, value: offer };
}

/** The fingerprint `ssh-keygen -l` prints: SHA-256 of the key blob, unpadded base64. */
export function fingerprintOf(base64Blob: string): string {
  const digest = createHash('sha256').update(Buffer.from(base64Blob, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/** How known_hosts names a host: bare on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  const bare = unbracket(host).toLowerCase();
  return port === 22 ? bare : `[${bare}]:${port}`;
}

/** The preferred key among ssh-keyscan's output lines (`name type base64`). */
export function pickKey(output: string): { type: string; blob: string } | null {
  const keys = new Map<string, string>();
  for (const line of output.split('\n')) {
    if (line.startsWith('#')) continue;
    const [, type, blob] = line.trim().split(/\s+/);
    if (type !== undefined && blob !== undefined && /^[A-Za-z0-9+/]+=*$/.test(blob)) {
      if (!keys.has(type)) keys.set(type, blob);
    }
  }
  for (const type of PREFERRED_TYPES) {
    const blob = keys.get(type);
    if (blob !== undefined) return { type, blob };
  }
  return null;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * ssh-keyscan says nothing about a refused or timed-out connection, so one plain ssh attempt
 * (which trusts no key and sends nothing) names the reason in ssh's own words.
 */
async function explainNoKey(
  spawn: Spawn,
  host: string,
  port: number,
  keyscanStderr: string,
  signal?: AbortSignal,
): Promise<Failure> {
  const target = port === 22 ? host : `${host} port ${port}`;
  const probe = await spawn({
    file: 'ssh',
    args: [
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      `ConnectTimeout=${SCAN_TIMEOUT_SECONDS}`,
      '-p',
      String(port),
      '--',
      host,
      'true',
    ],
    signal,
  });
  if (probe.cancelled) return failure('killed', 'Stopped while scanning.');
  const classified = classifySshFailure(`${keyscanStderr}\n${probe.stderr}`, target);
  // The server answered and showed a key, yet ssh-keyscan got none: no usable key type.
  if (classified.kind === 'host-key-unknown') {
    return failure(
      'ssh-failed',
      `${target} answered but offered no ed25519, ecdsa or rsa host key that Snaptray can check.`,
    );
  }
  if (classified.kind === 'ssh-failed') {
    return failure(
      'unreachable',
      `No host key could be read from ${target}: ${stderrTail(probe.stderr) || 'no answer'}. ` +
        'Check the host name, the port and the network.',
    );
  }
  return classified;
}
