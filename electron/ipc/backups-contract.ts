/**
 * What the Backups window and the main process exchange: the shapes of its requests, answers and
 * events. Part of the one contract: both sides import these through contract.ts. Times travel
 * as ISO-8601 strings and paths as the engine's path text (core/restore/remote-names.ts), so every
 * value survives IPC's structured clone unchanged.
 */
import type { SnapshotState } from '../../core/destination/snapshot.js';
import type { TextComparison } from '../../core/restore/compare.js';
import type { ConflictChoice, RestoreResult } from '../../core/restore/restore.js';
import type { VerifyResult } from '../../core/restore/verify.js';
import type { HistoryOutcome } from '../../core/state/history.js';
import type { LogLineKind } from '../../core/state/run-log.js';

/**
 * Why a request got no answer, as the window shows it: `unreachable` offers Retry, `busy` retries
 * by itself after `retryInMs`, `not-set-up` points to the settings, `declined`: the user answered
 * Cancel in the app's own dialog.
 */
export type UnavailableReason =
  | 'unreachable'
  | 'busy'
  | 'not-set-up'
  | 'not-found'
  | 'invalid'
  | 'refused'
  | 'declined'
  | 'failed';

export type BackupsResult<T> =
  | { ok: true; value: T }
  | { ok: false; reason: UnavailableReason; message: string; retryInMs?: number };

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface SnapshotSummary {
  name: string;
  /** When it was taken (ISO-8601). */
  time: string;
  state: SnapshotState;
  /** Files sent and bytes sent by the run that made it (null without a manifest). */
  files: number | null;
  bytesSent: number | null;
  /** Everything the snapshot holds. */
  totalFiles: number | null;
  totalBytes: number | null;
  /**
   * The folders backed up, where browsing starts: the manifest's, or the profile's for a snapshot
   * without one; empty only when neither says (browsing starts at `/`).
   */
  sources: string[];
  /** What is wrong with it, in words, naming the problem; empty when nothing is. */
  problems: string[];
}

/** A profile of the settings file, as the window's chooser offers it. */
export interface ProfileChoice {
  /** Its key in the settings file. */
  key: string;
  /** Its name for people. */
  label: string;
  /** Its destination as the settings name it; '' when not set up. */
  destination: string;
}

/**
 * A prefix on the destination: a machine (or a profile of one) of the household, from the one
 * listing (core/destination/household.ts). Host, user and profile are text from the destination.
 */
export interface MachineView {
  prefix: string;
  host: string | null;
  user: string | null;
  profile: string | null;
  /**
   * This machine's own: this account's identity holds its owner file, or (without one) a profile
   * of this settings file names it. Any other prefix is shown read-only.
   */
  own: boolean;
  /** Only the old router script's folders. */
  legacy: boolean;
  snapshots: number;
  /** The newest good snapshot (ok, partial or legacy), with its time (ISO-8601). */
  lastGood: { name: string; time: string } | null;
  /** No good snapshot for longer than its owner's schedule allows. */
  overdue: boolean;
  /** Whole days since the newest good snapshot; null without one. */
  daysSinceGood: number | null;
}

/** Every profile of the settings file, and the one the window shows. */
export interface ProfileChoices {
  profiles: ProfileChoice[];
  profile: string;
}

/** Which profile, and which prefix on its destination, the window shows. */
/**
 * Where the window goes when the app opened it for something: History, of a profile, at one run
 * (its id, the run's start), for the tray's Backup History… and a failed run's Show Details…; or
 * a file's versions, for `--browse PATH` (the file manager's "Restore Previous Versions…").
 */
export type OpenRequest =
  | { page: 'history'; profile: string | null; run: string | null }
  | { page: 'snapshots'; path: string };

export interface ViewChoice {
  profile: string;
  /** A prefix on the profile's destination; null: the profile's own. */
  prefix: string | null;
}

export interface Timeline {
  /** The destination as the settings name it. */
  destination: string;
  prefix: string;
  /** The profile shown (its key). */
  profile: string;
  /** Every prefix on the destination, from the same listing as the snapshots. */
  machines: MachineView[];
  /** Another machine's snapshots: browse and restore only, in place only after the app asks. */
  readOnly: boolean;
  /** Newest first. */
  snapshots: SnapshotSummary[];
  warnings: string[];
}

export interface FolderRequest {
  snapshot: string;
  /** A folder of the snapshot; null for the list of its sources. */
  path: string | null;
}

export interface EntryView {
  name: string;
  /** The full path as it was backed up. */
  path: string;
  type: EntryType;
  size: number | null;
  /** Modification time (ISO-8601); null for the sources, which are not listed themselves. */
  mtime: string | null;
}

