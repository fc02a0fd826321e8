/** Why a run or a check did not succeed, as a value the CLI, the tray and the window can show. */
export type FailureKind =
  | 'unreachable'
  | 'connection-refused'
  | 'timeout'
  | 'unknown-host-name'
  | 'connection-closed'
  | 'auth-refused'
  /** The ssh key file named for the login does not exist. */
  | 'ssh-key-missing'
  /** ssh ignored the key because others may read it (bad permissions). */
  | 'ssh-key-too-open'
  /** ssh could not read or load the key (no read permission, damaged, not a private key). */
  | 'ssh-key-unreadable'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'ssh-failed'
  | 'remote-rsync-missing'
  /** rsync is installed on the destination, but not where ssh commands look (--rsync-path). */
  | 'rsync-not-on-path'
  /** rsync on the destination does not know an option it was given. */
  | 'remote-rsync-too-old'
  /** The login prints text before running commands, which breaks rsync's protocol. */
  | 'login-banner'
  /** Another transfer holds rrsync's lock on the destination's folder: retry later. */
  | 'destination-busy'
  /** The key may not delete (rrsync -no-del). */
  | 'delete-refused'
  /** The key may only read (rrsync -ro). */
  | 'key-read-only'
  /** rrsync refused the command for another reason it names. */
  | 'rrsync-refused'
  | 'not-initialised'
  | 'destination-missing'
  /** The destination path is a file, or runs through one. */
  | 'destination-not-folder'
  | 'disk-full'
  | 'full-copies'
  | 'destination-refused'
  | 'killed'
  | 'prefix-owned'
  | 'link-base-missing'
  | 'hook-failed'
  | 'refused'
  | 'rsync-failed'
  | 'source-missing'
  | 'usage'
  | 'settings'
  | 'internal';

export interface Failure {
  kind: FailureKind;
  message: string;
}

export function failure(kind: FailureKind, message: string): Failure {
  return { kind, message };
}

/**
 * The last few meaningful lines of a program's stderr, for messages. rsync's closing lines
 * ("rsync error: … (code 12) at io.c(…)", "connection unexpectedly closed", a broken pipe) are
 * left out when anything else was said: they only follow the line that explains the failure.
 */
export function stderrTail(stderr: string, lines = 3): string {
  const meaningful = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('Warning: Permanently added'));
  const specific = meaningful.filter((l) => !isGenericRsyncLine(l));
  return (specific.length > 0 ? specific : meaningful).slice(-lines).join(' / ');
}

const GENERIC_RSYNC_LINES = [
  /^rsync error: .*\(code \d+\)/,
  /^rsync: connection unexpectedly closed/,
  /^rsync: (?:\[\w+\] )?write error: Broken pipe/,
  /^\(see the rsync manpage for an explanation\)$/,
];

/** One of the lines rsync prints after any failure, which never say why it failed. */
export function isGenericRsyncLine(line: string): boolean {
  return GENERIC_RSYNC_LINES.some((re) => re.test(line));
}
