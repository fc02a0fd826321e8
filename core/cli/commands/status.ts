/**
 * `snaptray status`: what the tray's menu shows, for desktops without a tray and for cron users:
 * the last run, a run in progress, the pause, the next backup and whether backups are overdue;
 * with --dest, also the destination's newest snapshot.
 */
import { formatDestination } from '../../destination/address.js';
import { isComplete, snapshotsOf, type Snapshot } from '../../destination/snapshot.js';
import { failure, type Failure } from '../../errors.js';
import { formatBytes, plural } from '../../format.js';
import { isOverdue, lastAttempt, lastSuccess, nextRun, overdueSince } from '../../schedule.js';
import { profileRuns, readHistory, type HistoryEntry } from '../../state/history.js';
import type { LockHolder } from '../../state/lock.js';
import { readPause, type PauseState } from '../../state/pause.js';
import { readRunLock } from '../../state/profile-lock.js';
import type { CliArgs } from '../args.js';
import { withListing } from '../destination.js';
import { failedOutput, type CommandContext, type Output } from '../output.js';
import { resolveProfile } from '../profile.js';
import { describeSchedule } from '../schedule-words.js';
import { localTime, stateProfile, type StateProfile } from '../state-profile.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return { profile: null, error };
}

export async function status(args: CliArgs, ctx: CommandContext): Promise<Output> {
  const resolved = await stateProfile(args, ctx);
  if (!resolved.ok) {
    return failedOutput(failureJson, 2, failure('settings', resolved.message));
  }
  const sp = resolved.value;
  const now = new Date();
  let pause: PauseState;
  try {
    pause = await readPause(sp.stateDir, now);
  } catch (e) {
    return failedOutput(
      failureJson,
      1,
      failure(
        'internal',
        `The pause file in ${sp.stateDir} cannot be read: ${(e as Error).message}`,
      ),
    );
  }
  // One-off runs (another destination, prefix or sources) are not this profile's backups.
  const history = profileRuns(await readHistory(sp.stateDir, { last: 500 }));
  const running = await readRunLock(sp.lock);
  const facts = gather(sp, history, pause, running, now);
  let newest: Snapshot | null = null;
  let destinationError: Failure | null = null;
  if (args.dest !== null) {
    const found = await newestSnapshot(args, ctx);
    if (found.ok) newest = found.snapshot;
    else destinationError = found.failure;
  }
  const json = {
    ...facts,
    newestSnapshot:
      newest === null
        ? null
        : { name: newest.name, time: newest.time.toISOString(), state: newest.state },
    error: destinationError,
  };
  const lines = describe(sp, facts);
  if (args.dest !== null) {
    lines.push(
      destinationError !== null
        ? `The destination could not be read: ${destinationError.message}`
        : newest === null
          ? 'The destination holds no complete snapshot of this profile yet.'
          : `Newest snapshot on the destination: ${newest.name} (${newest.state}, ${localTime(newest.time)}).`,
    );
  }
  return { exitCode: destinationError === null ? 0 : 1, json, text: lines.join('\n') + '\n' };
}

interface Facts {
  profile: string;
  configured: boolean;
  destination: string | null;
  lastRun: Record<string, unknown> | null;
  lastSuccess: Record<string, unknown> | null;
  running: { pid: number; since: string; source: string } | null;
  paused: boolean;
  pausedUntil: string | null;
  nextBackup: string | null;
  due: boolean;
  overdue: boolean;
  overdueSince: string | null;
  overdueDays: number;
}

/** The status as plain data: the JSON fields (stable names, listed in the README). */
function gather(
  sp: StateProfile,
  history: readonly HistoryEntry[],
  pause: PauseState,
  running: LockHolder | null,
  now: Date,
): Facts {
  const last = lastAttempt(history);
  const success = lastSuccess(history);
  const pausedUntil = pause.paused ? pause.until : null;
  let next: Date | null = null;
  let due = false;
  if (sp.configured && !(pause.paused && pausedUntil === null)) {
    // While paused for a while, the next backup is the first one due once the pause ends.
    const from = pausedUntil ?? now;
    const planned = nextRun(sp.profile.schedule, history, from);
    next = planned.at;
    due = !pause.paused && planned.overdue;
  }
  const overdue = sp.configured && isOverdue(history, sp.profile.overdueDays, now);
  return {
    profile: sp.name,
    configured: sp.configured,
    destination: sp.profile.destination === '' ? null : sp.profile.destination,
    lastRun: last === null ? null : runFields(last),
    lastSuccess: success === null ? null : runFields(success),
    running:
      running === null
        ? null
        : { pid: running.pid, since: running.startedAt, source: running.source },
    paused: pause.paused,
    pausedUntil: pausedUntil === null ? null : pausedUntil.toISOString(),
    nextBackup: next === null ? null : next.toISOString(),
    due,
    overdue,
    overdueSince: overdue ? (overdueSince(history)?.toISOString() ?? null) : null,
    overdueDays: sp.profile.overdueDays,
  };
}

