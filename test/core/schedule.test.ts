// Local-time rules must hold where clocks change: every Date below is read in Berlin time.
process.env.TZ = 'Europe/Berlin';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SLOT_GRACE_MS,
  failuresSinceSuccess,
  isOverdue,
  nextRun,
  overdueSince,
  retryDelay,
  shouldStartNow,
} from '../../core/schedule.js';
import type { Schedule, StartConditions } from '../../core/schedule.js';
import type { HistoryEntry, HistoryOutcome } from '../../core/state/history.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function schedule(overrides: Partial<Schedule> = {}): Schedule {
  return {
    mode: 'interval',
    everyHours: 24,
    dailyAt: '03:00',
    catchUp: true,
    waitForAC: false,
    skipWhenUnreachable: true,
    ...overrides,
  };
}

function entry(outcome: HistoryOutcome, startedAt: Date, minutes = 10): HistoryEntry {
  return {
    profile: 'default',
    startedAt: startedAt.toISOString(),
    endedAt: new Date(startedAt.getTime() + minutes * MINUTE).toISOString(),
    outcome,
    exitCode: outcome === 'ok' ? 0 : 1,
    rsyncExitCode: null,
    files: null,
    bytesSent: null,
    snapshot: null,
    logPath: null,
    error: null,
    warnings: [],
  };
}

