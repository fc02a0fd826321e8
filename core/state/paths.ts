import { chmod, lstat, mkdir, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { PROFILE_NAME_PATTERN } from '../settings/schema.js';

/**
 * Where Snaptray keeps its files. PERSISTED FORMAT: the tray app and the CLI (often run by cron)
 * find each other's state, settings and ssh sockets only through these paths; change them only
 * with a migration.
 *
 *   $XDG_STATE_HOME/snaptray/<profile>/   history, logs, lock, pause (default ~/.local/state)
 *   $XDG_CONFIG_HOME/Snaptray/            config.json (default ~/.config)
 *   $XDG_RUNTIME_DIR/snaptray/            ssh ControlPath sockets (else /tmp/snaptray-<uid>)
 */

/** The XDG base directory spec says relative values are invalid and must be ignored. */
function absoluteOrNull(value: string | undefined): string | null {
  return value !== undefined && value !== '' && isAbsolute(value) ? value : null;
}

/** The folder that holds every profile's state folder. */
export function stateRoot(env: NodeJS.ProcessEnv, home: string): string {
  return join(absoluteOrNull(env.XDG_STATE_HOME) ?? join(home, '.local', 'state'), 'snaptray');
}

/** One profile's state folder; the name must already have passed the settings schema. */
export function profileStateDir(root: string, profile: string): string {
  // A name like ".." would point outside the root: settings validation should have stopped it.
  if (!PROFILE_NAME_PATTERN.test(profile)) {
    throw new Error(`Invalid profile name ${JSON.stringify(profile)} for a state folder.`);
  }
  return join(root, profile);
}

/** The settings folder (config.json lives in it). */
export function configDir(env: NodeJS.ProcessEnv, home: string): string {
  return join(absoluteOrNull(env.XDG_CONFIG_HOME) ?? join(home, '.config'), 'Snaptray');
}

/** The folder for ssh ControlPath sockets: short, because a socket path fits in 108 bytes. */
export function runtimeDir(env: NodeJS.ProcessEnv, uid: number): string {
  const xdg = absoluteOrNull(env.XDG_RUNTIME_DIR);
  return xdg !== null ? join(xdg, 'snaptray') : `/tmp/snaptray-${uid}`;
}

export type PrivateDirResult =
  | { kind: 'ok'; path: string }
  | { kind: 'refused'; reason: 'other-owner' | 'not-a-directory'; message: string };

/**
 * Creates `path` (and its parents) with mode 0700, or checks an existing one and tightens it to
 * 0700. Refuses a folder, or a symlink, that another user owns: under /tmp anyone can create
 * `/tmp/snaptray-<uid>` first and would then see (or plant) our ssh sockets.
 */
export async function ensurePrivateDir(path: string): Promise<PrivateDirResult> {
  try {
    await mkdir(path, { recursive: true, mode: 0o700 });
  } catch (error) {
    // A file or a dangling symlink in the way: the checks below say which.
    if (!hasCode(error, 'EEXIST') && !hasCode(error, 'ENOENT')) throw error;
  }
  const uid = process.getuid?.() ?? 0;
  const link = await lstat(path);
  if (link.isSymbolicLink() && link.uid !== uid) return refuseOwner(path, link.uid, uid);
  const info = link.isSymbolicLink() ? await stat(path).catch(() => null) : link;
  if (info === null || !info.isDirectory()) {
    return {
      kind: 'refused',
      reason: 'not-a-directory',
      message: `${path} exists but is not a folder; move it away so Snaptray can use this path.`,
    };
  }
  if (info.uid !== uid) return refuseOwner(path, info.uid, uid);
  if ((info.mode & 0o777) !== 0o700) await chmod(path, 0o700);
  return { kind: 'ok', path };
}

function refuseOwner(
  path: string,
  owner: number,
  uid: number,
): Extract<PrivateDirResult, { kind: 'refused' }> {
  return {
    kind: 'refused',
    reason: 'other-owner',
    message:
      `${path} belongs to user id ${owner}, not to you (user id ${uid}); Snaptray will not ` +
      `keep private files there. Remove it or set XDG_RUNTIME_DIR / XDG_STATE_HOME.`,
  };
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
