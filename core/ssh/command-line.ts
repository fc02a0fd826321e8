/**
 * Reads the fields of a pasted `ssh -i KEY -p PORT user@host` command line. Pure: the text is
 * split like a shell would split it, but nothing is expanded or run.
 */
import { hostProblem, userProblem } from '../destination/address.js';

/** The fields a pasted `ssh -i KEY -p PORT user@host` fills in. */
export interface SshCommandFields {
  user: string | null;
  host: string;
  port: number | null;
  identityFile: string | null;
}

export type ParsedSshCommand =
  { ok: true; value: SshCommandFields } | { ok: false; message: string };

interface Token {
  text: string;
  /** A `$` or backquote outside single quotes: a shell would have replaced it. */
  expands: boolean;
}

type Tokenised = { ok: true; tokens: Token[] } | { ok: false; message: string };

const EXAMPLE = 'ssh -i ~/.ssh/router -p 2222 admin@192.168.1.1';
/** ssh's options that take a value (its getopt string), so `-vp 22` can be read like ssh does. */
const VALUE_FLAGS = new Set('bceilmopBDEFIJLOPQRSWw'.split(''));
const BARE_FLAGS = new Set('1246afgknqstvxyACGKMNTVXY'.split(''));
const OPERATORS = new Set([';', '|', '&', '<', '>', '(', ')']);

/** Reads user, host, port and key file from a pasted ssh command; `home` expands a leading `~/`. */
export function parseSshCommand(text: string, home?: string): ParsedSshCommand {
  const fail = (message: string): ParsedSshCommand => ({ ok: false, message });
  const split = tokenise(text);
  if (!split.ok) return split;
  const tokens = split.tokens;
  if (tokens[0]?.text === 'ssh' || tokens[0]?.text.endsWith('/ssh')) tokens.shift();
  if (tokens.length === 0) return fail(`Paste an ssh command such as "${EXAMPLE}".`);

  const fields: Collected = { user: null, host: null, port: null, key: null };

  let i = 0;
  let optionsEnded = false;
  while (i < tokens.length) {
    const token = tokens[i++]!;
    if (token.expands) {
      return fail(
        `"${token.text}" uses $ or a backquote, which a shell would expand; nothing is run here, ` +
          'so write the value out in full.',
      );
    }
    const t = token.text;
    if (!optionsEnded && t === '--') {
      optionsEnded = true;
      continue;
    }
    if (!optionsEnded && t.startsWith('-') && t.length > 1) {
      // Flags may be grouped (`-vp22`); the first one that takes a value takes the rest.
      for (let c = 1; c < t.length; c++) {
        const flag = t[c]!;
        if (!VALUE_FLAGS.has(flag)) {
          return fail(
            BARE_FLAGS.has(flag)
              ? `Remove "-${flag}": only -i, -p, -l and -o Port/User/IdentityFile can be read from a pasted command.`
              : `"-${flag}" is not an ssh option: remove it.`,
          );
        }
        let value = t.slice(c + 1);
        if (value === '') {
          const next = tokens[i++];
          if (next === undefined) return fail(`"-${flag}" needs a value after it.`);
          if (next.expands) {
            return fail(
              `"${next.text}" uses $ or a backquote, which a shell would expand; nothing is run ` +
                'here, so write the value out in full.',
            );
          }
          value = next.text;
        }
        const problem = readOption(flag, value, fields, home);
        if (problem !== null) return fail(problem);
        break;
      }
      continue;
    }
    if (fields.host !== null) {
      return fail(
        `"${tokens
          .slice(i - 1)
          .map((x) => x.text)
          .join(
            ' ',
          )}" comes after the host: a remote command or a second host cannot be used. Remove it.`,
      );
    }
    const destination = readDestination(t);
    if (!destination.ok) return fail(destination.message);
    if (destination.user !== null) {
      const problem = assign(fields, 'user', destination.user, 'user');
      if (problem) return fail(problem);
    }
    if (destination.port !== null) {
      const problem = assign(fields, 'port', destination.port, 'port');
      if (problem) return fail(problem);
    }
    fields.host = destination.host;
    // ssh reads options after the host too, until the remote command starts.
    optionsEnded = false;
  }
  if (fields.host === null)
    return fail(`No host was found: end the command with user@host, as in "${EXAMPLE}".`);
  return {
    ok: true,
    value: { user: fields.user, host: fields.host, port: fields.port, identityFile: fields.key },
  };
}

interface Collected {
  user: string | null;
  host: string | null;
  port: number | null;
  key: string | null;
}

/** Sets one field; the same field given twice with different values is refused. */
function assign(
  fields: Collected,
  field: 'user' | 'port' | 'key',
  value: string | number,
  what: string,
): string | null {
  const old = fields[field];
  if (old !== null && old !== value) {
    return `The ${what} is given twice ("${String(old)}" and "${String(value)}"): remove one of them.`;
  }
  if (field === 'port') fields.port = Number(value);
  else fields[field] = String(value);
  return null;
}

