/** What the tray shows, as plain data: the controller fills it in, `trayMenu` draws it. */
import type { FailureKind } from '../../core/errors.js';
import type { Progress } from '../../core/backup/progress.js';
import type { PauseState } from '../../core/state/pause.js';

export type IconState = 'idle' | 'running' | 'paused' | 'error' | 'overdue';

export type PauseChoice = 'hour' | 'tomorrow' | 'resume';

export type TrayAction =
  | 'backup-now'
  | 'stop'
  | 'pause-hour'
  | 'pause-tomorrow'
  | 'pause-indefinitely'
  | 'resume'
  | 'settings'
  | 'browse'
  | 'show-log'
  | 'autostart'
  | 'quit';

export interface RunView {
  /** 'tray' is a run of this process; 'other' one of the CLI or cron, seen through the lock. */
  source: 'tray' | 'other';
  startedAt: Date;
  /** rsync's figures; `estimated` when the percent comes from the previous snapshot's totals. */
  progress: (Progress & { estimated?: boolean }) | null;
  stopping: boolean;
}

export interface LastBackupView {
  endedAt: Date;
  files: number | null;
  bytesSent: number | null;
  partial: boolean;
}

export interface FailureView {
  at: Date;
  reason: string;
  /** A skip (destination unreachable) waits and retries; it is not an error state. */
  skipped: boolean;
}

export interface TrayState {
  /** False until a destination is configured. */
  setUp: boolean;
  /** The settings file cannot be used: what is wrong, in words. */
  settingsProblem: string | null;
  run: RunView | null;
  lastBackup: LastBackupView | null;
  /** The newest failure since the last success. */
  lastFailure: FailureView | null;
  pause: PauseState;
  /** When the next backup (or retry) is planned; null when nothing is planned. */
  next: Date | null;
  /** Why the next backup waits, when it is held back (battery, lock, retry). */
  waitReason: string | null;
  overdue: boolean;
  overdueSince: Date | null;
  autostart: boolean;
  /** The latest run's log inside the state folder, when there is one. */
  logPath: string | null;
}

export function initialTrayState(): TrayState {
  return {
    setUp: false,
    settingsProblem: null,
    run: null,
    lastBackup: null,
    lastFailure: null,
    pause: { paused: false },
    next: null,
    waitReason: null,
    overdue: false,
    overdueSince: null,
    autostart: false,
    logPath: null,
  };
}

const SKIP_KINDS: readonly FailureKind[] = [
  'unreachable',
  'connection-refused',
  'timeout',
  'unknown-host-name',
  // Another transfer holds an rrsync key's folder: nothing is wrong, the next attempt will do.
  'destination-busy',
];

/** Failures that mean "the destination cannot be used right now": skip and retry. */
export function isUnreachable(kind: string): boolean {
  return (SKIP_KINDS as readonly string[]).includes(kind);
}

/** When a pause chosen at `now` ends: in an hour, at 08:00 the next day, or never (null). */
export function pauseUntil(choice: PauseChoice, now: Date): Date | null {
  switch (choice) {
    case 'hour':
      return new Date(now.getTime() + 3_600_000);
    case 'tomorrow':
      return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 8, 0);
    case 'resume':
      return null;
  }
}
