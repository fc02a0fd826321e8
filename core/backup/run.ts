/**
 * One backup run, in the order the snapshot protocol needs: pause, locks (and stop an rsync a dead
 * run left behind), connect, check the destination and that this profile holds the prefix, pre
 * hook, push, manifest, supersede and prune this owner's snapshots, after hook. On failure the
 * fail hook runs and nothing is deleted.
 */
import { appendFile, stat } from 'node:fs/promises';
import type { Destination } from '../destination/address.js';
import { formatDestination, parseDestination } from '../destination/address.js';
import { holdPrefix, mayHold } from '../destination/hold-prefix.js';
import { readMarker } from '../destination/initialise.js';
import { pointLatestLink } from '../destination/latest-link.js';
import { deleteAndConfirm } from '../destination/delete-confirmed.js';
import { listDestination, pushTopFile, topFileTime } from '../destination/ops.js';
import { meFor, type Claim } from '../destination/ownership.js';
import { DEFAULT_BUSY_WAIT_MS, waitingWhileBusy } from '../destination/busy-wait.js';
import { openDestination } from '../destination/session.js';
import { nextGeneration } from '../destination/sequence.js';
import { freshSnapshotName, manifestName } from '../destination/snapshot-name.js';
import type { Manifest, Snapshot } from '../destination/snapshot.js';
import { inSequence, isComplete, isOwn, linkBases } from '../destination/snapshot.js';
import { storedModes, storedOwnership } from '../destination/stored-ownership.js';
import { failure, type Failure } from '../errors.js';
import { plural } from '../format.js';
import type { Profile } from '../settings/schema.js';
import { loadIdentity } from '../settings/identity.js';
import { appendHistory, type HistoryEntry } from '../state/history.js';
import type { HeldLock } from '../state/lock.js';
import { ensurePrivateDir } from '../state/paths.js';
import { readPause } from '../state/pause.js';
import { readRecheck, recheckable, settleRecheck } from '../state/recheck.js';
import { takeProfileLock } from '../state/profile-lock.js';
import {
  clockSuspicions,
  destinationClockSuspicion,
  readBootClock,
  suspectClockWarning,
} from './clock-check.js';
import { runHook } from './hooks.js';
import { makeRoom } from './make-room.js';
import { planRetention, supersededIncomplete } from './retention.js';
import type {
  BackupEnvironment,
  BackupEvent,
  BackupRequest,
  BackupResult,
  DeletedSnapshot,
  Outcome,
} from './run-types.js';
import { EXIT_CODES } from './run-types.js';
import { planMovedSources, storedInFullWarning } from './moved-sources.js';
import { sourceInsideDestination } from './sources.js';
import { copiedInsteadOfLinked } from './transfer-messages.js';
import { baseHoldsFiles, fullCopyWarning, sourceArguments, transferSnapshot } from './transfer.js';

export * from './run-types.js';

