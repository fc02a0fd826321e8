// Local-time rules must hold where clocks change: every Date below is read in Berlin time.
process.env.TZ = 'Europe/Berlin';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRetention, supersededIncomplete } from '../../../core/backup/retention.js';
import type { RetentionPlan } from '../../../core/backup/retention.js';
import type { RetentionPolicy } from '../../../core/backup/retention.js';
import type { Snapshot, SnapshotState } from '../../../core/destination/snapshot.js';
import { snapshotName } from '../../../core/destination/snapshot-name.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A snapshot as `snapshotsOf` would list it; ok and partial ones carry a manifest. */
function snap(
  time: Date,
  state: SnapshotState = 'ok',
  name = state === 'legacy'
    ? snapshotName('univac', time).slice(0, -7)
    : snapshotName('univac', time),
): Snapshot {
  const base = {
    name,
    time,
    latestTime: time,
    generation: null,
    sequenceTime: time,
    problem: null,
  };
  if (state !== 'ok' && state !== 'partial') return { ...base, state, manifest: null };
  const manifest = {
    format: 1 as const,
    host: 'univac',
    prefix: 'univac',
    startedAt: time.toISOString(),
    endedAt: new Date(time.getTime() + 10 * 60_000).toISOString(),
    rsyncExitCode: state === 'ok' ? 0 : 23,
    status: state,
    files: 120,
    bytesSent: 4096,
    appVersion: '0.1.0',
  };
  return { ...base, state, manifest };
}

/** Every file copied: ok, or legacy. */
function fullyCopied(s: Snapshot): boolean {
  return s.state === 'ok' || s.state === 'legacy';
}

function policy(rules: Partial<RetentionPolicy>): RetentionPolicy {
  return {
    keepAllHours: 0,
    dailyDays: 0,
    weeklyWeeks: 0,
    monthlyMonths: 0,
    maxAgeDays: null,
    ...rules,
  };
}

