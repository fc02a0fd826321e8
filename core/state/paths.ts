import { chmod, lstat, mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
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
  const intrudes = await rootWouldIntrude(path, process.getuid?.() ?? 0);
  if (intrudes !== null) return { kind: 'refused', reason: 'other-owner', message: intrudes };
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

export interface RuntimeFolder {
  path: string;
  /** Made for this run alone (mkdtemp): the run removes it when it ends. */
  ownedByRun: boolean;
  /** Why the usual folder was not used, said once per run; null when it was. */
  warning: string | null;
}

/**
 * The folder for a run's ssh files: `path` when it is this account's and private, else a private
 * folder made for this run alone with mkdtemp. The usual one is still never used when someone
 * else holds it, but another account that creates `/tmp/snaptray-<uid>` first (cron runs without
 * XDG_RUNTIME_DIR) no longer stops this account's backups.
 */
export async function runtimeFolder(path: string): Promise<RuntimeFolder> {
  const usual = await ensurePrivateDir(path);
  if (usual.kind === 'ok') return { path, ownedByRun: false, warning: null };
  const uid = process.getuid?.() ?? 0;
  const own = await mkdtemp(join(tmpdir(), `snaptray-${uid}-`));
  const info = await lstat(path).catch(() => null);
  const why =
    info !== null && info.uid !== uid
      ? `${path} belongs to user ${(await accountName(info.uid)) ?? `id ${info.uid}`}, not to this ` +
        'account, and Snaptray keeps no ssh connection files where another account can reach them'
      : usual.message.replace(/\.$/, '');
  return {
    path: own,
    ownedByRun: true,
    warning:
      `${why}. This run kept them in a private folder made for it (${own}), removed when it ` +
      `ended. Remove ${path} (someone else may have made it) or set XDG_RUNTIME_DIR to a ` +
      'folder of your own to stop this warning.',
  };
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
      'keep private files there. ' +
      (uid === 0 && owner !== 0
        ? SUDO_ADVICE
        : 'Remove it or set XDG_RUNTIME_DIR / XDG_STATE_HOME.'),
  };
}

export const SUDO_ADVICE =
  "sudo probably kept that user's HOME: run Snaptray as that user, or as root with root's own " +
  'home ("sudo -H snaptray …" or "sudo -i").';

/**
 * Why root must not create `path`, or null: the nearest folder on its way that exists belongs to
 * another account (a HOME kept by sudo), which could not use what root makes there afterwards.
 */
export async function rootWouldIntrude(path: string, uid: number): Promise<string | null> {
  if (uid !== 0) return null;
  let folder = path;
  for (;;) {
    const info = await stat(folder).catch((error: unknown) => {
      if (hasCode(error, 'ENOENT') || hasCode(error, 'ENOTDIR')) return null;
      throw error;
    });
    if (info !== null) {
      if (folder === path || info.uid === 0) return null;
      const who = await accountName(info.uid);
      return (
        `${path} does not exist, and Snaptray runs as root: made now, it would belong to root ` +
        `inside ${folder}, which belongs to user ${who ?? `id ${info.uid}`}, and that user's ` +
        `own Snaptray could not use it afterwards. ${SUDO_ADVICE}`
      );
    }
    const parent = dirname(folder);
    if (parent === folder) return null;
    folder = parent;
  }
}

/** The login name of a user id, from /etc/passwd; null when it has none there. */
export async function accountName(uid: number): Promise<string | null> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  for (const line of passwd.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id === String(uid)) return name;
  }
  return null;
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
