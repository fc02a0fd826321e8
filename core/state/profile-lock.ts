/**
 * Taking a profile's locks for work that changes the destination (a backup, prune, delete, adopt):
 * the folders made if needed, the locks taken, and an rsync a dead run left stopped first.
 *
 * A run takes two locks, both with the format and staleness rules of lock.ts:
 *
 *   <state dir>/lock                       the one older versions take and read
 *   <config dir>/locks/<profile>/lock      beside identity.json, which makes this account the owner
 *
 * The second one follows ownership: two runs of a profile as the same owner never overlap, even
 * when they were started with different XDG_STATE_HOME values (a session that sets it, cron that
 * does not) and so see different state folders. Without it, the later run's clean-up could take
 * the earlier run's unfinished snapshot for its own dead one. The state lock is taken first and
 * neither waits, so two runs cannot deadlock. Whoever asks whether a run is going on (the tray,
 * `status`, `pause`, `backup --if-due`) reads both: readRunLock.
 */
import { join } from 'node:path';
import { failure, type Failure } from '../errors.js';
import { stopLeftover } from './liveness.js';
import {
  acquireLock,
  readLock,
  type HeldLock,
  type LockHolder,
  type LockResult,
  type RecordedProcess,
} from './lock.js';
import { ensurePrivateDir } from './paths.js';

export type ProfileLock =
  | { ok: true; lock: HeldLock }
  /** `held`: another run has it (exit 4 for the CLI); otherwise something is wrong (exit 1). */
  | { ok: false; held: boolean; failure: Failure };

export interface LockPlaces {
  /** `$XDG_STATE_HOME/snaptray/<profile>` */
  stateDir: string;
  /** Snaptray's settings folder, which holds this account's identity. */
  configDir: string;
  /** The profile's name, already checked by the settings schema. */
  profile: string;
}

/** The folder of the lock that follows the owner (this account's identity) of a profile. */
export function ownerLockDir(configDir: string, profile: string): string {
  return join(configDir, 'locks', profile);
}

/**
 * Who runs a backup (or prune, delete, adopt) of the profile now, or null: the state folder's
 * lock, else the owner's, which a run started with another XDG_STATE_HOME holds alone.
 */
export async function readRunLock(places: LockPlaces): Promise<LockHolder | null> {
  return (
    (await readLock(places.stateDir)) ??
    (await readLock(ownerLockDir(places.configDir, places.profile)))
  );
}

/**
 * Takes both locks of the profile, or says why not. `verb` ends the messages ("prune later").
 */
export async function takeProfileLock(
  places: LockPlaces,
  source: 'cli' | 'tray',
  verb: string,
  now: Date,
): Promise<ProfileLock> {
  const ownerDir = ownerLockDir(places.configDir, places.profile);
  for (const path of [places.stateDir, ownerDir]) {
    const dir = await ensurePrivateDir(path);
    if (dir.kind === 'refused') {
      return { ok: false, held: false, failure: failure('internal', dir.message) };
    }
  }
  const info = { pid: process.pid, startedAt: now.toISOString(), source };
  const inState = await acquireLock(places.stateDir, info);
  if (inState.kind === 'held') return heldFailure(inState, verb, '');
  let inOwner: LockResult;
  try {
    inOwner = await acquireLock(ownerDir, info);
  } catch (error) {
    await inState.release();
    throw error;
  }
  if (inOwner.kind === 'held') {
    await inState.release();
    return heldFailure(inOwner, verb, ' with another state folder (another XDG_STATE_HOME)');
  }
  const lock = bothLocks(inState, inOwner);
  const stopped = await Promise.all(lock.leftovers.map((p) => stopLeftover(p.pid, p.startTime)));
  if (stopped.includes(false)) {
    await lock.release();
    return {
      ok: false,
      held: false,
      failure: failure(
        'refused',
        `An rsync left running by an earlier run (process ${lock.leftovers.map((p) => p.pid).join(', ')}) ` +
          `could not be stopped; nothing was started beside it. Stop it, then ${verb} again.`,
      ),
    };
  }
  return { ok: true, lock };
}

function heldFailure(
  holder: Extract<LockResult, { kind: 'held' }>,
  verb: string,
  where: string,
): ProfileLock {
  return {
    ok: false,
    held: true,
    failure: failure(
      'refused',
      `Another backup of this profile is running (process ${holder.pid ?? 'unknown'}` +
        `${holder.source ? `, started from the ${holder.source}` : ''})${where}; ${verb} later.`,
    ),
  };
}

/** One lock made of two: released together, the rsync recorded in both. */
function bothLocks(first: HeldLock, second: HeldLock): HeldLock {
  const leftovers: RecordedProcess[] = [];
  for (const p of [...first.leftovers, ...second.leftovers]) {
    if (!leftovers.some((q) => q.pid === p.pid && q.startTime === p.startTime)) leftovers.push(p);
  }
  return {
    kind: 'acquired',
    leftovers,
    recordChild: async (child) => {
      await Promise.all([first.recordChild(child), second.recordChild(child)]);
    },
    release: async () => {
      await Promise.allSettled([second.release(), first.release()]);
    },
  };
}
