/**
 * What a set of exclude patterns leaves out, as rsync itself decides it: a dry run of the
 * sources into an empty folder with the backup's own flags and filters. rsync names what each
 * pattern hid (`--debug=FILTER1`) and totals what stays (`--stats`); the sizes of what was hidden
 * come from the file system, since rsync never looks inside an excluded folder.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { failure, stderrTail, type Failure } from '../errors.js';
import type { Spawn } from '../process.js';
import { LineSplitter } from './progress.js';
import { buildPushCommand } from './rsync-args.js';

export interface ExcludedEntry {
  /** Absolute path on this machine. */
  path: string;
  kind: 'file' | 'folder';
  bytes: number;
  files: number;
  /** The pattern that left it out. */
  pattern: string;
}

export interface ExcludePreview {
  excluded: ExcludedEntry[];
  /** True when more entries were excluded than are listed. */
  truncated: boolean;
  /** What rsync will back up with these patterns: regular files and their total size. */
  includedFiles: number;
  includedBytes: number;
  /** Patterns that match nothing in the sources (a warning, not an error). */
  unmatched: string[];
}

export interface ExcludePreviewRequest {
  sources: string[];
  /** The user's patterns. */
  excludes: string[];
  /** Snaptray's own files (ownFileExcludes), applied first like the backup does. */
  automatic: string[];
  /** The profile's one-file-system option, which also decides what is backed up. */
  oneFileSystem?: boolean;
}

export interface ExcludePreviewOptions {
  /** A private folder for the empty target of the dry run. */
  scratchDir: string;
  signal?: AbortSignal;
  /** How many excluded entries are listed, biggest first (default 200). */
  limit?: number;
}

const DEFAULT_LIMIT = 200;
/** File system calls between two turns of the event loop while sizing excluded folders. */
const WALK_SLICE = 1000;
const SLASH = Buffer.from('/');
const HIDING = /^\[sender\] hiding (file|directory) (.*)$/;
const BECAUSE = ' because of pattern ';

interface Hidden {
  path: Buffer;
  kind: 'file' | 'folder';
  pattern: string;
}

export async function previewExcludes(
  spawn: Spawn,
  request: ExcludePreviewRequest,
  options: ExcludePreviewOptions,
): Promise<{ ok: true; value: ExcludePreview } | { ok: false; failure: Failure }> {
  const { signal } = options;
  const limit = options.limit ?? DEFAULT_LIMIT;
  const excludes = [...new Set(request.excludes)];
  if (request.sources.length === 0) {
    const value = { excluded: [], truncated: false, includedFiles: 0, includedBytes: 0 };
    return { ok: true, value: { ...value, unmatched: excludes } };
  }
  for (const source of request.sources) {
    if (!source.startsWith('/')) {
      return {
        ok: false,
        failure: failure(
          'settings',
          `The source "${source}" is not a full path: start it with "/".`,
        ),
      };
    }
    const found = await lstat(source).catch(() => null);
    if (found === null) {
      return {
        ok: false,
        failure: failure(
          'source-missing',
          `The source ${source} does not exist or cannot be read. Remove it, or check that its disk is mounted.`,
        ),
      };
    }
  }

  await mkdir(options.scratchDir, { recursive: true, mode: 0o700 });
  const work = await mkdtemp(join(options.scratchDir, 'exclude-preview-'));
  try {
    const empty = join(work, 'empty');
    await mkdir(empty);
    const filters = [...request.automatic, ...excludes];
    const push = buildPushCommand({
      sources: request.sources,
      excludes: filters,
      linkDests: [],
      target: `${empty}/`,
      options: {
        acls: false,
        xattrs: false,
        oneFileSystem: request.oneFileSystem ?? false,
        compress: false,
        bandwidthLimit: null,
        gentle: false,
        fakeSuper: false,
      },
      rsyncShell: null,
    });
    // The backup's flags and filters; only its per-file output is left out, the rest is reported.
    const args = [
      '--dry-run',
      '--debug=FILTER1',
      ...push.args.filter((a) => a !== '--itemize-changes' && a !== '--info=progress2'),
    ];
    const shown = filters
      .map((pattern) => ({ pattern, suffix: BECAUSE + escapeLikeRsync(Buffer.from(pattern)) }))
      .sort((a, b) => b.suffix.length - a.suffix.length);
    const hidden: Hidden[] = [];
    const statsLines: string[] = [];
    const handle = (lines: string[]) => {
      for (const line of lines) {
        const entry = readHidingLine(line, shown);
        if (entry) hidden.push(entry);
        else if (/^(Number of files|Total file size): /.test(line)) statsLines.push(line);
      }
    };
    const out = new LineSplitter();
    const err = new LineSplitter();
    const result = await spawn({
      file: push.file,
      args,
      signal,
      // Every byte outside ASCII is then written as \#ooo, so names read back exactly.
      env: { LC_ALL: 'C' },
      onStdout: (chunk) => handle(out.push(chunk)),
      onStderr: (chunk) => handle(err.push(chunk)),
    });
    handle(out.end());
    handle(err.end());
    if (result.cancelled || signal?.aborted) {
      return { ok: false, failure: failure('killed', 'The preview was stopped.') };
    }
    if (result.startError) {
      return {
        ok: false,
        failure: failure('internal', `rsync could not be started: ${result.startError}`),
      };
    }
    const totals = readTotals(statsLines);
    // 23 and 24 (unreadable or vanished files) still give a full list of what would be sent.
    if (![0, 23, 24].includes(result.exitCode ?? -1) || totals === null) {
      return {
        ok: false,
        failure: failure(
          'rsync-failed',
          `rsync could not go through the sources (exit ${String(result.exitCode)}): ` +
            `${stderrTail(result.stderr) || 'no message'}`,
        ),
      };
    }

    const sized = await sizeEntries(hidden, signal);
    if (signal?.aborted)
      return { ok: false, failure: failure('killed', 'The preview was stopped.') };
    sized.sort((a, b) => b.bytes - a.bytes || b.files - a.files || compareText(a.path, b.path));
    const used = new Set(hidden.map((h) => h.pattern));
    return {
      ok: true,
      value: {
        excluded: sized.slice(0, limit),
        truncated: sized.length > limit,
        includedFiles: totals.files,
        includedBytes: totals.bytes,
        unmatched: excludes.filter((p) => !used.has(p)),
      },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** One `[sender] hiding … because of pattern …` line, with the pattern as it was given. */
function readHidingLine(
  line: string,
  shown: readonly { pattern: string; suffix: string }[],
): Hidden | null {
  const m = HIDING.exec(line);
  if (m === null) return null;
  const rest = m[2] ?? '';
  // Names are escaped but may still contain the words; the pattern at the end is one we passed.
  let name: string | null = null;
  let pattern = '';
  for (const s of shown) {
    if (rest.endsWith(s.suffix)) {
      name = rest.slice(0, -s.suffix.length);
      pattern = s.pattern;
      break;
    }
  }
  if (name === null) {
    const cut = rest.lastIndexOf(BECAUSE);
    if (cut < 0) return null;
    name = rest.slice(0, cut);
    pattern = unescapeRsync(rest.slice(cut + BECAUSE.length)).toString('utf8');
  }
  const bytes = unescapeRsync(name);
  // With --relative rsync names each file by its full path; make sure it reads as one.
  const path = bytes[0] === 0x2f ? bytes : Buffer.concat([Buffer.from('/'), bytes]);
  return { path, kind: m[1] === 'directory' ? 'folder' : 'file', pattern };
}

/** rsync's output escaping: `\#ooo` for bytes it does not print, and for a `\` before `#`. */
export function unescapeRsync(text: string): Buffer {
  const raw = Buffer.from(text, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === 0x5c && raw[i + 1] === 0x23 && i + 4 < raw.length) {
      const octal = raw.subarray(i + 2, i + 5).toString('latin1');
      if (/^[0-7]{3}$/.test(octal)) {
        out.push(parseInt(octal, 8));
        i += 4;
        continue;
      }
    }
    out.push(c);
  }
  return Buffer.from(out);
}

/** How rsync (in the C locale) prints these bytes. */
export function escapeLikeRsync(bytes: Buffer): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    const printable = c >= 0x20 && c < 0x7f && !(c === 0x5c && bytes[i + 1] === 0x23);
    text += printable ? String.fromCharCode(c) : `\\#${c.toString(8).padStart(3, '0')}`;
  }
  return text;
}

