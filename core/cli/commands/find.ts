/** `snaptray find PATTERN [SNAPSHOT | --all]`: where did my file go? */
import { findByName, namePattern } from '../../restore/find.js';
import { completeSnapshots } from '../../restore/choose.js';
import { displayPath } from '../../restore/remote-names.js';
import type { Failure } from '../../errors.js';
import { formatBytes } from '../../format.js';
import type { CliArgs } from '../args.js';
import { plural, type CommandContext, type Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';
import { localTime, readFailure, snapshotArg, withSnapshots } from '../reading.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { pattern: null, snapshots: [], matches: [], error };
}

export async function find(
  args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  const [text, named] = args.positionals;
  const pattern = namePattern(text ?? '');
  if (!pattern.ok) {
    return readFailure(failureJson, { kind: 'usage', message: pattern.message });
  }
  if (args.all && named !== undefined) {
    return readFailure(failureJson, {
      kind: 'usage',
      message: 'Name one snapshot or --all, not both.',
    });
  }
  return withSnapshots(r, ctx, failureJson, async (open) => {
    let searched = completeSnapshots(open.snapshots);
    if (!args.all) {
      const one = snapshotArg(open, named ?? null);
      if (!one.ok) return readFailure(failureJson, one.failure, open.warnings);
      searched = [one.value];
    }
    const found = await findByName(open.ctx, searched, pattern.value, { signal: ctx.signal });
    if (!found.ok) return readFailure(failureJson, found.failure, open.warnings);
    const { matches } = found.value;
    const warnings = [...open.warnings, ...found.value.warnings];
    const where = args.all
      ? `the ${plural(searched.length, 'snapshot')}`
      : (searched[0]?.name ?? '');
    const lines =
      matches.length === 0
        ? [`No name matches "${pattern.value.text}" in ${where}.`]
        : matches.map((m) => {
            const shown = `${displayPath(m.path)}${m.type === 'dir' ? '/' : ''}`;
            const size = m.type === 'dir' ? '' : `  ${formatBytes(m.size)}`;
            const held = args.all
              ? `  in ${m.snapshots.length} of ${searched.length} (${m.snapshots[0] ?? ''}${m.snapshots.length > 1 ? ` … ${m.snapshots.at(-1) ?? ''}` : ''})`
              : '';
            return `${shown}${size}  ${localTime(m.mtime)}${held}`;
          });
    return {
      exitCode: 0,
      json: {
        pattern: pattern.value.text,
        snapshots: found.value.searched,
        matches: matches.map((m) => ({ ...m, mtime: m.mtime.toISOString() })),
        warnings,
        error: null,
      },
      text: lines.join('\n') + '\n',
      warnings,
    };
  });
}