export interface FolderView {
  snapshot: string;
  path: string | null;
  /** Folders first, then by name. */
  entries: EntryView[];
}

export type Change = 'added' | 'changed' | 'deleted' | 'inside';

export interface ChangeView extends EntryView {
  /** `inside`: a folder that is there in both, with changes somewhere below it. */
  change: Change;
}

export interface FolderChanges {
  snapshot: string;
  path: string | null;
  /** The snapshot compared with: the complete one before it; null for the first. */
  previous: string | null;
  changes: ChangeView[];
}

export interface VersionsRequest {
  path: string;
}

export interface VersionView {
  /** The first snapshot that holds this version, and its time. */
  snapshot: string;
  time: string;
  type: EntryType;
  size: number;
  mtime: string;
  /** Every snapshot holding it, oldest first. */
  snapshots: string[];
}

export interface VersionsView {
  path: string;
  /** Newest first. */
  versions: VersionView[];
  /** How many snapshots were searched. */
  searched: number;
}

export interface SearchRequest {
  /** A name pattern, as `snaptray find` takes it (core/restore/find.ts): text, or `*`, `?`, `[…]`. */
  query: string;
}

/** One path whose name matched, with the snapshots holding it. */
export interface SearchMatch {
  path: string;
  name: string;
  /** As the newest snapshot holding it has it. */
  type: EntryType;
  size: number;
  mtime: string;
  /** The snapshots holding it, newest first, with their times (ISO-8601). */
  snapshots: Array<{ name: string; time: string }>;
}

export interface SearchView {
  query: string;
  /** How many snapshots were searched (the complete ones). */
  searched: number;
  /** Sorted by path; at most SEARCH_LIMIT of them. */
  matches: SearchMatch[];
  /** Every path that matched, shown or not. */
  total: number;
  warnings: string[];
}

export interface SnapshotPathRequest {
  snapshot: string;
  path: string;
}

/**
 * A version copied to open it: the desktop opened the read-only copy, or, for a kind it could run
 * (a program, a script, an archive; file-kind.ts), it was not handed over and `message` says why:
 * the window offers to show the copy in the file manager instead.
 */
export type OpenedVersion =
  { opened: true; file: string } | { opened: false; file: string; message: string };

export interface CopyRequest {
  /** A copy openVersion made. */
  file: string;
}

/** What a folder is chosen for: the app's dialog names it, and its token is good only for it. */
export interface RestoreFolderRequest {
  snapshot: string;
  paths: string[];
}

/** A folder the user chose in the app's own dialog. */
export interface ChosenFolder {
  /** Stands for the folder in the restore's request: unguessable, good for this restore only. */
  token: string;
  /** The folder, for the window to show. */
  folder: string;
}

export interface RestoreRequest {
  snapshot: string;
  paths: string[];
  /** The token of a folder chosen with chooseRestoreFolder; null: each path to its original place. */
  into: string | null;
  /** Bring back only what is missing here (`--missing-only`). */
  missingOnly: boolean;
  /**
   * Where something here differs from the snapshot's (`--keep-both`): `replace` (when absent)
   * keeps the current file aside as `NAME.before-restore-TIME` and puts the snapshot's in its
   * place; `keep-both` leaves the current one untouched and writes the snapshot's version beside
   * it under a new name (`report (restored from 2026-12-01 00.42).txt`, a number added when that
   * is taken; a folder the same way): `placed` then says where it went (`keptBoth`). Not with
   * `missingOnly`, which the app refuses.
   */
  conflicts?: ConflictChoice;
}

export type { ConflictChoice };

/**
 * A restore's result (restore.ts) as the window shows it: with `missingOnly`, the files left
 * because they are here are in `leftAsIs`, not among the skipped ones.
 */
export type RestoreReport = Omit<RestoreResult, 'restoresOwners' | 'restoresModes'> & {
  leftAsIs: string[];
  durationMs: number;
};

/**
 * What a restore would do. `appAsks`: the app itself asks before it runs, in its own dialog (in
 * place, it would replace a file here or write where programs or keys are kept): the window then
 * shows no confirmation of its own.
 */
export type RestorePlan = RestoreReport & { appAsks: boolean };

/** A place the last restore wrote to (its report's `placed[].to` or `keptAside[].keptAs`). */
export interface ShowRestoredRequest {
  path: string;
}

export interface VerifyRequest {
  snapshot: string;
}

/**
 * `damaged`: for each file that differs, the newest intact copy in another snapshot (not linked
 * to the damaged one, content equal to the file here) as `goodCopy`, or null, and the snapshots
 * sharing the damaged copy (`sharedBy`). restoreGoodCopy restores a good copy.
 */
