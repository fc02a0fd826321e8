/** `snaptray ls [SNAPSHOT] [PATH]`: one folder of a snapshot, as it was backed up. */
import { listFolder, type FolderEntry } from '../../restore/browse.js';
import { snapshotCaveat } from '../../restore/choose.js';
import { displayPath } from '../../restore/remote-names.js';
import type { Failure } from '../../errors.js';
import { formatBytes } from '../../format.js';
import type { CliArgs } from '../args.js';
import type { CommandContext, Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';
import { localTime, pathArg, readFailure, snapshotArg, withSnapshots } from '../reading.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { snapshot: null, path: null, entries: [], error };
}

export async function ls(args: CliArgs, r: ResolvedProfile, ctx: CommandContext): Promise<Output> {
  // A path starts with "/"; a snapshot name never holds one.
  const [first, second] = args.positionals;
  const named = first !== undefined && !first.startsWith('/') ? first : null;
  const pathText = named === null ? first : second;
  const path = pathArg(pathText ?? '/', ctx.cwd);
  if (!path.ok) return readFailure(failureJson, path.failure);
  if (named === null && second !== undefined) {
    return readFailure(failureJson, {
      kind: 'usage',
      message: `"ls" takes a snapshot name, then a path; "${first ?? ''}" is a path.`,
    });
  }
  return withSnapshots(r, ctx, failureJson, async (open) => {
    const snapshot = snapshotArg(open, named);
    if (!snapshot.ok) return readFailure(failureJson, snapshot.failure, open.warnings);
    const caveat = snapshotCaveat(snapshot.value);
    const warnings = [...open.warnings, ...(caveat ? [caveat] : [])];
    const folder = await listFolder(open.ctx, snapshot.value, path.value, { signal: ctx.signal });
    if (!folder.ok) return readFailure(failureJson, folder.failure, warnings);
    const { entries } = folder.value;
    const lines = [`${folder.value.snapshot}:${displayPath(folder.value.path)}`];
    if (entries.length === 0) lines.push('(empty folder)');
    const sizes = entries.map((e) => (e.type === 'dir' ? '-' : formatBytes(e.size)));
    const width = Math.max(0, ...sizes.map((s) => s.length));
    entries.forEach((e, i) => {
      lines.push(
        `${TYPE_LETTER[e.type]}  ${(sizes[i] ?? '').padStart(width)}  ${localTime(e.mtime)}  ${shownName(e)}`,
      );
    });
    return {
      exitCode: 0,
      json: {
        snapshot: folder.value.snapshot,
        path: folder.value.path,
        entries: entries.map((e) => ({ ...e, mtime: e.mtime.toISOString() })),
        warnings,
        error: null,
      },
      text: lines.join('\n') + '\n',
      warnings,
    };
  });
}

const TYPE_LETTER = { file: '-', dir: 'd', symlink: 'l', other: '?' } as const;

function shownName(e: FolderEntry): string {
  const name = displayPath(e.name);
  return e.type === 'dir' ? `${name}/` : e.type === 'symlink' ? `${name}@` : name;
}
