/**
 * Comparing one version of a text file with the file here: the version is pulled into a private
 * scratch folder by the restore engine itself (as "open this version" copies one), refused when it
 * or the file here is not text or too large, and compared line by line with the current file by
 * the system's `diff -u` (diffutils), given both copies as an argument array.
 */
import { isUtf8 } from 'node:buffer';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scratchDir, type DestinationContext } from '../destination/ops.js';
import type { Snapshot } from '../destination/snapshot.js';
import { formatBytes } from '../format.js';
import { completeSnapshots } from './choose.js';
import { locatePaths, missingPath } from './locate.js';
import { baseName } from './paths.js';
import { displayPath, pathBytes } from './remote-names.js';
import { restorePaths } from './restore.js';
import type { Result } from './result.js';

/** Files larger than this (either side) are not compared: the refusal names the limit. */
export const COMPARE_LIMIT_BYTES = 2_000_000;

/** One line of a hunk: `old`/`new` are its line numbers (1-based) in the version and here. */
export interface ComparedLine {
  /** `same`: in both; `removed`: only in the snapshot's version; `added`: only here. */
  kind: 'same' | 'removed' | 'added';
  text: string;
  old: number | null;
  new: number | null;
  /** The file's last line, which ends without a newline (diff's "\ No newline at end of file"). */
  noNewline: boolean;
}

/** A run of changes with its context, as `diff -u` prints it (`@@ -oldStart,oldLines +newStart,newLines @@`). */
export interface ComparedHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: ComparedLine[];
}

export interface TextComparison {
  /** The snapshot whose version was compared, and the file as it was backed up. */
  snapshot: string;
  path: string;
  /**
   * The current file here: `same` (identical text, no hunks), `differs`, or `missing` (nothing
   * here to compare with: no hunks, and `unified` is empty).
   */
  here: 'same' | 'differs' | 'missing';
  /** Lines in the snapshot's version, and here (0 when missing). */
  oldLineCount: number;
  newLineCount: number;
  /** The snapshot's version is "old" (`-`), the file here "new" (`+`); 3 lines of context. */
  hunks: ComparedHunk[];
  /** The same as `diff -u` text, labelled `PATH (SNAPSHOT)` and `PATH (here)`; '' unless it differs. */
  unified: string;
}

export interface CompareRequest {
  /** A file as it was backed up (path text). */
  path: string;
  /** The snapshot whose version is compared; null: the newest complete one holding the path. */
  snapshot: string | null;
  prefix: string;
  signal?: AbortSignal;
}

function refused(message: string): { ok: false; failure: { kind: 'refused'; message: string } } {
  return { ok: false, failure: { kind: 'refused', message } };
}

/** Why bytes are not compared as text, or null when they are text (UTF-8 without NUL). */
function notText(bytes: Buffer): string | null {
  if (bytes.includes(0)) return 'it holds binary data (NUL bytes)';
  if (!isUtf8(bytes)) return 'it is not UTF-8 text';
  return null;
}

