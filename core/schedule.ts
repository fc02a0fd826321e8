import type { Profile } from './settings/schema.js';
import type { HistoryEntry } from './state/history.js';
import type { PauseState } from './state/pause.js';

/**
 * When backups are due, as pure functions of the schedule, the history and `now`.
 *
 * Rules worth knowing:
 * - "The last success" is the last `ok` or `partial` entry in history order (the order runs were
 *   appended), not the largest timestamp: after the clock goes backwards, timestamps lie, the
 *   append order does not.
 * - A last success stamped later than `now` can only come from a clock that went backwards. It is
 *   then treated like no success at all (due now; for daily without catch-up, the next slot), so
 *   a wrong clock costs one extra backup, never days without one. A smaller jump back only
 *   lengthens the wait, to at most one period from `now`.
 * - Every N hours counts from the last success's start; a daily slot counts as served by a run
 *   that ended after it, so a run from 02:50 to 03:10 is not repeated for a 03:00 slot.
 * - Daily slots are local wall-clock times. A time skipped by a spring-forward change runs at the
 *   instant the clocks jump (the first valid time after it); a time repeated by a fall-back change
 *   counts once, at its first occurrence.
 * - Without catch-up, a slot counts as missed only once it is more than `SLOT_GRACE_MS` past, so a
 *   timer that fires a little late (or a machine waking a minute after the slot) still runs it.
 */

export type Schedule = Profile['schedule'];

export interface NextRun {
  /** When to start: the due time, or `now` when it is already due. */
  at: Date;
  /** The backup is due now (on time or late): start it without waiting. */
  overdue: boolean;
}

export type StartDecision =
  | { kind: 'run' }
  /** `until: null` means until the user resumes backups. */
  | { kind: 'wait'; until: Date | null; reason: string }
  | { kind: 'skip'; retryAt: Date; reason: string };

export interface StartConditions {
  /** A scheduled check, or the user's Back Up Now (only the lock can hold that back). */
  trigger: 'schedule' | 'user';
  schedule: Schedule;
  /** `nextRun(...)` for the same `now`. */
  next: NextRun;
  now: Date;
  pause: PauseState;
  /** The profile's run lock is held (by the tray, the CLI or cron). */
  lockHeld: boolean;
  onBattery: boolean;
  /** Whether the destination answered a cheap probe; `null` when not probed. */
  reachable: boolean | null;
  /** Failed runs and skipped attempts since the last success. */
  failuresInARow: number;
  /** When the newest of those ended. */
  lastFailureAt: Date | null;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How late a slot may be started without catch-up before it counts as missed. */
export const SLOT_GRACE_MS = 15 * MINUTE;
/** How often to look again while a run of another process holds the lock. */
export const LOCK_RECHECK_MS = MINUTE;
/** How often to look again while on battery; the power-change event is the fast path. */
export const BATTERY_RECHECK_MS = 30 * MINUTE;
const RETRY_STEPS_MS = [1, 2, 5, 10, 30, 60].map((minutes) => minutes * MINUTE);

export function nextRun(schedule: Schedule, history: readonly HistoryEntry[], now: Date): NextRun {
  const success = lastSuccess(history);
  const reference = success === null ? null : referenceTime(schedule, success);
  if (reference === null || reference.getTime() > now.getTime()) {
    return withoutHistory(schedule, now);
  }
  const due = nextSlotAfter(schedule, reference);
  if (due.getTime() > now.getTime()) return { at: due, overdue: false };
  if (schedule.catchUp || now.getTime() - due.getTime() <= SLOT_GRACE_MS) {
    return { at: now, overdue: true };
  }
  return upcomingSlot(schedule, reference, now);
}

/** Backoff after consecutive failures or skips: 1, 2, 5, 10, 30 minutes, then hourly. */
export function retryDelay(consecutiveFailures: number): number {
  if (!(consecutiveFailures >= 1)) return 0;
  const step = Math.min(Math.floor(consecutiveFailures), RETRY_STEPS_MS.length) - 1;
  return RETRY_STEPS_MS[step] ?? HOUR;
}

/**
 * No successful backup for `overdueDays` days. Before the first success, the clock starts at the
 * first attempt of any kind; an empty history (nothing attempted yet) is never overdue.
 */
export function isOverdue(
  history: readonly HistoryEntry[],
  overdueDays: number,
  now: Date,
): boolean {
  const since = overdueSince(history);
  if (since === null) return false;
  return now.getTime() - since.getTime() >= overdueDays * DAY;
}

/** The time the overdue clock counts from (see `isOverdue`), or null for an empty history. */
export function overdueSince(history: readonly HistoryEntry[]): Date | null {
  const success = lastSuccess(history);
  const entry = success ?? history[0];
  if (entry === undefined) return null;
  return parseTime(entry.startedAt) ?? parseTime(entry.endedAt);
}

/** The last `ok` or `partial` run in history order. */
export function lastSuccess(history: readonly HistoryEntry[]): HistoryEntry | null {
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i];
    if (entry !== undefined && isSuccess(entry) && parseTime(entry.startedAt) !== null) {
      return entry;
    }
  }
  return null;
}

