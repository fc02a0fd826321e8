/** Why a run or a check did not succeed, as a value the CLI, the tray and the window can show. */
export type FailureKind =
  | 'unreachable'
  | 'connection-refused'
  | 'timeout'
  | 'unknown-host-name'
  | 'connection-closed'
  | 'auth-refused'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'ssh-failed'
  | 'remote-rsync-missing'
  | 'not-initialised'
  | 'destination-missing'
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

/** The last few meaningful lines of a program's stderr, for messages. */
export function stderrTail(stderr: string, lines = 3): string {
  return stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('Warning: Permanently added'))
    .slice(-lines)
    .join(' / ');
}
