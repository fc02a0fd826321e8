/**
 * "Where did my file go?": the paths whose name matches a pattern, in one snapshot or in all of
 * them, with one rsync call. rsync filters on the far side (every folder, and the names that
 * match), so only those cross the connection; the same pattern decides here which of them match.
 */
import type { DestinationContext } from '../destination/ops.js';
import type { Snapshot } from '../destination/snapshot.js';
import { listEntries, type EntryType } from './listing.js';
import { splitSnapshotPath } from './locate.js';
import { baseName } from './paths.js';
import { pathBytes } from './remote-names.js';
import type { Result } from './result.js';

/**
 * A name pattern. Without `*`, `?` or `[`, it matches names that contain it; with them, the whole
 * name must match (`*` any run of characters, `?` one, `[a-z]` one of a set, `[!…]` none of it,
 * `\` before a character takes it literally). Letters match either case (ASCII letters).
 */
export interface NamePattern {
  text: string;
  /** The same pattern as an rsync filter pattern (case folded, so rsync filters the same). */
  rsync: string;
  matches(name: string): boolean;
}

type Token =
  | { kind: 'star' }
  | { kind: 'one' }
  | { kind: 'char'; c: string }
  | { kind: 'set'; negated: boolean; items: Array<{ from: string; to: string }> };

export function namePattern(
  text: string,
): { ok: true; value: NamePattern } | { ok: false; message: string } {
  if (text === '') return { ok: false, message: 'The pattern is empty.' };
  if (text.includes('/')) {
    return {
      ok: false,
      message: `The pattern "${text}" holds "/": it matches a file or folder name, not a path.`,
    };
  }
  let tokens = tokenize(text);
  if (!tokens.some((t) => t.kind !== 'char')) {
    tokens = [{ kind: 'star' }, ...tokens, { kind: 'star' }];
  }
  const source = tokens.map(regexPart).join('');
  const re = new RegExp(`^${source}$`, 'su');
  return {
    ok: true,
    value: { text, rsync: tokens.map(rsyncPart).join(''), matches: (name) => re.test(name) },
  };
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (c === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === '?') tokens.push({ kind: 'one' });
    else if (c === '\\' && i + 1 < chars.length) tokens.push({ kind: 'char', c: chars[++i] ?? '' });
    else if (c === '[') {
      const set = readSet(chars, i + 1);
      if (set === null) tokens.push({ kind: 'char', c });
      else {
        tokens.push(set.token);
        i = set.end;
      }
    } else tokens.push({ kind: 'char', c });
  }
  return tokens;
}

/** A `[…]` set starting after its `[`; null when it is not closed (then `[` is literal). */
function readSet(chars: string[], start: number): { token: Token; end: number } | null {
  let i = start;
  const negated = chars[i] === '!' || chars[i] === '^';
  if (negated) i++;
  const items: Array<{ from: string; to: string }> = [];
  let first = true;
  for (; i < chars.length; i++) {
    let c = chars[i] ?? '';
    if (c === ']' && !first) return { token: { kind: 'set', negated, items }, end: i };
    first = false;
    if (c === '\\' && i + 1 < chars.length) c = chars[++i] ?? '';
    if (chars[i + 1] === '-' && chars[i + 2] !== undefined && chars[i + 2] !== ']') {
      let to = chars[i + 2] ?? '';
      i += 2;
      if (to === '\\' && i + 1 < chars.length) to = chars[++i] ?? '';
      items.push({ from: c, to });
    } else items.push({ from: c, to: c });
  }
  return null;
}

const isLetter = (c: string) => /^[A-Za-z]$/.test(c);
const isLower = (c: string) => c === c.toLowerCase();
const otherCase = (c: string) => (isLower(c) ? c.toUpperCase() : c.toLowerCase());

