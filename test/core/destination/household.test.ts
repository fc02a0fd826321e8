process.env.TZ = 'Europe/Berlin';

import { describe, expect, it } from 'vitest';
import { householdOf, type Machine } from '../../../core/destination/household.js';
import { otherMachinesHint } from '../../../core/destination/household-hint.js';
import {
  manifestName,
  ownerFileName,
  snapshotName,
} from '../../../core/destination/snapshot-name.js';
import type { DestinationListing, Manifest } from '../../../core/destination/snapshot.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const HOUR = 3_600_000;
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR);

interface Made {
  prefix: string;
  hoursAgo: number;
  manifest?: Partial<Manifest> | null;
  legacyName?: boolean;
}

/** A listing of snapshots made `hoursAgo` before NOW, with manifests unless `manifest: null`. */
function listing(made: Made[], owners: Record<string, object | string> = {}): DestinationListing {
  const directories: string[] = [];
  const files = new Map<string, string>();
  for (const m of made) {
    const at = ago(m.hoursAgo);
    const name =
      m.legacyName === true ? snapshotName(m.prefix, at).slice(0, -7) : snapshotName(m.prefix, at);
    directories.push(name);
    if (m.manifest === null) continue;
    files.set(
      manifestName(name),
      JSON.stringify({
        format: 1,
        host: 'univac',
        prefix: m.prefix,
        startedAt: at.toISOString(),
        endedAt: at.toISOString(),
        rsyncExitCode: 0,
        status: 'ok',
        files: 1,
        bytesSent: 1,
        appVersion: '0.2.0',
        ...m.manifest,
      }),
    );
  }
  for (const [prefix, claim] of Object.entries(owners)) {
    files.set(ownerFileName(prefix), typeof claim === 'string' ? claim : JSON.stringify(claim));
  }
  return { hasMarker: true, marker: '{}', directories, manifests: files };
}

function claim(
  prefix: string,
  host: string,
  user: string,
  profile = 'default',
  claimedAt = ago(1000),
) {
  return {
    format: 1,
    prefix,
    owner: { id: 'a'.repeat(32), profile },
    host,
    user,
    claimedAt: claimedAt.toISOString(),
    appVersion: '0.2.0',
  };
}

function summary(m: Machine) {
  return {
    prefix: m.prefix,
    overdue: m.overdue,
    days: m.daysSinceGood,
    last: m.lastGood?.name ?? null,
    scheduleHours: m.scheduleHours,
  };
}

function only(l: DestinationListing): Machine {
  const [m, ...rest] = householdOf(l, NOW).machines;
  expect(rest).toEqual([]);
  if (m === undefined) throw new Error('no machine');
  return m;
}

