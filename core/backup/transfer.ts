/**
 * The push itself: one rsync call from the sources into the new snapshot folder, its output read
 * line by line (progress, itemized changes, statistics, errors by side), and its outcome judged
 * truly: only unreadable sources make a partial snapshot; anything the destination refused fails.
 */
import { lstat, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Destination } from '../destination/address.js';
import { joinDest } from '../destination/address.js';
import type { DestinationContext } from '../destination/ops.js';
import { classifyRsyncFailure, remote, remoteOption, scratchDir } from '../destination/ops.js';
import type { Snapshot } from '../destination/snapshot.js';
import { failure, stderrTail, type Failure } from '../errors.js';
import { formatBytes, plural } from '../format.js';
import type { SpawnResult } from '../process.js';
import { filesFromList, pathBytes } from '../restore/remote-names.js';
import { readProcessStat } from '../state/liveness.js';
import type { HeldLock } from '../state/lock.js';
import { logPathFor, openLog, pruneLogs } from '../state/logs.js';
import { LineSplitter, parseProgress, parseStats } from './progress.js';
import { previousTotals } from './progress-estimate.js';
import { ownFileExcludes } from './own-files.js';
import { rebasePatterns, storedInFullWarning, type MovePlan } from './moved-sources.js';
import type { Progress } from './progress.js';
import { buildPushCommand, literalPattern, type Command } from './rsync-args.js';
import type { BackupEnvironment, BackupEvent, BackupRequest } from './run-types.js';
import {
  describeDestinationProblems,
  emptyMessages,
  NAMED_LIMIT,
  namedList,
  type NamedCount,
  readErrorLine,
  readOutputLine,
  type TransferMessages,
} from './transfer-messages.js';

export interface Transfer {
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
  /** The files Verify found differing, compared by content (null when there were none). */
  rechecked: Rechecked | null;
}

export interface Rechecked {
  files: string[];
  /** Of those, stored afresh: their content here differed from the copy linked. */
  resent: number | null;
  /** Why they could not be compared; the snapshot then links them as before. */
  problem: string | null;
}

/**
 * Pushes the sources into the new snapshot folder `name`, hard-linking unchanged files against
 * `bases`; logs every line, records rsync's PID in the lock, and judges the outcome. A source that
 * moved (moved-sources.ts) is left empty by that push and filled by a push of its own, linked
 * against its old place in the base; the run's totals, progress and log cover every push. Files
 * in `recheck` are then compared by content (recheck.ts).
 */