/** The set's items with each ASCII letter (or letter range) in both cases. */
function folded(items: Array<{ from: string; to: string }>): Array<{ from: string; to: string }> {
  const out = [...items];
  for (const { from, to } of items) {
    if (isLetter(from) && isLetter(to) && isLower(from) === isLower(to)) {
      out.push({ from: otherCase(from), to: otherCase(to) });
    }
  }
  return out;
}

function regexChar(c: string, inSet = false): string {
  return c.replace(inSet ? /[\\^$.*+?()[\]{}|/-]/g : /[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

function regexPart(t: Token): string {
  switch (t.kind) {
    case 'star':
      return '[^/]*';
    case 'one':
      return '[^/]';
    case 'char':
      return isLetter(t.c) ? `[${t.c}${otherCase(t.c)}]` : regexChar(t.c);
    case 'set': {
      const items = folded(t.items)
        .map(({ from, to }) =>
          from === to ? regexChar(from, true) : `${regexChar(from, true)}-${regexChar(to, true)}`,
        )
        .join('');
      return `[${t.negated ? '^' : ''}${items}]`;
    }
  }
}

function rsyncChar(c: string): string {
  return /[*?[\]\\!^-]/.test(c) ? `\\${c}` : c;
}

function rsyncPart(t: Token): string {
  switch (t.kind) {
    case 'star':
      return '*';
    case 'one':
      return '?';
    case 'char':
      return isLetter(t.c) ? `[${t.c}${otherCase(t.c)}]` : /[*?[\\]/.test(t.c) ? `\\${t.c}` : t.c;
    case 'set': {
      const items = folded(t.items)
        .map(({ from, to }) =>
          from === to ? rsyncChar(from) : `${rsyncChar(from)}-${rsyncChar(to)}`,
        )
        .join('');
      return `[${t.negated ? '!' : ''}${items}]`;
    }
  }
}

export interface Match {
  path: string;
  /** As the newest snapshot holding it has it. */
  type: EntryType;
  size: number;
  mtime: Date;
  /** The snapshots holding it, oldest first. */
  snapshots: string[];
}

export interface Found {
  pattern: string;
  /** The snapshots searched, oldest first. */
  searched: string[];
  /** Sorted by path. */
  matches: Match[];
  warnings: string[];
}

/** The paths whose name matches, in `snapshots` (oldest first), with one rsync call. */
export async function findByName(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  pattern: NamePattern,
  opts: { signal?: AbortSignal } = {},
): Promise<Result<Found>> {
  const order = new Map(snapshots.map((s, i) => [s.name, i]));
  const found = new Map<string, Match & { newest: number }>();
  const listed = await listEntries(
    ctx,
    {
      from: { on: 'destination', folder: ctx.dest.path },
      list: snapshots.map((s) => pathBytes(s.name)),
      recursive: true,
      filters: ['--include=*/', `--include=${pattern.rsync}`, '--exclude=*'],
      signal: opts.signal,
      what: 'Searching the snapshots',
    },
    (e) => {
      const { snapshot, path } = splitSnapshotPath(e.path);
      if (path === '/' || !pattern.matches(baseName(path))) return;
      const index = order.get(snapshot);
      if (index === undefined) return;
      const known = found.get(path);
      if (known === undefined) {
        found.set(path, {
          path,
          type: e.type,
          size: e.size,
          mtime: e.mtime,
          snapshots: [snapshot],
          newest: index,
        });
        return;
      }
      known.snapshots.push(snapshot);
      if (index > known.newest)
        Object.assign(known, { type: e.type, size: e.size, mtime: e.mtime, newest: index });
    },
  );
  if (!listed.ok) return listed;
  const byOrder = (a: string, b: string) => (order.get(a) ?? 0) - (order.get(b) ?? 0);
  const matches = [...found.values()]
    .map(({ newest: _newest, ...m }) => ({ ...m, snapshots: m.snapshots.sort(byOrder) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    ok: true,
    value: {
      pattern: pattern.text,
      searched: snapshots.map((s) => s.name),
      matches,
      warnings: listed.value.warnings,
    },
  };
}