/**
 * The newest run that tried to back up. A run refused because backups were paused or another
 * run held the lock did nothing: it is no answer to "how did the last backup go?".
 */
export function lastAttempt(history: readonly HistoryEntry[]): HistoryEntry | null {
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i];
    if (entry !== undefined && entry.outcome !== 'paused' && entry.outcome !== 'locked') {
      return entry;
    }
  }
  return null;
}

/** Failed runs since the last success, and when the newest of them ended. */
export function failuresSinceSuccess(history: readonly HistoryEntry[]): {
  count: number;
  lastAt: Date | null;
} {
  let count = 0;
  let lastAt: Date | null = null;
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i];
    if (entry === undefined || isSuccess(entry)) break;
    if (entry.outcome !== 'failed') continue;
    count++;
    lastAt ??= parseTime(entry.endedAt) ?? parseTime(entry.startedAt);
  }
  return { count, lastAt };
}

/**
 * Whether to start a backup now. The lock is checked first and always wins: two runs of one
 * profile never overlap. Reasons are plain sentences for notifications and the tray.
 */
export function shouldStartNow(conditions: StartConditions): StartDecision {
  const { now, schedule, pause } = conditions;
  if (conditions.lockHeld) {
    return {
      kind: 'wait',
      until: new Date(now.getTime() + LOCK_RECHECK_MS),
      reason: 'Another backup of this profile is already running.',
    };
  }
  if (conditions.trigger === 'user') return { kind: 'run' };
  if (pause.paused && (pause.until === null || pause.until.getTime() > now.getTime())) {
    return { kind: 'wait', until: pause.until, reason: 'Backups are paused.' };
  }
  if (!conditions.next.overdue) {
    return { kind: 'wait', until: conditions.next.at, reason: 'The next backup is not due yet.' };
  }
  if (conditions.lastFailureAt !== null && conditions.failuresInARow > 0) {
    const retryAt = conditions.lastFailureAt.getTime() + retryDelay(conditions.failuresInARow);
    // A retry time far ahead of now can only come from a clock that went back: do not wait for it.
    const plausible = retryAt - now.getTime() <= retryDelay(conditions.failuresInARow);
    if (retryAt > now.getTime() && plausible) {
      return {
        kind: 'wait',
        until: new Date(retryAt),
        reason: 'The last attempt failed; waiting a little before trying again.',
      };
    }
  }
  if (schedule.waitForAC && conditions.onBattery) {
    return {
      kind: 'wait',
      until: new Date(now.getTime() + BATTERY_RECHECK_MS),
      reason: 'The computer is running on battery; the backup waits for mains power.',
    };
  }
  if (schedule.skipWhenUnreachable && conditions.reachable === false) {
    return {
      kind: 'skip',
      retryAt: new Date(now.getTime() + retryDelay(conditions.failuresInARow + 1)),
      reason: 'The backup destination cannot be reached.',
    };
  }
  return { kind: 'run' };
}