/** Berlin wall-clock time as shown to the user, e.g. "2026-03-29 03:00". */
function local(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

function conditions(overrides: Partial<StartConditions> = {}): StartConditions {
  const now = overrides.now ?? new Date('2026-06-01T10:00:00Z');
  return {
    trigger: 'schedule',
    schedule: schedule(),
    next: { at: now, overdue: true },
    now,
    pause: { paused: false },
    lockHeld: false,
    onBattery: false,
    reachable: true,
    failuresInARow: 0,
    lastFailureAt: null,
    ...overrides,
  };
}

describe('nextRun, every N hours', () => {
  const last = new Date('2026-06-01T08:00:00Z');

  it('is due now when nothing has succeeded yet', () => {
    const now = new Date('2026-06-01T10:00:00Z');
    expect(nextRun(schedule(), [], now)).toEqual({ at: now, overdue: true });
    const onlyFailures = [entry('failed', last), entry('cancelled', last)];
    expect(nextRun(schedule(), onlyFailures, now)).toEqual({ at: now, overdue: true });
  });

  it('counts from the start of the last ok or partial run, ignoring later failures', () => {
    const history = [
      entry('ok', new Date('2026-05-31T08:00:00Z')),
      entry('partial', last, 90),
      entry('failed', new Date('2026-06-01T12:00:00Z')),
      entry('locked', new Date('2026-06-01T13:00:00Z')),
    ];
    const now = new Date('2026-06-01T14:00:00Z');
    expect(nextRun(schedule({ everyHours: 6 }), history, now)).toEqual({
      at: new Date('2026-06-01T14:00:00Z'),
      overdue: true,
    });
    expect(nextRun(schedule({ everyHours: 12 }), history, now)).toEqual({
      at: new Date('2026-06-01T20:00:00Z'),
      overdue: false,
    });
  });

  it('catches up at once after a sleep past the due time', () => {
    const now = new Date('2026-06-04T07:13:00Z');
    expect(nextRun(schedule(), [entry('ok', last)], now)).toEqual({ at: now, overdue: true });
  });

  it('without catch-up, skips a missed time to the next one on the same grid', () => {
    const now = new Date('2026-06-02T15:00:00Z');
    const every6 = schedule({ everyHours: 6, catchUp: false });
    expect(nextRun(every6, [entry('ok', last)], now)).toEqual({
      at: new Date('2026-06-02T20:00:00Z'),
      overdue: false,
    });
    // A timer that fires a few minutes late still runs its slot.
    const late = new Date('2026-06-02T14:05:00Z');
    expect(nextRun(every6, [entry('ok', last)], late)).toEqual({ at: late, overdue: true });
  });

  it('is due now when the last success lies in the future (the clock went back)', () => {
    const now = new Date('2026-05-20T09:00:00Z');
    expect(nextRun(schedule({ everyHours: 168 }), [entry('ok', last)], now)).toEqual({
      at: now,
      overdue: true,
    });
    // After that run the newest entry (in append order) rules again: no endless re-runs.
    const rerun = [entry('ok', last), entry('ok', now)];
    expect(nextRun(schedule({ everyHours: 168 }), rerun, new Date(now.getTime() + HOUR))).toEqual({
      at: new Date(now.getTime() + 168 * HOUR),
      overdue: false,
    });
  });
});

describe('nextRun, daily', () => {
  const daily = (dailyAt: string, catchUp = true) => schedule({ mode: 'daily', dailyAt, catchUp });

  it('is the next local HH:MM after the last run ended', () => {
    const history = [entry('ok', new Date(2026, 5, 1, 3, 0))];
    const result = nextRun(daily('03:00'), history, new Date(2026, 5, 1, 18, 0));
    expect(local(result.at)).toBe('2026-06-02 03:00');
    expect(result.overdue).toBe(false);
  });

  it('does not run again for a slot that fell inside the last run', () => {
    const history = [entry('ok', new Date(2026, 5, 1, 2, 50), 20)];
    const result = nextRun(daily('03:00'), history, new Date(2026, 5, 1, 3, 11));
    expect(local(result.at)).toBe('2026-06-02 03:00');
  });

  it('catches up when the slot passed while the machine was off', () => {
    const history = [entry('ok', new Date(2026, 5, 1, 3, 0))];
    const now = new Date(2026, 5, 4, 9, 30);
    expect(nextRun(daily('03:00'), history, now)).toEqual({ at: now, overdue: true });
  });

  it('without catch-up, waits for the next slot after a missed one', () => {
    const history = [entry('ok', new Date(2026, 5, 1, 3, 0))];
    const result = nextRun(daily('03:00', false), history, new Date(2026, 5, 4, 9, 30));
    expect(local(result.at)).toBe('2026-06-05 03:00');
    expect(result.overdue).toBe(false);
    const late = new Date(2026, 5, 4, 3, 0 + SLOT_GRACE_MS / MINUTE - 1);
    expect(nextRun(daily('03:00', false), history, late)).toEqual({ at: late, overdue: true });
  });

  it('without catch-up and without history, waits for the first slot', () => {
    const result = nextRun(daily('22:15', false), [], new Date(2026, 5, 4, 9, 30));
    expect(local(result.at)).toBe('2026-06-04 22:15');
    expect(nextRun(daily('22:15'), [], new Date(2026, 5, 4, 9, 30)).overdue).toBe(true);
  });

  it('runs a time skipped by spring-forward at the moment the clocks jump', () => {
    // Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST, so 02:30 does not exist.
    const history = [entry('ok', new Date(2026, 2, 28, 2, 30))];
    const result = nextRun(daily('02:30'), history, new Date(2026, 2, 28, 12, 0));
    expect(result.at.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(local(result.at)).toBe('2026-03-29 03:00');
    // The day after, 02:30 exists again.
    const after = [...history, entry('ok', result.at)];
    expect(local(nextRun(daily('02:30'), after, new Date(2026, 2, 29, 12, 0)).at)).toBe(
      '2026-03-30 02:30',
    );
  });

  it('runs a time repeated by fall-back once, at its first occurrence', () => {
    // Berlin, 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
    const history = [entry('ok', new Date(2026, 9, 24, 2, 30))];
    const first = nextRun(daily('02:30'), history, new Date(2026, 9, 24, 12, 0));
    expect(first.at.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    const ran = [...history, entry('ok', first.at, 5)];
    // At the second 02:30 (01:30 UTC) nothing is due: the next run is the 26th.
    const second = nextRun(daily('02:30'), ran, new Date('2026-10-25T01:30:00Z'));
    expect(second.overdue).toBe(false);
    expect(local(second.at)).toBe('2026-10-26 02:30');
  });
});

describe('retryDelay', () => {
  it('backs off 1, 2, 5, 10, 30 minutes, then hourly', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 100].map((n) => retryDelay(n) / MINUTE)).toEqual([
      0, 1, 2, 5, 10, 30, 60, 60, 60,
    ]);
  });
});

