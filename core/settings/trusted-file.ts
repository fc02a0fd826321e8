/**
 * Files that can make Snaptray run a command (the settings file with its hooks, an ssh config
 * with its ProxyCommand) are used only when they are the running account's own, or root's, and
 * nobody else can write them or the folder they are in, as ssh demands of its own config. Root
 * started with another account's HOME (`sudo -E`, `su -m`) would otherwise run that account's
 * hooks as root.
 */
import { lstatSync, readFileSync, statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';

export type Trust = { ok: true } | { ok: false; message: string };

/**
 * Whether `path` may be used for `what` ("the settings file", "the ssh config file") by the
 * account `uid`. A missing file is not this function's business: it answers ok.
 */
export function trustFile(path: string, what: string, uid = currentUid()): Trust {
  let link: Stats;
  try {
    link = lstatSync(path);
  } catch {
    return { ok: true };
  }
  const target = link.isSymbolicLink() ? statOrNull(path) : link;
  if (target === null) return { ok: true };
  for (const [stats, where] of [
    [link, path],
    [target, path],
  ] as const) {
    const problem = problemOf(stats, uid);
    if (problem !== null) return refuse(what, where, problem, uid);
  }
  const folder = statOrNull(dirname(path));
  if (folder !== null) {
    const problem = problemOf(folder, uid, true);
    if (problem !== null) return refuse(what, dirname(path), problem, uid, true);
  }
  return { ok: true };
}

function problemOf(stats: Stats, uid: number, folder = false): string | null {
  if (stats.uid !== uid && stats.uid !== 0) return `belongs to ${accountName(stats.uid)}`;
  // A symlink's own mode means nothing; the sticky bit makes a shared folder safe to be in.
  if (stats.isSymbolicLink()) return null;
  if (folder && (stats.mode & 0o1000) !== 0) return null;
  const mode = (stats.mode & 0o777).toString(8).padStart(3, '0');
  if ((stats.mode & 0o002) !== 0) return `can be changed by any user (mode ${mode})`;
  // As Debian's ssh allows: a group of the owner alone (user private groups, umask 002).
  if ((stats.mode & 0o020) !== 0 && !ownersOwnGroup(stats.gid, stats.uid)) {
    return `can be changed by its group (mode ${mode})`;
  }
  return null;
}

/** Whether every member of group `gid` is the account `uid` (and it has one at least). */
function ownersOwnGroup(gid: number, uid: number): boolean {
  const accounts = readAccounts();
  const owner = accounts.users.find((u) => u.uid === uid);
  const group = accounts.groups.find((g) => g.gid === gid);
  if (owner === undefined || group === undefined) return false;
  const byPrimary = accounts.users.filter((u) => u.gid === gid);
  if (byPrimary.some((u) => u.uid !== uid)) return false;
  if (group.members.some((m) => m !== owner.name)) return false;
  return byPrimary.length > 0 || group.members.length > 0;
}

function refuse(what: string, path: string, problem: string, uid: number, folder = false): Trust {
  const owned = problem.startsWith('belongs to');
  const fix =
    owned && uid === 0
      ? 'Root never uses another account’s settings: run Snaptray as that user, or give root ' +
        'settings of its own (HOME=/root, or --config with a file root owns).'
      : owned
        ? `Use a file of your own instead (or have its owner give it to you).`
        : folder
          ? `Close the folder to others (chmod go-w "${path}").`
          : `Close it to others (chmod 600 "${path}").`;
  const subject = folder ? `The folder of ${what}, ${path},` : `${capitalised(what)} ${path}`;
  return {
    ok: false,
    message:
      `${subject} ${problem}, so Snaptray does not use it: it can make Snaptray run commands ` +
      `as ${accountName(uid)}. ${fix}`,
  };
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function currentUid(): number {
  return process.getuid?.() ?? userInfo().uid;
}

/** "user ann (uid 1000)", or "uid 1234" for an id with no name here. */
export function accountName(uid: number): string {
  if (uid === 0) return 'root';
  const name = readAccounts().users.find((u) => u.uid === uid)?.name;
  return name === undefined ? `uid ${uid}` : `user ${name} (uid ${uid})`;
}

interface Accounts {
  users: { name: string; uid: number; gid: number }[];
  groups: { gid: number; members: string[] }[];
}

/** /etc/passwd and /etc/group, read when a file is not the running account's own. */
function readAccounts(): Accounts {
  const lines = (path: string) => {
    try {
      return readFileSync(path, 'utf8').split('\n');
    } catch {
      return [];
    }
  };
  const users = lines('/etc/passwd').flatMap((line) => {
    const [name, , uid, gid] = line.split(':');
    return name && /^\d+$/.test(uid ?? '') && /^\d+$/.test(gid ?? '')
      ? [{ name, uid: Number(uid), gid: Number(gid) }]
      : [];
  });
  const groups = lines('/etc/group').flatMap((line) => {
    const [, , gid, members] = line.split(':');
    return /^\d+$/.test(gid ?? '')
      ? [{ gid: Number(gid), members: (members ?? '').split(',').filter((m) => m !== '') }]
      : [];
  });
  return { users, groups };
}
