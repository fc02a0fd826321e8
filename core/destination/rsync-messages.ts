/**
 * What a failed rsync call on the destination means, in words, read from rsync's exit code and
 * standard error as real routers give them (test/fixtures/rsync-messages/ holds captures of each
 * case): the far shell's "rsync: not found", a login that prints text, rrsync's refusals, an rsync
 * on the far side too old for an option, a full disk, a missing folder.
 */
import type { Destination } from './address.js';
import { formatDestination, sshTarget } from './address.js';
import { failure, isGenericRsyncLine, type Failure } from '../errors.js';
import type { SpawnResult } from '../process.js';
import { nonFolder } from './not-a-folder.js';

/** What a failed call was for, and where it went, so the message can say what to do. */
export interface RsyncCall {
  /** What failed, as the start of a sentence: "Listing the destination". */
  what: string;
  dest?: Destination;
}

/**
 * The line of rsync's standard error that explains a failure: the first one that names a cause,
 * not rsync's closing summary ("rsync error: … (code 12)"), "connection unexpectedly closed" or a
 * broken pipe that only follow it. Null when rsync said nothing.
 */
export function explainingLine(stderr: string): string | null {
  const lines = stderr
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('Warning: Permanently added'));
  const cause = lines.find((l) => CAUSES.some((re) => re.test(l)));
  return cause ?? lines.find((l) => !isGenericRsyncLine(l)) ?? lines.at(-1) ?? null;
}

/** Lines that name a cause, preferred over anything said before them. */
const CAUSES = [
  /rrsync error: /,
  /^\w+(?:Error|Exception): /,
  /No space left on device|Disk quota exceeded/,
  /is your shell clean\?/,
  /: unknown option/,
  /: (?:command )?not found$/,
];

/** rrsync's refusal, without its "/usr/bin/rrsync error: " prefix, if rrsync refused. */
export function rrsyncRefusal(stderr: string): string | null {
  return /(?:^|\n)\S*rrsync error: (.*)/.exec(stderr)?.[1]?.trim() ?? null;
}

/** rrsync's words when another transfer holds its folder's lock (busy, not broken). */
const BUSY_REFUSAL = /Another instance of rrsync is already accessing/;

/** Whether a failed rsync call was refused because another transfer held rrsync's lock. */
export function refusedAsBusy(result: SpawnResult): boolean {
  if (result.exitCode === 0 || result.cancelled) return false;
  const refusal = rrsyncRefusal(result.stderr);
  return refusal !== null && BUSY_REFUSAL.test(refusal);
}

/** The error that ended rrsync, when it ended in a Python traceback rather than its own words. */
export function rrsyncTraceback(stderr: string): string | null {
  if (!/File "[^"]*rrsync", line \d+/.test(stderr)) return null;
  return /^(\w+(?:Error|Exception): .*)$/m.exec(stderr)?.[1] ?? 'Traceback';
}

/**
 * The start of the text a login printed, when rsync read it as its protocol version: rsync takes
 * the first four bytes as a little-endian number (`remote=1668048215` is "Welc"). Null for a real
 * protocol version.
 */
export function bannerStart(protocol: number): string | null {
  if (protocol >= 20 && protocol < 100) return null;
  const bytes = [0, 8, 16, 24].map((shift) => Math.floor(protocol / 2 ** shift) % 256);
  return bytes
    .map((b) =>
      b === 10 ? '\\n' : b === 13 ? '\\r' : b >= 32 && b < 127 ? String.fromCharCode(b) : '?',
    )
    .join('');
}

/** How to make a login quiet for commands, on the systems routers and NAS boxes run. */
export function quietLoginAdvice(dest: Destination | undefined): string {
  const test =
    dest?.kind === 'ssh'
      ? `"ssh ${sshTarget(dest)} true" (with the same port and key) must print nothing.`
      : 'ssh to it with a command (ssh user@host true) must print nothing.';
  return (
    `Make the login print nothing when it runs a command: ${test} On a router with dropbear and ` +
    'BusyBox (OpenWrt, Asuswrt-Merlin), commands read no startup files: look for a ' +
    'command="…" in the key\'s line in authorized_keys that prints something. Where the login ' +
    'shell is bash (most NAS and Linux servers), ssh commands read ~/.bashrc: print there only in ' +
    'interactive shells ([ -t 1 ] && echo …), or move the message to ~/.bash_profile.'
  );
}

/** The program the far shell could not find: "rsync", or the path given with --rsync-path. */
export function missingProgram(result: SpawnResult): string | null {
  const err = result.stderr;
  const named =
    /:\s(\S+):\s(?:command\s)?not found\s*$/m.exec(err)?.[1] ??
    /command not found: (\S+)/.exec(err)?.[1] ??
    (result.exitCode === 127 ? /:\s(\/\S+):\sNo such file or directory\s*$/m.exec(err)?.[1] : null);
  if (named !== undefined && named !== null && named.includes('rsync')) return named;
  if (result.exitCode === 127 && /remote command not found/.test(err)) return 'rsync';
  return null;
}