describe('planRetention examples', () => {
  it('runs in a time zone with daylight saving time', () => {
    expect([
      new Date(2026, 0, 15).getTimezoneOffset(),
      new Date(2026, 6, 15).getTimezoneOffset(),
    ]).toEqual([-60, -120]);
  });

  it('keeps everything younger than keepAllHours and the newest of each of the last days', () => {
    const now = new Date(2026, 10, 25, 12);
    const a = snap(new Date(2026, 10, 21, 10));
    const b = snap(new Date(2026, 10, 23, 8));
    const c = snap(new Date(2026, 10, 23, 20));
    const d = snap(new Date(2026, 10, 24, 6));
    const e = snap(new Date(2026, 10, 24, 15));
    const f = snap(new Date(2026, 10, 25, 3));
    const plan = planRetention([f, a, d, c, e, b], policy({ keepAllHours: 24, dailyDays: 3 }), now);
    expect(plan).toEqual<RetentionPlan>({
      keep: [
        { name: c.name, reasons: ['newest of 2026-11-23'] },
        { name: e.name, reasons: ['within 24 hours', 'newest of 2026-11-24'] },
        { name: f.name, reasons: ['newest', 'within 24 hours', 'newest of 2026-11-25'] },
      ],
      delete: [
        { name: a.name, reason: 'not in the last 3 days' },
        { name: b.name, reason: 'not the newest of its day' },
        { name: d.name, reason: 'not the newest of its day' },
      ],
    });
  });

  it('starts an ISO week on Monday in local time, not UTC', () => {
    // Monday 00:30 in Berlin is still Sunday in UTC.
    const now = new Date(2026, 10, 25, 12); // Wednesday of 2026-W48
    const sundayBefore = snap(new Date(2026, 10, 15, 22)); // 2026-W46
    const monday = snap(new Date(2026, 10, 16, 0, 30)); // 2026-W47
    const sunday = snap(new Date(2026, 10, 22, 23, 30)); // 2026-W47
    const nextMonday = snap(new Date(2026, 10, 23, 0, 30)); // 2026-W48
    const plan = planRetention(
      [sundayBefore, monday, sunday, nextMonday],
      policy({ weeklyWeeks: 2 }),
      now,
    );
    expect(plan).toEqual<RetentionPlan>({
      keep: [
        { name: sunday.name, reasons: ['newest of week 2026-W47'] },
        { name: nextMonday.name, reasons: ['newest', 'newest of week 2026-W48'] },
      ],
      delete: [
        { name: sundayBefore.name, reason: 'not in the last 2 weeks' },
        { name: monday.name, reason: 'not the newest of its week' },
      ],
    });
  });

  it('keeps the newest ok snapshot of each period beside a newer partial one', () => {
    const now = new Date(2026, 10, 25, 12);
    const okMonday = snap(new Date(2026, 10, 16, 3));
    const partialTuesday = snap(new Date(2026, 10, 17, 3), 'partial');
    const okOld = snap(new Date(2026, 10, 9, 3));
    const partialOld = snap(new Date(2026, 10, 10, 3), 'partial');
    const today = snap(new Date(2026, 10, 25, 3));
    const plan = planRetention(
      [okOld, partialOld, okMonday, partialTuesday, today],
      policy({ weeklyWeeks: 2 }),
      now,
    );
    expect(plan).toEqual<RetentionPlan>({
      keep: [
        { name: okMonday.name, reasons: ['newest ok snapshot of week 2026-W47'] },
        { name: partialTuesday.name, reasons: ['newest of week 2026-W47'] },
        { name: today.name, reasons: ['newest', 'newest of week 2026-W48'] },
      ],
      delete: [
        { name: okOld.name, reason: 'not in the last 2 weeks' },
        { name: partialOld.name, reason: 'not in the last 2 weeks' },
      ],
    });
  });

  it('names the ISO week by the year that holds its Thursday', () => {
    const now = new Date(2027, 0, 3, 12); // Sunday, still 2026-W53
    const w52 = snap(new Date(2026, 11, 27, 10));
    const w53 = snap(new Date(2026, 11, 28, 10));
    const newYear = snap(new Date(2027, 0, 1, 10), 'partial');
    const plan = planRetention([w52, w53, newYear], policy({ weeklyWeeks: 1 }), now);
    expect(plan).toEqual<RetentionPlan>({
      keep: [
        { name: w53.name, reasons: ['newest ok snapshot', 'newest ok snapshot of week 2026-W53'] },
        { name: newYear.name, reasons: ['newest', 'newest of week 2026-W53'] },
      ],
      delete: [{ name: w52.name, reason: 'not in the last week' }],
    });
  });

  it('keeps the newest of each of the last months, split at local midnight', () => {
    const now = new Date(2026, 11, 1, 9);
    const october = snap(new Date(2026, 9, 31, 23));
    const firstOfNovember = snap(new Date(2026, 10, 1, 0, 30));
    const lastOfNovember = snap(new Date(2026, 10, 30, 23, 59));
    const december = snap(new Date(2026, 11, 1, 1));
    const plan = planRetention(
      [december, lastOfNovember, firstOfNovember, october],
      policy({ monthlyMonths: 2 }),
      now,
    );
    expect(plan).toEqual<RetentionPlan>({
      keep: [
        { name: lastOfNovember.name, reasons: ['newest of 2026-11'] },
        { name: december.name, reasons: ['newest', 'newest of 2026-12'] },
      ],
      delete: [
        { name: october.name, reason: 'not in the last 2 months' },
        { name: firstOfNovember.name, reason: 'not the newest of its month' },
      ],
    });
  });

  it('applies every rule at once, each with its own reason', () => {
    const now = new Date(2026, 10, 25, 12);
    const jan = snap(new Date(2026, 0, 10, 3)); // beyond 6 months
    const aug = snap(new Date(2026, 7, 20, 3));
    const octWeek = snap(new Date(2026, 9, 28, 3)); // 2026-W44, beyond 3 weeks
    const nov = snap(new Date(2026, 10, 12, 3)); // 2026-W46
    const day = snap(new Date(2026, 10, 23, 3));
    const today = snap(new Date(2026, 10, 25, 3));
    const plan = planRetention(
      [jan, aug, octWeek, nov, day, today],
      policy({ dailyDays: 7, weeklyWeeks: 3, monthlyMonths: 6 }),
      now,
    );
    expect(plan).toEqual<RetentionPlan>({
      keep: [
        { name: aug.name, reasons: ['newest of 2026-08'] },
        { name: octWeek.name, reasons: ['newest of 2026-10'] },
        { name: nov.name, reasons: ['newest of week 2026-W46'] },
        { name: day.name, reasons: ['newest of 2026-11-23'] },
        {
          name: today.name,
          reasons: [
            'newest',
            'newest of 2026-11-25',
            'newest of week 2026-W48',
            'newest of 2026-11',
          ],
        },
      ],
      delete: [{ name: jan.name, reason: 'not in the last 7 days, 3 weeks or 6 months' }],
    });
  });

  it('deletes what is older than maxAgeDays even when a day rule would keep it', () => {
    const now = new Date(2026, 10, 25, 12);
    const old = snap(new Date(2026, 9, 20, 10)); // 36 days
    const justOver = snap(new Date(2026, 9, 26, 11)); // 30 days 1 hour
    const justUnder = snap(new Date(2026, 9, 26, 13)); // 29 days 23 hours
    const recent = snap(new Date(2026, 10, 25, 8));
    const plan = planRetention(
      [old, justOver, justUnder, recent],
      policy({ keepAllHours: 24, dailyDays: 60, maxAgeDays: 30 }),
      now,
    );
    expect(plan).toEqual<RetentionPlan>({
      keep: [
        { name: justUnder.name, reasons: ['newest of 2026-10-26'] },
        { name: recent.name, reasons: ['newest', 'within 24 hours', 'newest of 2026-11-25'] },
      ],
      delete: [
        { name: old.name, reason: 'older than 30 days' },
        { name: justOver.name, reason: 'older than 30 days' },
      ],
    });
  });

  it('keeps the newest complete snapshot when all are older than maxAgeDays, and ignores incomplete ones', () => {
    const now = new Date(2026, 10, 25, 12);
    const first = snap(new Date(2026, 8, 1, 3));
    const second = snap(new Date(2026, 8, 2, 3));
    const interrupted = snap(new Date(2026, 10, 20, 3), 'unfinished');
    const plan = planRetention(
      [first, second, interrupted],
      policy({ keepAllHours: 24, dailyDays: 14, maxAgeDays: 30 }),
      now,
    );
    expect(plan).toEqual<RetentionPlan>({
      keep: [{ name: second.name, reasons: ['newest'] }],
      delete: [{ name: first.name, reason: 'older than 30 days' }],
    });
  });

  it('keeps the newest ok snapshot too when the newest is partial', () => {
    const now = new Date(2026, 10, 25, 12);
    const first = snap(new Date(2026, 8, 1, 3));
    const second = snap(new Date(2026, 8, 2, 3));
    const partial = snap(new Date(2026, 8, 3, 3), 'partial');
    const plan = planRetention([first, second, partial], policy({ maxAgeDays: 30 }), now);
    expect(plan).toEqual<RetentionPlan>({
      keep: [
        { name: second.name, reasons: ['newest ok snapshot'] },
        { name: partial.name, reasons: ['newest'] },
      ],
      delete: [{ name: first.name, reason: 'older than 30 days' }],
    });
  });

  it('plans legacy snapshots like complete ok ones', () => {
    const now = new Date(2026, 10, 25, 12);
    const legacyOld = snap(new Date(2026, 9, 1), 'legacy');
    const legacy = snap(new Date(2026, 9, 2), 'legacy');
    const partial = snap(new Date(2026, 10, 24, 3), 'partial');
    expect(legacy.name).toBe('univac-2026-10-02');
    const plan = planRetention([legacyOld, legacy, partial], policy({ maxAgeDays: 30 }), now);
    expect(plan).toEqual<RetentionPlan>({
      keep: [
        { name: legacy.name, reasons: ['newest ok snapshot'] },
        { name: partial.name, reasons: ['newest'] },
      ],
      delete: [{ name: legacyOld.name, reason: 'older than 30 days' }],
    });
  });

  it('keeps snapshots dated in the future without letting them take a day', () => {
    const now = new Date(2026, 10, 25, 12);
    const yesterday = snap(new Date(2026, 10, 24, 20));
    const morning = snap(new Date(2026, 10, 25, 9));
    const evening = snap(new Date(2026, 10, 25, 18));
    const nextYear = snap(new Date(2027, 4, 1, 3));
    const plan = planRetention(
      [yesterday, morning, evening, nextYear],
      policy({ dailyDays: 1, maxAgeDays: 1 }),
      now,
    );
    expect(plan).toEqual<RetentionPlan>({
      keep: [
        { name: morning.name, reasons: ['newest of 2026-11-25'] },
        { name: evening.name, reasons: ['dated in the future'] },
        { name: nextYear.name, reasons: ['newest', 'dated in the future'] },
      ],
      delete: [{ name: yesterday.name, reason: 'not in the last day' }],
    });
  });

  it('keeps only recent and protected snapshots when every period rule is off', () => {
    const now = new Date(2026, 10, 25, 12);
    const old = snap(new Date(2026, 10, 20, 3));
    const ok = snap(new Date(2026, 10, 23, 3));
    const partial = snap(new Date(2026, 10, 24, 3), 'partial');
    const recent = snap(new Date(2026, 10, 25, 11, 30), 'partial');
    const plan = planRetention([old, ok, partial, recent], policy({ keepAllHours: 1 }), now);
    expect(plan).toEqual<RetentionPlan>({
      keep: [
        { name: ok.name, reasons: ['newest ok snapshot'] },
        { name: recent.name, reasons: ['newest', 'within 1 hour'] },
      ],
      delete: [
        { name: old.name, reason: 'older than 1 hour' },
        { name: partial.name, reason: 'older than 1 hour' },
      ],
    });
  });

  it('draws each age limit exactly: kept up to, not at, keepAllHours; deleted only past maxAgeDays', () => {
    const now = new Date(2026, 10, 25, 12);
    const atNow = snap(now);
    const exactlyOneHour = snap(new Date(now.getTime() - HOUR));
    const justUnderOneHour = snap(new Date(now.getTime() - HOUR + 1000));
    const exactlyTwoDays = snap(new Date(now.getTime() - 2 * DAY), 'ok', 'univac-two-days');
    const plan = planRetention(
      [exactlyTwoDays, exactlyOneHour, justUnderOneHour, atNow],
      policy({ keepAllHours: 1, maxAgeDays: 2, dailyDays: 5 }),
      now,
    );
    const reasons = new Map(plan.keep.map((k) => [k.name, k.reasons]));
    expect(reasons.get(atNow.name)).toEqual(['newest', 'within 1 hour', 'newest of 2026-11-25']);
    expect(reasons.get(justUnderOneHour.name)).toEqual(['within 1 hour']);
    expect(plan.delete).toEqual([
      { name: exactlyOneHour.name, reason: 'not the newest of its day' },
    ]);
    // Exactly two days old is not older than two days: the daily rule still keeps it.
    expect(reasons.get(exactlyTwoDays.name)).toEqual(['newest of 2026-11-23']);
  });

  it('says why a snapshot goes when no rule at all would keep it', () => {
    const now = new Date(2026, 10, 25, 12);
    const old = snap(new Date(2026, 10, 20, 3));
    const newest = snap(new Date(2026, 10, 24, 3));
    expect(planRetention([old, newest], policy({}), now).delete).toEqual([
      { name: old.name, reason: 'no rule keeps it' },
    ]);
  });

  it('orders by time, not name, on the autumn clock change, and counts elapsed hours', () => {
    // 2026-10-25 in Berlin: 03:00 CEST becomes 02:00 CET, so 02:45 comes before 02:15.
    const now = new Date(2026, 9, 25, 12); // 11:00 UTC
    const beforeMidnightUtc = snap(new Date(2026, 9, 25, 1, 30)); // 23:30 UTC the day before
    const summer = snap(new Date(Date.UTC(2026, 9, 25, 0, 45))); // 02:45 CEST
    const winter = snap(new Date(Date.UTC(2026, 9, 25, 1, 15))); // 02:15 CET
    expect([summer.name, winter.name]).toEqual([
      'univac-2026-10-25-024500',
      'univac-2026-10-25-021500',
    ]);
    const plan = planRetention(
      [winter, summer, beforeMidnightUtc],
      policy({ keepAllHours: 10, dailyDays: 1 }),
      now,
    );
    expect(plan).toEqual<RetentionPlan>({
      keep: [{ name: winter.name, reasons: ['newest', 'within 10 hours', 'newest of 2026-10-25'] }],
      delete: [
        { name: beforeMidnightUtc.name, reason: 'not the newest of its day' },
        { name: summer.name, reason: 'not the newest of its day' },
      ],
    });
  });

  it('plans nothing for no snapshots or only incomplete ones', () => {
    const now = new Date(2026, 10, 25, 12);
    const rules = policy({ keepAllHours: 24, dailyDays: 14, maxAgeDays: 30 });
    expect(planRetention([], rules, now)).toEqual({ keep: [], delete: [] });
    expect(planRetention([snap(new Date(2026, 0, 1), 'unfinished')], rules, now)).toEqual({
      keep: [],
      delete: [],
    });
  });
});