function isSuccess(entry: HistoryEntry): boolean {
  return entry.outcome === 'ok' || entry.outcome === 'partial';
}

/** Interval counts from the start; a daily slot is served by a run that ended after it. */
function referenceTime(schedule: Schedule, success: HistoryEntry): Date | null {
  const started = parseTime(success.startedAt);
  if (schedule.mode === 'interval' || started === null) return started;
  const ended = parseTime(success.endedAt);
  return ended !== null && ended.getTime() >= started.getTime() ? ended : started;
}

/** No usable last success: due now with catch-up, else the next slot from now. */
function withoutHistory(schedule: Schedule, now: Date): NextRun {
  if (schedule.catchUp) return { at: now, overdue: true };
  return upcomingSlot(schedule, null, now);
}

/** The first slot not yet missed at `now` (at most `SLOT_GRACE_MS` past). */
function upcomingSlot(schedule: Schedule, reference: Date | null, now: Date): NextRun {
  const earliest = now.getTime() - SLOT_GRACE_MS;
  let slot: Date;
  if (schedule.mode === 'interval' && reference !== null) {
    const period = schedule.everyHours * HOUR;
    const periods = Math.max(1, Math.ceil((earliest - reference.getTime()) / period));
    slot = new Date(reference.getTime() + periods * period);
  } else if (schedule.mode === 'interval') {
    return { at: now, overdue: true };
  } else {
    slot = nextSlotAfter(schedule, new Date(earliest - 1));
  }
  return slot.getTime() <= now.getTime()
    ? { at: now, overdue: true }
    : { at: slot, overdue: false };
}

/** The first slot strictly after `after`. */
function nextSlotAfter(schedule: Schedule, after: Date): Date {
  if (schedule.mode === 'interval') return new Date(after.getTime() + schedule.everyHours * HOUR);
  const [hours, minutes] = parseTimeOfDay(schedule.dailyAt);
  for (let offset = 0; ; offset++) {
    // Noon is never inside a clock change, so it names the calendar day safely.
    const day = new Date(after.getFullYear(), after.getMonth(), after.getDate() + offset, 12);
    const slot = localTime(day.getFullYear(), day.getMonth(), day.getDate(), hours, minutes);
    if (slot.getTime() > after.getTime()) return slot;
  }
}

/**
 * The first instant whose local wall-clock time is at or past the given one. For a repeated time
 * that is its first occurrence; for a skipped time, the instant the clocks jumped.
 */
function localTime(year: number, month: number, day: number, hours: number, minutes: number): Date {
  const guess = new Date(year, month, day, hours, minutes);
  const target = Date.UTC(year, month, day, hours, minutes);
  if (wallClock(guess) === target) return guess;
  // Inside a gap Date counts with the offset from before it, landing past the gap: search back.
  let low = guess.getTime() - 2 * DAY;
  let high = guess.getTime();
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (wallClock(new Date(middle)) >= target) high = middle;
    else low = middle;
  }
  return new Date(high);
}

/** Local wall-clock time as a number that compares like the time itself. */
function wallClock(date: Date): number {
  return Date.UTC(
    date.getFullYear(),
    date.getMonth(),
    date.getDate(),
    date.getHours(),
    date.getMinutes(),
    date.getSeconds(),
    date.getMilliseconds(),
  );
}

function parseTimeOfDay(text: string): [number, number] {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  const hours = Number(match?.[1] ?? 0);
  const minutes = Number(match?.[2] ?? 0);
  return [Math.min(hours, 23), Math.min(minutes, 59)];
}

function parseTime(text: string): Date | null {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}
