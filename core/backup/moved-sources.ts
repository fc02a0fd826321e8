/**
 * Sources that moved: a profile whose sources differ from those its base snapshot recorded (the
 * settings edited, a home restored as /home/ann2 on a new machine, `adopt --map OLD=NEW`). The
 * normal push stores each path under its own name, so `--link-dest` finds nothing for a folder
 * under a new name and every file of it would be sent and stored again. A new source is therefore
 * pushed by a transfer of its own whose `--link-dest` is the old folder inside the base: the one
 * the map names, else every source of the base that disappeared. A safe guess, since rsync links
 * only files identical in size, time and mode.
 *
 * Pure: the sources, the base's manifest and the map come in; the plan goes out.
 */
import type { Snapshot } from '../destination/snapshot.js';
import { isWithin } from '../restore/paths.js';

/** One entry of `adopt --map OLD=NEW` (kept in the owner file: ownership.ts). */
export interface SourceMapping {
  from: string;
  to: string;
}

export interface MovedSource {
  /** The source as the profile names it. */
  source: string;
  /** Its old places inside the base snapshot, as absolute paths. */
  linkedAgainst: string[];
}

export interface MovePlan {
  /** The snapshot whose recorded sources were compared; null when none recorded them. */
  base: string | null;
  moved: MovedSource[];
  /** New sources that nothing can be linked against, each with why. */
  inFull: Array<{ source: string; why: string }>;
}

/** At most this many old places per moved source (rsync takes 20 --link-dest folders). */
const MAX_PLACES = 20;

/**
 * The plan for `sources` against `base` (the newest complete snapshot to link against). Only a base
 * whose manifest records its sources can tell what moved: an old router script's whole-root
 * snapshot holds every path, so nothing is new against it.
 */
export function planMovedSources(
  sources: readonly string[],
  base: Snapshot | null,
  map: readonly SourceMapping[],
): MovePlan {
  const recorded = base?.manifest?.sources;
  if (base === null || recorded === undefined) return { base: null, moved: [], inFull: [] };
  const before = recorded.map(plainPath);
  const now = sources.map(plainPath);
  const overlaps = (a: string, b: string) => isWithin(a, b) || isWithin(b, a);
  const gone = before.filter((b) => !now.some((s) => overlaps(s, b)));
  const plan: MovePlan = { base: base.name, moved: [], inFull: [] };
  sources.forEach((source, i) => {
    const path = now[i] ?? source;
    if (before.some((b) => overlaps(path, b))) return;
    const mapped = map
      .map((m) => ({ from: plainPath(m.from), to: plainPath(m.to) }))
      .find((m) => isWithin(path, m.to));
    if (mapped !== undefined) {
      const old =
        mapped.from === '/'
          ? path.slice(mapped.to.length)
          : mapped.from + path.slice(mapped.to.length);
      if (before.some((b) => isWithin(old, b))) {
        plan.moved.push({ source, linkedAgainst: [old] });
      } else {
        plan.inFull.push({
          source,
          why: `"adopt --map" names ${old} as its old place, which ${base.name} did not back up (it holds ${before.join(', ')})`,
        });
      }
      return;
    }
    if (gone.length > 0) {
      plan.moved.push({ source, linkedAgainst: gone.slice(0, MAX_PLACES) });
      return;
    }
    plan.inFull.push({
      source,
      why:
        `${base.name} did not back it up (it holds ${before.join(', ')}), and none of its sources ` +
        'has gone for it to be linked against. If its files were moved here from a folder that is ' +
        'still backed up, run "snaptray adopt --map OLD=NEW" to name their old place',
    });
  });
  return plan;
}

/** The warning for a source stored in full. */
export function storedInFullWarning(entry: { source: string; why: string }): string {
  return `Everything under ${entry.source} is stored in full, nothing of it hard-linked: ${entry.why}.`;
}

/** A path without trailing slashes (`/` stays). */
function plainPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/**
 * The rsync patterns of a push rooted at `/` (anchored patterns name full paths) for a push rooted
 * at `folder`: anchored patterns that lie inside it are made relative to it, those that cannot
 * match inside it are dropped, unanchored ones stay. Null when a pattern leaves out the folder
 * itself (or a folder above it): then nothing of it is pushed.
 */
export function rebasePatterns(patterns: readonly string[], folder: string): string[] | null {
  const out: string[] = [];
  const parts = folder === '/' ? [] : folder.slice(1).split('/');
  for (const pattern of patterns) {
    if (!pattern.startsWith('/')) {
      out.push(pattern);
      continue;
    }
    const dirOnly = pattern.endsWith('/');
    const body = pattern.slice(1, dirOnly ? -1 : undefined);
    const pieces = body === '' ? [] : body.split('/');
    let i = 0;
    let matches = true;
    let deep = false;
    for (; i < parts.length && i < pieces.length; i++) {
      const piece = pieces[i] ?? '';
      if (piece.includes('**')) {
        deep = true;
        break;
      }
      if (!globMatches(piece, parts[i] ?? '')) {
        matches = false;
        break;
      }
    }
    if (!matches) continue;
    const rest = pieces.slice(i).join('/');
    if (deep) {
      // `**` may stand for the folder's own path and more: kept for any depth below it.
      out.push(`/${rest}${dirOnly ? '/' : ''}`);
      if (rest.startsWith('**/')) out.push(`/${rest.slice(3)}${dirOnly ? '/' : ''}`);
      continue;
    }
    if (i === pieces.length || rest === '***') return null;
    out.push(`/${rest}${dirOnly ? '/' : ''}`);
  }
  return out;
}

/** Whether one path component matches one pattern component (`*`, `?`, `[…]`, `\` escapes). */
function globMatches(glob: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '\\' && i + 1 < glob.length) re += escapeRe(glob[++i] ?? '');
    else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        re += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += escapeRe(c);
  }
  try {
    return new RegExp(`^${re}$`).test(name);
  } catch {
    return true;
  }
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