describe('supersededIncomplete', () => {
  it('names the incomplete snapshots older than the newest complete one, oldest first', () => {
    const a = snap(new Date(2026, 10, 20, 3), 'unfinished');
    const b = snap(new Date(2026, 10, 21, 3));
    const c = snap(new Date(2026, 10, 22, 3), 'unfinished');
    const d = snap(new Date(2026, 10, 23, 3), 'partial');
    const e = snap(new Date(2026, 10, 24, 3), 'unfinished');
    expect(supersededIncomplete([e, d, c, b, a])).toEqual([a.name, c.name]);
  });

  it('does not supersede an unfinished snapshot started at the very time of the finished one', () => {
    const t = new Date(2026, 10, 20, 3);
    const unfinished = snap(t, 'unfinished', 'univac-2026-11-20-030000');
    const finished = snap(t, 'ok', 'univac-2026-11-20-030001');
    expect(supersededIncomplete([unfinished, finished])).toEqual([]);
  });

  it('lets only a finished run supersede: legacy and unknown snapshots prove nothing', () => {
    const legacy = snap(new Date(2026, 10, 21), 'legacy');
    const unknown = snap(new Date(2026, 10, 23), 'unknown');
    const a = snap(new Date(2026, 10, 20, 3), 'unfinished');
    const b = snap(new Date(2026, 10, 22, 3), 'unfinished');
    expect(supersededIncomplete([b, legacy, a, unknown])).toEqual([]);
    expect(supersededIncomplete([b, a])).toEqual([]);
  });

  it('keeps a name from the repeated DST hour unless it is older under both readings', () => {
    // 2026-10-25 02:30 in Berlin happened at 00:30 UTC (summer time) and again at 01:30 UTC.
    const earliest = new Date(Date.UTC(2026, 9, 25, 0, 30));
    const latest = new Date(Date.UTC(2026, 9, 25, 1, 30));
    const ambiguous: Snapshot = { ...snap(earliest, 'unfinished'), latestTime: latest };
    const between = snap(new Date(Date.UTC(2026, 9, 25, 1, 0)));
    expect(supersededIncomplete([ambiguous, between])).toEqual([]);
    const after = snap(new Date(Date.UTC(2026, 9, 25, 1, 45)));
    expect(supersededIncomplete([ambiguous, after])).toEqual([ambiguous.name]);
  });
});

