import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prefixesOf, readings } from '../../../core/destination/prefixes.js';
import { parseSnapshotName } from '../../../core/destination/snapshot-name.js';
import type { DestinationListing } from '../../../core/destination/snapshot.js';

function listing(directories: string[], files: string[] = []): DestinationListing {
  return {
    hasMarker: true,
    marker: '{}',
    directories,
    manifests: new Map(files.map((f) => [f, '{}'])),
  };
}

function grouped(l: DestinationListing): Record<string, string[]> {
  return Object.fromEntries(prefixesOf(l).map((p) => [p.prefix, p.directories]));
}

describe('prefixes found from names alone', () => {
  it('cuts a name where its date begins, however many dashes and digits the prefix holds', () => {
    expect(readings('univac-2026-11-29-030405')).toEqual(['univac']);
    expect(readings('univac-2026-11-29')).toEqual(['univac']);
    expect(readings('pc-2024-2026-11-29-030405')).toEqual(['pc-2024']);
    expect(readings('box-2026-01-02-2026-11-29')).toEqual(['box-2026-01-02']);
    expect(readings('my-laptop-home-2026-11-29-030405')).toEqual(['my-laptop-home']);
    // Not snapshots of any prefix: no date, an impossible date or time, or a prefix rsync refuses.
    expect(readings('univac-latest')).toEqual([]);
    expect(readings('univac-2026-13-01')).toEqual([]);
    expect(readings('univac-2026-11-29-250000')).toEqual([]);
    expect(readings('univac-old-stuff')).toEqual([]);
    expect(readings('-x-2026-11-29')).toEqual([]);
    expect(readings('.snaptray-check-ab12')).toEqual([]);
  });

  it('groups every snapshot-shaped folder under one prefix, and lists owner files without folders', () => {
    const l = listing(
      [
        'univac-2026-11-29-030405',
        'univac-2026-11-30-030405',
        'univac-old',
        'pc-2024-2026-11-29-030405',
        'box-2026-01-02',
        'box-2026-01-02-2026-11-29',
        'oldbox-2019-05-01',
        'lost+found',
      ],
      [
        'univac.snaptray-owner.json',
        'univac-2026-11-29-030405.snaptray.json',
        'fresh.snaptray-owner.json',
        'bad name.snaptray-owner.json',
      ],
    );
    expect(grouped(l)).toEqual({
      box: ['box-2026-01-02'],
      'box-2026-01-02': ['box-2026-01-02-2026-11-29'],
      fresh: [],
      oldbox: ['oldbox-2019-05-01'],
      'pc-2024': ['pc-2024-2026-11-29-030405'],
      univac: ['univac-2026-11-29-030405', 'univac-2026-11-30-030405'],
    });
    expect(prefixesOf(l).map((p) => [p.prefix, p.ownerFile])).toEqual([
      ['box', false],
      ['box-2026-01-02', false],
      ['fresh', true],
      ['oldbox', false],
      ['pc-2024', false],
      ['univac', true],
    ]);
  });

  it('puts each generated snapshot under the prefix that made it, and nowhere else', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9._]{1,6}$/);
    const prefix = fc
      .array(fc.oneof(segment, fc.integer({ min: 0, max: 9999 }).map(String)), {
        minLength: 1,
        maxLength: 4,
      })
      .map((parts) => parts.join('-'));
    const when = fc.date({
      min: new Date(2000, 0, 1),
      max: new Date(2099, 11, 31),
      noInvalidDate: true,
    });
    const snapshot = fc.record({ prefix, when, legacy: fc.boolean() });
    fc.assert(
      fc.property(fc.array(snapshot, { minLength: 1, maxLength: 12 }), (made) => {
        const names = made.map(({ prefix: p, when: t, legacy }) => nameFor(p, t, legacy));
        const found = prefixesOf(listing(names));
        const landed = found.flatMap((p) => p.directories.map((d) => [d, p.prefix] as const));
        // Every folder exactly once, under a prefix that accepts it...
        expect(landed.map(([d]) => d).sort()).toEqual([...names].sort());
        for (const [d, p] of landed) expect(parseSnapshotName(p, d)).not.toBeNull();
        // ...and that prefix is the one that made it.
        made.forEach(({ prefix: p }, i) => {
          expect(landed.find(([d]) => d === names[i])?.[1]).toBe(p);
        });
      }),
      { numRuns: 300 },
    );
  });
});

function nameFor(prefix: string, t: Date, legacy: boolean): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const day = `${p(t.getFullYear(), 4)}-${p(t.getMonth() + 1)}-${p(t.getDate())}`;
  if (legacy) return `${prefix}-${day}`;
  return `${prefix}-${day}-${p(t.getHours())}${p(t.getMinutes())}${p(t.getSeconds())}`;
}
