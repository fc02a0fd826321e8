// Names are local time: every Date below is read in Berlin time, which has DST changes.
process.env.TZ = 'Europe/Berlin';

import { describe, expect, it } from 'vitest';
import {
  defaultPrefix,
  freshSnapshotName,
  latestLinkName,
  manifestName,
  nameTime,
  nameTimes,
  ownerFileName,
  parseSnapshotName,
  prefixFromHostname,
  prefixProblem,
  snapshotName,
} from '../../../core/destination/snapshot-name.js';

describe('snapshot names', () => {
  it('names a snapshot by its local time, to the second', () => {
    expect(snapshotName('univac', new Date(2026, 10, 29, 3, 4, 5))).toBe(
      'univac-2026-11-29-030405',
    );
    expect(manifestName('univac-2026-11-29-030405')).toBe('univac-2026-11-29-030405.snaptray.json');
    expect(ownerFileName('univac')).toBe('univac.snaptray-owner.json');
    expect(latestLinkName('univac')).toBe('univac-latest');
  });

  it('reads back its own names and the old script’s daily names', () => {
    expect(parseSnapshotName('univac', 'univac-2026-11-29-030405')).toEqual({
      year: 2026,
      month: 11,
      day: 29,
      hour: 3,
      minute: 4,
      second: 5,
      legacy: false,
    });
    expect(parseSnapshotName('univac', 'univac-2026-11-29')).toMatchObject({
      year: 2026,
      hour: 0,
      legacy: true,
    });
  });

  it.each([
    ['another prefix', 'eniac-2026-11-29-030405'],
    ['a longer prefix that starts with this one', 'univac-old-2026-11-29-030405'],
    ['the latest link', 'univac-latest'],
    ['a manifest', 'univac-2026-11-29-030405.snaptray.json'],
    ['a month 13', 'univac-2026-13-01-000000'],
    ['February 30', 'univac-2026-02-30-000000'],
    ['hour 24', 'univac-2026-11-29-240000'],
    ['minute 60', 'univac-2026-11-29-006000'],
    ['a short time', 'univac-2026-11-29-0304'],
    ['trailing text', 'univac-2026-11-29-030405x'],
    ['month 00', 'univac-2026-00-10-000000'],
    ['day 00', 'univac-2026-11-00-000000'],
    ['day 32', 'univac-2026-01-32-000000'],
    ['November 31', 'univac-2026-11-31-000000'],
    ['February 29 of a common year', 'univac-2026-02-29-000000'],
    ['second 60', 'univac-2026-11-29-000060'],
    ['a legacy name on day 00', 'univac-2026-11-00'],
  ])('leaves %s alone', (_what, name) => {
    expect(parseSnapshotName('univac', name)).toBeNull();
  });

  it.each([
    ['the first second of a year', 'univac-2026-01-01-000000'],
    ['the last second of a year', 'univac-2026-12-31-235959'],
    ['February 29 of a leap year', 'univac-2028-02-29-120000'],
    ['a legacy name on the 31st', 'univac-2026-12-31'],
  ])('reads %s', (_what, name) => {
    const parsed = parseSnapshotName('univac', name);
    expect(parsed).not.toBeNull();
    const back = parsed!.legacy
      ? snapshotName('univac', nameTime(parsed!)).slice(0, -7)
      : snapshotName('univac', nameTime(parsed!));
    expect(back).toBe(name);
  });

  it('matches the prefix literally: its dots are not wildcards', () => {
    expect(parseSnapshotName('a.b', 'a.b-2026-11-29-030405')).not.toBeNull();
    expect(parseSnapshotName('a.b', 'axb-2026-11-29-030405')).toBeNull();
    expect(parseSnapshotName('a.b', 'a.bb-2026-11-29-030405')).toBeNull();
    expect(parseSnapshotName('a+', 'aa-2026-11-29-030405')).toBeNull();
  });

  it('takes the next free second when a name is taken', () => {
    const at = new Date(2026, 10, 29, 3, 0, 0);
    const taken = new Set(['p-2026-11-29-030000', 'p-2026-11-29-030001']);
    expect(freshSnapshotName('p', at, taken)).toBe('p-2026-11-29-030002');
    expect(freshSnapshotName('p', at, new Set())).toBe('p-2026-11-29-030000');
  });

  it('gives both readings of a name from the hour the clock turns back', () => {
    // 2026-10-25: 03:00 CEST became 02:00 CET, so 02:30 happened at 00:30 and at 01:30 UTC.
    const parsed = parseSnapshotName('p', 'p-2026-10-25-023000')!;
    const { earliest, latest } = nameTimes(parsed);
    expect(earliest.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(latest.toISOString()).toBe('2026-10-25T01:30:00.000Z');
    expect(nameTime(parsed)).toEqual(earliest);
    // A name made at the second 02:30 reads back as that very name.
    expect(snapshotName('p', latest)).toBe('p-2026-10-25-023000');
  });

  it('gives one reading outside the repeated hour, and moves a skipped time forward', () => {
    for (const name of ['p-2026-10-25-013000', 'p-2026-10-25-033000', 'p-2026-07-01-023000']) {
      const { earliest, latest } = nameTimes(parseSnapshotName('p', name)!);
      expect(latest).toEqual(earliest);
    }
    // 2026-03-29 02:30 never happened in Berlin (02:00 CET became 03:00 CEST).
    const gap = nameTimes(parseSnapshotName('p', 'p-2026-03-29-023000')!);
    expect(gap.earliest.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(gap.latest).toEqual(gap.earliest);
  });
});

describe('prefixes', () => {
  it('refuses prefixes that could be read as options or hold odd characters', () => {
    expect(prefixProblem('univac')).toBeNull();
    expect(prefixProblem('')).toBe('is empty');
    expect(prefixProblem('-rf')).toBe('must not start with "-"');
    expect(prefixProblem('a b')).toMatch(/only letters/);
    expect(prefixProblem('a/b')).toMatch(/only letters/);
    expect(prefixProblem('x'.repeat(100))).toBeNull();
    expect(prefixProblem('x'.repeat(101))).toMatch(/longer than 100/);
  });

  it('makes a usable prefix of any host name', () => {
    expect(prefixFromHostname('univac')).toBe('univac');
    expect(prefixFromHostname('my laptop (2)')).toBe('my-laptop--2-');
    expect(prefixFromHostname('--x')).toBe('x');
    expect(prefixFromHostname('')).toBe('snaptray');
    expect(prefixFromHostname('h'.repeat(150))).toBe('h'.repeat(100));
  });

  it('gives every profile and root a prefix of its own by default', () => {
    expect(defaultPrefix('univac', 'default', 1000)).toBe('univac');
    expect(defaultPrefix('univac', 'work', 1000)).toBe('univac-work');
    expect(defaultPrefix('univac', 'default', 0)).toBe('univac-system');
    expect(defaultPrefix('univac', 'work', 0)).toBe('univac-system-work');
    const all = [
      defaultPrefix('univac', 'default', 1000),
      defaultPrefix('univac', 'work', 1000),
      defaultPrefix('univac', 'default', 0),
      defaultPrefix('univac', 'work', 0),
    ];
    expect(new Set(all).size).toBe(all.length);
    for (const p of all) expect(prefixProblem(p)).toBeNull();
    const long = defaultPrefix('h'.repeat(95), 'profile', 0);
    expect(long).toHaveLength(100);
    expect(prefixProblem(long)).toBeNull();
  });
});