export async function transferSnapshot(
  env: BackupEnvironment,
  req: BackupRequest,
  ctx: DestinationContext,
  dest: Destination,
  name: string,
  sources: readonly string[],
  bases: readonly Snapshot[],
  lock: HeldLock,
  emit: (e: BackupEvent) => void,
  moves: MovePlan = { base: null, moved: [], inFull: [] },
  recheck: readonly string[] = [],
): Promise<Transfer> {
  const { profile } = req;
  const logPath = logPathFor(env.stateDir, env.now());
  const log = await openLog(logPath);
  const own = ownFileExcludes(profile.sources, env, dest.kind === 'local' ? [dest.path] : []);
  const excludes = [...own, ...profile.excludes];
  const snapshotPath = joinDest(dest.path, name);
  const shell = {
    options: profile.rsync,
    rsyncShell: ctx.rsyncShellArgs[1] ?? null,
    rsyncPath: dest.kind === 'ssh' ? profile.ssh.rsyncPath : null,
  };
  const base = bases.find((b) => b.name === moves.base);
  const separate: Array<{ source: string; command: Command }> = [];
  for (const m of base === undefined ? [] : moves.moved) {
    const folder = m.source.replace(/\/+$/, '');
    const rebased = rebasePatterns(excludes, folder);
    if (rebased === null) continue; // left out by a pattern: nothing of it is pushed
    separate.push({
      source: folder,
      command: buildPushCommand({
        ...shell,
        sources: [`${folder}/`],
        relative: false,
        excludes: rebased,
        linkDests: m.linkedAgainst.map((old) =>
          remoteOption(ctx, `${joinDest(dest.path, base?.name ?? '')}${old}`),
        ),
        target: `${remote(ctx, `${snapshotPath}${folder}`)}/`,
      }),
    });
  }
  const main = buildPushCommand({
    ...shell,
    sources,
    // The folder itself is made, with its times and mode; its contents come with its own push.
    excludes: [...separate.map((s) => `${literalPattern(s.source)}/*`), ...excludes],
    linkDests: bases.map((b) => remoteOption(ctx, joinDest(dest.path, b.name))),
    target: `${remote(ctx, snapshotPath)}/`,
  });

  emit({ type: 'plan', previous: previousTotals(bases, profile.sources) });
  emit({ type: 'phase', phase: 'transferring' });
  const runs = [{ source: null as string | null, command: main }, ...separate];
  const messages = emptyMessages();
  const warnings: string[] = [];
  const totals = { files: 0, bytesSent: 0, totalFiles: 0, totalBytes: 0, known: true };
  const done: Done = { bytes: 0, transfers: 0, checked: 0 };
  let exitCode: number | null = 0;
  let judged: { status: Transfer['status']; failure: Failure } = {
    status: 'ok',
    failure: failure('internal', ''),
  };
  for (const [i, run] of runs.entries()) {
    const pushed = await pushOnce(env, req, run.command, log, lock, emit, {
      done,
      last: i === runs.length - 1,
      // A moved source's old place missing from the base costs only that folder's links.
      abortOnMissingBase: run.source === null,
    });
    const stats = parseStats(pushed.statsLines);
    if (stats === null) totals.known = false;
    totals.files += stats?.regularFilesTransferred ?? 0;
    totals.bytesSent += stats?.literalBytes ?? 0;
    totals.totalFiles += stats?.regularFiles ?? 0;
    totals.totalBytes += stats?.totalFileSize ?? 0;
    if (run.source !== null && pushed.messages.linkBaseMissing !== null) {
      warnings.push(
        storedInFullWarning({
          source: run.source,
          why: `its old place ${pushed.messages.linkBaseMissing} was not found on the destination`,
        }),
      );
      pushed.messages.linkBaseMissing = null;
    }
    const verdict = judgeTransfer(req, dest, pushed.result, pushed.messages, warnings);
    mergeMessages(messages, pushed.messages);
    if (pushed.result.exitCode !== 0 || exitCode === null) exitCode = pushed.result.exitCode;
    if (verdict.status !== 'ok' || judged.status === 'ok') judged = verdict;
    if (verdict.status === 'failed' || verdict.status === 'cancelled') break;
  }
  // The files Verify found differing (recheck.ts): compared by content once the snapshot holds
  // everything, so that a copy differing from the file here is replaced in this snapshot alone.
  let rechecked: Rechecked | null = null;
  if (recheck.length > 0 && (judged.status === 'ok' || judged.status === 'partial')) {
    let list: string | null = null;
    try {
      list = await scratchDir(ctx, 'recheck');
      const listFile = join(list, 'files');
      await writeFile(listFile, filesFromList(recheck.map((p) => pathBytes(p.slice(1)))), {
        mode: 0o600,
      });
      const command = buildPushCommand({
        ...shell,
        sources: ['/'],
        excludes,
        linkDests: [],
        target: `${remote(ctx, snapshotPath)}/`,
        recheckList: listFile,
      });
      // A handful of files after the run's progress reached its end: not shown as progress.
      const pushed = await pushOnce(env, req, command, log, lock, () => undefined, {
        done: { bytes: 0, transfers: 0, checked: 0 },
        last: true,
        abortOnMissingBase: false,
      });
      const stats = parseStats(pushed.statsLines);
      totals.files += stats?.regularFilesTransferred ?? 0;
      totals.bytesSent += stats?.literalBytes ?? 0;
      const { exitCode: code } = pushed.result;
      if (req.signal?.aborted)
        judged = { status: 'cancelled', failure: failure('killed', 'Stopped.') };
      rechecked = {
        files: [...recheck],
        resent: stats?.regularFilesTransferred ?? null,
        problem:
          code === 0 || code === 24
            ? null
            : stderrTail(pushed.result.stderr) || `rsync ended with exit code ${String(code)}`,
      };
    } catch (e) {
      rechecked = { files: [...recheck], resent: null, problem: (e as Error).message };
    } finally {
      if (list !== null) await rm(list, { recursive: true, force: true });
    }
  }
  await log.close();
  await pruneLogs(env.stateDir).catch(() => undefined);
  const known = (n: number) => (totals.known ? n : null);
  return {
    exitCode,
    files: known(totals.files),
    bytesSent: known(totals.bytesSent),
    totalFiles: known(totals.totalFiles),
    totalBytes: known(totals.totalBytes),
    regularFiles: known(totals.totalFiles),
    logPath,
    messages,
    warnings,
    rechecked,
    ...judged,
  };
}