export async function runBackup(
  given: BackupEnvironment,
  req: BackupRequest,
): Promise<BackupResult> {
  // A call the destination refuses as busy is made again for a while (busy-wait.ts).
  const env: BackupEnvironment = {
    ...given,
    spawn: waitingWhileBusy(given.spawn, { boundMs: given.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS }),
  };
  const started = env.now();
  const warnings: string[] = [];
  const emit = (e: BackupEvent) => req.onEvent?.(e);
  const warn = (message: string) => {
    warnings.push(message);
    emit({ type: 'warning', message });
  };
  req.settingsWarnings?.forEach(warn);
  const complete = (partial: PartialResult): BackupResult => ({
    snapshot: null,
    rsyncExitCode: null,
    files: null,
    bytesSent: null,
    totalFiles: null,
    totalBytes: null,
    unreadable: null,
    fullCopy: false,
    storedInFull: false,
    deletedToMakeRoom: [],
    deleted: [],
    clockSuspicions: [],
    movedSources: [],
    logPath: null,
    error: null,
    ...partial,
    exitCode: exitCodeOf(partial),
    durationMs: env.now().getTime() - started.getTime(),
    warnings,
  });
  const finish = async (partial: PartialResult) => {
    const result = complete(partial);
    await record(env, req, started, result).catch((e: unknown) => {
      result.warnings.push(`The run could not be recorded in the history: ${String(e)}`);
    });
    return result;
  };

  const stateDir = await ensurePrivateDir(env.stateDir);
  if (stateDir.kind === 'refused') {
    // Without its state folder the run cannot be recorded either.
    return complete({ outcome: 'failed', error: failure('internal', stateDir.message) });
  }
  let pause;
  try {
    pause = await readPause(env.stateDir, started);
  } catch (e) {
    return complete({
      outcome: 'failed',
      error: failure(
        'internal',
        `The pause file in ${env.stateDir} cannot be read (${(e as Error).message}). Fix its ` +
          'permissions or delete it (that resumes backups of this profile).',
      ),
    });
  }
  if (pause.paused && !req.force) {
    const until = pause.until ? `until ${pause.until.toLocaleString()}` : 'until resumed';
    return finish({
      outcome: 'paused',
      error: failure(
        'refused',
        `Backups of this profile are paused ${until}. Use --force to run anyway.`,
      ),
    });
  }
  const taken = await takeProfileLock(
    { stateDir: env.stateDir, configDir: env.configDir, profile: req.profileName },
    env.source,
    'back up',
    started,
  );
  if (!taken.ok) {
    return finish({ outcome: taken.held ? 'locked' : 'failed', error: taken.failure });
  }
  const lock = taken.lock;
  try {
    return await finish(await runLocked(env, req, started, lock, warn, emit));
  } finally {
    await lock.release();
  }
}

type PartialResult = Partial<BackupResult> & { outcome: Outcome };

/** Settings that cannot work (a missing source among them) are usage errors, as a bad flag is. */
function exitCodeOf(partial: PartialResult): number {
  const kind = partial.error?.kind;
  if (partial.outcome === 'failed' && (kind === 'settings' || kind === 'source-missing')) return 2;
  return EXIT_CODES[partial.outcome];
}

