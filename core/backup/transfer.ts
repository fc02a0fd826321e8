/**
 * The push itself: one rsync call from the sources into the new snapshot folder, its output read
 * line by line (progress, itemized changes, statistics, errors by side), and its outcome judged
 * truly: only unreadable sources make a partial snapshot; anything the destination refused fails.
 */
import { lstat, stat } from 'node:fs/promises';
import type { Destination } from '../destination/address.js';
import { joinDest } from '../destination/address.js';
import type { DestinationContext } from '../destination/ops.js';
import { classifyRsyncFailure, remote, remoteOption } from '../destination/ops.js';
import type { Snapshot } from '../destination/snapshot.js';
import { failure, stderrTail, type Failure } from '../errors.js';
import { formatBytes, plural } from '../format.js';
import type { SpawnResult } from '../process.js';
import { readProcessStat } from '../state/liveness.js';
import type { HeldLock } from '../state/lock.js';
import { logPathFor, openLog, pruneLogs } from '../state/logs.js';
import { LineSplitter, parseProgress, parseStats } from './progress.js';
import { previousTotals } from './progress-estimate.js';
import { ownFileExcludes } from './own-files.js';
import { buildPushCommand } from './rsync-args.js';
import type { BackupEnvironment, BackupEvent, BackupRequest } from './run-types.js';
import {
  describeDestinationProblems,
  emptyMessages,
  namedList,
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
}

/**
 * Pushes the sources into the new snapshot folder `name`, hard-linking unchanged files against
 * `bases`; logs every line, records rsync's PID in the lock, and judges the outcome.
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
): Promise<Transfer> {
  const { profile } = req;
  const logPath = logPathFor(env.stateDir, env.now());
  const log = await openLog(logPath);
  const own = ownFileExcludes(profile.sources, env, dest.kind === 'local' ? [dest.path] : []);
  const command = buildPushCommand({
    sources,
    excludes: [...own, ...profile.excludes],
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