describe('isOverdue', () => {
  const now = new Date('2026-06-10T12:00:00Z');

  it('is false for an empty history', () => {
    expect(isOverdue([], 3, now)).toBe(false);
    expect(overdueSince([])).toBeNull();
  });

  it('counts from the last success, then from the first attempt when none succeeded', () => {
    const okAt = new Date('2026-06-07T12:00:00Z');
    expect(isOverdue([entry('ok', okAt)], 3, now)).toBe(true);
    expect(isOverdue([entry('ok', okAt)], 3, new Date(now.getTime() - 1))).toBe(false);
    const failures = [
      entry('failed', new Date('2026-06-05T12:00:00Z')),
      entry('failed', new Date('2026-06-09T12:00:00Z')),
    ];
    expect(overdueSince(failures)).toEqual(new Date('2026-06-05T12:00:00Z'));
    expect(isOverdue(failures, 5, now)).toBe(true);
    expect(isOverdue(failures, 6, now)).toBe(false);
  });
});

describe('failuresSinceSuccess', () => {
  it('counts failed runs after the last success and reports when the newest ended', () => {
    const history = [
      entry('failed', new Date('2026-06-01T01:00:00Z')),
      entry('ok', new Date('2026-06-01T02:00:00Z')),
      entry('failed', new Date('2026-06-01T03:00:00Z')),
      entry('cancelled', new Date('2026-06-01T04:00:00Z')),
      entry('failed', new Date('2026-06-01T05:00:00Z'), 3),
      entry('locked', new Date('2026-06-01T06:00:00Z')),
    ];
    expect(failuresSinceSuccess(history)).toEqual({
      count: 2,
      lastAt: new Date('2026-06-01T05:03:00Z'),
    });
    expect(failuresSinceSuccess([])).toEqual({ count: 0, lastAt: null });
  });
});

describe('shouldStartNow', () => {
  const now = new Date('2026-06-01T10:00:00Z');

  it('runs a due backup when nothing stands in the way', () => {
    expect(shouldStartNow(conditions({ now }))).toEqual({ kind: 'run' });
  });

  it('waits while another run holds the lock, even when the user asks', () => {
    const expected = {
      kind: 'wait',
      until: new Date(now.getTime() + MINUTE),
      reason: 'Another backup of this profile is already running.',
    };
    expect(shouldStartNow(conditions({ now, lockHeld: true }))).toEqual(expected);
    expect(shouldStartNow(conditions({ now, lockHeld: true, trigger: 'user' }))).toEqual(expected);
  });

  it('waits until the pause ends, or for the user to resume', () => {
    const until = new Date('2026-06-01T14:30:00Z');
    expect(shouldStartNow(conditions({ now, pause: { paused: true, until } }))).toEqual({
      kind: 'wait',
      until,
      reason: 'Backups are paused.',
    });
    expect(shouldStartNow(conditions({ now, pause: { paused: true, until: null } }))).toEqual({
      kind: 'wait',
      until: null,
      reason: 'Backups are paused.',
    });
    const ended = { paused: true as const, until: new Date(now.getTime() - 1) };
    expect(shouldStartNow(conditions({ now, pause: ended }))).toEqual({ kind: 'run' });
  });

  it('waits for the due time when not due', () => {
    const at = new Date('2026-06-02T01:00:00Z');
    expect(shouldStartNow(conditions({ now, next: { at, overdue: false } }))).toEqual({
      kind: 'wait',
      until: at,
      reason: 'The next backup is not due yet.',
    });
  });

  it('backs off after a failure, unless the failure is stamped in the future', () => {
    const lastFailureAt = new Date(now.getTime() - 3 * MINUTE);
    expect(shouldStartNow(conditions({ now, failuresInARow: 3, lastFailureAt }))).toEqual({
      kind: 'wait',
      until: new Date(now.getTime() + 2 * MINUTE),
      reason: 'The last attempt failed; waiting a little before trying again.',
    });
    expect(shouldStartNow(conditions({ now, failuresInARow: 2, lastFailureAt }))).toEqual({
      kind: 'run',
    });
    const future = new Date(now.getTime() + 3 * DAY);
    expect(shouldStartNow(conditions({ now, failuresInARow: 6, lastFailureAt: future }))).toEqual({
      kind: 'run',
    });
  });

  it('waits for mains power only when asked to', () => {
    expect(
      shouldStartNow(conditions({ now, onBattery: true, schedule: schedule({ waitForAC: true }) })),
    ).toEqual({
      kind: 'wait',
      until: new Date(now.getTime() + 30 * MINUTE),
      reason: 'The computer is running on battery; the backup waits for mains power.',
    });
    expect(shouldStartNow(conditions({ now, onBattery: true }))).toEqual({ kind: 'run' });
  });

  it('skips an unreachable destination with a growing retry time', () => {
    expect(shouldStartNow(conditions({ now, reachable: false, failuresInARow: 2 }))).toEqual({
      kind: 'skip',
      retryAt: new Date(now.getTime() + 5 * MINUTE),
      reason: 'The backup destination cannot be reached.',
    });
    const tryAnyway = schedule({ skipWhenUnreachable: false });
    expect(shouldStartNow(conditions({ now, reachable: false, schedule: tryAnyway }))).toEqual({
      kind: 'run',
    });
  });

  it('lets the user back up now despite schedule, pause and battery', () => {
    const blocked = conditions({
      now,
      trigger: 'user',
      next: { at: new Date(now.getTime() + DAY), overdue: false },
      pause: { paused: true, until: null },
      onBattery: true,
      schedule: schedule({ waitForAC: true }),
    });
    expect(shouldStartNow(blocked)).toEqual({ kind: 'run' });
  });
});

