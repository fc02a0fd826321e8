/** What the tray shows, as plain data: the controller fills it in, `trayMenu` draws it. */
import type { FailureKind } from '../../core/errors.js';
import type { Progress } from '../../core/backup/progress.js';
import type { PauseState } from '../../core/state/pause.js';

export type IconState = 'idle' | 'running' | 'paused' | 'error' | 'overdue';

export type PauseChoice = 'hour' | 'tomorrow' | 'resume';

/** What a menu item does to one profile. */
export type ProfileAction =
  | 'backup-now'
  | 'stop'
  | 'pause-hour'
  | 'pause-tomorrow'
  | 'pause-indefinitely'
  | 'resume'
  | 'show-failure';

/** What a menu item does to the app (or, in a single profile's flat menu, to that profile). */
export type TrayAction =
  ProfileAction | 'backup-all' | 'settings' | 'browse' | 'history' | 'autostart' | 'quit';

/** Where the Backups window opens from the tray: History, at one profile's run when known. */
export interface BackupsView {
  page: 'history';
  profile: string | null;
  /** The run's id in the history (its start, ISO-8601). */
  run: string | null;
}

export interface RunView {
  /** 'tray' is a run of this process; 'other' one of the CLI or cron, seen through the lock. */
  source: 'tray' | 'other';
  startedAt: Date;
  /** rsync's figures; `estimated` when the percent comes from the previous snapshot's totals. */
  progress: (Progress & { estimated?: boolean }) | null;
  stopping: boolean;
  /** The profile whose run at the same destination this one waits for, before it starts. */
  waitingFor?: string;
}

export interface LastBackupView {
  endedAt: Date;
  files: number | null;
  bytesSent: number | null;
  partial: boolean;
}

export interface FailureView {
  at: Date;
  /** The failed run's id in the history (its start), for History to show it. */
  run: string;
  reason: string;
  /** A skip (destination unreachable) waits and retries; it is not an error state. */
  skipped: boolean;
}

/** One profile's part of the tray, as its controller keeps it. */
export interface ProfileState {
  /** False until a destination is configured. */
  setUp: boolean;
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
  /** The latest run's log inside the state folder, when there is one. */
  logPath: string | null;
  /** When the run that wrote `logPath` ended, to find the newest log of several profiles. */
  logAt: Date | null;
  /** The local destination whose disk is not mounted (no marker): the backup waits for it. */
  waitingForDisk: string | null;
}

/** A single profile's flat menu: the profile's state and the app's own lines. */
export interface TrayState extends ProfileState {
  /** The settings file cannot be used: what is wrong, in words. */
  settingsProblem: string | null;
  autostart: boolean;
}

/** The whole tray: every profile it follows, in the settings file's order. */
export interface AppState {
  /** `name` is the profile's key (menu ids use it); `label` the name it shows, when it has one. */
  profiles: ReadonlyArray<{ name: string; label?: string; state: ProfileState }>;
  settingsProblem: string | null;
  autostart: boolean;
}

export function initialTrayState(): TrayState {
  return { ...initialProfileState(), settingsProblem: null, autostart: false };
}

export function initialProfileState(): ProfileState {
  return {
    setUp: false,
    run: null,
    lastBackup: null,
    lastFailure: null,
    pause: { paused: false },
    next: null,
    waitReason: null,
    overdue: false,
    overdueSince: null,
    logPath: null,
    logAt: null,
    waitingForDisk: null,
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

const PROFILE_ACTIONS: readonly string[] = [
  'backup-now',
  'stop',
  'pause-hour',
  'pause-tomorrow',
  'pause-indefinitely',
  'resume',
  'show-failure',
] satisfies readonly ProfileAction[];

const APP_ACTIONS: readonly string[] = [
  'backup-all',
  'settings',
  'browse',
  'history',
  'autostart',
  'quit',
] satisfies readonly TrayAction[];

/** A profile's item in the menu of several profiles: `backup-now:photos`. */
export function profileItemId(action: ProfileAction, profile: string): string {
  return `${action}:${profile}`;
}

/** Reads a menu item's id; a profile name holds no ":" (settings/schema.ts). */
export function parseItemId(
  id: string,
): { action: ProfileAction; profile: string } | { action: TrayAction; profile: null } | null {
  const colon = id.indexOf(':');
  if (colon < 0) {
    if (APP_ACTIONS.includes(id) || PROFILE_ACTIONS.includes(id)) {
      return { action: id as TrayAction, profile: null };
    }
    return null;
  }
  const action = id.slice(0, colon);
  if (!PROFILE_ACTIONS.includes(action)) return null;
  return { action: action as ProfileAction, profile: id.slice(colon + 1) };
}
