/**
 * What the commands that read snapshots share (ls, find, versions, restore, diff, verify): the
 * destination open and listed once, this prefix's snapshots, and their failures as exit codes.
 * None of them takes the backup lock or needs to hold the prefix: another owner's snapshots can
 * be read (`--prefix`), by the same account or on a new machine.
 */
import { readMarker } from '../destination/initialise.js';
import type { DestinationContext } from '../destination/ops.js';
import { snapshotsOf, type Snapshot } from '../destination/snapshot.js';
import type { Failure } from '../errors.js';
import { householdOf } from '../destination/household.js';
import { otherMachinesHint } from '../destination/household-hint.js';
import { completeSnapshots, newestComplete, snapshotNamed } from '../restore/choose.js';
import { normalPath } from '../restore/paths.js';
import { notFound, type RestoreFailure, type Result } from '../restore/result.js';
import { withListing } from './destination.js';
import type { CommandContext, Output } from './output.js';
import type { ResolvedProfile } from './profile.js';

export interface OpenSnapshots {
  ctx: DestinationContext;
  prefix: string;
  /** This prefix's snapshots, oldest first. */
  snapshots: Snapshot[];
  /** Manifests that cannot be read. */
  warnings: string[];
  /** False when the destination's marker says its disk keeps no file modes. */
  diskKeepsModes: boolean;
}

export type FailureJson = (error: Failure) => Record<string, unknown>;

export function withSnapshots(
  r: ResolvedProfile,
  ctx: CommandContext,
  failureJson: FailureJson,
  body: (open: OpenSnapshots) => Promise<Output>,
): Promise<Output> {
  return withListing(r, ctx, failureJson, async ({ ctx: dest, listing }) => {
    const set = snapshotsOf(r.profile.prefix, listing);
    const out = await body({
      ctx: dest,
      prefix: r.profile.prefix,
      snapshots: set.snapshots,
      warnings: set.warnings,
      diskKeepsModes: readMarker(listing.marker).keepsModes,
    });
    if (completeSnapshots(set.snapshots).length > 0) return out;
    const hint = otherMachinesHint(householdOf(listing, new Date()), r.profile.prefix);
    return hint === null ? out : withHint(out, hint);
  });
}

/**
 * A read that found nothing in a prefix without a complete snapshot, on a destination that holds
 * other machines' snapshots: the words name them (most likely this is a new machine's name).
 */
function withHint(out: Output, hint: string): Output {
  const error = out.json['error'] as { kind?: unknown; message?: unknown } | null | undefined;
  if (out.exitCode === 0 || error?.kind !== 'not-found' || typeof error.message !== 'string') {
    return out;
  }
  return {
    ...out,
    json: { ...out.json, error: { ...error, message: `${error.message}\n${hint}` } },
    text: `${out.text}${hint}\n`,
  };
}

/** A failed read as the command's output: stopped 5, bad input 2 or 1, anything else 1. */
export function readFailure(
  failureJson: FailureJson,
  failure: RestoreFailure,
  warnings: readonly string[] = [],
): Output {
  const exitCode =
    failure.kind === 'killed' ? 5 : failure.kind === 'usage' || failure.kind === 'settings' ? 2 : 1;
  // The command's JSON shape, with the engine's own error (its kinds include "not-found").
  const shape = failureJson({ kind: 'internal', message: failure.message });
  return {
    exitCode,
    json: { ...shape, error: { kind: failure.kind, message: failure.message } },
    text: `snaptray: ${failure.message}\n`,
    warnings,
  };
}

/** The snapshot a command names, or the newest complete one. */
export function snapshotArg(open: OpenSnapshots, name: string | null): Result<Snapshot> {
  if (name !== null) return snapshotNamed(open.snapshots, open.prefix, name);
  const newest = newestComplete(open.snapshots);
  return newest === null
    ? notFound(`The prefix "${open.prefix}" has no complete snapshot yet.`)
    : { ok: true, value: newest };
}

/** A path argument, made absolute from the folder the command runs in. */
export function pathArg(text: string, cwd: string): Result<string> {
  const checked = normalPath(text, cwd);
  return checked.ok
    ? { ok: true, value: checked.path }
    : { ok: false, failure: { kind: 'usage', message: checked.message } };
}

/** A time people read: local, to the second. */
export function localTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
  );
}