// Not -absolute: rrsync applies it to file names only, never to --link-dest, so the snapshots
// through such a key could not be hard-linked.
export const RRSYNC_PATHS =
  'With a key restricted by rrsync, destination paths are relative to the key\'s folder: use "/" ' +
  'for that folder itself.';

/** Names a failed rsync call on the destination in words. */
export function classifyRsyncFailure(
  result: SpawnResult,
  what: string,
  dest?: Destination,
): Failure {
  const err = result.stderr;
  const line = explainingLine(err);
  const quoted = line === null ? '' : ` (rsync said: "${line}")`;
  if (result.cancelled || result.exitCode === 20 || result.signal !== null) {
    return failure('killed', `${what} was stopped.`);
  }
  if (result.startError) {
    return failure(
      'internal',
      `rsync could not be started on this computer (${result.startError}). Install it ` +
        '(sudo apt install rsync).',
    );
  }
  if (/is your shell clean\?/.test(err)) {
    return failure(
      'login-banner',
      `${what} failed: the destination's login prints text before it runs commands, and rsync ` +
        `read that text as the start of its protocol ("protocol version mismatch -- is your shell ` +
        `clean?"). ${quietLoginAdvice(dest)}`,
    );
  }
  const program = missingProgram(result);
  if (program !== null) return rsyncNotFound(program);
  const crash = rrsyncTraceback(err);
  if (crash !== null) return rrsyncCrash(crash, what);
  const refusal = rrsyncRefusal(err);
  if (
    refusal !== null &&
    /post-realpath open failed.*(?:No such file or directory|Not a directory)$/.test(refusal)
  ) {
    return /Not a directory$/.test(refusal) && dest !== undefined
      ? nonFolder(formatDestination(dest), undefined)
      : missingFolder(err, dest);
  }
  if (refusal !== null) return rrsyncFailure(refusal, what);
  const unknown = /(?:on remote machine: )?(-{1,2}[\w-]+(?:=\S*)?): unknown option/.exec(err);
  if (unknown?.[1] !== undefined) {
    const version = /\[server=([\w.]+)\]/.exec(err)?.[1];
    const option = unknown[1];
    const fromRrsync = /^--(?:drop-D|confine-root)\b/.test(option);
    return failure(
      'remote-rsync-too-old',
      `${what} failed: rsync on the destination${version ? ` (version ${version})` : ''} does not ` +
        `know the option ${option}. ` +
        (fromRrsync
          ? 'rrsync from rsync 3.5 or newer adds it, so the key runs an rrsync newer than the ' +
            "destination's rsync: use the rrsync that came with the destination's own rsync, or " +
            'update rsync there.'
          : 'Update rsync on the destination.'),
    );
  }
  if (/No space left on device|Disk quota exceeded/i.test(err)) {
    return failure(
      'disk-full',
      `The destination is full (${what}). Delete old snapshots with "snaptray prune", lower the ` +
        'retention, or use a bigger disk.',
    );
  }
  if (/change_dir .* failed: Not a directory/i.test(err) && dest !== undefined) {
    return nonFolder(formatDestination(dest), undefined);
  }
  if (/(?:change_dir|mkdir) .* failed: No such file or directory/i.test(err)) {
    return missingFolder(err, dest);
  }
  if (/Permission denied/i.test(err) && /\[(?:receiver|generator)\]/.test(err)) {
    return failure('refused', `The destination refused to be written${quoted}.`);
  }
  if (result.exitCode === 255 || /ssh:|connection unexpectedly closed/i.test(err)) {
    return failure(
      'connection-closed',
      `The connection to the destination broke (${what}): ${line ?? 'no message'}`,
    );
  }
  return failure(
    'rsync-failed',
    `${what} failed (rsync exit ${String(result.exitCode)}): ${line ?? 'no message'}`,
  );
}

function missingFolder(err: string, dest: Destination | undefined): Failure {
  return failure(
    'destination-missing',
    `The destination folder ${destPath(err)}does not exist. Check the path, and that the disk ` +
      `is mounted.${dest?.kind === 'ssh' ? ` ${RRSYNC_PATHS}` : ''}`,
  );
}

function rsyncNotFound(program: string): Failure {
  if (program.startsWith('/')) {
    return failure(
      'remote-rsync-missing',
      `rsync was not found on the destination at ${program}, the rsync path set for it ` +
        '(--rsync-path). Correct the path ("snaptray check" looks in the usual places), or ' +
        'install rsync there.',
    );
  }
  return failure(
    'remote-rsync-missing',
    'rsync was not found on the destination: it is not on the PATH that ssh commands get there. ' +
      'If rsync is installed elsewhere (Entware puts it in /opt/bin), set its full path with ' +
      '--rsync-path, e.g. --rsync-path /opt/bin/rsync ("snaptray check" looks in the usual ' +
      'places). If it is not installed, install it (on Entware: opkg install rsync).',
  );
}