export async function compareWithHere(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  req: CompareRequest,
): Promise<Result<TextComparison>> {
  const shown = displayPath(req.path);
  const named = req.snapshot === null ? null : snapshots.find((s) => s.name === req.snapshot);
  if (named === undefined) {
    return {
      ok: false,
      failure: {
        kind: 'not-found',
        message: `There is no snapshot ${req.snapshot} of "${req.prefix}".`,
      },
    };
  }
  const searched = named === null ? completeSnapshots(snapshots) : [named];
  const located = await locatePaths(ctx, searched, [req.path], req.signal);
  if (!located.ok) return located;
  const held = located.value.get(req.path);
  const snapshot = [...searched].reverse().find((s) => held?.has(s.name));
  const entry = snapshot === undefined ? undefined : held?.get(snapshot.name);
  if (snapshot === undefined || entry === undefined) {
    return missingPath(
      ctx,
      searched,
      req.path,
      `the ${searched.length} complete snapshots of "${req.prefix}"`,
      req.signal,
    );
  }
  if (entry.type !== 'file') {
    const what =
      entry.type === 'dir'
        ? 'a folder'
        : entry.type === 'symlink'
          ? 'a symbolic link'
          : 'not a file';
    return refused(
      `"${shown}" is ${what} in ${snapshot.name}: only a file's text can be compared.`,
    );
  }
  const limit = formatBytes(COMPARE_LIMIT_BYTES);
  if (entry.size > COMPARE_LIMIT_BYTES) {
    return refused(
      `"${shown}" is ${formatBytes(entry.size)} in ${snapshot.name}: only files up to ${limit} are ` +
        'compared. Restore it elsewhere (--to DIR) and compare it there.',
    );
  }
  const here = await stat(pathBytes(req.path)).catch((e: NodeJS.ErrnoException) => e);
  const missing = here instanceof Error && (here.code === 'ENOENT' || here.code === 'ENOTDIR');
  if (here instanceof Error && !missing) {
    return refused(`"${shown}" cannot be read here: ${here.message}`);
  }
  if (!(here instanceof Error)) {
    if (!here.isFile()) {
      return refused(`"${shown}" is not a file here: only a file's text can be compared.`);
    }
    if (here.size > COMPARE_LIMIT_BYTES) {
      return refused(
        `"${shown}" is ${formatBytes(here.size)} here: only files up to ${limit} are compared.`,
      );
    }
  }

  const folder = await scratchDir(ctx, 'compare');
  try {
    const pulled = await restorePaths(ctx, snapshots, {
      paths: [req.path],
      from: { snapshot: snapshot.name },
      to: folder,
      missingOnly: false,
      dryRun: false,
      // Owners are never restored into a private copy.
      asRoot: false,
      now: new Date(0),
      watched: false,
      prefix: req.prefix,
      ...(req.signal ? { signal: req.signal } : {}),
    });
    if (!pulled.ok) return pulled;
    if (pulled.value.outcome === 'cancelled') {
      return {
        ok: false,
        failure: { kind: 'killed', message: 'Stopped before the version was read.' },
      };
    }
    const copy = Buffer.concat([Buffer.from(`${folder}/`), pathBytes(baseName(req.path))]);
    const old = await readFile(copy).catch(() => null);
    if (old === null) {
      const why = pulled.value.skipped[0]?.why ?? 'it could not be copied';
      return refused(`"${shown}" of ${snapshot.name} could not be read: ${why}`);
    }
    const oldWhy = notText(old);
    if (oldWhy !== null) {
      return refused(
        `"${shown}" in ${snapshot.name} is not text (${oldWhy}): only text files are compared. ` +
          'Open the version instead.',
      );
    }
    const base = {
      snapshot: snapshot.name,
      path: req.path,
      oldLineCount: lineCount(old),
    };
    if (missing) {
      return {
        ok: true,
        value: { ...base, here: 'missing', newLineCount: 0, hunks: [], unified: '' },
      };
    }
    const current = await readFile(pathBytes(req.path));
    const newWhy = notText(current);
    if (newWhy !== null) {
      return refused(`"${shown}" here is not text (${newWhy}): only text files are compared.`);
    }
    const oldFile = join(folder, 'snapshot');
    const newFile = join(folder, 'here');
    await writeFile(oldFile, old);
    await writeFile(newFile, current);
    const ran = await ctx.spawn({
      file: 'diff',
      args: [
        '-u',
        '--label',
        `${shown} (${snapshot.name})`,
        '--label',
        `${shown} (here)`,
        '--',
        oldFile,
        newFile,
      ],
      ...(req.signal ? { signal: req.signal } : {}),
    });
    if (ran.exitCode !== 0 && ran.exitCode !== 1) {
      const why = ran.startError ?? (ran.stderr.trim() || `exit code ${ran.exitCode}`);
      return {
        ok: false,
        failure: {
          kind: 'internal',
          message: `The system's "diff" (diffutils) could not compare the two: ${why}`,
        },
      };
    }
    const unified = ran.exitCode === 0 ? '' : ran.stdout;
    return {
      ok: true,
      value: {
        ...base,
        here: ran.exitCode === 0 ? 'same' : 'differs',
        newLineCount: lineCount(current),
        hunks: parseUnified(unified),
        unified,
      },
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function lineCount(text: Buffer): number {
  if (text.length === 0) return 0;
  let n = 0;
  for (const byte of text) if (byte === 0x0a) n++;
  return text[text.length - 1] === 0x0a ? n : n + 1;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** The hunks of `diff -u` output. Pure. */
export function parseUnified(text: string): ComparedHunk[] {
  const hunks: ComparedHunk[] = [];
  let hunk: ComparedHunk | null = null;
  let old = 0;
  let now = 0;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    const head = HUNK.exec(line);
    if (head !== null) {
      const [, a, b, c, d] = head;
      hunk = {
        oldStart: Number(a),
        oldLines: b === undefined ? 1 : Number(b),
        newStart: Number(c),
        newLines: d === undefined ? 1 : Number(d),
        lines: [],
      };
      old = hunk.oldStart;
      now = hunk.newStart;
      hunks.push(hunk);
      continue;
    }
    if (hunk === null) continue;
    const mark = line[0];
    const rest = line.slice(1);
    if (mark === '\\') {
      const last = hunk.lines.at(-1);
      if (last !== undefined) last.noNewline = true;
    } else if (mark === ' ') {
      hunk.lines.push({ kind: 'same', text: rest, old: old++, new: now++, noNewline: false });
    } else if (mark === '-') {
      hunk.lines.push({ kind: 'removed', text: rest, old: old++, new: null, noNewline: false });
    } else if (mark === '+') {
      hunk.lines.push({ kind: 'added', text: rest, old: null, new: now++, noNewline: false });
    }
  }
  return hunks;
}
