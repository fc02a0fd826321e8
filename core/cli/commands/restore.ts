/** `snaptray restore PATH…`: files and folders back from a snapshot, nothing overwritten silently. */
import { parseTime } from '../../restore/choose.js';
import { displayPath } from '../../restore/remote-names.js';
import { restorePaths, type RestoreResult } from '../../restore/restore.js';
import type { Failure } from '../../errors.js';
import type { CliArgs } from '../args.js';
import { plural, type CommandContext, type Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';
import { pathArg, readFailure, withSnapshots } from '../reading.js';
import { createRestoreReporter } from '../restore-progress.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { snapshot: null, restored: 0, keptAside: [], skipped: [], dryRun: false, error };
}

export async function restore(
  args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  const usage = (message: string) => readFailure(failureJson, { kind: 'usage', message });
  const paths: string[] = [];
  for (const p of args.positionals) {
    const checked = pathArg(p, ctx.cwd);
    if (!checked.ok) return readFailure(failureJson, checked.failure);
    paths.push(checked.value);
  }
  if (args.snapshot !== null && args.before !== null) {
    return usage('Give --snapshot or --before, not both.');
  }
  let before: Date | null = null;
  if (args.before !== null) {
    before = parseTime(args.before);
    if (before === null) {
      return usage(
        `--before "${args.before}" is not a time: write ISO-8601 (2026-11-29T10:15:00Z) or a ` +
          'local date and time (2026-11-29 10:15).',
      );
    }
  }
  let to: string | null = null;
  if (args.to !== null) {
    const checked = pathArg(args.to, ctx.cwd);
    if (!checked.ok) return readFailure(failureJson, checked.failure);
    to = checked.value;
  }
  let into: string | null = null;
  if (args.into !== null) {
    if (args.to !== null) return usage('Give --to or --into, not both.');
    if (paths.length !== 1) {
      return usage('--into takes exactly one path: the folder whose contents go into it.');
    }
    const checked = pathArg(args.into, ctx.cwd);
    if (!checked.ok) return readFailure(failureJson, checked.failure);
    into = checked.value;
  }
  if (args.keepBoth && args.missingOnly) {
    return usage(
      'Give --keep-both or --missing-only, not both: --missing-only leaves every file here as it is.',
    );
  }
  if (args.keepBoth && into !== null) {
    return usage(
      '--keep-both writes each path beside itself under a new name: use --to, not --into.',
    );
  }
  const reporter = args.json
    ? { onEvent: () => undefined, done: () => undefined }
    : createRestoreReporter(ctx.io.stderr);
  return withSnapshots(r, ctx, failureJson, async (open) => {
    const result = await restorePaths(open.ctx, open.snapshots, {
      paths,
      from: args.snapshot !== null ? { snapshot: args.snapshot } : { before },
      to,
      into,
      missingOnly: args.missingOnly,
      conflicts: args.keepBoth ? 'keep-both' : 'replace',
      dryRun: args.dryRun,
      asRoot: process.geteuid?.() === 0,
      now: new Date(),
      watched: !args.json && ctx.io.stderr.isTTY === true,
      prefix: open.prefix,
      options: { acls: r.profile.rsync.acls, xattrs: r.profile.rsync.xattrs },
      diskKeepsModes: open.diskKeepsModes,
      signal: ctx.signal,
      onEvent: (e) => reporter.onEvent(e),
    });
    reporter.done();
    if (!result.ok) return readFailure(failureJson, result.failure, open.warnings);
    const value = result.value;
    const warnings = [...open.warnings, ...value.warnings];
    return {
      exitCode: { ok: 0, partial: 3, cancelled: 5 }[value.outcome],
      json: {
        snapshot: value.snapshot,
        restored: value.restored,
        keptAside: value.keptAside,
        skipped: value.skipped,
        dryRun: value.dryRun,
        outcome: value.outcome,
        placed: value.placed,
        restoresOwners: value.restoresOwners,
        restoresModes: value.restoresModes,
        warnings,
        error:
          value.outcome === 'cancelled'
            ? { kind: 'killed', message: STOPPED }
            : value.outcome === 'partial'
              ? {
                  kind: 'rsync-failed',
                  message: 'Some files could not be restored; see "skipped".',
                }
              : null,
      },
      text: restoreText(value),
      warnings,
    };
  });
}

const STOPPED =
  'Stopped. Files restored so far stay; none is left half-written under its name. Run the same restore again to finish it.';

function restoreText(r: RestoreResult): string {
  const lines: string[] = [];
  const would = r.dryRun ? 'Would restore' : 'Restored';
  const where = r.placed.map((p) => displayPath(p.to)).join(', ');
  lines.push(`${would} ${plural(r.restored, 'file')} from ${r.snapshot}: ${where}.`);
  const both = r.placed.filter((p) => p.keptBoth);
  if (both.length > 0) {
    lines.push(
      r.dryRun
        ? 'These differ from the snapshot and would stay as they are; its version would go beside them:'
        : 'These differed from the snapshot and stay as they are; its version went beside them:',
    );
    for (const p of both) lines.push(`  ${displayPath(p.path)} -> ${displayPath(p.to)}`);
  }
  if (r.keptAside.length > 0) {
    lines.push(
      r.dryRun
        ? 'These differ from the snapshot and would be kept beside it first:'
        : 'These differed from the snapshot and were kept beside it first:',
    );
    for (const k of r.keptAside) lines.push(`  ${displayPath(k.path)} -> ${displayPath(k.keptAs)}`);
  }
  if (r.skipped.length > 0) {
    lines.push(r.dryRun ? 'Would not be restored:' : 'Not restored:');
    for (const s of r.skipped) lines.push(`  ${displayPath(s.path)}: ${s.why}`);
  }
  if (r.outcome === 'cancelled') lines.push(STOPPED);
  if (r.dryRun) lines.push('Dry run: nothing was changed.');
  return lines.join('\n') + '\n';
}
