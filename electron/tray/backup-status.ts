/** A profile's tray state as the Backups window shows it: plain data that survives IPC. */
import type { BackupStatus } from '../ipc/backups-contract.js';
import type { ProfileState } from './tray-state.js';

export function backupStatus(
  profile: string,
  state: ProfileState,
  settingsProblem: string | null,
): BackupStatus {
  const { run, lastBackup, lastFailure, pause } = state;
  const progress = run?.progress ?? null;
  return {
    profile,
    setUp: state.setUp,
    settingsProblem,
    run:
      run === null
        ? null
        : {
            source: run.source === 'tray' ? 'app' : 'other',
            startedAt: run.startedAt.toISOString(),
            stopping: run.stopping,
            waitingFor: run.waitingFor ?? null,
            progress:
              progress === null
                ? null
                : {
                    percent: progress.percent,
                    estimated: progress.estimated === true,
                    files: progress.transfers,
                    bytes: progress.bytes,
                    bytesPerSecond: progress.bytesPerSecond,
                    etaSeconds: progress.etaSeconds,
                  },
          },
    lastBackup:
      lastBackup === null
        ? null
        : {
            endedAt: lastBackup.endedAt.toISOString(),
            files: lastBackup.files,
            bytesSent: lastBackup.bytesSent,
            partial: lastBackup.partial,
          },
    lastFailure:
      lastFailure === null
        ? null
        : {
            at: lastFailure.at.toISOString(),
            run: lastFailure.run,
            reason: lastFailure.reason,
            skipped: lastFailure.skipped,
          },
    pause: pause.paused
      ? { paused: true, until: pause.until === null ? null : pause.until.toISOString() }
      : { paused: false },
    next: state.next === null ? null : state.next.toISOString(),
    waitReason: state.waitReason,
    overdue: state.overdue,
    overdueSince: state.overdueSince === null ? null : state.overdueSince.toISOString(),
    waitingForDisk: state.waitingForDisk,
  };
}
