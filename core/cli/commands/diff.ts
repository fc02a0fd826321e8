/**
 * `snaptray diff OLDER NEWER [PATH]`, `snaptray diff SNAPSHOT --now [PATH]`: files added, changed
 * (size or modification time differs) and deleted. `snaptray diff --text PATH [--snapshot NAME]`:
 * the lines of one text file that differ between a version and the file here.
 */
import { ownFileExcludes } from '../../backup/own-files.js';
import { diffSnapshots, diffWithNow, type Diff, type DiffItem } from '../../restore/diff.js';
import { snapshotCaveat } from '../../restore/choose.js';
import { compareWithHere } from '../../restore/compare.js';
import { displayPath } from '../../restore/remote-names.js';
import type { Failure } from '../../errors.js';
import { formatBytes } from '../../format.js';
import type { CliArgs } from '../args.js';
import { plural, type CommandContext, type Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';
import { pathArg, readFailure, snapshotArg, withSnapshots } from '../reading.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { older: null, newer: null, added: [], changed: [], deleted: [], error };
}

export async function diff(
  args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  const usage = (message: string) => readFailure(failureJson, { kind: 'usage', message });
  if (args.text) return textDiff(args, r, ctx);
  if (args.snapshot !== null) {
    return usage("--snapshot goes with --text (one file's lines); name the snapshots to compare.");
  }
  const names = args.now ? args.positionals.slice(0, 1) : args.positionals.slice(0, 2);
  const rest = args.positionals.slice(names.length);
  if (!args.now && names.length < 2) {
    return usage('"diff" compares two snapshots (OLDER NEWER), or one with --now.');
  }
  if (rest.length > 1) {
    return usage(
      args.now
        ? '"diff SNAPSHOT --now" takes one path at most.'
        : '"diff OLDER NEWER" takes one path at most.',
    );
  }
  const named = names.find((n) => n.startsWith('/'));
  if (named !== undefined) {
    return usage(`"${named}" stands where a snapshot name goes; the path comes last.`);
  }
  let path: string | null = null;
  if (rest[0] !== undefined) {
    const checked = pathArg(rest[0], ctx.cwd);
    if (!checked.ok) return readFailure(failureJson, checked.failure);
    path = checked.value;
  }
  return withSnapshots(r, ctx, failureJson, async (open) => {
    const picked = [];
    for (const name of names) {
      const one = snapshotArg(open, name);
      if (!one.ok) return readFailure(failureJson, one.failure, open.warnings);
      picked.push(one.value);
    }
    const warnings = [
      ...open.warnings,
      ...picked.map(snapshotCaveat).filter((c): c is string => c !== null),
    ];
    let result;
    if (args.now) {
      const snapshot = picked[0];
      if (snapshot === undefined) return usage('Name the snapshot to compare with now.');
      const sources = snapshot.manifest?.sources;
      const paths = path !== null ? [path] : sources;
      if (paths === undefined || paths.length === 0) {
        return usage(
          `${snapshot.name} does not record which folders it holds: name a PATH to compare.`,
        );
      }
      const own = open.ctx.dest.kind === 'local' ? [open.ctx.dest.path] : [];
      result = await diffWithNow(open.ctx, snapshot, paths, {
        excludes: [...ownFileExcludes(paths, ctx.places, own), ...r.profile.excludes],
        signal: ctx.signal,
      });
    } else {
      const [older, newer] = picked;
      if (older === undefined || newer === undefined) return usage('Name two snapshots.');
      result = await diffSnapshots(open.ctx, older, newer, path ?? '/', { signal: ctx.signal });
    }
    if (!result.ok) return readFailure(failureJson, result.failure, warnings);
    const d = result.value;
    warnings.push(...d.warnings);
    return {
      exitCode: 0,
      json: {
        older: d.older,
        newer: d.newer,
        paths: d.paths,
        added: d.added.map(itemJson),
        changed: d.changed.map((c) => ({
          path: c.path,
          type: c.after.type,
          size: c.after.size,
          mtime: c.after.mtime.toISOString(),
          before: { ...c.before, mtime: c.before.mtime.toISOString() },
          after: { ...c.after, mtime: c.after.mtime.toISOString() },
        })),
        deleted: d.deleted.map(itemJson),
        warnings,
        error: null,
      },
      text: diffText(d),
      warnings,
    };
  });
}

function textFailureJson(error: Failure): Record<string, unknown> {
  return { snapshot: null, path: null, here: null, hunks: [], unified: '', error };
}

/**
 * `diff --text PATH [--snapshot NAME]`: one version of a text file against the file here, as
 * `diff -u` prints it (the version is "-", here "+"). Exit 0: identical; 3: they differ, or the
 * file is not here; 1: not compared (not text, too large, unreachable); 2: usage.
 */
async function textDiff(args: CliArgs, r: ResolvedProfile, ctx: CommandContext): Promise<Output> {
  const usage = (message: string) => readFailure(textFailureJson, { kind: 'usage', message });
  if (args.now) return usage('--text compares with the file here already: leave out --now.');
  const [given, extra] = args.positionals;
  if (given === undefined || extra !== undefined) {
    return usage(
      '"diff --text" takes one path: a file as it was here (--snapshot NAME: its version there).',
    );
  }
  const path = pathArg(given, ctx.cwd);
  if (!path.ok) return readFailure(textFailureJson, path.failure);
  return withSnapshots(r, ctx, textFailureJson, async (open) => {
    const compared = await compareWithHere(open.ctx, open.snapshots, {
      path: path.value,
      snapshot: args.snapshot,
      prefix: open.prefix,
      signal: ctx.signal,
    });
    if (!compared.ok) return readFailure(textFailureJson, compared.failure, open.warnings);
    const c = compared.value;
    const shown = displayPath(c.path);
    const text =
      c.here === 'differs'
        ? c.unified
        : c.here === 'same'
          ? `${shown} is the same here as in ${c.snapshot}.\n`
          : `${shown} is not here: there is nothing to compare its version in ${c.snapshot} with ` +
            '("snaptray restore" brings it back).\n';
    return {
      exitCode: c.here === 'same' ? 0 : 3,
      json: { ...c, warnings: open.warnings, error: null },
      text,
      warnings: open.warnings,
    };
  });
}

function itemJson(i: DiffItem): Record<string, unknown> {
  return { ...i, mtime: i.mtime.toISOString() };
}

function shown(i: { path: string; type: string }): string {
  return `${displayPath(i.path)}${i.type === 'dir' ? '/' : ''}`;
}

function diffText(d: Diff): string {
  const size = (i: { type: string; size: number }) =>
    i.type === 'dir' ? '' : ` (${formatBytes(i.size)})`;
  const lines = [
    ...d.added.map((i) => `+ ${shown(i)}${size(i)}`),
    ...d.changed.map((c) => {
      const what =
        c.before.type !== c.after.type
          ? `${c.before.type} -> ${c.after.type}`
          : c.before.size !== c.after.size
            ? `${formatBytes(c.before.size)} -> ${formatBytes(c.after.size)}`
            : `${formatBytes(c.after.size)}, modified again`;
      return `~ ${displayPath(c.path)} (${what})`;
    }),
    ...d.deleted.map((i) => `- ${shown(i)}${size(i)}`),
  ];
  lines.push(
    `${plural(d.added.length, 'added', 'added')}, ${plural(d.changed.length, 'changed', 'changed')}, ` +
      `${plural(d.deleted.length, 'deleted', 'deleted')} (${d.older} -> ${d.newer}).`,
  );
  return lines.join('\n') + '\n';
}
