/**
 * One backup run, in the order the snapshot protocol needs: pause, lock (and stop an rsync a dead
 * run left behind), connect, check the destination and that this profile holds the prefix, pre
 * hook, push, manifest, supersede and prune this owner's snapshots, after hook. On failure the
 * fail hook runs and nothing is deleted.
 */
import { lstat, stat } from 'node:fs/promises';
import type { Destination } from '../destination/address.js';
import { formatDestination, joinDest, parseDestination } from '../destination/address.js';
import type { DestinationContext } from '../destination/ops.js';
import {
  classifyRsyncFailure,
  deleteSnapshots,
  listDestination,
  pushTopFile,
  remote,
  remoteOption,
} from '../destination/ops.js';
import { holdPrefix, mayHold } from '../destination/hold-prefix.js';
import { pointLatestLink } from '../destination/latest-link.js';
import type { Claim, Me } from '../destination/ownership.js';
import { failure, stderrTail, type Failure } from '../errors.js';
import { runHook } from './hooks.js';
import { sourceInsideDestination } from './sources.js';
import type { Spawn } from '../process.js';
import { LineSplitter, parseProgress, parseStats, type Progress } from './progress.js';
import { previousTotals, type Totals } from './progress-estimate.js';
import { planRetention, supersededIncomplete } from './retention.js';
import { automaticExcludes, buildPushCommand } from './rsync-args.js';
import type { Profile } from '../settings/schema.js';
import { freshSnapshotName, manifestName } from '../destination/snapshot-name.js';
import type { Manifest, Snapshot } from '../destination/snapshot.js';
import { isComplete, isOwn, linkBases } from '../destination/snapshot.js';
import { readMarker } from '../destination/initialise.js';
import { storedOwnership } from '../destination/stored-ownership.js';
import { formatBytes, plural } from '../format.js';
import type { SpawnResult } from '../process.js';
import {
  copiedInsteadOfLinked,
  describeDestinationProblems,
  emptyMessages,
  namedList,
  readErrorLine,
  readOutputLine,
  type NamedCount,
  type TransferMessages,
} from './transfer-messages.js';
import { loadIdentity } from '../settings/identity.js';
import { openDestination, type SessionEnvironment } from '../destination/session.js';
import { appendHistory, type HistoryEntry } from '../state/history.js';
import { stopLeftover, readProcessStat } from '../state/liveness.js';
import { acquireLock, type HeldLock } from '../state/lock.js';
import { logPathFor, openLog, pruneLogs } from '../state/logs.js';
import { ensurePrivateDir } from '../state/paths.js';
import { readPause } from '../state/pause.js';

export type Outcome = 'ok' | 'partial' | 'failed' | 'cancelled' | 'locked' | 'paused';

/** The CLI's exit code for each outcome: a contract the tray and cron users rely on. */
export const EXIT_CODES: Record<Outcome, number> = {
  ok: 0,
  failed: 1,
  partial: 3,
  locked: 4,
  paused: 4,
  cancelled: 5,
};

export type Phase =
  'connecting' | 'checking' | 'pre-hook' | 'transferring' | 'finishing' | 'pruning' | 'after-hook';

export type BackupEvent =
  | { type: 'phase'; phase: Phase }
  | { type: 'snapshot'; name: string }
  | { type: 'progress'; progress: Progress }
  /** Before the transfer: the previous complete snapshot's totals, for estimating progress. */
  | { type: 'plan'; previous: Totals | null }
  | { type: 'warning'; message: string };

export interface BackupEnvironment extends SessionEnvironment {
  spawn: Spawn;
  now: () => Date;
  /** For people to read in the owner file and manifests; ownership goes by the identity. */
  hostname: string;
  user: string;
  /** Snaptray's settings folder, which holds this account's identity. */
  configDir: string;
  appVersion: string;
  /** `$XDG_STATE_HOME/snaptray/<profile>` */
  stateDir: string;
  /** Snaptray's state root, excluded when inside a source. */
  stateRoot: string;
  /** Private short folder for ssh sockets and scratch files. */
  runtimeDir: string;
  /** The user's own known_hosts files (the app's own is added from the profile). */
  userKnownHosts: string[];
  appKnownHosts: string;
  /** The user's ssh config to include when the profile names none. */
  defaultSshConfig: string | null;
  source: 'cli' | 'tray';
  /** This process's user id: a local destination keeps owners only when written as root. */
  uid: number;
}