/** Regular files and their size, from the `--stats` block. */
function readTotals(lines: readonly string[]): { files: number; bytes: number } | null {
  const count = (s: string) => Number(s.replace(/[,.]/g, ''));
  let files: number | null = null;
  let bytes: number | null = null;
  for (const line of lines) {
    const number = /^Number of files: ([\d,.]+)(?: \((.*)\))?$/.exec(line);
    if (number) files = count(/reg: ([\d,.]+)/.exec(number[2] ?? '')?.[1] ?? '0');
    const size = /^Total file size: ([\d,.]+) bytes/.exec(line);
    if (size) bytes = count(size[1] ?? '0');
  }
  return files === null || bytes === null ? null : { files, bytes };
}

/**
 * Sizes of hidden entries: regular files only, symbolic links never followed. Synchronous calls
 * in short slices: five times faster than one promise per file, and the event loop still runs.
 */
async function sizeEntries(
  hidden: readonly Hidden[],
  signal?: AbortSignal,
): Promise<ExcludedEntry[]> {
  let calls = 0;
  const entries: ExcludedEntry[] = [];
  for (const h of hidden) {
    if (signal?.aborted) break;
    const stats = tryCall(() => lstatSync(h.path));
    let bytes = 0;
    let files = 0;
    if (stats?.isFile()) {
      bytes = stats.size;
      files = 1;
    } else if (stats?.isDirectory()) {
      const folders = [h.path];
      while (folders.length > 0 && !signal?.aborted) {
        const folder = folders.pop()!;
        const children = tryCall(() =>
          readdirSync(folder, { withFileTypes: true, encoding: 'buffer' }),
        );
        for (const child of children ?? []) {
          const path = Buffer.concat([folder, SLASH, child.name]);
          if (child.isDirectory()) folders.push(path);
          else if (child.isFile()) {
            files++;
            bytes += tryCall(() => lstatSync(path))?.size ?? 0;
          }
          if (++calls % WALK_SLICE === 0) await nextTurn();
        }
      }
    }
    entries.push({
      path: h.path.toString('utf8'),
      kind: stats?.isDirectory() ? 'folder' : h.kind,
      bytes,
      files,
      pattern: h.pattern,
    });
    if (++calls % WALK_SLICE === 0) await nextTurn();
  }
  return entries;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The value, or null when the file system refused (a file gone meanwhile, no permission). */
function tryCall<T>(call: () => T): T | null {
  try {
    return call();
  } catch {
    return null;
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
