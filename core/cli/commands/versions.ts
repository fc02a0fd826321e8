/** `snaptray versions PATH`: every distinct version of a file across this prefix's snapshots. */
import { completeSnapshots } from '../../restore/choose.js';
import { displayPath } from '../../restore/remote-names.js';
import { fileVersions } from '../../restore/versions.js';
import type { Failure } from '../../errors.js';
import { formatBytes } from '../../format.js';
import type { CliArgs } from '../args.js';
import { plural, type CommandContext, type Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';
import { localTime, pathArg, readFailure, withSnapshots } from '../reading.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { path: null, versions: [], error };
}

export async function versions(
  args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  const path = pathArg(args.positionals[0] ?? '', ctx.cwd);
  if (!path.ok) return readFailure(failureJson, path.failure);
  return withSnapshots(r, ctx, failureJson, async (open) => {
    const complete = completeSnapshots(open.snapshots);
    const found = await fileVersions(open.ctx, complete, path.value, {
      prefix: open.prefix,
      signal: ctx.signal,
    });
    if (!found.ok) return readFailure(failureJson, found.failure, open.warnings);
    const { versions: list, searched } = found.value;
    const lines = [
      `${displayPath(path.value)}: ${plural(list.length, 'version')} in ${plural(searched, 'snapshot')}, oldest first`,
    ];
    for (const v of list) {
      const first = v.snapshots[0] ?? v.snapshot;
      const last = v.snapshots.at(-1) ?? v.snapshot;
      const span = first === last ? first : `${first} … ${last}`;
      lines.push(
        `  ${formatBytes(v.size).padStart(8)}  modified ${localTime(v.mtime)}  ` +
          `${v.type === 'file' ? '' : `(${v.type}) `}in ${span} (${plural(v.snapshots.length, 'snapshot')})`,
      );
    }
    return {
      exitCode: 0,
      json: {
        path: path.value,
        versions: list.map((v) => ({
          snapshot: v.snapshot,
          time: v.time.toISOString(),
          type: v.type,
          size: v.size,
          mtime: v.mtime.toISOString(),
          snapshots: v.snapshots,
        })),
        warnings: open.warnings,
        error: null,
      },
      text: lines.join('\n') + '\n',
      warnings: open.warnings,
    };
  });
}
