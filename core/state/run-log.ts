/**
 * A run's log (logs.ts) in words: rsync's itemized lines (`>f.st...... home/ben/a.txt`) become
 * "changed (size, time)", "new", "deleted"; its messages, Snaptray's notes and the statistics
 * stay as they are, marked as such.
 */
import { readFile } from 'node:fs/promises';

export type LogLineKind =
  | 'new'
  | 'changed'
  | 'deleted'
  | 'new-folder'
  | 'folder-changed'
  | 'message'
  | 'note'
  | 'statistics';

export interface ReadableLogLine {
  kind: LogLineKind;
  /** The item's path, for the kinds that are changes. */
  path: string | null;
  text: string;
}

// `>f.st...... path`, `cd+++++++++ path/`, `cL+++++++++ link -> target`, `hf+++++++++ a => b`.
const ITEMIZED = /^([<>ch.*])([fdLDS])([^ ]{9}) (.+)$/;
const DELETING = /^\*deleting +(.+)$/;
const STATISTICS = /^(Number of |Total |Literal data|Matched data|File list |sent |total size )/;

const ATTRIBUTES: Array<[index: number, letter: string, word: string]> = [
  [0, 'c', 'content'],
  [1, 's', 'size'],
  [2, 't', 'time'],
  [2, 'T', 'time'],
  [3, 'p', 'permissions'],
  [4, 'o', 'owner'],
  [5, 'g', 'group'],
  [7, 'a', 'ACL'],
  [8, 'x', 'extended attributes'],
];

const WHAT: Record<string, string> = {
  f: 'file',
  d: 'folder',
  L: 'link',
  D: 'device',
  S: 'special file',
};

/** One line of a run's log, in words. Pure. */
export function readLogLine(line: string): ReadableLogLine {
  if (line.startsWith('! ')) return { kind: 'message', path: null, text: line.slice(2) };
  if (line.startsWith('# ')) return { kind: 'note', path: null, text: line.slice(2) };
  if (STATISTICS.test(line)) return { kind: 'statistics', path: null, text: line };
  const deleting = DELETING.exec(line);
  if (deleting) {
    return { kind: 'deleted', path: withoutSlash(deleting[1] ?? ''), text: 'deleted' };
  }
  const m = ITEMIZED.exec(line);
  if (m === null) return { kind: 'note', path: null, text: line };
  const [, change, type, flags = '', rest = ''] = m;
  // Only a link's line names its target (` -> `), only a hard link's its other name (` => `).
  const target = type === 'L' ? / -> .*$/ : change === 'h' ? / => .*$/ : null;
  const path = withoutSlash(target === null ? rest : rest.replace(target, ''));
  const what = WHAT[type ?? 'f'] ?? 'item';
  const isNew = flags.startsWith('+++');
  if (type === 'd') {
    return isNew
      ? { kind: 'new-folder', path, text: 'new folder' }
      : { kind: 'folder-changed', path, text: `folder changed (${changedWords(flags)})` };
  }
  if (change === 'h') {
    return { kind: 'new', path, text: `new ${what} (a hard link to another file of the snapshot)` };
  }
  if (isNew) return { kind: 'new', path, text: `new ${what}` };
  return { kind: 'changed', path, text: `changed ${what} (${changedWords(flags)})` };
}

function changedWords(flags: string): string {
  const words = ATTRIBUTES.filter(([i, letter]) => flags[i] === letter).map(([, , word]) => word);
  return words.length > 0 ? [...new Set(words)].join(', ') : 'attributes';
}

function withoutSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

export interface RunLogPage {
  lines: ReadableLogLine[];
  matched: number;
  total: number;
  counts: Partial<Record<LogLineKind, number>>;
  truncated: boolean;
}

/**
 * A log file in words: the lines whose path or text holds `query` (any case), at most `limit` of
 * them, with the counts of each kind over the whole log.
 */
export async function readRunLog(
  path: string,
  opts: { query: string; limit: number },
): Promise<RunLogPage> {
  const content = await readFile(path, 'utf8');
  const needle = opts.query.trim().toLowerCase();
  const lines: ReadableLogLine[] = [];
  const counts: Partial<Record<LogLineKind, number>> = {};
  let matched = 0;
  let total = 0;
  for (const raw of content.split('\n')) {
    if (raw === '') continue;
    const line = readLogLine(raw);
    total++;
    counts[line.kind] = (counts[line.kind] ?? 0) + 1;
    if (needle !== '' && !`${line.path ?? ''} ${line.text}`.toLowerCase().includes(needle)) {
      continue;
    }
    matched++;
    if (lines.length < opts.limit) lines.push(line);
  }
  return { lines, matched, total, counts, truncated: matched > lines.length };
}
