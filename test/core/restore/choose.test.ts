/** Choosing snapshots and reading times and patterns: pure functions, whole results. */
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../core/destination/snapshot.js';
import { parseTime, preferredSnapshot, snapshotNamed } from '../../../core/restore/choose.js';
import { compareSides } from '../../../core/restore/diff.js';
import { namePattern } from '../../../core/restore/find.js';
import type { ListedEntry } from '../../../core/restore/listing.js';
import { ownershipArgs } from '../../../core/restore/ownership.js';
import { sample } from '../../../core/restore/verify.js';
import { versionRuns } from '../../../core/restore/versions.js';

function snap(name: string, state: Snapshot['state'], hour: number): Snapshot {
  const time = new Date(Date.UTC(2026, 10, 29, hour));
  return {
    name,
    time,
    latestTime: time,
    generation: null,
    sequenceTime: time,
    state,
    manifest: null,
    problem: null,
  };
}

function entry(size: number, minute: number, type: ListedEntry['type'] = 'file'): ListedEntry {
  return { path: '/f', type, size, mtime: new Date(Date.UTC(2026, 10, 1, 0, minute)) };
}

describe('preferredSnapshot', () => {
  const a = snap('p-a', 'ok', 1);
  const b = snap('p-b', 'partial', 2);
  const c = snap('p-c', 'partial', 3);

  it('takes an ok snapshot over a newer partial one holding the same version', () => {
    const held = new Map([
      ['p-a', entry(5, 1)],
      ['p-b', entry(5, 1)],
      ['p-c', entry(5, 1)],
    ]);
    expect(preferredSnapshot([a, b, c], (n) => [held.get(n)])?.name).toBe('p-a');
  });

  it('keeps the newest when the ok one holds an older version, or for a folder', () => {
    const held = new Map([
      ['p-a', entry(5, 1)],
      ['p-b', entry(6, 2)],
      ['p-c', entry(6, 2)],
    ]);
    expect(preferredSnapshot([a, b, c], (n) => [held.get(n)])?.name).toBe('p-c');
    const dirs = new Map([
      ['p-a', entry(4096, 1, 'dir')],
      ['p-c', entry(4096, 1, 'dir')],
    ]);
    expect(preferredSnapshot([a, c], (n) => [dirs.get(n)])?.name).toBe('p-c');
  });
});

describe('versionRuns', () => {
  it('groups runs of the same size and time, a gap ending a run', () => {
    const s = ['p-1', 'p-2', 'p-3', 'p-4', 'p-5'].map((n, i) => snap(n, 'ok', i));
    const held = new Map([
      ['p-1', entry(5, 1)],
      ['p-2', entry(5, 1)],
      ['p-3', entry(7, 2)],
      ['p-5', entry(7, 2)],
    ]);
    expect(
      versionRuns(s, held).map((v) => ({ from: v.snapshot, size: v.size, in: v.snapshots })),
    ).toEqual([
      { from: 'p-1', size: 5, in: ['p-1', 'p-2'] },
      { from: 'p-3', size: 7, in: ['p-3'] },
      { from: 'p-5', size: 7, in: ['p-5'] },
    ]);
  });
});

describe('compareSides', () => {
  it('names added, changed and deleted; a folder is never changed by its time', () => {
    const t = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));
    const sides = new Map([
      [
        '/d',
        {
          a: { type: 'dir' as const, size: 4096, mtime: t(1) },
          b: { type: 'dir' as const, size: 4096, mtime: t(2) },
        },
      ],
      [
        '/d/same',
        {
          a: { type: 'file' as const, size: 1, mtime: t(1) },
          b: { type: 'file' as const, size: 1, mtime: t(1) },
        },
      ],
      [
        '/d/touched',
        {
          a: { type: 'file' as const, size: 1, mtime: t(1) },
          b: { type: 'file' as const, size: 1, mtime: t(3) },
        },
      ],
      ['/d/new', { b: { type: 'file' as const, size: 2, mtime: t(1) } }],
      ['/d/gone', { a: { type: 'file' as const, size: 3, mtime: t(1) } }],
    ]);
    const d = compareSides(sides);
    expect(d.added.map((x) => x.path)).toEqual(['/d/new']);
    expect(d.changed.map((x) => x.path)).toEqual(['/d/touched']);
    expect(d.deleted.map((x) => [x.path, x.size])).toEqual([['/d/gone', 3]]);
  });
});

