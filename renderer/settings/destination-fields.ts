/** Splits and joins the destination text the way the engine reads it: `[user@]host:/path` or a folder. */

export type DestinationFields =
  { kind: 'local'; path: string } | { kind: 'ssh'; user: string; host: string; path: string };

export function splitDestination(text: string): DestinationFields {
  let inBrackets = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') inBrackets = true;
    else if (c === ']') inBrackets = false;
    else if (c === '/' && !inBrackets) break;
    else if (c === ':' && !inBrackets && i > 0) {
      const authority = text.slice(0, i);
      const at = authority.lastIndexOf('@');
      return {
        kind: 'ssh',
        user: at >= 0 ? authority.slice(0, at) : '',
        host: authority.slice(at + 1),
        path: text.slice(i + 1),
      };
    }
  }
  return { kind: 'local', path: text };
}

export function joinDestination(fields: DestinationFields): string {
  if (fields.kind === 'local') return fields.path.trim();
  const user = fields.user.trim();
  let host = fields.host.trim();
  const path = fields.path.trim();
  if (user === '' && host === '' && path === '') return '';
  // An IPv6 address needs brackets so that its colons are not read as the path separator.
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  return `${user ? `${user}@` : ''}${host}:${path}`;
}
