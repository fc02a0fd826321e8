/**
 * `snaptray verify [SNAPSHOT] [--sample PERCENT]`: Time Machine's "Verify Backups". Exit 0 when
 * every compared file is identical, 3 when some differ, 1 when the check itself failed. For each
 * file that differs it names the snapshots sharing that one copy (hard links) and the newest
 * intact copy elsewhere, if any.
 */
import { verifySnapshot, type VerifyResult } from '../../restore/verify.js';
import { snapshotCaveat } from '../../restore/choose.js';
import { displayPath } from '../../restore/remote-names.js';
import type { Failure } from '../../errors.js';
import type { CliArgs } from '../args.js';
import { plural, type CommandContext, type Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';
import { readFailure, snapshotArg, withSnapshots } from '../reading.js';
import { createVerifyReporter } from '../restore-progress.js';
import { addRecheck } from '../../state/recheck.js';
import { profileStateDir } from '../../state/paths.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { snapshot: null, checked: 0, mismatched: [], error };
}

export async function verify(
  args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  let percent = 100;
  if (args.sample !== null) {
    percent = Number(args.sample.replace(/%$/, ''));
    if (!Number.isFinite(percent) || percent <= 0 || percent > 100) {
      return readFailure(failureJson, {
        kind: 'usage',
        message: `--sample "${args.sample}" is not a percentage (more than 0, at most 100).`,
      });
    }
  }
  const reporter = args.json
    ? { onEvent: () => undefined, done: () => undefined }
    : createVerifyReporter(ctx.io.stderr);
  return withSnapshots(r, ctx, failureJson, async (open) => {
    const snapshot = snapshotArg(open, args.positionals[0] ?? null);
    if (!snapshot.ok) return readFailure(failureJson, snapshot.failure, open.warnings);
    const caveat = snapshotCaveat(snapshot.value);
    const warnings = [...open.warnings, ...(caveat ? [caveat] : [])];
    const result = await verifySnapshot(open.ctx, snapshot.value, {
      samplePercent: percent,
      snapshots: open.snapshots,
      signal: ctx.signal,
      onEvent: (e) => reporter.onEvent(e),
    });
    reporter.done();
    if (!result.ok) return readFailure(failureJson, result.failure, warnings);
    const v = result.value;
    // The next backup of the profile compares them by content, rather than linking this copy
    // again (not for a one-off destination or prefix: its backups are not the profile's).
    let comparedByNextBackup = false;
    if (v.mismatched.length > 0 && r.oneOff === null) {
      try {
        await addRecheck(profileStateDir(ctx.places.stateRoot, r.name), v.mismatched);
        comparedByNextBackup = true;
      } catch (e) {
        warnings.push(
          `The next backup cannot be told to compare these files by content: ${(e as Error).message}`,
        );
      }
    }
    const exitCode = v.outcome === 'cancelled' ? 5 : v.mismatched.length > 0 ? 3 : 0;
    return {
      exitCode,
      json: {
        snapshot: v.snapshot,
        checked: v.checked,
        mismatched: v.mismatched,
        damaged: v.damaged,
        eligible: v.eligible,
        samplePercent: percent,
        unchecked: v.unchecked,
        comparedByNextBackup,
        warnings,
        error:
          v.outcome === 'cancelled'
            ? { kind: 'killed', message: 'Stopped before every file was compared.' }
            : null,
      },
      text: verifyText(v, percent, comparedByNextBackup),
      warnings,
    };
  });
}

function verifyText(v: VerifyResult, percent: number, comparedByNextBackup: boolean): string {
  const lines: string[] = [];
  const scope =
    percent < 100
      ? `${plural(v.checked, 'file')} (a ${percent}% sample of the ${v.eligible.toLocaleString('en-US')})`
      : plural(v.checked, 'file');
  if (v.eligible === 0) {
    lines.push(
      `No file here has the same size and modification time as its copy in ${v.snapshot}: nothing to compare.`,
    );
  } else if (v.mismatched.length === 0) {
    lines.push(
      `${v.snapshot}: ${scope} whose size and modification time here match the snapshot were compared by checksum: all identical.`,
    );
  } else {
    lines.push(
      `${v.snapshot}: of ${scope} whose size and modification time here match the snapshot, ` +
        `${plural(v.mismatched.length, 'file differs', 'files differ')} in content:`,
    );
    for (const p of v.mismatched) {
      lines.push(`  ${displayPath(p)}`);
      const d = v.damaged.find((x) => x.path === p);
      if (d === undefined) continue;
      const linked =
        d.sharedBy.length > 1
          ? `its copy is one file in ${plural(d.sharedBy.length, 'snapshot')} (${d.sharedBy.join(', ')})`
          : null;
      if (d.goodCopy !== null) {
        lines.push(
          `    ${linked === null ? '' : `${linked}; `}an intact copy, equal to the file here, is in ${d.goodCopy.snapshot}: the damaged one is the snapshots' copy`,
        );
      } else {
        lines.push(
          `    no other snapshot holds an intact copy; ${d.sharedBy.length > 1 ? `these ${d.sharedBy.length} share the damaged one: ${d.sharedBy.join(', ')}` : `only ${d.sharedBy[0] ?? v.snapshot} holds it`}`,
        );
      }
    }
    lines.push(
      'Same size and modification time but different content means the snapshot’s copy or the ' +
        'file here changed without a new modification time (a damaged disk, or a program that ' +
        'puts the old time back). ' +
        (comparedByNextBackup
          ? 'The next backup of this profile compares these files by content and stores them as ' +
            'they are here, instead of linking that copy again. If a file here is the damaged ' +
            'one, restore it before then ("snaptray versions" lists the others); the earlier ' +
            'snapshots keep their copies either way.'
          : 'If the file here is right, touch it (a new modification time) and back up again, ' +
            'so the next snapshot stores a fresh copy instead of linking the old one; if it is ' +
            'the damaged one, restore it ("snaptray versions" lists the others).'),
    );
  }
  for (const u of v.unchecked) lines.push(`Not compared: ${displayPath(u.path)}: ${u.why}`);
  if (v.outcome === 'cancelled') lines.push('Stopped before every file was compared.');
  return lines.join('\n') + '\n';
}