// Properties: times between 2024 and 2030 cover several Berlin clock changes each way.
const instant = fc
  .integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) })
  .map((ms) => new Date(ms));
const timeOfDay = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const anySchedule = fc.record({
  mode: fc.constantFrom('interval' as const, 'daily' as const),
  everyHours: fc.integer({ min: 1, max: 168 }),
  dailyAt: timeOfDay,
  catchUp: fc.boolean(),
  waitForAC: fc.boolean(),
  skipWhenUnreachable: fc.boolean(),
});
const catchUpSchedule = anySchedule.map((s) => ({ ...s, catchUp: true }));
const outcome = fc.constantFrom<HistoryOutcome>(
  'ok',
  'partial',
  'failed',
  'cancelled',
  'locked',
  'paused',
);
/** A history in append order; start times may go backwards, as after a clock jump. */
const anyHistory = fc.array(
  fc
    .tuple(outcome, instant, fc.integer({ min: 0, max: 600 }))
    .map(([o, at, minutes]) => entry(o, at, minutes)),
  { maxLength: 6 },
);

/** Runs that ended some time before a given moment: outcome, how long before, minutes taken. */
const pastRuns = fc.array(
  fc.tuple(outcome, fc.integer({ min: 0, max: 60 * DAY }), fc.integer({ min: 0, max: 600 })),
  { maxLength: 6 },
);

/** The longest a schedule may wait: one period (a daily period is up to 25 h at fall-back). */
function period(s: Schedule): number {
  return s.mode === 'interval' ? s.everyHours * HOUR : 25 * HOUR;
}