// Property tests: times over a few years around `now`, clustered so that days, weeks and months
// often hold several snapshots, and some lie in the future.
const NOW_MIN = new Date(2025, 0, 1).getTime();
const NOW_MAX = new Date(2027, 11, 31).getTime();

const offsetArb = fc.oneof(
  fc.integer({ min: -96, max: 96 }).map((halfHours) => halfHours * 30 * 60_000),
  fc.integer({ min: -2 * DAY, max: 60 * DAY }),
  fc.integer({ min: 0, max: 800 * DAY }),
);

const snapshotsArb = (now: number) =>
  fc
    .array(
      fc.record({
        offset: offsetArb,
        state: fc.constantFrom<SnapshotState>('ok', 'partial', 'unfinished', 'legacy', 'unknown'),
      }),
      { maxLength: 40 },
    )
    .map((specs) =>
      specs.map((spec, i) => snap(new Date(now - spec.offset), spec.state, `univac-${String(i)}`)),
    );

const policyArb: fc.Arbitrary<RetentionPolicy> = fc.record({
  keepAllHours: fc.oneof(fc.integer({ min: 0, max: 72 }), fc.integer({ min: 0, max: 8760 })),
  dailyDays: fc.integer({ min: 0, max: 40 }),
  weeklyWeeks: fc.integer({ min: 0, max: 15 }),
  monthlyMonths: fc.integer({ min: 0, max: 30 }),
  maxAgeDays: fc.option(fc.integer({ min: 1, max: 900 }), { nil: null }),
});

