/** `snaptray backup`: one snapshot now, with a progress bar on a terminal. */
import { runBackup, type BackupResult } from '../../backup/run.js';
import { backupEnvironment } from '../../environment.js';
import type { Failure } from '../../errors.js';
import { formatBytes, formatDuration, plural } from '../../format.js';
import { spawnProcess } from '../../process.js';
import { profileStateDir } from '../../state/paths.js';
import type { CliArgs } from '../args.js';
import { backupDue } from '../due.js';
import { failedOutput, type CommandContext, type Output } from '../output.js';
import type { ResolvedProfile } from '../profile.js';
import { createProgressReporter } from '../progress-bar.js';

export function failureJson(error: Failure): Record<string, unknown> {
  return {
    outcome: 'failed',
    snapshot: null,
    rsyncExitCode: null,
    files: null,
    bytesSent: null,
    durationMs: 0,
    logPath: null,
    warnings: [],
    error,
  };
}

export async function backup(
  args: CliArgs,
  r: ResolvedProfile,
  ctx: CommandContext,
): Promise<Output> {
  if (r.profile.sources.length === 0) {
    return failedOutput(failureJson, 2, {
      kind: 'settings',
      message: `No sources are set for profile "${r.name}": pass --source PATH or set them in the settings.`,
    });
  }
  if (args.ifDue && r.oneOff !== null) {
    return failedOutput(failureJson, 2, {
      kind: 'settings',
      message:
        `--if-due follows the schedule of profile "${r.name}", but --dest, --prefix or --source ` +
        `name another destination, prefix or sources than ${r.configPath} saves for it, and such a ` +
        "one-off run never counts as the profile's backup. Save them in the settings, or run the " +
        'one-off without --if-due.',
    });
  }
  if (args.ifDue) {
    const due = await backupDue(
      {
        stateDir: profileStateDir(ctx.places.stateRoot, r.name),
        configDir: ctx.places.configDir,
        profile: r.name,
      },
      r.profile.schedule,
      new Date(),
    );
    // Not due: nothing is printed, so that cron, asking every few minutes, mails nothing.
    if (!due.due) {
      return {
        exitCode: 0,
        json: {
          ...failureJson({ kind: 'refused', message: due.reason }),
          outcome: 'not-due',
          nextBackup: due.next === null ? null : due.next.toISOString(),
          error: null,
          reason: due.reason,
        },
        text: '',
      };
    }
  }
  const env = backupEnvironment(ctx.places, r.name, spawnProcess, 'cli');
  const reporter = args.json ? null : createProgressReporter(ctx.io.stderr);
  let result;
  try {
    result = await runBackup(env, {
      profileName: r.name,
      profile: r.profile,
      force: args.force,
      oneOff: r.oneOff,
      settingsWarnings: r.settingsWarnings,
      signal: ctx.signal,
      onEvent: reporter?.onEvent,
    });
  } finally {
    reporter?.done();
  }
  return {
    exitCode: result.exitCode,
    json: { ...backupJson(result), oneOff: r.oneOff },
    text: backupText(result) + oneOffText(r),
    warnings: result.warnings,
  };
}

function backupJson(r: BackupResult): Record<string, unknown> {
  return {
    outcome: r.outcome,
    snapshot: r.snapshot,
    rsyncExitCode: r.rsyncExitCode,
    files: r.files,
    bytesSent: r.bytesSent,
    totalFiles: r.totalFiles,
    totalBytes: r.totalBytes,
    unreadable: r.unreadable,
    fullCopy: r.fullCopy,
    storedInFull: r.storedInFull,
    deletedToMakeRoom: r.deletedToMakeRoom,
    deleted: r.deleted,
    clockSuspicions: r.clockSuspicions,
    movedSources: r.movedSources,
    durationMs: r.durationMs,
    logPath: r.logPath,
    warnings: r.warnings,
    error: r.error,
  };
}

/**
 * "1 changed file sent (11 B); the snapshot holds 20,000 files, 606 MB". Where every file was
 * stored again (a disk that keeps no modes), what was sent says nothing of the space taken.
 */
export function sentAndHeld(
  r: Pick<BackupResult, 'files' | 'bytesSent' | 'totalFiles' | 'totalBytes' | 'storedInFull'>,
): string {
  const sent = r.storedInFull
    ? 'every file stored again in full, none hard-linked to the previous snapshot'
    : `${plural(r.files ?? 0, 'changed file')} sent (${formatBytes(r.bytesSent ?? 0)})`;
  if (r.totalFiles === null) return sent;
  const size = r.totalBytes === null ? '' : `, ${formatBytes(r.totalBytes)}`;
  return `${sent}; the snapshot holds ${plural(r.totalFiles, 'file')}${size}`;
}

/** A one-off says so, so that nobody takes it for the profile's backup. */
function oneOffText(r: ResolvedProfile): string {
  if (r.oneOff === null) return '';
  return (
    `This was a one-off run to ${r.oneOff.destination ?? ''} (prefix ${r.oneOff.prefix ?? ''}): ` +
    `the schedule and status of profile "${r.name}" do not count it as its backup.\n`
  );
}

function backupText(r: BackupResult): string {
  const lines: string[] = [];
  switch (r.outcome) {
    case 'ok':
    case 'partial':
      lines.push(
        `${r.outcome === 'ok' ? 'Backed up' : 'Completed with errors'}: ${r.snapshot} — ` +
          `${sentAndHeld(r)}, in ${formatDuration(r.durationMs)}.`,
      );
      break;
    default:
      lines.push(
        `Backup ${r.outcome === 'failed' ? 'failed' : `not run (${r.outcome})`}: ${r.error?.message ?? ''}`,
      );
  }
  if (r.outcome === 'partial' && r.error) lines.push(r.error.message);
  if (r.deleted.length > 0) {
    lines.push(`Deleted ${plural(r.deleted.length, 'old snapshot')}:`);
    for (const d of r.deleted) lines.push(`  ${d.name} (${d.reason})`);
  }
  if (r.logPath) lines.push(`Log: ${r.logPath}`);
  return lines.join('\n') + '\n';
}