describe('snapshotNamed', () => {
  const list = [
    snap('univac-2026-11-28-030000', 'ok', 1),
    snap('univac-2026-11-29-030000', 'ok', 2),
  ];
  it('names the flag for another prefix, and the newest snapshots otherwise', () => {
    expect(snapshotNamed(list, 'univac', 'eniac-2026-11-29-030000')).toEqual({
      ok: false,
      failure: {
        kind: 'not-found',
        message:
          '"eniac-2026-11-29-030000" is not a snapshot of the prefix "univac". To read the snapshots of another prefix (another machine, another profile), add --prefix eniac.',
      },
    });
    expect(snapshotNamed(list, 'univac', 'univac-2026-01-01-000000')).toMatchObject({
      ok: false,
      failure: {
        message:
          'There is no snapshot "univac-2026-01-01-000000" of the prefix "univac". The newest: univac-2026-11-29-030000, univac-2026-11-28-030000; "snaptray list" shows them all.',
      },
    });
  });
});

describe('parseTime', () => {
  it('reads ISO-8601 with a zone, and local dates and times', () => {
    expect(parseTime('2026-11-29T10:15:00Z')?.toISOString()).toBe('2026-11-29T10:15:00.000Z');
    expect(parseTime('2026-11-29T10:15:00+01:00')?.toISOString()).toBe('2026-11-29T09:15:00.000Z');
    expect(parseTime('2026-11-29 10:15')?.getTime()).toBe(new Date(2026, 10, 29, 10, 15).getTime());
    expect(parseTime('2026-11-29')?.getTime()).toBe(new Date(2026, 10, 29).getTime());
    expect(parseTime('2026-11-29-101530')?.getTime()).toBe(
      new Date(2026, 10, 29, 10, 15, 30).getTime(),
    );
    expect(parseTime('2026-11-29T10:15:00.250Z')?.toISOString()).toBe('2026-11-29T10:15:00.250Z');
    expect(parseTime('2026-02-30')).toBeNull();
    expect(parseTime('yesterday')).toBeNull();
  });
});

describe('namePattern', () => {
  const match = (p: string, name: string) => {
    const pattern = namePattern(p);
    if (!pattern.ok) throw new Error(pattern.message);
    return pattern.value.matches(name);
  };
  it('finds names containing a plain pattern, in either case', () => {
    expect(match('report', 'Annual REPORT 2026.odt')).toBe(true);
    expect(match('report', 'reprt.txt')).toBe(false);
  });
  it('matches whole names with wildcards, and takes [ literally when escaped', () => {
    expect(match('*.TXT', 'a.txt')).toBe(true);
    expect(match('*.txt', 'a.txt.bak')).toBe(false);
    expect(match('x[1].txt', 'x1.txt')).toBe(true);
    expect(match('x\\[1\\].txt', 'x[1].txt')).toBe(true);
    expect(match('x\\[1\\].txt', 'x1.txt')).toBe(false);
    expect(match('[!a]*', 'Abc')).toBe(false);
    expect(namePattern('a/b')).toMatchObject({ ok: false });
    const folded = namePattern('x[a-c]?');
    expect(folded.ok && folded.value.rsync).toBe('[xX][a-cA-C]?');
  });
});

describe('sample', () => {
  it('takes the share asked for, at least one file, each once', () => {
    const items = Array.from({ length: 200 }, (_, i) => i);
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const picked = sample(items, 10, random);
    expect(picked).toHaveLength(20);
    expect(new Set(picked).size).toBe(20);
    expect(sample([1, 2, 3], 1, random)).toHaveLength(1);
    expect(sample(items, 100, random)).toEqual(items);
  });
});

describe('ownershipArgs', () => {
  it('restores owners only as root from a snapshot that kept them, reading fake-super back on the sending side', () => {
    expect(ownershipArgs('not-kept', true, 'ssh').args).toEqual([
      '--no-owner',
      '--no-group',
      '--chmod=ug-s',
    ]);
    expect(ownershipArgs('kept', true, 'ssh').args).toEqual([
      '--owner',
      '--group',
      '--numeric-ids',
    ]);
    expect(ownershipArgs('fake-super', true, 'ssh').args).toEqual([
      '--owner',
      '--group',
      '--numeric-ids',
      '-M--fake-super',
    ]);
    expect(ownershipArgs('fake-super', true, 'local').args).toEqual([
      '--owner',
      '--group',
      '--numeric-ids',
      '--fake-super',
      '-M--super',
    ]);
    expect(ownershipArgs('kept', false, 'local')).toMatchObject({
      args: ['--no-owner', '--no-group'],
      restoresOwners: false,
    });
  });
});