const caseArb = fc
  .integer({ min: NOW_MIN, max: NOW_MAX })
  .chain((now) =>
    fc.record({ now: fc.constant(new Date(now)), snapshots: snapshotsArb(now), rules: policyArb }),
  );

const RUNS = { numRuns: 1000 };

function later(a: Snapshot, b: Snapshot): Snapshot {
  if (a.time.getTime() !== b.time.getTime()) return a.time > b.time ? a : b;
  return a.name > b.name ? a : b;
}

function newestOf(snapshots: readonly Snapshot[]): Snapshot | undefined {
  return snapshots.length === 0 ? undefined : snapshots.reduce(later);
}

function plannedOf(snapshots: readonly Snapshot[]): Snapshot[] {
  return snapshots.filter((s) => s.state === 'ok' || s.state === 'partial' || s.state === 'legacy');
}

function names(entries: readonly { name: string }[]): string[] {
  return entries.map((e) => e.name);
}

function localDay(y: number, m: number, d: number): string {
  const t = new Date(y, m, d, 12);
  return `${t.getFullYear()}-${t.getMonth() + 1}-${t.getDate()}`;
}

/** Keys of a snapshot's day, week (its Monday) and month, and of the last `count` of each. */
const periods = {
  day: {
    key: (t: Date) => localDay(t.getFullYear(), t.getMonth(), t.getDate()),
    recent: (now: Date, i: number) =>
      localDay(now.getFullYear(), now.getMonth(), now.getDate() - i),
  },
  week: {
    key: (t: Date) => localDay(t.getFullYear(), t.getMonth(), t.getDate() - ((t.getDay() + 6) % 7)),
    recent: (now: Date, i: number) =>
      localDay(now.getFullYear(), now.getMonth(), now.getDate() - ((now.getDay() + 6) % 7) - 7 * i),
  },
  month: {
    key: (t: Date) => `${t.getFullYear()}-${t.getMonth() + 1}`,
    recent: (now: Date, i: number) => {
      const t = new Date(now.getFullYear(), now.getMonth() - i, 1, 12);
      return `${t.getFullYear()}-${t.getMonth() + 1}`;
    },
  },
};

