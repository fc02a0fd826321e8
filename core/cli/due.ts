/**
 * `backup --if-due`: whether the profile's schedule wants a backup now, decided as the tray
 * decides (core/schedule.ts), so that cron or a systemd timer can ask often and cheaply.
 */
import { onBatteryPower } from '../power.js';
import { failuresSinceSuccess, nextRun, shouldStartNow, type Schedule } from '../schedule.js';
import { profileRuns, readHistory } from '../state/history.js';
import { readPause } from '../state/pause.js';
import { readRunLock, type LockPlaces } from '../state/profile-lock.js';

/**
 * A check up to this early counts as on time: a timer that fires on the schedule's own rhythm
 * comes a few seconds before the due time (the last run started a little after its own firing).
 */
export const EARLY_MS = 5 * 60_000;

export type Due = { due: true } | { due: false; reason: string; next: Date | null };

export async function backupDue(lock: LockPlaces, schedule: Schedule, now: Date): Promise<Due> {
  const stateDir = lock.stateDir;
  const history = profileRuns(await readHistory(stateDir, { last: 200 }));
  const planned = nextRun(schedule, history, now);
  const soon = planned.at.getTime() - now.getTime() <= EARLY_MS;
  const next = planned.overdue || soon ? { at: now, overdue: true } : planned;
  const failures = failuresSinceSuccess(history);
  const decision = shouldStartNow({
    trigger: 'schedule',
    schedule,
    next,
    now,
    // A pause file that cannot be read still says the user asked for a pause.
    pause: await readPause(stateDir, now).catch(() => ({ paused: true, until: null })),
    lockHeld: (await readRunLock(lock)) !== null,
    onBattery: schedule.waitForAC ? await onBatteryPower() : false,
    reachable: null,
    failuresInARow: failures.count,
    lastFailureAt: failures.lastAt,
  });
  if (decision.kind === 'run') return { due: true };
  return {
    due: false,
    reason: decision.reason,
    next: decision.kind === 'wait' ? decision.until : decision.retryAt,
  };
}