async function runLocked(
  env: BackupEnvironment,
  req: BackupRequest,
  started: Date,
  lock: HeldLock,
  warn: (m: string) => void,
  emit: (e: BackupEvent) => void,
): Promise<PartialResult> {
  const { profile } = req;
  const parsed = parseDestination(profile.destination);
  if (!parsed.ok) {
    return { outcome: 'failed', error: failure('settings', `The destination ${parsed.message}.`) };
  }
  const dest = parsed.value;
  if (profile.sources.length === 0) {
    return {
      outcome: 'failed',
      error: failure('settings', 'No sources are set: name at least one folder to back up.'),
    };
  }
  const missing = await missingSources(profile.sources);
  if (missing.length > 0) {
    return {
      outcome: 'failed',
      error: failure(
        'source-missing',
        `These sources do not exist or cannot be read: ${missing.join(', ')}.`,
      ),
    };
  }
  const inside = await sourceInsideDestination(profile.sources, dest);
  if (inside !== null) return { outcome: 'failed', error: inside };
  const hookEnv = (status: string, exitCode: number | null, snapshot: string | null) => ({
    SNAPTRAY_PROFILE: req.profileName,
    SNAPTRAY_SNAPSHOT: snapshot ?? '',
    SNAPTRAY_STATUS: status,
    SNAPTRAY_EXIT_CODE: exitCode === null ? '' : String(exitCode),
    SNAPTRAY_DEST: formatDestination(dest),
  });
  const failWith = async (result: PartialResult): Promise<PartialResult> => {
    if (result.outcome === 'failed' || result.outcome === 'cancelled') {
      const hook = await runHook(
        profile.hooks.fail,
        hookEnv(result.outcome, result.rsyncExitCode ?? null, result.snapshot ?? null),
        profile.hooks.timeoutSeconds,
      );
      if (hook.kind === 'failed') warn(`The fail hook failed too: ${describeHook(hook)}`);
    }
    return result;
  };

  const identity = await loadIdentity(env.configDir, started);
  if (!identity.ok)
    return failWith({ outcome: 'failed', error: failure('settings', identity.message) });
  if (identity.news !== null) warn(identity.news);
  const me = meFor(identity, req.profileName, env.hostname, env.user);

  if (dest.kind === 'ssh') emit({ type: 'phase', phase: 'connecting' });
  const opened = await openDestination(env, dest, profile.ssh, req.signal);
  if (!opened.ok) return failWith(cancelledOr(req, { outcome: 'failed', error: opened.failure }));
  const { ctx } = opened.value;
  opened.value.warnings.forEach(warn);
  try {
    emit({ type: 'phase', phase: 'checking' });
    const listing = await listDestination(ctx);
    if (!listing.ok)
      return failWith(cancelledOr(req, { outcome: 'failed', error: listing.failure }));
    if (!listing.value.hasMarker) {
      return failWith({ outcome: 'failed', error: notInitialised(dest) });
    }
    emit({ type: 'listing', listing: listing.value });
    const allowed = mayHold(listing.value, profile.prefix, me);
    if (!allowed.ok) return failWith({ outcome: 'failed', error: allowed.failure });

    emit({ type: 'phase', phase: 'pre-hook' });
    const pre = await runHook(
      profile.hooks.pre,
      hookEnv('starting', null, null),
      profile.hooks.timeoutSeconds,
      req.signal,
    );
    if (pre.kind === 'failed') {
      return failWith(
        cancelledOr(req, {
          outcome: 'failed',
          error: failure(
            'hook-failed',
            `The pre-backup hook failed, so nothing was backed up: ${describeHook(pre)}`,
          ),
        }),
      );
    }
    // Claimed only now, so that a failed pre hook leaves nothing behind; after a hook (which may
    // have run for minutes) the destination is listed again, so the name is free and the prefix
    // still this profile's.
    const held = await holdPrefix(ctx, listing.value, profile.prefix, me, started, env.appVersion, {
      recheck: profile.hooks.pre.trim() !== '',
    });
    if (!held.ok) return failWith(cancelledOr(req, { outcome: 'failed', error: held.failure }));
    held.set.warnings.forEach(warn);
    const { claim } = held;
    let snapshots = held.set.snapshots;
    const marker = readMarker(held.listing.marker);
    const sources = await sourceArguments(profile.sources);
    const boot = await (env.bootClock ?? readBootClock)();
    // Before anything is written: whether this run's clock disagrees with the runs before it.
    const suspicions = clockSuspicions(snapshots, started, boot);

    let name = freshSnapshotName(profile.prefix, started, new Set(held.listing.directories));
    emit({ type: 'snapshot', name });
    // Sources that are not where the base recorded them are linked against their old places.
    const moves = planMovedSources(
      profile.sources,
      linkBases(snapshots, claim).filter(isComplete).at(-1) ?? null,
      claim.movedSources ?? [],
    );
    moves.inFull.forEach((entry) => warn(storedInFullWarning(entry)));
    // Files Verify found differing from their copy: compared by content this time (a one-off run
    // to another destination or prefix leaves them for the profile's own).
    const listed = req.oneOff ? { paths: [], problem: null } : await readRecheck(env.stateDir);
    if (listed.problem !== null) {
      warn(
        `The files Verify found differing are not known, so none were compared by content: ${listed.problem}.`,
      );
    }
    const recheck = await recheckable(listed.paths, profile.sources);
    const push = (into: string) =>
      transferSnapshot(
        env,
        req,
        ctx,
        dest,
        into,
        sources,
        linkBases(snapshots, claim),
        lock,
        emit,
        moves,
        recheck.files,
      );
    let transfer = await push(name);
    let deletedToMakeRoom: string[] = [];
    const deleted: DeletedSnapshot[] = [];
    let failedAttempt: string | null = null;
    if (
      transfer.status === 'failed' &&
      transfer.failure.kind === 'disk-full' &&
      profile.retention.makeRoom &&
      suspicions.length > 0
    ) {
      warn(
        `${suspectClockWarning(suspicions)} So the destination being full, no snapshots were deleted to make room either.`,
      );
    } else if (
      transfer.status === 'failed' &&
      transfer.failure.kind === 'disk-full' &&
      profile.retention.makeRoom
    ) {
      // The one exception to "nothing is deleted after a failure": the user asked for it.
      const room = await makeRoom(ctx, snapshots, claim, name, profile.retention.makeRoomKeep);
      room.warnings.forEach(warn);
      deletedToMakeRoom = room.deleted;
      deleted.push(
        ...room.deleted.map((n) => ({ name: n, reason: 'to make room on a full disk' })),
      );
      if (room.deleted.length > 0) {
        warn(
          `The destination was full: deleted ${room.deleted.length} of the oldest snapshots to make room (${room.deleted.join(', ')}), then tried again.`,
        );
        const failedName = name;
        failedAttempt = failedName;
        const unfinished: Snapshot = {
          name: failedName,
          time: started,
          latestTime: started,
          generation: null,
          sequenceTime: started,
          state: 'unfinished',
          manifest: null,
          problem: null,
        };
        snapshots = inSequence([
          ...snapshots.filter((s) => !room.deleted.includes(s.name)),
          unfinished,
        ]);
        const taken = new Set([...held.listing.directories, failedName]);
        name = freshSnapshotName(profile.prefix, env.now(), taken);
        emit({ type: 'snapshot', name });
        transfer = await push(name);
      }
    }
    const base = {
      snapshot: name,
      rsyncExitCode: transfer.exitCode,
      files: transfer.files,
      bytesSent: transfer.bytesSent,
      totalFiles: transfer.totalFiles,
      totalBytes: transfer.totalBytes,
      logPath: transfer.logPath,
      deletedToMakeRoom,
      deleted,
      clockSuspicions: suspicions,
      movedSources: moves.moved.map((m) => ({ ...m, base: moves.base ?? '' })),
    };
    transfer.warnings.forEach(warn);
    if (transfer.status === 'cancelled') {
      return failWith({
        ...base,
        outcome: 'cancelled',
        error: failure(
          'killed',
          `Stopped. The unfinished snapshot ${name} stays; the next run continues from it without sending its files again.`,
        ),
      });
    }
    if (transfer.status === 'failed') {
      return failWith({ ...base, outcome: 'failed', error: transfer.failure });
    }
    const bases = linkBases(snapshots, claim);
    const copied = copiedInsteadOfLinked(
      transfer.messages.files,
      transfer.regularFiles,
      bases.some((b) => isComplete(b) && baseHoldsFiles(b, profile.sources)),
    );
    const fullCopy = copied !== null;
    // Allowed at setup (`init --allow-full-copies`), full copies are what the user chose: no warning.
    if (copied !== null && !marker.allowFullCopies) warn(fullCopyWarning(copied, transfer));

    emit({ type: 'phase', phase: 'finishing' });
    const account = await opened.value.account();
    const manifest: Manifest = {
      format: 1,
      host: env.hostname,
      prefix: profile.prefix,
      startedAt: started.toISOString(),
      endedAt: env.now().toISOString(),
      rsyncExitCode: transfer.exitCode ?? 0,
      status: transfer.status,
      files: transfer.files ?? 0,
      bytesSent: transfer.bytesSent ?? 0,
      appVersion: env.appVersion,
      owner: { id: me.id, profile: me.profile },
      user: me.user,
      sources: [...profile.sources],
      ownership: storedOwnership(
        dest,
        account,
        profile.rsync.fakeSuper,
        env.uid,
        marker.keepsModes,
      ),
      modes: storedModes(marker.keepsModes),
      ...(transfer.totalFiles !== null ? { totalFiles: transfer.totalFiles } : {}),
      ...(transfer.totalBytes !== null ? { totalBytes: transfer.totalBytes } : {}),
      generation: nextGeneration(held.set.snapshots),
      ...(suspicions.length > 0 ? { clockSuspect: true } : {}),
      ...(boot.bootId !== null ? { bootId: boot.bootId } : {}),
      ...(boot.uptimeSeconds !== null ? { uptimeSeconds: boot.uptimeSeconds } : {}),
      scheduleHours: profile.schedule.mode === 'daily' ? 24 : profile.schedule.everyHours,
    };
    // Written without -t: its time on the destination is the destination's clock (signal 3).
    const pushed = await pushTopFile(
      ctx,
      manifestName(name),
      JSON.stringify(manifest, null, 2) + '\n',
      { stampedThere: true },
    );
    if (!pushed.ok)
      return failWith(cancelledOr(req, { ...base, outcome: 'failed', error: pushed.failure }));
    const there = await topFileTime(ctx, manifestName(name));
    const far = there === null ? null : destinationClockSuspicion(snapshots, env.now(), there);
    if (far !== null) {
      suspicions.push(far);
      // Found only now: the manifest is written again to say so.
      const again = await pushTopFile(
        ctx,
        manifestName(name),
        JSON.stringify({ ...manifest, clockSuspect: true }, null, 2) + '\n',
      );
      if (again.ok) manifest.clockSuspect = true;
      else
        warn(
          `The manifest of ${name} could not be marked as made with a suspect clock: ${again.failure.message}`,
        );
    }

    const rechecked = transfer.rechecked;
    if (rechecked?.problem) {
      warn(
        `${plural(rechecked.files.length, 'file')} Verify found differing could not be compared by content (${rechecked.problem}): ${name} links the copy the earlier snapshots have, and the next backup tries again.`,
      );
    } else if (rechecked !== null && rechecked.resent !== 0) {
      const stored =
        rechecked.resent === null
          ? `${name} holds them as they are here`
          : `${plural(rechecked.resent, 'file was', 'files were')} stored afresh in ${name}`;
      warn(
        `Verify had found ${plural(rechecked.files.length, 'file')} whose copy in the snapshots differed from the file here: compared by content, ${stored}. The earlier snapshots keep the copy they have.`,
      );
    }
    const settled = [...recheck.gone, ...(rechecked?.problem === null ? rechecked.files : [])];
    await settleRecheck(env.stateDir, settled).catch((e: Error) =>
      warn(`The list of files Verify found differing could not be updated: ${e.message}.`),
    );

    emit({ type: 'phase', phase: 'pruning' });
    const after = inSequence([
      ...snapshots,
      {
        name,
        time: started,
        latestTime: started,
        generation: manifest.generation ?? null,
        sequenceTime: started,
        state: manifest.status,
        manifest,
        problem: null,
      },
    ]);
    if (suspicions.length > 0) {
      warn(suspectClockWarning(suspicions));
    } else {
      const doomed = cleanUpPlan(after, claim, profile, env.now(), failedAttempt);
      const confirmed = await deleteAndConfirm(
        ctx,
        profile.prefix,
        doomed.map((d) => d.name),
      );
      confirmed.warnings.forEach(warn);
      const gone = doomed.filter((d) => confirmed.deleted.includes(d.name));
      deleted.push(...gone);
      await noteDeletions(transfer.logPath, gone);
    }
    const latest = await pointLatestLink(ctx, profile.prefix, after);
    if (!latest.ok) warn(latest.warning);

    emit({ type: 'phase', phase: 'after-hook' });
    const outcome = transfer.status === 'ok' ? 'ok' : 'partial';
    const afterHook = await runHook(
      profile.hooks.after,
      hookEnv(outcome, transfer.exitCode, name),
      profile.hooks.timeoutSeconds,
    );
    if (afterHook.kind === 'failed')
      warn(`The after-backup hook failed: ${describeHook(afterHook)}`);
    const error = outcome === 'partial' ? transfer.failure : null;
    return {
      ...base,
      outcome,
      error,
      unreadable: transfer.messages.unreadable,
      fullCopy: fullCopy && !marker.allowFullCopies,
      storedInFull: fullCopy,
    };
  } finally {
    await opened.value.close();
  }
}