describe('nextRun properties', () => {
  it('once due, stays due until a backup succeeds: sleep and DST changes lose nothing', () => {
    fc.assert(
      fc.property(catchUpSchedule, instant, pastRuns, instant, (s, t1, runs, t2) => {
        // The history as written by a clock that agreed with t1: every run ended by then.
        const history = runs.map(([o, ago, minutes]) =>
          entry(o, new Date(t1.getTime() - ago - minutes * MINUTE), minutes),
        );
        const first = nextRun(s, history, t1);
        fc.pre(first.at.getTime() <= t2.getTime());
        expect(nextRun(s, history, t2)).toEqual({ at: t2, overdue: true });
      }),
      { numRuns: 2000 },
    );
  });

  it('a now far after the last success is always due', () => {
    fc.assert(
      fc.property(catchUpSchedule, anyHistory, instant, fc.nat(), (s, history, last, extra) => {
        const ran = [...history, entry('ok', last, 0)];
        const now = new Date(last.getTime() + period(s) + extra);
        expect(nextRun(s, ran, now)).toEqual({ at: now, overdue: true });
      }),
      { numRuns: 1000 },
    );
  });

  it('waits at most a period after the last success, and after now despite clock jumps', () => {
    fc.assert(
      fc.property(anySchedule, anyHistory, instant, (s, history, now) => {
        const next = nextRun(s, history, now);
        expect(next.at.getTime()).toBeGreaterThanOrEqual(now.getTime());
        expect(next.at.getTime() - now.getTime()).toBeLessThanOrEqual(period(s));
        expect(next.overdue).toBe(next.at.getTime() === now.getTime());
        const ok = [...history]
          .reverse()
          .find((e) => e.outcome === 'ok' || e.outcome === 'partial');
        if (s.catchUp && ok !== undefined) {
          const reference = s.mode === 'interval' ? ok.startedAt : ok.endedAt;
          const bound = Math.max(new Date(reference).getTime() + period(s), now.getTime());
          expect(next.at.getTime()).toBeLessThanOrEqual(bound);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('daily runs once per local day through every clock change, at HH:MM or the jump', () => {
    fc.assert(
      fc.property(
        timeOfDay,
        fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2029, 0, 1) }),
        fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 10 }),
        (dailyAt, startMs, durations) => {
          const s = schedule({ mode: 'daily', dailyAt });
          const history: HistoryEntry[] = [entry('ok', new Date(startMs), 0)];
          const days: string[] = [];
          let now = new Date(startMs);
          // A timer firing exactly when told, for a year, with runs of varying length.
          for (let i = 0; i < 366; i++) {
            const next = nextRun(s, history, now);
            now = next.at;
            const run = entry('ok', now, durations[i % durations.length] ?? 0);
            history.push(run);
            now = new Date(run.endedAt);
            days.push(local(next.at));
          }
          const dates = days.map((d) => d.slice(0, 10));
          expect(new Set(dates).size).toBe(dates.length);
          for (let i = 1; i < days.length; i++) {
            const previous = new Date(`${dates[i - 1] ?? ''}T12:00:00`);
            const expected = local(new Date(previous.getTime() + DAY)).slice(0, 10);
            expect(dates[i]).toBe(expected);
            // Only a time inside the spring-forward gap (02:00-02:59) may run otherwise: at 03:00.
            const time = (days[i] ?? '').slice(11);
            const inGap = dailyAt >= '02:00' && dailyAt < '03:00';
            if (time !== dailyAt) expect({ time, inGap }).toEqual({ time: '03:00', inGap: true });
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('shouldStartNow properties', () => {
  const decisionInput = fc.record({
    trigger: fc.constantFrom('schedule' as const, 'user' as const),
    schedule: anySchedule,
    next: fc.record({ at: instant, overdue: fc.boolean() }),
    now: instant,
    pause: fc.oneof(
      fc.constant({ paused: false as const }),
      fc.record({ paused: fc.constant(true as const), until: fc.option(instant) }),
    ),
    lockHeld: fc.boolean(),
    onBattery: fc.boolean(),
    reachable: fc.option(fc.boolean()),
    failuresInARow: fc.nat({ max: 20 }),
    lastFailureAt: fc.option(instant),
  });

  it('never runs while the lock is held', () => {
    fc.assert(
      fc.property(decisionInput, (input) => {
        expect(shouldStartNow({ ...input, lockHeld: true }).kind).not.toBe('run');
      }),
      { numRuns: 1000 },
    );
  });

  it('never drops a due scheduled backup: it runs, or waits or retries at a later time', () => {
    fc.assert(
      fc.property(decisionInput, (input) => {
        const decision = shouldStartNow({
          ...input,
          trigger: 'schedule',
          next: { at: input.now, overdue: true },
        });
        const later = (at: Date) => expect(at.getTime()).toBeGreaterThan(input.now.getTime());
        if (decision.kind === 'skip') later(decision.retryAt);
        if (decision.kind === 'wait' && decision.until !== null) later(decision.until);
        // Only a pause until the user resumes may wait without a time.
        if (decision.kind === 'wait' && decision.until === null) {
          expect(input.pause).toEqual({ paused: true, until: null });
        }
        const paused =
          input.pause.paused &&
          (input.pause.until === null || input.pause.until.getTime() > input.now.getTime());
        if (paused) expect(decision.kind).not.toBe('run');
      }),
      { numRuns: 1000 },
    );
  });
});