export type VerifyReport = VerifyResult & {
  durationMs: number;
  /** The files that differ were noted for the next backup of the profile to compare by content. */
  comparedByNextBackup: boolean;
};

export type { DamagedFile } from '../../core/restore/verify.js';

/**
 * Restores the good copy verify found for one damaged file of the snapshot it verified last:
 * exactly a restore of `goodCopy.path` from `goodCopy.snapshot` (the app asks first, in place, as
 * for any restore). For "Restore to…", the folder is chosen with chooseRestoreFolder for
 * `{ snapshot: goodCopy.snapshot, paths: [goodCopy.path] }`.
 */
export interface GoodCopyRequest {
  /** The snapshot verify checked, and the damaged file (one of its `damaged`). */
  verified: string;
  path: string;
  into: string | null;
  conflicts?: ConflictChoice;
}

/**
 * A version of a text file compared with the file here (the version is "old", here is "new"):
 * hunks for side-by-side or unified display, and `diff -u` text. A binary file, or one larger
 * than COMPARE_LIMIT_BYTES (2 MiB, either side), is answered `refused` with words that say so; a
 * file missing here is answered with `here: 'missing'`.
 */
export type VersionComparison = TextComparison;
export type { ComparedHunk, ComparedLine } from '../../core/restore/compare.js';

export type RunSource = 'cli' | 'tray' | 'unknown';

export interface RunSummary {
  /** The run's start (ISO-8601): its identity in the history. */
  id: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  source: RunSource;
  outcome: HistoryOutcome;
  files: number | null;
  bytesSent: number | null;
  snapshot: string | null;
  error: { kind: string; message: string } | null;
  warnings: string[];
  hasLog: boolean;
  /**
   * Where a one-off run went (the command line named another destination, prefix or sources):
   * not one of the profile's own backups. Null for the profile's own runs.
   */
  oneOff: { destination: string | null; prefix: string | null; sources: string[] | null } | null;
}

export interface HistoryView {
  /** Newest first. */
  runs: RunSummary[];
}

export interface RunLogRequest {
  run: string;
  /** Only lines whose text holds this (any case); empty for all. */
  query: string;
}

export interface RunLogLine {
  kind: LogLineKind;
  /** The item's path, for changes. */
  path: string | null;
  /** The line in words ("changed (size, time)"), or the message itself. */
  text: string;
}

export interface RunLogView {
  run: string;
  lines: RunLogLine[];
  /** Lines that match the query, of `total`. */
  matched: number;
  total: number;
  /** Changes by kind, over the whole log. */
  counts: Partial<Record<LogLineKind, number>>;
  /** More lines matched than were sent. */
  truncated: boolean;
}

export interface RunRequest {
  run: string;
}

/**
 * A profile's backups as the tray knows them (the Overview page and the running row show it):
 * times are ISO-8601. A run of the CLI or cron, seen through the profile's lock, is `other` and
 * has no progress.
 */
export interface BackupStatus {
  /** The profile's key. */
  profile: string;
  /** False until the profile has a destination and sources. */
  setUp: boolean;
  /** The settings file cannot be used: what is wrong, in words. */
  settingsProblem: string | null;
  run: {
    source: 'app' | 'other';
    startedAt: string;
    /** Asked to stop, not ended yet. */
    stopping: boolean;
    /** The profile whose run at the same destination this one waits for. */
    waitingFor: string | null;
    progress: {
      /** Of the whole run, when known (`estimated`: from the previous snapshot's totals). */
      percent: number | null;
      estimated: boolean;
      /** Files transferred so far. */
      files: number | null;
      bytes: number;
      bytesPerSecond: number | null;
      etaSeconds: number | null;
    } | null;
  } | null;
  /** The newest successful run (ok, or completed with errors). */
  lastBackup: {
    endedAt: string;
    files: number | null;
    bytesSent: number | null;
    partial: boolean;
  } | null;
  /** The newest failure since the last success, its run's id, and why, in words. */
  lastFailure: { at: string; run: string; reason: string; skipped: boolean } | null;
  /** `until` null: until the user resumes. */
  pause: { paused: false } | { paused: true; until: string | null };
  /** The next backup, or the next attempt after a failure; null when none is planned. */
  next: string | null;
  /** Why the next backup waits, when it is held back (battery, a retry after a failure). */
  waitReason: string | null;
  overdue: boolean;
  overdueSince: string | null;
  /** A local destination whose disk is not connected: the backup waits for it. */
  waitingForDisk: string | null;
}

/** The profile a Back Up Now, Stop or Resume of the window is for. */
export interface StatusRequest {
  profile: string;
}