function cancelledOr(req: BackupRequest, result: PartialResult): PartialResult {
  return req.signal?.aborted
    ? { ...result, outcome: 'cancelled', error: failure('killed', 'Stopped.') }
    : result;
}

function notInitialised(dest: Destination): Failure {
  return failure(
    'not-initialised',
    `${formatDestination(dest)} is not a Snaptray destination (no .snaptray-destination marker). ` +
      'If the disk is not mounted this folder is only the empty mount point, and writing there would ' +
      'fill the wrong disk. If it is the right folder on a mounted disk, run "snaptray init" once.',
  );
}

async function missingSources(sources: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const s of sources) {
    await stat(s).catch(() => missing.push(s));
  }
  return missing;
}

function describeHook(h: Extract<Awaited<ReturnType<typeof runHook>>, { kind: 'failed' }>): string {
  const how = h.timedOut
    ? 'it timed out'
    : h.signal
      ? `killed by ${h.signal}`
      : `exit code ${String(h.exitCode)}`;
  const tail = h.outputTail.trim().split('\n').slice(-2).join(' / ');
  return tail ? `${how}: ${tail}` : how;
}

/**
 * What a successful run deletes, each with its reason: the owner's superseded unfinished
 * snapshots (and the folder of an attempt the destination was made room for), then what
 * retention lets go. Another owner's snapshots (and unknown ones) are never among them.
 */
