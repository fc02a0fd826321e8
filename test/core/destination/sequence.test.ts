import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareSequence,
  monotoneTimes,
  nextGeneration,
  type Sequenced,
} from '../../../core/destination/sequence.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);

function at(ms: number): Date {
  return new Date(ms);
}

/** Numbered snapshots g1, g2… dated by `offsets` (minutes after T0, or any ms via `ms`). */
function numbered(...times: number[]): Sequenced[] {
  return times.map((t, i) => ({ name: `p-${i + 1}`, time: at(t), generation: i + 1 }));
}

function minutes(n: number): number {
  return T0 + n * 60_000;
}

function iso(dates: Date[]): string[] {
  return dates.map((d) => d.toISOString());
}

describe('compareSequence', () => {
  it('puts snapshots without a generation first, by time, then the numbered ones by generation', () => {
    const legacy = { name: 'p-2026-11-01', time: at(T0 + 5 * DAY), generation: null };
    const older = { name: 'p-2026-10-01', time: at(T0 - 30 * DAY), generation: null };
    const second = { name: 'p-b', time: at(T0 - 90 * DAY), generation: 2 };
    const first = { name: 'p-a', time: at(T0 + 90 * DAY), generation: 1 };
    expect([second, legacy, first, older].sort(compareSequence).map((s) => s.name)).toEqual([
      'p-2026-10-01',
      'p-2026-11-01',
      'p-a',
      'p-b',
    ]);
  });

  it('breaks ties by time, then by name', () => {
    const a = { name: 'p-a', time: at(T0), generation: 3 };
    const b = { name: 'p-b', time: at(T0), generation: 3 };
    const c = { name: 'p-c', time: at(T0 - 1), generation: 3 };
    expect([b, a, c].sort(compareSequence).map((s) => s.name)).toEqual(['p-c', 'p-a', 'p-b']);
    expect(compareSequence(a, { ...a })).toBe(0);
  });
});

describe('monotoneTimes', () => {
  it('leaves times that already increase as they are', () => {
    const times = [minutes(0), minutes(1), minutes(1), minutes(60)];
    expect(iso(monotoneTimes(numbered(...times)))).toEqual(iso(times.map(at)));
    expect(monotoneTimes([])).toEqual([]);
  });

  it('counts a run dated days ahead as made when the next run was', () => {
    const future = minutes(3 * 24 * 60);
    const times = monotoneTimes(numbered(minutes(0), minutes(5), future, minutes(10), minutes(15)));
    expect(iso(times)).toEqual(
      iso([minutes(0), minutes(5), minutes(10), minutes(10), minutes(15)].map(at)),
    );
  });

  it('counts a run dated years back as made with the run before it', () => {
    const past = T0 - 20 * 365 * DAY;
    const times = monotoneTimes(numbered(minutes(0), minutes(5), past, minutes(10)));
    expect(iso(times)).toEqual(iso([minutes(0), minutes(5), minutes(5), minutes(10)].map(at)));
  });

  it('never makes a snapshot older than the one before it, with outliers on both sides', () => {
    const t = numbered(minutes(10), minutes(1000), minutes(1), minutes(20));
    const times = monotoneTimes(t).map((d) => d.getTime());
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
    expect(times[0]).toBe(minutes(10));
    expect(times.at(-1)).toBe(minutes(20));
    // Each outlier lands between its trusted neighbours.
    expect(times[1]).toBeLessThanOrEqual(minutes(20));
    expect(times[2]).toBeGreaterThanOrEqual(minutes(10));
  });

  it('keeps the newest runs’ own times when two readings are equally long', () => {
    // Six runs, then one dated three days ahead, then one with the clock right again.
    const future = minutes(3 * 24 * 60);
    const times = monotoneTimes(numbered(minutes(0), minutes(1), future, minutes(2)));
    expect(times.at(-1)?.getTime()).toBe(minutes(2));
    expect(times[2]?.getTime()).toBe(minutes(2));
  });

  it('trusts the runs whose clock looked right over any number that did not', () => {
    const future = minutes(3 * 24 * 60);
    const input = numbered(minutes(0), minutes(1), future, future + 1, minutes(2));
    input[2]!.clockSuspect = true;
    input[3]!.clockSuspect = true;
    const times = monotoneTimes(input);
    expect(iso(times)).toEqual(
      iso([minutes(0), minutes(1), minutes(2), minutes(2), minutes(2)].map(at)),
    );
    // Without the marks, the two future runs outnumber the one after them.
    const unmarked = monotoneTimes(input.map((s) => ({ ...s, clockSuspect: false })));
    expect(unmarked.at(-1)?.getTime()).toBe(future + 1);
  });

  it('a first run dated ahead is moved to the next', () => {
    const times = monotoneTimes(numbered(minutes(5000), minutes(1), minutes(2)));
    expect(iso(times)).toEqual(iso([minutes(1), minutes(1), minutes(2)].map(at)));
  });
});

describe('monotoneTimes, for any dates', () => {
  it('gives times that never go back, each a time some snapshot of the prefix has', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 40 }), (offsets) => {
        const input = numbered(...offsets.map((o) => minutes(o)));
        const out = monotoneTimes(input).map((d) => d.getTime());
        expect(out).toHaveLength(input.length);
        for (let i = 1; i < out.length; i++) expect(out[i]).toBeGreaterThanOrEqual(out[i - 1]!);
        const recorded = new Set(input.map((s) => s.time.getTime()));
        for (const t of out) expect(recorded.has(t)).toBe(true);
        // The longest increasing run keeps its own times: most snapshots are left as they are.
        const kept = out.filter((t, i) => t === input[i]!.time.getTime()).length;
        expect(kept).toBeGreaterThanOrEqual(longestNonDecreasing(offsets));
      }),
    );
  });
});

function longestNonDecreasing(xs: readonly number[]): number {
  const best: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    best[i] = 1;
    for (let j = 0; j < i; j++) if (xs[j]! <= xs[i]!) best[i] = Math.max(best[i]!, best[j]! + 1);
  }
  return Math.max(0, ...best);
}

describe('nextGeneration', () => {
  it('is one more than the highest, whatever the order, and 1 when there is none', () => {
    expect(nextGeneration([])).toBe(1);
    expect(nextGeneration([{ generation: null }, { generation: null }])).toBe(1);
    expect(nextGeneration([{ generation: 7 }, { generation: null }, { generation: 3 }])).toBe(8);
  });
});
