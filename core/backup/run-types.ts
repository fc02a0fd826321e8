/** What a backup run takes and gives: its request, its environment, its events and its result. */
import type { SessionEnvironment } from '../destination/session.js';
import type { DestinationListing } from '../destination/snapshot.js';
import type { Failure } from '../errors.js';
import type { Spawn } from '../process.js';
import type { Profile } from '../settings/schema.js';
import type { OneOffTarget } from '../state/history.js';
import type { Progress } from './progress.js';
import type { Totals } from './progress-estimate.js';
import type { BootClock } from './clock-check.js';
import type { NamedCount } from './transfer-messages.js';

/** A snapshot a run deleted, and why in words ("older than 30 days", "unfinished, superseded"). */
export interface DeletedSnapshot {
  name: string;
  reason: string;
}

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
  | { type: 'warning'; message: string }
  /** The destination as the run listed it before writing: every prefix on it (household.ts). */
  | { type: 'listing'; listing: DestinationListing };

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
  /** This machine's boot id and uptime (clock-check.ts); read from /proc when not given. */
  bootClock?: () => Promise<BootClock>;
  /**
   * How long, in all, the run waits for a destination that refuses its calls as busy (an rrsync
   * key's lock held by another transfer) before it fails; busy-wait.ts's default when not given.
   */
  busyWaitMs?: number;
}

export interface BackupRequest {
  profileName: string;
  /** A complete profile: sources, destination and prefix set. */
  profile: Profile;
  force: boolean;
  /** Set for a one-off run (not the profile's own destination, prefix or sources): history marks it. */
  oneOff?: OneOffTarget | null;
  /** Warnings about the settings file (keys Snaptray does not know), repeated in every run. */
  settingsWarnings?: readonly string[];
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
  /**
   * Unchanged files were copied again instead of hard-linked, and the destination was not set up
   * to allow that (`init --allow-full-copies`): a surprise, said in a warning too.
   */
  fullCopy: boolean;
  /**
   * Every file of the snapshot was stored again in full, nothing hard-linked to the previous one:
   * whether allowed at setup (a disk that keeps no modes, where `files` and `bytesSent` count only
   * what crossed the network) or not (then `fullCopy` too).
   */
  storedInFull: boolean;
  /** Snapshots deleted because the destination was full (retention's makeRoom). */
  deletedToMakeRoom: string[];
  /** Every snapshot this run deleted, each with why (makeRoom's too): all deletions are told. */
  deleted: DeletedSnapshot[];
  /** Why this run's clock looks wrong, in words; empty when it agrees (clock-check.ts). */
  clockSuspicions: string[];
  /**
   * Sources that were not where the base snapshot recorded them, each pushed linked against its
   * old places in that base (moved-sources.ts).
   */
  movedSources: Array<{ source: string; linkedAgainst: string[]; base: string }>;
  durationMs: number;
  logPath: string | null;
  warnings: string[];
  error: Failure | null;
}