export interface BackupRequest {
  profileName: string;
  /** A complete profile: sources, destination and prefix set. */
  profile: Profile;
  force: boolean;
  signal?: AbortSignal;
  onEvent?: (event: BackupEvent) => void;
}

export interface BackupResult {
  outcome: Outcome;
  exitCode: number;
  snapshot: string | null;
  rsyncExitCode: number | null;
  /** Regular files sent by this run (changed or new), and the bytes of their data. */
  files: number | null;
  bytesSent: number | null;
  /** What the snapshot holds in all (rsync's statistics). */
  totalFiles: number | null;
  totalBytes: number | null;
  /** Source files that could not be read (a partial snapshot), the first ones named. */
  unreadable: NamedCount | null;
  /** Unchanged files were copied again instead of hard-linked (not allowed at setup). */
  fullCopy: boolean;
  /** Snapshots deleted because the destination was full (retention's makeRoom). */
  deletedToMakeRoom: string[];
  durationMs: number;
  logPath: string | null;
  warnings: string[];
  error: Failure | null;
}

export async function runBackup(env: BackupEnvironment, req: BackupRequest): Promise<BackupResult> {
  const started = env.now();
  const warnings: string[] = [];
  const emit = (e: BackupEvent) => req.onEvent?.(e);
  const warn = (message: string) => {
    warnings.push(message);
    emit({ type: 'warning', message });
  };
  const complete = (partial: PartialResult): BackupResult => ({
    snapshot: null,
    rsyncExitCode: null,
    files: null,
    bytesSent: null,
    totalFiles: null,
    totalBytes: null,
    unreadable: null,
    fullCopy: false,
    deletedToMakeRoom: [],
    logPath: null,
    error: null,
    ...partial,
    exitCode: exitCodeOf(partial),
    durationMs: env.now().getTime() - started.getTime(),
    warnings,
  });
  const finish = async (partial: PartialResult) => {
    const result = complete(partial);
    await record(env, req.profileName, started, result).catch((e: unknown) => {
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
  const lock = await acquireLock(env.stateDir, {
    pid: process.pid,
    startedAt: started.toISOString(),
    source: env.source,
  });
  if (lock.kind === 'held') {
    return finish({
      outcome: 'locked',
      error: failure(
        'refused',
        `Another backup of this profile is running (process ${lock.pid}` +
          `${lock.source ? `, started from the ${lock.source}` : ''}).`,
      ),
    });
  }
  try {
    // A dead run's rsync may still be writing into its snapshot: stop it before anything is listed.
    const stopped = await Promise.all(lock.leftovers.map((p) => stopLeftover(p.pid, p.startTime)));
    if (stopped.includes(false)) {
      return await finish({
        outcome: 'failed',
        error: failure(
          'refused',
          `An rsync left running by an earlier run (process ${lock.leftovers.map((p) => p.pid).join(', ')}) ` +
            'could not be stopped; nothing was started beside it. Stop it, then back up again.',
        ),
      });
    }
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
  const me: Me = { id: identity.id, profile: req.profileName, host: env.hostname, user: env.user };

  if (dest.kind === 'ssh') emit({ type: 'phase', phase: 'connecting' });
  const opened = await openDestination(env, dest, profile.ssh, req.signal);
  if (!opened.ok) return failWith(cancelledOr(req, { outcome: 'failed', error: opened.failure }));
  const { ctx } = opened.value;
  try {
    emit({ type: 'phase', phase: 'checking' });
    const listing = await listDestination(ctx);
    if (!listing.ok)
      return failWith(cancelledOr(req, { outcome: 'failed', error: listing.failure }));
    if (!listing.value.hasMarker) {
      return failWith({ outcome: 'failed', error: notInitialised(dest) });
    }
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

    let name = freshSnapshotName(profile.prefix, started, new Set(held.listing.directories));
    emit({ type: 'snapshot', name });
    let transfer = await transferSnapshot(
      env,
      req,
      ctx,
      dest,
      name,
      sources,
      linkBases(snapshots, claim),
      lock,
      emit,
    );
    let deletedToMakeRoom: string[] = [];
    if (
      transfer.status === 'failed' &&
      transfer.failure.kind === 'disk-full' &&
      profile.retention.makeRoom
    ) {
      // The one exception to "nothing is deleted after a failure": the user asked for it.
      const room = await makeRoom(ctx, snapshots, claim, name, profile.retention.makeRoomKeep);
      room.warnings.forEach(warn);
      deletedToMakeRoom = room.deleted;
      if (room.deleted.length > 0) {
        warn(
          `The destination was full: deleted ${room.deleted.length} of the oldest snapshots to make room (${room.deleted.join(', ')}), then tried again.`,
        );
        const failedName = name;
        const unfinished: Snapshot = {
          name: failedName,
          time: started,
          latestTime: started,
          state: 'unfinished',
          manifest: null,
          problem: null,
        };
        snapshots = [...snapshots.filter((s) => !room.deleted.includes(s.name)), unfinished];
        const taken = new Set([...held.listing.directories, failedName]);
        name = freshSnapshotName(profile.prefix, env.now(), taken);
        emit({ type: 'snapshot', name });
        transfer = await transferSnapshot(
          env,
          req,
          ctx,
          dest,
          name,
          sources,
          linkBases(snapshots, claim),
          lock,
          emit,
        );
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
      ownership: storedOwnership(dest, account, profile.rsync.fakeSuper, env.uid),
      ...(transfer.totalFiles !== null ? { totalFiles: transfer.totalFiles } : {}),
      ...(transfer.totalBytes !== null ? { totalBytes: transfer.totalBytes } : {}),
    };
    const pushed = await pushTopFile(
      ctx,
      manifestName(name),
      JSON.stringify(manifest, null, 2) + '\n',
    );
    if (!pushed.ok)
      return failWith(cancelledOr(req, { ...base, outcome: 'failed', error: pushed.failure }));

    emit({ type: 'phase', phase: 'pruning' });
    const after: Snapshot[] = [
      ...snapshots,
      { name, time: started, latestTime: started, state: manifest.status, manifest, problem: null },
    ];
    await cleanUp(ctx, after, claim, profile, env.now(), warn);
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
    };
  } finally {
    await opened.value.close();
  }
}

/**
 * A source that is a symbolic link to a folder (`~/Documents` on another disk) is backed up as
 * that folder's contents under the source's path: rsync follows it when the path ends in "/".
 */
async function sourceArguments(sources: readonly string[]): Promise<string[]> {
  return Promise.all(
    sources.map(async (source) => {
      if (source.endsWith('/')) return source;
      const link = await lstat(source).catch(() => null);
      if (!link?.isSymbolicLink()) return source;
      const target = await stat(source).catch(() => null);
      return target?.isDirectory() ? `${source}/` : source;
    }),
  );
}

/** Whether an earlier snapshot can be expected to hold files of these sources. */
function baseHoldsFiles(base: Snapshot, sources: readonly string[]): boolean {
  const m = base.manifest;
  if (m === null) return true; // legacy: the old script's whole-root snapshots
  if (m.totalFiles === 0) return false;
  if (m.sources === undefined) return true;
  return m.sources.some((s) => sources.includes(s));
}

function fullCopyWarning(why: 'mode-mismatch' | 'base-not-found', transfer: Transfer): string {
  const size = transfer.totalBytes !== null ? ` (${formatBytes(transfer.totalBytes)})` : '';
  const cause =
    why === 'mode-mismatch'
      ? 'the copies on the destination do not keep file modes or owners (an NTFS disk mounted without "permissions"?), so no file matched the previous snapshot'
      : 'the previous snapshot was not found as a base (an rrsync-restricted key silently replaces a missing --link-dest folder with an empty one: check that the destination path is "/" for such a key)';
  return `Every unchanged file was copied again${size}: this destination does not hard-link, because ${cause}.`;
}

/**
 * Deletes this owner's oldest snapshots until `keep` complete ones are left, for a run that
 * failed on a full disk. The newest complete snapshot and the failed run's own folder stay.
 */
async function makeRoom(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  claim: Claim,
  failedRun: string,
  keep: number,
): Promise<{ deleted: string[]; warnings: string[] }> {
  const own = snapshots.filter((s) => isOwn(s, claim) && s.name !== failedRun);
  const complete = own.filter(isComplete);
  const doomedComplete = complete.slice(0, Math.max(0, complete.length - Math.max(1, keep)));
  const newestComplete = complete.at(-1);
  const staleUnfinished = own.filter(
    (s) =>
      s.state === 'unfinished' &&
      newestComplete !== undefined &&
      s.latestTime.getTime() < newestComplete.time.getTime(),
  );
  const doomed = [...staleUnfinished, ...doomedComplete].map((s) => s.name);
  if (doomed.length === 0) {
    return {
      deleted: [],
      warnings: [
        `The destination is full, and makeRoom found nothing to delete: only the ${keep} newest snapshot(s) it must keep are there.`,
      ],
    };
  }
  const result = await deleteSnapshots(ctx, doomed);
  const after = await listDestination(ctx);
  const still = new Set(after.ok ? after.value.directories : doomed);
  const deleted = doomed.filter((n) => !still.has(n));
  const warnings = result.ok ? [] : [`Deleting to make room failed: ${result.failure.message}`];
  return { deleted, warnings };
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
 * Deletes the owner's superseded unfinished snapshots, then prunes its snapshots by retention.
 * Another owner's snapshots (and unknown ones) are never touched. Failures are warnings.
 */
async function cleanUp(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  claim: Claim,
  profile: Profile,
  now: Date,
  warn: (m: string) => void,
): Promise<void> {
  const own = snapshots.filter((s) => isOwn(s, claim));
  const plan = planRetention(own, profile.retention, now);
  const doomed = [...supersededIncomplete(own), ...plan.delete.map((d) => d.name)];
  if (doomed.length === 0) return;
  const deleted = await deleteSnapshots(ctx, doomed);
  if (!deleted.ok) {
    warn(`Old snapshots could not be deleted (${doomed.join(', ')}): ${deleted.failure.message}`);
  }
}

interface Transfer {
  status: 'ok' | 'partial' | 'failed' | 'cancelled';
  exitCode: number | null;
  files: number | null;
  bytesSent: number | null;
  totalFiles: number | null;
  totalBytes: number | null;
  regularFiles: number | null;
  messages: TransferMessages;
  logPath: string;
  warnings: string[];
  failure: Failure;
}

async function transferSnapshot(
  env: BackupEnvironment,
  req: BackupRequest,
  ctx: DestinationContext,
  dest: Destination,
  name: string,
  sources: readonly string[],
  bases: readonly Snapshot[],
  lock: HeldLock,
  emit: (e: BackupEvent) => void,
): Promise<Transfer> {
  const { profile } = req;
  const logPath = logPathFor(env.stateDir, env.now());
  const log = await openLog(logPath);
  const own = [env.stateRoot, env.runtimeDir, ...(dest.kind === 'local' ? [dest.path] : [])];
  const command = buildPushCommand({
    sources,
    excludes: [...automaticExcludes(profile.sources, own), ...profile.excludes],
    linkDests: bases.map((b) => remoteOption(ctx, joinDest(dest.path, b.name))),
    target: `${remote(ctx, joinDest(dest.path, name))}/`,
    options: profile.rsync,
    rsyncShell: ctx.rsyncShellArgs[1] ?? null,
    rsyncPath: dest.kind === 'ssh' ? profile.ssh.rsyncPath : null,
  });
  log.write(
    `# ${env.now().toISOString()} ${command.file} ${command.args.map((a) => JSON.stringify(a)).join(' ')}`,
  );

  const abort = new AbortController();
  const onAbort = () => abort.abort();
  req.signal?.addEventListener('abort', onAbort, { once: true });
  if (req.signal?.aborted) abort.abort();
  const messages = emptyMessages();
  const statsLines: string[] = [];
  const out = new LineSplitter();
  const err = new LineSplitter();
  let lastProgressAt = 0;
  const handleOut = (lines: string[]) => {
    for (const line of lines) {
      const progress = parseProgress(line);
      if (progress) {
        const t = Date.now();
        if (t - lastProgressAt >= 200 || progress.percent === 100) {
          lastProgressAt = t;
          emit({ type: 'progress', progress });
        }
        continue;
      }
      if (line === '') continue;
      log.write(line);
      if (STATS_LINE.test(line)) statsLines.push(line);
      else readOutputLine(messages, line);
    }
  };
  const handleErr = (lines: string[]) => {
    for (const line of lines) {
      if (line === '') continue;
      log.write(`! ${line}`);
      readErrorLine(messages, line);
      // A missing base makes rsync copy everything: stop at once rather than fill the disk.
      if (messages.linkBaseMissing !== null) abort.abort();
    }
  };
  emit({ type: 'plan', previous: previousTotals(bases, profile.sources) });
  emit({ type: 'phase', phase: 'transferring' });
  let recorded: Promise<void> = Promise.resolve();
  const result = await env.spawn({
    file: command.file,
    args: command.args,
    signal: abort.signal,
    dieWithParent: true,
    onStart: (pid) => {
      recorded = readProcessStat(pid).then((stat) =>
        lock.recordChild({ pid, startTime: stat?.startTime ?? null }),
      );
    },
    onStdout: (chunk) => handleOut(out.push(chunk)),
    onStderr: (chunk) => handleErr(err.push(chunk)),
  });
  req.signal?.removeEventListener('abort', onAbort);
  await recorded.catch(() => undefined);
  handleOut(out.end());
  handleErr(err.end());
  log.write(
    `# ${env.now().toISOString()} rsync exit ${String(result.exitCode)}${result.signal ? ` signal ${result.signal}` : ''}`,
  );
  await log.close();
  await pruneLogs(env.stateDir).catch(() => undefined);

  const stats = parseStats(statsLines);
  const transfer = {
    exitCode: result.exitCode,
    files: stats?.regularFilesTransferred ?? null,
    bytesSent: stats?.literalBytes ?? null,
    totalFiles: stats?.regularFiles ?? null,
    totalBytes: stats?.totalFileSize ?? null,
    regularFiles: stats?.regularFiles ?? null,
    logPath,
    messages,
    warnings: [] as string[],
  };
  return { ...transfer, ...judgeTransfer(req, dest, result, messages, transfer.warnings) };
}

/** The transfer's outcome from rsync's exit code and what it said, each side named truly. */
function judgeTransfer(
  req: BackupRequest,
  dest: Destination,
  result: SpawnResult,
  messages: TransferMessages,
  warnings: string[],
): { status: Transfer['status']; failure: Failure } {
  if (req.signal?.aborted) return { status: 'cancelled', failure: failure('killed', 'Stopped.') };
  if (messages.linkBaseMissing !== null) {
    return {
      status: 'failed',
      failure: failure(
        'link-base-missing',
        `rsync could not find the previous snapshot ${messages.linkBaseMissing} on the destination, so it ` +
          'would have made a full copy instead of hard links. Stopped; nothing was deleted. Check ' +
          'that the destination path is the same one the listing shows (an rrsync key needs the path "/").',
      ),
    };
  }
  if (messages.vanished.count > 0) {
    warnings.push(
      `${plural(messages.vanished.count, 'file')} vanished while being backed up: ${namedList(messages.vanished)}.`,
    );
  }
  if (messages.skippedSpecial.count > 0) {
    warnings.push(
      `${plural(messages.skippedSpecial.count, 'special file')} (devices, sockets or pipes) could not be stored, because the destination account is not root: ${namedList(messages.skippedSpecial)}. Turn on fakeSuper to keep them.`,
    );
  }
  if (messages.diskFull) {
    return { status: 'failed', failure: classifyRsyncFailure(result, 'The transfer', dest) };
  }
  if (messages.destination.length > 0) {
    return {
      status: 'failed',
      failure: failure(
        'destination-refused',
        `The destination could not store everything, so no snapshot was recorded: ${describeDestinationProblems(messages.destination)}.` +
          (messages.destination.some((p) => /links/.test(p.what))
            ? ' A disk that keeps no links is most likely FAT or exFAT: format it as ext4.'
            : ''),
      ),
    };
  }
  if (result.exitCode === 0 || result.exitCode === 24) {
    return { status: 'ok', failure: failure('internal', '') };
  }
  if (result.exitCode === 23 && messages.unreadable.count > 0 && messages.other.length === 0) {
    const what = `${plural(messages.unreadable.count, 'file or folder', 'files or folders')} could not be read and ${messages.unreadable.count === 1 ? 'is' : 'are'} missing from the snapshot: ${namedList(messages.unreadable)}`;
    warnings.push(`Completed with errors: ${what}.`);
    return { status: 'partial', failure: failure('rsync-failed', `${what}.`) };
  }
  if (result.exitCode === 23 || result.exitCode === 24) {
    return {
      status: 'failed',
      failure: failure(
        'rsync-failed',
        `rsync reported errors it did not say were unreadable source files, so no snapshot was recorded: ${messages.other.slice(0, 3).join(' / ') || stderrTail(result.stderr)}`,
      ),
    };
  }
  return { status: 'failed', failure: classifyRsyncFailure(result, 'The transfer', dest) };
}

const STATS_LINE = /^(Number of |Total |Literal data|Matched data|File list |sent |total size )/;

async function record(
  env: BackupEnvironment,
  profile: string,
  started: Date,
  r: BackupResult,
): Promise<void> {
  const entry: HistoryEntry = {
    profile,
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
  };
  await appendHistory(env.stateDir, entry);
}