/** An independent statement of the rules, built on Date's own local calendar arithmetic. */
function expectedKept(snapshots: readonly Snapshot[], rules: RetentionPolicy, now: Date): string[] {
  const planned = plannedOf(snapshots);
  const age = (s: Snapshot) => now.getTime() - s.time.getTime();
  const tooOld = (s: Snapshot) => rules.maxAgeDays !== null && age(s) > rules.maxAgeDays * DAY;
  const kept = new Set<Snapshot>();
  const protectedOnes = [newestOf(planned), newestOf(planned.filter(fullyCopied))];
  for (const s of protectedOnes) if (s) kept.add(s);
  for (const s of planned) if (age(s) < rules.keepAllHours * HOUR) kept.add(s);
  const counts = { day: rules.dailyDays, week: rules.weeklyWeeks, month: rules.monthlyMonths };
  for (const kind of ['day', 'week', 'month'] as const) {
    const recent = new Set(
      Array.from({ length: counts[kind] }, (_, i) => periods[kind].recent(now, i)),
    );
    // Each period keeps its newest snapshot, and its newest fully copied one.
    for (const candidates of [planned, planned.filter(fullyCopied)]) {
      const newestByPeriod = new Map<string, Snapshot>();
      for (const s of candidates.filter((p) => age(p) >= 0)) {
        const key = periods[kind].key(s.time);
        const current = newestByPeriod.get(key);
        newestByPeriod.set(key, current ? later(current, s) : s);
      }
      for (const [key, s] of newestByPeriod) if (recent.has(key) && !tooOld(s)) kept.add(s);
    }
  }
  return [...kept].sort((a, b) => (later(a, b) === a ? 1 : -1)).map((s) => s.name);
}