function readOption(
  flag: string,
  value: string,
  fields: Collected,
  home: string | undefined,
): string | null {
  switch (flag) {
    case 'i':
      return readKey(value, home, fields);
    case 'p':
      return readPort(value, fields);
    case 'l':
      return readUser(value, fields);
    case 'o': {
      const m = /^\s*([A-Za-z]+)\s*(?:=\s*|\s+)(.*?)\s*$/.exec(value);
      const keyword = m?.[1]?.toLowerCase();
      const setting = m?.[2] ?? '';
      if (keyword === 'port') return readPort(setting, fields);
      if (keyword === 'user') return readUser(setting, fields);
      if (keyword === 'identityfile') return readKey(setting, home, fields);
      return `Remove "-o ${value}": only the Port, User and IdentityFile settings can be read from a pasted command.`;
    }
    default:
      return `Remove "-${flag} ${value}": only -i, -p, -l and -o Port/User/IdentityFile can be read from a pasted command.`;
  }
}

function readPort(text: string, fields: Collected): string | null {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) return `The port "${text}" is not a port number (1 to 65535).`;
  return assign(fields, 'port', port, 'port');
}

function readUser(text: string, fields: Collected): string | null {
  const problem = userProblem(text);
  if (problem) return `The user ${problem}.`;
  return assign(fields, 'user', text, 'user');
}

function readKey(text: string, home: string | undefined, fields: Collected): string | null {
  let path = text;
  if (path === '~' || path.startsWith('~/')) {
    if (home === undefined || !home.startsWith('/')) {
      return `The key file "${text}" starts with "~": write its full path (such as /home/you/.ssh/id_ed25519).`;
    }
    path = home.replace(/\/+$/, '') + path.slice(1);
  }
  if (!path.startsWith('/')) {
    return `The key file "${text}" is not a full path: write it from "/" (such as /home/you/.ssh/id_ed25519).`;
  }
  if (/[\r\n\0]/.test(path)) return `The key file "${text}" contains a line break: remove it.`;
  return assign(fields, 'key', path, 'key file');
}

/** `user@host`, `[user@]host` with an IPv6 address, or `ssh://[user@]host[:port]`. */
function readDestination(
  text: string,
):
  | { ok: true; user: string | null; host: string; port: number | null }
  | { ok: false; message: string } {
  let rest = text;
  let port: number | null = null;
  const uri = rest.startsWith('ssh://');
  if (uri) rest = rest.slice('ssh://'.length).replace(/\/$/, '');
  const at = rest.lastIndexOf('@');
  const user = at >= 0 ? rest.slice(0, at) : null;
  let host = at >= 0 ? rest.slice(at + 1) : rest;
  if (user !== null) {
    const problem = userProblem(user);
    if (problem) return { ok: false, message: `The user ${problem}.` };
  }
  if (uri) {
    const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host);
    if (m === null) return { ok: false, message: `"${text}" is not an ssh address.` };
    host = m[1] ?? '';
    if (m[2] !== undefined) {
      port = Number(m[2]);
      if (!(port >= 1 && port <= 65535)) {
        return { ok: false, message: `The port "${m[2]}" is not a port number (1 to 65535).` };
      }
    }
  }
  // ssh takes a bare IPv6 address; a destination needs it in brackets.
  if (!host.startsWith('[') && host.includes(':') && /^[0-9A-Fa-f:.]+$/.test(host)) {
    host = `[${host}]`;
  }
  const problem = hostProblem(host);
  if (problem) return { ok: false, message: `The host ${problem}.` };
  return { ok: true, user, host, port };
}

/** Splits like a POSIX shell: quotes and backslashes are honoured, nothing is expanded. */
export function tokenise(text: string): Tokenised {
  const tokens: Token[] = [];
  let current: Token | null = null;
  const extend = (s: string, expands = false) => {
    current ??= { text: '', expands: false };
    current.text += s;
    if (expands) current.expands = true;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (current !== null) tokens.push(current);
      current = null;
      i++;
    } else if (c === '\\') {
      const next = text[i + 1];
      // A backslash before a line break joins the lines.
      if (next !== undefined && next !== '\n') extend(next);
      i += 2;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0)
        return { ok: false, message: "A single quote (') is not closed: close or remove it." };
      extend(text.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let chunk = '';
      let expands = false;
      for (; j < text.length && text[j] !== '"'; j++) {
        const d = text[j]!;
        if (d === '\\' && j + 1 < text.length && '$`"\\\n'.includes(text[j + 1]!)) {
          if (text[j + 1] !== '\n') chunk += text[j + 1];
          j++;
        } else {
          if (d === '$' || d === '`') expands = true;
          chunk += d;
        }
      }
      if (j >= text.length) {
        return { ok: false, message: 'A double quote (") is not closed: close or remove it.' };
      }
      // An empty "" still makes a word.
      extend(chunk, expands);
      i = j + 1;
    } else if (c === '#' && current === null) {
      // A comment runs to the end of the line.
      while (i < text.length && text[i] !== '\n') i++;
    } else if (OPERATORS.has(c)) {
      return {
        ok: false,
        message: `Remove "${text.slice(i).trim()}": only one ssh command can be read, without ${c}.`,
      };
    } else {
      extend(c, c === '$' || c === '`');
      i++;
    }
  }
  if (current !== null) tokens.push(current);
  return { ok: true, tokens };
}