/** What the pushes before this one did, so that progress counts the run as a whole. */
interface Done {
  bytes: number;
  transfers: number;
  checked: number;
}

/** One rsync push, its lines logged and read. */
async function pushOnce(
  env: BackupEnvironment,
  req: BackupRequest,
  command: Command,
  log: Awaited<ReturnType<typeof openLog>>,
  lock: HeldLock,
  emit: (e: BackupEvent) => void,
  opts: { done: Done; last: boolean; abortOnMissingBase: boolean },
): Promise<{ result: SpawnResult; messages: TransferMessages; statsLines: string[] }> {
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
  let latest: Progress | null = null;
  const handleOut = (lines: string[]) => {
    for (const line of lines) {
      const progress = parseProgress(line);
      if (progress) {
        latest = progress;
        const t = Date.now();
        if (t - lastProgressAt >= 200 || progress.percent === 100) {
          lastProgressAt = t;
          emit({ type: 'progress', progress: wholeRun(progress, opts.done, opts.last) });
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
      if (messages.linkBaseMissing !== null && opts.abortOnMissingBase) abort.abort();
    }
  };
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
  const final = latest as Progress | null;
  if (final !== null) {
    opts.done.bytes += final.bytes;
    opts.done.transfers += final.transfers ?? 0;
    opts.done.checked += final.total ?? 0;
  }
  return { result, messages, statsLines };
}

/**
 * One push's progress as the whole run's: counts follow on from the pushes before it, and a percent
 * of the whole is known only in the last one (before it, the estimate from the previous snapshot's
 * totals stands in: progress-estimate.ts).
 */
function wholeRun(p: Progress, done: Done, last: boolean): Progress {
  if (done.checked === 0 && done.bytes === 0 && last) return p;
  const whole = p.percent !== null && p.percent > 0 ? p.bytes / (p.percent / 100) : null;
  return {
    ...p,
    bytes: done.bytes + p.bytes,
    transfers: p.transfers === null ? null : done.transfers + p.transfers,
    total: p.total === null ? null : done.checked + p.total,
    percent:
      !last || p.percent === null
        ? null
        : whole === null
          ? 0
          : Math.floor(((done.bytes + p.bytes) / (done.bytes + whole)) * 100),
  };
}

/** Adds what one push said to what the run's pushes said before it. */
function mergeMessages(into: TransferMessages, from: TransferMessages): void {
  const add = (a: NamedCount, b: NamedCount) => {
    a.count += b.count;
    a.paths.push(...b.paths.slice(0, Math.max(0, NAMED_LIMIT - a.paths.length)));
  };
  add(into.unreadable, from.unreadable);
  add(into.vanished, from.vanished);
  add(into.skippedSpecial, from.skippedSpecial);
  into.destination.push(...from.destination);
  into.linkBaseMissing ??= from.linkBaseMissing;
  into.diskFull ||= from.diskFull;
  into.other.push(...from.other);
  into.files.created += from.files.created;
  into.files.copiedLocally += from.files.copiedLocally;
  into.files.changed += from.files.changed;
  into.files.linkedInTransfer += from.files.linkedInTransfer;
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
  if (result.exitCode === 23) {
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

/**
 * A source that is a symbolic link to a folder (`~/Documents` on another disk) is backed up as
 * that folder's contents under the source's path: rsync follows it when the path ends in "/".
 */
export async function sourceArguments(sources: readonly string[]): Promise<string[]> {
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
export function baseHoldsFiles(base: Snapshot, sources: readonly string[]): boolean {
  const m = base.manifest;
  if (m === null) return true; // legacy: the old script's whole-root snapshots
  if (m.totalFiles === 0) return false;
  if (m.sources === undefined) return true;
  return m.sources.some((s) => sources.includes(s));
}

export function fullCopyWarning(
  why: 'mode-mismatch' | 'base-not-found',
  transfer: Transfer,
): string {
  const size = transfer.totalBytes !== null ? ` (${formatBytes(transfer.totalBytes)})` : '';
  const cause =
    why === 'mode-mismatch'
      ? 'the copies on the destination do not keep file modes or owners (an NTFS disk mounted without "permissions"?), so no file matched the previous snapshot'
      : 'the previous snapshot was not found as a base (an rrsync-restricted key silently replaces a missing --link-dest folder with an empty one: check that the destination path is "/" for such a key)';
  return `Every unchanged file was copied again${size}: this destination does not hard-link, because ${cause}.`;
}
