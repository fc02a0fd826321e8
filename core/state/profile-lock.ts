/**
 * Taking a profile's lock for work that changes the destination (a backup, prune, delete, adopt):
 * the state folder made if needed, the lock taken, and an rsync a dead run left stopped first.
 */
import { failure, type Failure } from '../errors.js';
import { stopLeftover } from './liveness.js';
import { acquireLock, type HeldLock } from './lock.js';
import { ensurePrivateDir } from './paths.js';

export type ProfileLock =
  | { ok: true; lock: HeldLock }
  /** `held`: another run has it (exit 4 for the CLI); otherwise something is wrong (exit 1). */
  | { ok: false; held: boolean; failure: Failure };

export async function takeProfileLock(
  stateDir: string,
  source: 'cli' | 'tray',
  verb: string,
  now: Date,
): Promise<ProfileLock> {
  const dir = await ensurePrivateDir(stateDir);
  if (dir.kind === 'refused') {
    return { ok: false, held: false, failure: failure('internal', dir.message) };
  }
  const lock = await acquireLock(stateDir, {
    pid: process.pid,
    startedAt: now.toISOString(),
    source,
  });
  if (lock.kind === 'held') {
    return {
      ok: false,
      held: true,
      failure: failure(
        'refused',
        `A backup of this profile is running (process ${lock.pid ?? 'unknown'}` +
          `${lock.source ? `, started from the ${lock.source}` : ''}); ${verb} later.`,
      ),
    };
  }
  const stopped = await Promise.all(lock.leftovers.map((p) => stopLeftover(p.pid, p.startTime)));
  if (stopped.includes(false)) {
    await lock.release();
    return {
      ok: false,
      held: false,
      failure: failure(
        'refused',
        `An rsync left running by an earlier run (process ${lock.leftovers.map((p) => p.pid).join(', ')}) could not be stopped; ${verb} later.`,
      ),
    };
  }
  return { ok: true, lock };
}