describe('planRetention properties', () => {
  it('plans each complete and legacy snapshot exactly once, oldest first', () => {
    fc.assert(
      fc.property(caseArb, ({ now, snapshots, rules }) => {
        const plan = planRetention(snapshots, rules, now);
        const all = [...names(plan.keep), ...names(plan.delete)];
        expect(new Set(all).size).toBe(all.length);
        expect(new Set(all)).toEqual(new Set(names(plannedOf(snapshots))));
        const byName = new Map(snapshots.map((s) => [s.name, s]));
        for (const list of [plan.keep, plan.delete]) {
          const listed = list.map((e) => byName.get(e.name)!);
          expect(listed).toEqual([...listed].sort((a, b) => (later(a, b) === a ? 1 : -1)));
        }
        for (const entry of plan.keep) expect(entry.reasons.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it('always keeps the newest complete and the newest ok snapshot', () => {
    fc.assert(
      fc.property(caseArb, ({ now, snapshots, rules }) => {
        const planned = plannedOf(snapshots);
        const kept = names(planRetention(snapshots, rules, now).keep);
        const newest = newestOf(planned);
        const newestOk = newestOf(planned.filter(fullyCopied));
        if (newest) expect(kept).toContain(newest.name);
        if (newestOk) expect(kept).toContain(newestOk.name);
      }),
      RUNS,
    );
  });

  it('never deletes a snapshot younger than keepAllHours or dated in the future', () => {
    fc.assert(
      fc.property(caseArb, ({ now, snapshots, rules }) => {
        const byName = new Map(snapshots.map((s) => [s.name, s]));
        for (const { name } of planRetention(snapshots, rules, now).delete) {
          const age = now.getTime() - byName.get(name)!.time.getTime();
          expect(age).toBeGreaterThanOrEqual(rules.keepAllHours * HOUR);
        }
      }),
      RUNS,
    );
  });

  it('gives "older than N days" exactly for deleted snapshots older than maxAgeDays', () => {
    fc.assert(
      fc.property(caseArb, ({ now, snapshots, rules }) => {
        const byName = new Map(snapshots.map((s) => [s.name, s]));
        for (const { name, reason } of planRetention(snapshots, rules, now).delete) {
          const age = now.getTime() - byName.get(name)!.time.getTime();
          const tooOld = rules.maxAgeDays !== null && age > rules.maxAgeDays * DAY;
          expect(/^older than \d+ days?$/.test(reason)).toBe(tooOld);
        }
      }),
      RUNS,
    );
  });

  it('keeps only recent and protected snapshots when maxAgeDays is off and all counts are 0', () => {
    fc.assert(
      fc.property(caseArb, ({ now, snapshots, rules }) => {
        const off = { ...rules, dailyDays: 0, weeklyWeeks: 0, monthlyMonths: 0, maxAgeDays: null };
        const planned = plannedOf(snapshots);
        const expected = new Set(
          planned
            .filter((s) => now.getTime() - s.time.getTime() < off.keepAllHours * HOUR)
            .map((s) => s.name),
        );
        const newest = newestOf(planned);
        const newestOk = newestOf(planned.filter(fullyCopied));
        if (newest) expected.add(newest.name);
        if (newestOk) expected.add(newestOk.name);
        expect(new Set(names(planRetention(snapshots, off, now).keep))).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('keeps exactly what the rules, restated with local calendar arithmetic, keep', () => {
    fc.assert(
      fc.property(caseArb, ({ now, snapshots, rules }) => {
        expect(names(planRetention(snapshots, rules, now).keep)).toEqual(
          expectedKept(snapshots, rules, now),
        );
      }),
      RUNS,
    );
  });

  it('is idempotent: planning the kept snapshots again keeps them all, for the same reasons', () => {
    fc.assert(
      fc.property(caseArb, ({ now, snapshots, rules }) => {
        const plan = planRetention(snapshots, rules, now);
        const keptNames = new Set(names(plan.keep));
        const survivors = snapshots.filter(
          (s) => keptNames.has(s.name) || s.state === 'unfinished' || s.state === 'unknown',
        );
        expect(planRetention(survivors, rules, now)).toEqual({ keep: plan.keep, delete: [] });
      }),
      RUNS,
    );
  });

  it('does not depend on the order of the input', () => {
    const shuffledCaseArb = caseArb.chain((c) =>
      fc.record({
        original: fc.constant(c),
        shuffled: fc.shuffledSubarray(c.snapshots, {
          minLength: c.snapshots.length,
          maxLength: c.snapshots.length,
        }),
      }),
    );
    fc.assert(
      fc.property(shuffledCaseArb, ({ original: { now, snapshots, rules }, shuffled }) => {
        expect(planRetention(shuffled, rules, now)).toEqual(planRetention(snapshots, rules, now));
        expect(supersededIncomplete(shuffled)).toEqual(supersededIncomplete(snapshots));
      }),
      RUNS,
    );
  });
});