function runFields(e: HistoryEntry): Record<string, unknown> {
  return {
    outcome: e.outcome,
    startedAt: e.startedAt,
    endedAt: e.endedAt,
    exitCode: e.exitCode,
    snapshot: e.snapshot,
    files: e.files,
    bytesSent: e.bytesSent,
    error: e.error,
  };
}

function describe(sp: StateProfile, f: Facts): string[] {
  const lines: string[] = [];
  const name = `Profile "${sp.name}"`;
  if (!sp.configured) {
    const missing = [
      ...(sp.profile.destination === '' ? ['no destination'] : []),
      ...(sp.profile.sources.length === 0 ? ['no sources'] : []),
    ];
    lines.push(
      `${name} is not set up (${missing.join(', ')} in ${sp.configPath}): set it up in the ` +
        'settings window, or pass --dest and --source to "snaptray backup".',
    );
  } else {
    lines.push(
      `${name}: ${sp.profile.sources.join(', ')} to ${sp.profile.destination}, ` +
        `${describeSchedule(sp.profile.schedule)}.`,
    );
  }
  const last = f.lastRun as (HistoryEntry & { error: Failure | null }) | null;
  const success = f.lastSuccess as HistoryEntry | null;
  if (success !== null) {
    const sent =
      success.files === null
        ? ''
        : `, ${plural(success.files, 'changed file')} sent (${formatBytes(success.bytesSent ?? 0)})`;
    lines.push(
      `Last backup: ${localTime(new Date(success.endedAt))}, ${success.outcome === 'ok' ? 'ok' : 'completed with errors'}: ${success.snapshot ?? ''}${sent}.`,
    );
  } else lines.push('Last backup: none yet.');
  if (last !== null && last !== success && last.startedAt !== success?.startedAt) {
    const why = last.error?.message ? `: ${last.error.message}` : '.';
    lines.push(`Last run: ${localTime(new Date(last.endedAt))}, ${last.outcome}${why}`);
  }
  if (f.running !== null) {
    const from = f.running.source === 'tray' ? 'the tray' : 'the command line or cron';
    lines.push(
      `Running: a backup since ${localTime(new Date(f.running.since))}, started from ${from} (process ${f.running.pid}).`,
    );
  }
  if (f.paused) {
    lines.push(
      f.pausedUntil === null
        ? 'Paused until you resume backups ("snaptray resume").'
        : `Paused until ${localTime(new Date(f.pausedUntil))} ("snaptray resume" ends it now).`,
    );
  }
  if (sp.configured && f.running === null) {
    if (f.nextBackup === null) lines.push('Next backup: none while paused.');
    else if (f.due) lines.push('Next backup: due now.');
    else lines.push(`Next backup: ${localTime(new Date(f.nextBackup))}.`);
  }
  if (f.overdue) {
    const since = f.overdueSince === null ? '' : ` since ${localTime(new Date(f.overdueSince))}`;
    lines.push(
      `Overdue: no successful backup${since} (the warning comes after ${plural(f.overdueDays, 'day')}).`,
    );
  }
  return lines;
}

/** The newest complete snapshot of the profile's prefix, listed through one connection. */
async function newestSnapshot(
  args: CliArgs,
  ctx: CommandContext,
): Promise<{ ok: true; snapshot: Snapshot | null } | { ok: false; failure: Failure }> {
  const r = await resolveProfile(args, ctx.places.configFile);
  if (!r.ok) return { ok: false, failure: failure('settings', r.message) };
  let newest: Snapshot | null = null;
  const out = await withListing(
    r.value,
    ctx,
    (error) => ({ error }),
    async ({ listing }) => {
      newest =
        snapshotsOf(r.value.profile.prefix, listing).snapshots.filter(isComplete).at(-1) ?? null;
      return { exitCode: 0, json: {}, text: '' };
    },
  );
  if (out.exitCode !== 0) {
    const error = out.json.error as Failure | undefined;
    return {
      ok: false,
      failure:
        error ?? failure('internal', `${formatDestination(r.value.dest)} could not be read.`),
    };
  }
  return { ok: true, snapshot: newest };
}