function cleanUpPlan(
  snapshots: readonly Snapshot[],
  claim: Claim,
  profile: Profile,
  now: Date,
  failedAttempt: string | null,
): DeletedSnapshot[] {
  const own = snapshots.filter((s) => isOwn(s, claim));
  const plan = planRetention(own, profile.retention, now);
  const superseded = supersededIncomplete(own).map((n) => ({
    name: n,
    reason: 'unfinished, and a newer complete snapshot exists',
  }));
  const attempt =
    failedAttempt !== null && !superseded.some((d) => d.name === failedAttempt)
      ? [{ name: failedAttempt, reason: 'the attempt that found the destination full' }]
      : [];
  return [...attempt, ...superseded, ...plan.delete];
}

/** Adds the run's deletions to its log, where the History page shows them. */
async function noteDeletions(logPath: string | null, gone: readonly DeletedSnapshot[]) {
  if (logPath === null || gone.length === 0) return;
  const lines = gone.map((d) => `# Deleted snapshot ${d.name}: ${d.reason}.\n`).join('');
  await appendFile(logPath, lines).catch(() => undefined);
}

async function record(
  env: BackupEnvironment,
  req: BackupRequest,
  started: Date,
  r: BackupResult,
): Promise<void> {
  const entry: HistoryEntry = {
    profile: req.profileName,
    startedAt: started.toISOString(),
    endedAt: env.now().toISOString(),
    outcome: r.outcome,
    exitCode: r.exitCode,
    rsyncExitCode: r.rsyncExitCode,
    files: r.files,
    bytesSent: r.bytesSent,
    snapshot: r.snapshot,
    logPath: r.logPath,
    error: r.error,
    warnings: r.warnings,
    source: env.source,
    ...(r.deleted.length > 0 ? { deleted: r.deleted } : {}),
    ...(req.oneOff ? { oneOff: req.oneOff } : {}),
  };
  await appendHistory(env.stateDir, entry);
}
