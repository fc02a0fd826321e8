/**
 * Paths on an ssh destination as rsync's command line must spell them. How the far side reads a
 * remote path depends on the local rsync:
 * - 3.2.4 and newer backslash the far shell's special characters themselves, but leave `*`, `?`,
 *   `[` and `]` in file names for the far side to expand (restoring `x[1].txt` fetched `x1.txt`);
 *   option values such as `--link-dest` are escaped completely.
 * - Older clients, `--old-args` and RSYNC_OLD_ARGS hand file names to the far shell as they are:
 *   it splits them at spaces and expands wildcards. Before 3.2.4 (and with RSYNC_OLD_ARGS=2) the
 *   option values too.
 * - With secluded (protected) arguments nothing passes a shell; a far side that sends files
 *   still expands wildcards in each path component that holds one.
 * `-s` is no way out: rrsync refuses it.
 */
import type { Spawn } from '../process.js';

export interface RemoteArgStyle {
  /** How file names reach the far side. */
  names: 'wildcards' | 'shell' | 'secluded';
  /** Whether option values reach the far shell as they are (`shell`) or escaped by rsync. */
  options: 'escaped' | 'shell';
}

/** rsync 3.2.4 and newer, run without old or secluded arguments. */
export const MODERN_STYLE: RemoteArgStyle = { names: 'wildcards', options: 'escaped' };

/** Which side of the transfer the far side is for this path. */
export type RemoteRole = 'source' | 'target';

/**
 * The style of the local rsync, from `rsync --version` and the environment it runs in, following
 * rsync's own rules: RSYNC_OLD_ARGS (3.2.4+) wins over RSYNC_PROTECT_ARGS (3.1.0+), which wins over
 * the built-in default ("default secluded-args" in the version text).
 */
export function argStyleOf(versionText: string, env: NodeJS.ProcessEnv): RemoteArgStyle {
  const m = /version\s+(\d+)\.(\d+)\.(\d+)/.exec(versionText);
  const version = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [3, 2, 4];
  const atLeast = (...v: number[]) => compare(version, v) >= 0;
  const setting = (name: string) => {
    const value = env[name];
    return value === undefined || value === '' ? null : value;
  };
  if (atLeast(3, 2, 4)) {
    const old = setting('RSYNC_OLD_ARGS');
    if (old !== null) {
      const level = leadingInt(old);
      if (level >= 2) return { names: 'shell', options: 'shell' };
      if (level === 1) return { names: 'shell', options: 'escaped' };
      return MODERN_STYLE;
    }
  }
  const protect = atLeast(3, 1, 0) ? setting('RSYNC_PROTECT_ARGS') : null;
  const secluded =
    protect !== null
      ? leadingInt(protect) !== 0
      : /default (?:secluded|protect)-args/.test(versionText);
  if (secluded) return { names: 'secluded', options: 'escaped' };
  return atLeast(3, 2, 4) ? MODERN_STYLE : { names: 'shell', options: 'shell' };
}

/** Like C's atoi: the leading integer, 0 when there is none. */
function leadingInt(text: string): number {
  const m = /^\s*[+-]?\d+/.exec(text);
  return m ? Number(m[0]) : 0;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** A path on the destination as an rsync file-name argument (the part after `host:`). */
export function remoteName(path: string, style: RemoteArgStyle, role: RemoteRole): string {
  switch (style.names) {
    case 'wildcards':
      // A backslash before a wildcard passes rsync unchanged; any other backslash rsync doubles.
      return path.replace(/[*?[\]]/g, (c) => `\\${c}`);
    case 'shell':
      return shellEscape(path);
    case 'secluded':
      return role === 'source' ? path.split('/').map(literalComponent).join('/') : path;
  }
}

/** A destination path as the value of an option such as `--link-dest`. */
export function remoteOptionValue(path: string, style: RemoteArgStyle): string {
  return style.options === 'shell' ? shellEscape(path) : path;
}

/**
 * A backslash before every character a POSIX shell (BusyBox ash, dash) treats specially. Bytes
 * beyond ASCII are never special, and a backslash before one would split a UTF-8 character.
 */
function shellEscape(text: string): string {
  return text.replace(/[^A-Za-z0-9_./:=@%+,\u0080-\uffff-]/g, (c) => `\\${c}`);
}

/** rsync matches a component with wildcards as a pattern and takes any other one literally. */
function literalComponent(component: string): string {
  return /[*?[]/.test(component) ? component.replace(/[*?[\]\\]/g, (c) => `\\${c}`) : component;
}

export interface LocalRsync {
  /** "3.5.0", or null when rsync does not run here. */
  version: string | null;
  /** `rsync --version`'s output. */
  versionText: string;
  /** Why it does not run. */
  problem: string | null;
}

let localRsync: Promise<LocalRsync> | null = null;

/** The local rsync's version, found out once per process. */
export function localRsyncVersion(spawn: Spawn): Promise<LocalRsync> {
  localRsync ??= spawn({ file: 'rsync', args: ['--version'] }).then((r) => {
    const version = /version\s+(\d+\.\d+\.\d+\S*)/.exec(r.stdout)?.[1] ?? null;
    if (r.exitCode === 0 && version !== null) {
      return { version, versionText: r.stdout, problem: null };
    }
    const problem = r.startError ?? `rsync --version exited with ${String(r.exitCode)}`;
    return { version: null, versionText: '', problem };
  });
  return localRsync;
}

/** The local rsync's style in this process's environment, which the rsync it starts inherits. */
export async function localArgStyle(spawn: Spawn, env: NodeJS.ProcessEnv): Promise<RemoteArgStyle> {
  return argStyleOf((await localRsyncVersion(spawn)).versionText, env);
}