function rrsyncCrash(error: string, what: string): Failure {
  // rrsync locks its folder before it checks that the folder exists.
  const missing = /^FileNotFoundError: .*No such file or directory: '(.*)'$/.exec(error)?.[1];
  if (missing !== undefined) {
    return failure(
      'destination-missing',
      `${what} failed: the folder the destination's rrsync key is confined to does not exist ` +
        `("${missing}"). Check that the disk is mounted and the folder in the key's command= exists.`,
    );
  }
  return failure(
    'rrsync-refused',
    `${what} failed: rrsync, which the destination's key runs, stopped with an error: "${error}".`,
  );
}

function rrsyncFailure(refusal: string, what: string): Failure {
  const rrsync = "the destination's key is restricted with rrsync";
  if (BUSY_REFUSAL.test(refusal)) {
    return failure(
      'destination-busy',
      `The destination is busy: ${lowerFirst(what)} was refused because another transfer is ` +
        `using its folder through a key restricted with rrsync, which lets one transfer at a time ` +
        'through such keys (another backup, or a listing from another machine or window). Nothing ' +
        'was changed; try again later. Giving the key -no-lock, or using a separate read-only key ' +
        '(rrsync -ro, which takes no lock) for browsing and restoring, lets transfers overlap.',
    );
  }
  if (/sending to read-only server is not allowed/.test(refusal)) {
    return failure(
      'key-read-only',
      `${what} failed: the destination's key is read-only (rrsync -ro): it can list and restore ` +
        'snapshots but not write anything. Back up with a key that is not read-only (--ssh-key), ' +
        'and keep this one for browsing.',
    );
  }
  if (/reading from write-only server is not allowed/.test(refusal)) {
    return failure(
      'rrsync-refused',
      `${what} failed: the destination's key is write-only (rrsync -wo): it cannot list or read ` +
        'the destination, which Snaptray needs. Use a key without -wo.',
    );
  }
  const disabled = /option (\S+) has been disabled/.exec(refusal)?.[1];
  if (disabled !== undefined && /^--(?:delete|remove-source-files)/.test(disabled)) {
    return failure(
      'delete-refused',
      `${what} was refused: the destination's key may not delete (rrsync -no-del refused ` +
        `${disabled}), so nothing was deleted. Backups through this key work. To prune, add a ` +
        'second key without -no-del and use it for "snaptray prune" and "snaptray delete" ' +
        '(--ssh-key), or delete old snapshots on the router.',
    );
  }
  if (disabled !== undefined) {
    const secluded = /^-s$|^--(?:secluded|protect)-args/.test(disabled);
    return failure(
      'rrsync-refused',
      `${what} failed: ${rrsync}, which does not allow the option ${disabled} ("${refusal}"). ` +
        (secluded
          ? 'rsync sends it because RSYNC_PROTECT_ARGS is set in the environment: unset it.'
          : 'Use a key whose rrsync allows it, or a key without rrsync.'),
    );
  }
  if (/does not run rsync/.test(refusal)) {
    return failure(
      'rrsync-refused',
      `${what} failed: ${rrsync}, which runs its own rsync and accepts only the command "rsync" ` +
        `("${refusal}"). Clear the rsync path (--rsync-path) for this key.`,
    );
  }
  if (/Restricted directory does not exist/.test(refusal)) {
    return failure(
      'destination-missing',
      `${what} failed: the folder the destination's rrsync key is confined to does not exist ` +
        `("${refusal}"). Check that the disk is mounted and the folder in the key's command= exists.`,
    );
  }
  if (/unable to chdir to restricted dir/.test(refusal)) {
    return failure(
      'destination-missing',
      `${what} failed: the folder the destination's rrsync key is confined to cannot be entered ` +
        `("${refusal}"). Check that the disk is mounted and the folder in the key's command= exists.`,
    );
  }
  if (/invalid rsync-command syntax or options/.test(refusal)) {
    return failure(
      'rrsync-refused',
      `${what} failed: ${rrsync}, which did not accept the command rsync sent ("${refusal}"). ` +
        'rrsync refuses options it does not know; an rrsync older than the rsync on this computer ' +
        'may not know one this rsync sends. Update rsync (and its rrsync) on the destination, or ' +
        'use a key without rrsync.',
    );
  }
  return failure('rrsync-refused', `${what} failed: ${rrsync}, which refused it: "${refusal}".`);
}

/** The folder that is missing: the one rsync could not enter, or the parent of the one it could not create. */
function destPath(err: string): string {
  const entered =
    /change_dir "([^"]*)"/.exec(err)?.[1] ??
    /post-realpath open failed \(race detected\): (.*?)\/?\.? (?:No such file or directory|Not a directory)$/m.exec(
      err,
    )?.[1];
  if (entered !== undefined) return `"${entered}" `;
  const created = /mkdir "([^"]*)"/.exec(err)?.[1];
  if (created === undefined) return '';
  const parent = created.replace(/\/+$/, '').replace(/\/[^/]*$/, '');
  return `"${parent === '' ? '/' : parent}" `;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
