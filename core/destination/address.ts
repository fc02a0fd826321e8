/**
 * Where snapshots go: a local folder, or `[user@]host:/path` reached by ssh. Everything here is
 * validated so that no part can be read as an option by ssh or rsync.
 */
export type Destination =
  | { kind: 'local'; path: string }
  | { kind: 'ssh'; user: string | null; host: string; path: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const HOST = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,252})|\[[0-9A-Fa-f:.]+\])$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

export function hostProblem(host: string): string | null {
  if (host === '') return 'is empty';
  if (host.startsWith('-')) return `"${host}" starts with "-" and would be read as an ssh option`;
  if (!HOST.test(host)) return `"${host}" is not a host name or IP address`;
  return null;
}

export function userProblem(user: string): string | null {
  if (user.startsWith('-')) return `"${user}" starts with "-" and would be read as an ssh option`;
  if (!USER.test(user)) return `"${user}" is not a user name (letters, digits, ".", "_", "-")`;
  return null;
}

export function remotePathProblem(path: string): string | null {
  if (!path.startsWith('/')) return `"${path}" must be an absolute path (start with "/")`;
  if (/[\n\r\0]/.test(path)) return 'must not contain a line break';
  return null;
}

/** Reads `--dest` or the settings' destination. */
export function parseDestination(text: string): Parsed<Destination> {
  const fail = (message: string): Parsed<Destination> => ({ ok: false, message });
  if (text === '') return fail('is not set: name a folder or [user@]host:/path');
  if (text.startsWith('-')) return fail(`"${text}" starts with "-" and would be read as an option`);
  const hostColon = authorityEnd(text);
  const slash = text.indexOf('/');
  const isRemote = hostColon > 0 && (slash === -1 || hostColon < slash);
  if (!isRemote) {
    const problem = remotePathProblem(text);
    return problem ? fail(problem) : { ok: true, value: { kind: 'local', path: trimSlash(text) } };
  }
  const authority = text.slice(0, hostColon);
  const path = text.slice(hostColon + 1);
  const at = authority.lastIndexOf('@');
  const user = at >= 0 ? authority.slice(0, at) : null;
  const host = at >= 0 ? authority.slice(at + 1) : authority;
  if (user !== null) {
    const problem = userProblem(user);
    if (problem) return fail(`user ${problem}`);
  }
  const hp = hostProblem(host);
  if (hp) return fail(`host ${hp}`);
  const pp = remotePathProblem(path);
  if (pp) return fail(`path ${pp}`);
  return { ok: true, value: { kind: 'ssh', user, host, path: trimSlash(path) } };
}

/** The first ':' outside brackets (an IPv6 address is written `[::1]`), or -1. */
function authorityEnd(text: string): number {
  let inBrackets = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') inBrackets = true;
    else if (c === ']') inBrackets = false;
    else if (c === ':' && !inBrackets) return i;
    else if (c === '/' && !inBrackets) return -1;
  }
  return -1;
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

export function formatDestination(d: Destination): string {
  if (d.kind === 'local') return d.path;
  return `${d.user ? `${d.user}@` : ''}${d.host}:${d.path}`;
}

/** Joins a destination folder and an entry name, for paths on the destination side. */
export function joinDest(folder: string, name: string): string {
  return folder === '/' ? `/${name}` : `${folder}/${name}`;
}

/** The ssh target (`user@host`) for a remote destination. */
export function sshTarget(d: Extract<Destination, { kind: 'ssh' }>): string {
  const host = d.host.startsWith('[') ? d.host.slice(1, -1) : d.host;
  return d.user ? `${d.user}@${host}` : host;
}

/** What rsync is given to reach a folder (or a file in it) on the destination. */
export function rsyncLocation(d: Destination, path: string): string {
  return d.kind === 'local' ? path : `${d.user ? `${d.user}@` : ''}${d.host}:${path}`;
}