describe('whose each prefix is', () => {
  it('reads the owner file, the newest manifest without one, and marks the old script’s folders', () => {
    const l = listing(
      [
        { prefix: 'univac', hoursAgo: 5, manifest: { user: 'ben' } },
        { prefix: 'desk', hoursAgo: 50, manifest: { host: 'old-desk', user: 'ann' } },
        {
          prefix: 'desk',
          hoursAgo: 2,
          manifest: { host: 'desk', user: 'ann', owner: { id: 'b'.repeat(32), profile: 'work' } },
        },
        { prefix: 'oldbox', hoursAgo: 24 * 400, manifest: null, legacyName: true },
        { prefix: 'oldbox', hoursAgo: 24 * 399, manifest: null, legacyName: true },
        { prefix: 'gone', hoursAgo: 3, manifest: null },
      ],
      {
        univac: claim('univac', 'univac', 'ben'),
        empty: claim('empty', 'newbox', 'cy', 'system'),
      },
    );
    const { machines, warnings } = householdOf(l, NOW);
    expect(warnings).toEqual([]);
    expect(
      machines.map((m) => [m.prefix, m.claimed, m.legacy, m.host, m.user, m.profile, m.snapshots]),
    ).toEqual([
      ['desk', false, false, 'desk', 'ann', 'work', 2],
      ['empty', true, false, 'newbox', 'cy', 'system', 0],
      ['gone', false, false, null, null, null, 1],
      ['oldbox', false, true, null, null, null, 2],
      ['univac', true, false, 'univac', 'ben', 'default', 1],
    ]);
    const states = Object.fromEntries(machines.map((m) => [m.prefix, m.states]));
    expect(states['oldbox']).toEqual({ ok: 0, partial: 0, legacy: 2, unfinished: 0, unknown: 0 });
    expect(states['gone']).toEqual({ ok: 0, partial: 0, legacy: 0, unfinished: 1, unknown: 0 });
  });

  it('says which owner file and which manifest cannot be read', () => {
    const l = listing([{ prefix: 'p', hoursAgo: 1, manifest: { format: 2 as 1 } }], {
      p: '{"format":1,',
    });
    const { machines, warnings } = householdOf(l, NOW);
    expect(
      machines.map((m) => [m.prefix, m.claimed, m.host, m.ownerProblem, m.states.unknown]),
    ).toEqual([['p', true, null, 'it is not valid JSON', 1]]);
    expect(warnings).toEqual([
      expect.stringMatching(/^The manifest of p-2026-03-10-\d{6} cannot be read \(it has format 2/),
      'The owner file of the prefix "p" cannot be read (it is not valid JSON): its owner is shown as unknown.',
    ]);
  });
});

describe('overdue, from the schedule each manifest records', () => {
  it('is overdue an hour after the interval has passed without a good snapshot', () => {
    const daily = (hoursAgo: number) =>
      only(listing([{ prefix: 'd', hoursAgo, manifest: { scheduleHours: 24 } }]));
    expect(summary(daily(24.9))).toMatchObject({ overdue: false, days: 1, scheduleHours: 24 });
    expect(summary(daily(25.1))).toMatchObject({ overdue: true, days: 1 });
    expect(summary(daily(24 * 9 + 3))).toMatchObject({ overdue: true, days: 9 });
    const sixHours = only(listing([{ prefix: 's', hoursAgo: 8, manifest: { scheduleHours: 6 } }]));
    expect(summary(sixHours)).toMatchObject({ overdue: true, days: 0, scheduleHours: 6 });
  });

  it('goes by the newest manifest that records one, and by 7 days where none does', () => {
    const changed = listing([
      { prefix: 'p', hoursAgo: 100, manifest: { scheduleHours: 168, generation: 1 } },
      { prefix: 'p', hoursAgo: 30, manifest: { scheduleHours: 24, generation: 2 } },
      // Written by an earlier version after the schedule was recorded: it says nothing.
      { prefix: 'p', hoursAgo: 29, manifest: { generation: 3 } },
    ]);
    expect(summary(only(changed))).toEqual({
      prefix: 'p',
      overdue: true,
      days: 1,
      last: snapshotName('p', ago(29)),
      scheduleHours: 24,
    });
    const unsaid = (hoursAgo: number) => only(listing([{ prefix: 'u', hoursAgo }]));
    expect(summary(unsaid(24 * 7))).toMatchObject({ overdue: false, days: 7, scheduleHours: null });
    expect(summary(unsaid(24 * 7 + 2))).toMatchObject({ overdue: true, days: 7 });
  });

  it('counts partial and legacy snapshots as good, unfinished and unknown ones not', () => {
    const l = listing([
      { prefix: 'p', hoursAgo: 100, manifest: { scheduleHours: 24 } },
      { prefix: 'p', hoursAgo: 10, manifest: { status: 'partial', rsyncExitCode: 23 } },
      { prefix: 'p', hoursAgo: 2, manifest: null },
      { prefix: 'p', hoursAgo: 1, manifest: { format: 2 as 1 } },
    ]);
    expect(summary(only(l))).toEqual({
      prefix: 'p',
      overdue: false,
      days: 0,
      last: snapshotName('p', ago(10)),
      scheduleHours: 24,
    });
    const legacy = listing([
      { prefix: 'old', hoursAgo: 24 * 3 + 12, manifest: null, legacyName: true },
    ]);
    expect(only(legacy).lastGood?.state).toBe('legacy');
  });

  it('takes the newest in the order of the runs, not of the clocks', () => {
    // The third run's clock was set back by a week: by the runs, it is still the newest.
    const l = listing([
      { prefix: 'p', hoursAgo: 80, manifest: { generation: 1, scheduleHours: 24 } },
      { prefix: 'p', hoursAgo: 10, manifest: { generation: 2, scheduleHours: 24 } },
      { prefix: 'p', hoursAgo: 200, manifest: { generation: 3, scheduleHours: 24 } },
    ]);
    const m = only(l);
    expect(m.lastGood?.name).toBe(snapshotName('p', ago(200)));
    // Counted as of its place after the run before it, not from the date its clock gave it.
    expect(summary(m)).toMatchObject({ overdue: false, days: 0 });
  });

  it('before the first good snapshot, counts from the claim or the oldest snapshot', () => {
    const claimedLongAgo = listing([], {
      fresh: claim('fresh', 'h', 'u', 'default', ago(24 * 7 + 2)),
    });
    expect(summary(only(claimedLongAgo))).toMatchObject({ overdue: true, days: null, last: null });
    const claimedNow = listing([], { fresh: claim('fresh', 'h', 'u', 'default', ago(2)) });
    expect(only(claimedNow).overdue).toBe(false);
    const stuck = listing([{ prefix: 's', hoursAgo: 24 * 8, manifest: null }]);
    expect(summary(only(stuck))).toMatchObject({ overdue: true, days: null, last: null });
  });
});

describe('the hint for an empty prefix', () => {
  const five = listing(
    ['a', 'b', 'c', 'd', 'e'].map((prefix, i) => ({
      prefix,
      hoursAgo: 10 + i,
      manifest: { scheduleHours: 24 },
    })),
    { a: claim('a', 'alpha', 'ann'), b: claim('b', 'beta', 'bo', 'work') },
  );

  it('names the most recent three others, how many more, and both ways on', () => {
    expect(otherMachinesHint(householdOf(five, NOW), 'newlaptop')).toBe(
      [
        'This destination holds the snapshots of other machines:',
        `  a (ann on "alpha"): newest ${snapshotName('a', ago(10))}`,
        `  b (bo on "beta", profile "work"): newest ${snapshotName('b', ago(11))}`,
        `  c ("univac"): newest ${snapshotName('c', ago(12))}`,
        '  and 2 more: "snaptray machines" lists them.',
        'Read one with --prefix a; or, if this machine takes over from it, continue its history with "snaptray adopt --prefix a".',
      ].join('\n'),
    );
  });

  it('leaves out the prefix itself and those with nothing to read, and is null when none is left', () => {
    const two = listing([
      { prefix: 'mine', hoursAgo: 1, manifest: null },
      { prefix: 'other', hoursAgo: 3, manifest: null },
      { prefix: 'old', hoursAgo: 24 * 900, manifest: null, legacyName: true },
    ]);
    expect(otherMachinesHint(householdOf(two, NOW), 'mine')).toBe(
      [
        'This destination holds the snapshots of another machine:',
        `  old (the old router script): newest ${snapshotName('old', ago(24 * 900)).slice(0, -7)}`,
        'Read one with --prefix old; or, if this machine takes over from it, continue its history with "snaptray adopt --prefix old".',
      ].join('\n'),
    );
    expect(otherMachinesHint(householdOf(two, NOW), 'old')).toBeNull();
  });

  it('escapes what the owner file says', () => {
    const hostile = listing([{ prefix: 'h', hoursAgo: 1 }], {
      h: claim('h', 'ho\u001b]0;owned\u0007st', 'u\u009b31mser', 'p\u202eroflie'),
    });
    const hint = otherMachinesHint(householdOf(hostile, NOW), 'x') ?? '';
    expect(hint).toContain('u\\x9B31mser on "ho\\e]0;owned\\x07st", profile "p\\u202Eroflie"');
    // eslint-disable-next-line no-control-regex -- asserting no control character is left
    expect(hint).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });
});