/** Pushed to the Backups window while something runs. */
export type BackupsEvent =
  | {
      type: 'restore-progress';
      phase: 'locating' | 'transferring' | 'folder-times';
      percent: number | null;
      bytes: number;
      bytesPerSecond: number | null;
      etaSeconds: number | null;
    }
  | {
      type: 'verify-progress';
      phase: 'listing' | 'comparing' | 'checking';
      done: number;
      total: number;
    }
  /** A backup that held the destination ended: requests answered `busy` may go again. */
  | { type: 'destination-free' }
  /** The app asked for a page: the window takes the request (takeOpenRequest) and goes there. */
  | { type: 'open-request' }
  /** The tray's state of the profile shown changed (a run started, moved on, ended). */
  | { type: 'status'; status: BackupStatus };

/** Everything the Backups window can ask of the main process. Payloads are validated there. */
export interface BackupsWindowApi {
  /** The snapshots of the profile and prefix chosen last (at first: this profile's own). */
  loadTimeline(): Promise<BackupsResult<Timeline>>;
  /** Every profile of the settings file (no destination is read). */
  listProfiles(): Promise<BackupsResult<ProfileChoices>>;
  /** Chooses the profile and prefix the window shows; loadTimeline then reads them. */
  chooseView(request: ViewChoice): Promise<BackupsResult<null>>;
  listFolder(request: FolderRequest): Promise<BackupsResult<FolderView>>;
  /** What differs from the snapshot before, below one folder (the engine's diff). */
  folderChanges(request: FolderRequest): Promise<BackupsResult<FolderChanges>>;
  fileVersions(request: VersionsRequest): Promise<BackupsResult<VersionsView>>;
  /**
   * Every path whose name matches, in all the complete snapshots (the engine's `find --all`); a
   * newer search stops the one still running.
   */
  searchSnapshots(request: SearchRequest): Promise<BackupsResult<SearchView>>;
  /**
   * Copies one version to a private folder, read-only, and opens it with the desktop's app when
   * it is a document, an image, audio, video or plain text.
   */
  openVersion(request: SnapshotPathRequest): Promise<BackupsResult<OpenedVersion>>;
  /** Compares one version of a text file with the file here (`snaptray diff --text`). */
  compareVersion(request: SnapshotPathRequest): Promise<BackupsResult<VersionComparison>>;
  /** Shows a copy openVersion made in the file manager. */
  showCopyInFolder(request: CopyRequest): Promise<BackupsResult<null>>;
  /** What a restore would do, changing nothing: the confirmation lists what is kept aside. */
  planRestore(request: RestoreRequest): Promise<BackupsResult<RestorePlan>>;
  /** Restores; in place, after the app's own dialog when the plan says `appAsks`. */
  restore(request: RestoreRequest): Promise<BackupsResult<RestoreReport>>;
  /** Shows where the last restore put something in the file manager; any other path is refused. */
  showRestored(request: ShowRestoredRequest): Promise<BackupsResult<null>>;
  verify(request: VerifyRequest): Promise<BackupsResult<VerifyReport>>;
  /** Restores the good copy the last verify found for a damaged file (GoodCopyRequest). */
  restoreGoodCopy(request: GoodCopyRequest): Promise<BackupsResult<RestoreReport>>;
  /** Stops the restore or verify that runs. */
  cancelOperation(): Promise<void>;
  /** The app's folder dialog, for "Restore to…": null when the user cancelled. */
  chooseRestoreFolder(request: RestoreFolderRequest): Promise<ChosenFolder | null>;
  loadHistory(): Promise<BackupsResult<HistoryView>>;
  /** What the app opened the window for, once; null when nothing (any more). */
  takeOpenRequest(): Promise<OpenRequest | null>;
  readRunLog(request: RunLogRequest): Promise<BackupsResult<RunLogView>>;
  /** Opens the run's log file itself with the desktop's app. */
  openRunLog(request: RunRequest): Promise<BackupsResult<null>>;
  /** The state of the profile shown, as the tray knows it. */
  loadStatus(): Promise<BackupsResult<BackupStatus>>;
  /** Starts a backup of the profile now, as the tray's Back Up Now does. */
  backUpNow(request: StatusRequest): Promise<BackupsResult<null>>;
  /** Stops the profile's running backup (a CLI run too), as the tray's Stop Backup does. */
  stopBackup(request: StatusRequest): Promise<BackupsResult<null>>;
  /** Ends the profile's pause. */
  resumeBackups(request: StatusRequest): Promise<BackupsResult<null>>;
  /** Opens the settings window. */
  openSettings(): Promise<void>;
  /** Progress and "the destination is free again"; returns an unsubscribe. */
  onBackupsEvent(listener: (event: BackupsEvent) => void): () => void;
}
