process.env.TZ = 'Europe/Berlin';

import { describe, expect, it } from 'vitest';
import type { Claim } from '../../../core/destination/ownership.js';
import {
  isOwn,
  linkBases,
  snapshotsOf,
  type DestinationListing,
  type Manifest,
  type Snapshot,
} from '../../../core/destination/snapshot.js';

const ME = { id: 'a'.repeat(32), profile: 'default' };
const STRANGER = { id: 'b'.repeat(32), profile: 'default' };

const claim: Claim = {
  format: 1,
  prefix: 'p',
  owner: ME,
  host: 'univac',
  user: 'ben',
  claimedAt: '2026-01-01T00:00:00.000Z',
  appVersion: '0.2.0',
  previousOwners: [],
};

function manifest(startedAt: string, extra: Partial<Manifest> = {}): string {
  return JSON.stringify({
    format: 1,
    host: 'univac',
    prefix: 'p',
    startedAt,
    endedAt: startedAt,
    rsyncExitCode: 0,
    status: 'ok',
    files: 2,
    bytesSent: 10,
    appVersion: '0.2.0',
    owner: ME,
    ...extra,
  });
}

function listing(
  directories: string[],
  files: Record<string, string>,
  hasMarker = true,
): DestinationListing {
  return {
    hasMarker,
    marker: hasMarker ? '{}' : null,
    directories,
    manifests: new Map(Object.entries(files)),
  };
}

function states(set: { snapshots: Snapshot[] }): [string, string][] {
  return set.snapshots.map((s) => [s.name, s.state]);
}

describe('snapshotsOf', () => {
  it('gives each snapshot of the prefix one state, oldest first, and nothing else', () => {
    const set = snapshotsOf(
      'p',
      listing(
        [
          'p-2026-11-03-030000',
          'p-2026-11-01-030000',
          'p-2026-10-30',
          'p-2026-11-02-030000',
          'p-2026-11-04-030000',
          'p-2026-11-05-030000',
          'pp-2026-11-01-030000',
          'p-old',
          'p-latest',
        ],
        {
          'p-2026-11-01-030000.snaptray.json': manifest('2026-11-01T02:00:00.000Z'),
          'p-2026-11-02-030000.snaptray.json': manifest('2026-11-02T02:00:00.000Z', {
            status: 'partial',
            rsyncExitCode: 23,
          }),
          'p-2026-11-04-030000.snaptray.json': '{"format": 2, "whatever": true}',
          'p-2026-11-05-030000.snaptray.json': 'not json',
          'pp-2026-11-01-030000.snaptray.json': manifest('2026-11-01T02:00:00.000Z'),
        },
      ),
    );
    expect(states(set)).toEqual([
      ['p-2026-10-30', 'legacy'],
      ['p-2026-11-01-030000', 'ok'],
      ['p-2026-11-02-030000', 'partial'],
      ['p-2026-11-03-030000', 'unfinished'],
      ['p-2026-11-04-030000', 'unknown'],
      ['p-2026-11-05-030000', 'unknown'],
    ]);
    expect(set.snapshots[4]?.problem).toBe('it has format 2, written by a newer Snaptray');
    expect(set.snapshots[5]?.problem).toBe('it is not valid JSON');
    expect(set.warnings).toHaveLength(2);
    expect(set.warnings[0]).toMatch(/p-2026-11-04-030000 cannot be read .*never deleted/);
    expect(set.claim).toEqual({ kind: 'none' });
  });

  it('orders by the manifest’s start, not the name (names repeat when the clock turns back)', () => {
    // Both named 02:xx on 2026-10-25: the 02:50 one was taken first (summer time), the 02:10 one
    // an hour later in winter time.
    const set = snapshotsOf(
      'p',
      listing(['p-2026-10-25-021000', 'p-2026-10-25-025000'], {
        'p-2026-10-25-021000.snaptray.json': manifest('2026-10-25T01:10:00.000Z'),
        'p-2026-10-25-025000.snaptray.json': manifest('2026-10-25T00:50:00.000Z'),
      }),
    );
    expect(set.snapshots.map((s) => s.name)).toEqual([
      'p-2026-10-25-025000',
      'p-2026-10-25-021000',
    ]);
  });

  it('dates an unfinished snapshot from the repeated hour by both readings', () => {
    const [s] = snapshotsOf('p', listing(['p-2026-10-25-023000'], {})).snapshots;
    expect(s?.time.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(s?.latestTime.toISOString()).toBe('2026-10-25T01:30:00.000Z');
  });

  it('reads the owner file, and tells an unreadable one from a missing one', () => {
    const owned = snapshotsOf('p', listing([], { 'p.snaptray-owner.json': JSON.stringify(claim) }));
    expect(owned.claim).toEqual({ kind: 'claimed', claim });
    const newer = snapshotsOf(
      'p',
      listing([], { 'p.snaptray-owner.json': JSON.stringify({ ...claim, format: 2 }) }),
    );
    expect(newer.claim).toEqual({
      kind: 'unreadable',
      reason: 'it has format 2, written by a newer Snaptray',
    });
    const other = snapshotsOf('q', listing([], { 'p.snaptray-owner.json': JSON.stringify(claim) }));
    expect(other.claim).toEqual({ kind: 'none' });
  });
});

function snap(name: string, state: Snapshot['state'], iso: string, owner = ME): Snapshot {
  const time = new Date(iso);
  const m =
    state === 'ok' || state === 'partial'
      ? (JSON.parse(manifest(iso, { status: state, owner })) as Manifest)
      : null;
  return {
    name,
    time,
    latestTime: time,
    generation: null,
    sequenceTime: time,
    state,
    manifest: m,
    problem: null,
  };
}

describe('linkBases', () => {
  const complete = snap('p-2026-11-01-030000', 'ok', '2026-11-01T02:00:00Z');
  const older = snap('p-2026-10-31-030000', 'ok', '2026-10-31T02:00:00Z');
  const oldUnfinished = snap('p-2026-10-30-030000', 'unfinished', '2026-10-30T02:00:00Z');

  it('is the newest complete snapshot and the unfinished ones after it, newest first', () => {
    const u1 = snap('p-2026-11-02-030000', 'unfinished', '2026-11-02T02:00:00Z');
    const u2 = snap('p-2026-11-03-030000', 'unfinished', '2026-11-03T02:00:00Z');
    expect(linkBases([oldUnfinished, older, complete, u1, u2], claim).map((s) => s.name)).toEqual([
      u2.name,
      u1.name,
      complete.name,
    ]);
  });

  it('keeps the complete base when more than 19 unfinished snapshots are newer', () => {
    const unfinished = Array.from({ length: 25 }, (_, i) =>
      snap(
        `p-2026-11-02-03${String(i).padStart(2, '0')}00`,
        'unfinished',
        `2026-11-02T02:${String(i).padStart(2, '0')}:00Z`,
      ),
    );
    const bases = linkBases([complete, ...unfinished], claim);
    expect(bases).toHaveLength(20);
    expect(bases.at(-1)).toBe(complete);
    expect(bases[0]?.name).toBe(unfinished[24]?.name);
  });

  it('uses a partial or legacy snapshot as the base, but never an unknown or another owner’s', () => {
    const partial = snap('p-2026-11-02-030000', 'partial', '2026-11-02T02:00:00Z');
    expect(linkBases([complete, partial], claim)).toEqual([partial]);
    const unknown: Snapshot = {
      ...snap('p-2026-11-03-030000', 'unfinished', '2026-11-03T02:00:00Z'),
      state: 'unknown',
      problem: 'it is not valid JSON',
    };
    const theirs = snap('p-2026-11-04-030000', 'ok', '2026-11-04T02:00:00Z', STRANGER);
    expect(linkBases([complete, unknown, theirs], claim)).toEqual([complete]);
    const legacy: Snapshot = { ...snap('p-2026-11-05', 'legacy', '2026-11-04T23:00:00Z') };
    expect(linkBases([complete, legacy], claim)).toEqual([legacy]);
  });

  it('takes an unfinished snapshot from the repeated hour when it may be the newest', () => {
    const ambiguous: Snapshot = {
      ...snap('p-2026-10-25-023000', 'unfinished', '2026-10-25T00:30:00Z'),
      latestTime: new Date('2026-10-25T01:30:00Z'),
    };
    const between = snap('p-2026-10-25-020000', 'ok', '2026-10-25T01:00:00Z');
    expect(linkBases([ambiguous, between], claim)).toEqual([ambiguous, between]);
  });

  it('gives only unfinished bases, at most 20, or none, when there is no complete snapshot', () => {
    const u = snap('p-2026-11-02-030000', 'unfinished', '2026-11-02T02:00:00Z');
    expect(linkBases([u], claim)).toEqual([u]);
    expect(linkBases([], claim)).toEqual([]);
    const many = Array.from({ length: 25 }, (_, i) =>
      snap(
        `p-2026-11-02-03${String(i).padStart(2, '0')}00`,
        'unfinished',
        `2026-11-02T02:${String(i).padStart(2, '0')}:00Z`,
      ),
    );
    const bases = linkBases(many, claim);
    expect(bases.map((b) => b.name)).toEqual(
      many
        .slice(5)
        .reverse()
        .map((s) => s.name),
    );
  });

  it('takes no unfinished snapshot as new as the complete one, and orders equal times by name', () => {
    const tie = snap('p-2026-11-01-030001', 'unfinished', '2026-11-01T02:00:00Z');
    expect(linkBases([complete, tie], claim)).toEqual([complete]);
    const a = snap('p-2026-11-02-030000', 'unfinished', '2026-11-02T02:00:00Z');
    const b = { ...snap('p-2026-11-02-030001', 'unfinished', '2026-11-02T02:00:00Z') };
    expect(linkBases([a, complete, b], claim).map((s) => s.name)).toEqual([
      b.name,
      a.name,
      complete.name,
    ]);
  });

  it('never takes an older complete snapshot whose name may read later than the newest', () => {
    // A legacy name read twice across a midnight clock change, in a zone that has one.
    const legacy: Snapshot = {
      ...snap('p-2026-10-31', 'legacy', '2026-10-31T22:00:00Z'),
      latestTime: new Date('2026-11-01T03:00:00Z'),
    };
    expect(linkBases([legacy, complete], claim)).toEqual([complete]);
  });
});

describe('snapshot order', () => {
  it('breaks a tie in time by name, whatever order the listing gave', () => {
    const set = snapshotsOf(
      'p',
      listing(['p-2026-11-01-030001', 'p-2026-11-01-030000'], {
        'p-2026-11-01-030001.snaptray.json': manifest('2026-11-01T02:00:00.000Z'),
        'p-2026-11-01-030000.snaptray.json': manifest('2026-11-01T02:00:00.000Z'),
      }),
    );
    expect(set.snapshots.map((s) => s.name)).toEqual([
      'p-2026-11-01-030000',
      'p-2026-11-01-030001',
    ]);
    const reversed = snapshotsOf(
      'p',
      listing(['p-2026-11-01-030000', 'p-2026-11-01-030001'], {
        'p-2026-11-01-030001.snaptray.json': manifest('2026-11-01T02:00:00.000Z'),
        'p-2026-11-01-030000.snaptray.json': manifest('2026-11-01T02:00:00.000Z'),
      }),
    );
    expect(reversed.snapshots.map((s) => s.name)).toEqual(set.snapshots.map((s) => s.name));
  });

  it('tells a manifest of a newer format from one whose format field is not a number', () => {
    const set = snapshotsOf(
      'p',
      listing(['p-2026-11-01-030000'], {
        'p-2026-11-01-030000.snaptray.json': JSON.stringify({ format: '2' }),
      }),
    );
    expect(set.snapshots[0]?.problem).toBe('its fields are not the ones this version knows');
  });
});

describe('isOwn', () => {
  it('counts snapshots of the owner, of an earlier owner, and from before owners', () => {
    const before = snap('p-2026-11-01-030000', 'ok', '2026-11-01T02:00:00Z');
    delete before.manifest!.owner;
    const earlier = { id: 'c'.repeat(32), profile: 'default' };
    const adopted: Claim = {
      ...claim,
      previousOwners: [{ ...earlier, host: 'old', user: 'ben', until: '2026-11-10T00:00:00Z' }],
    };
    expect(isOwn(before, claim)).toBe(true);
    expect(isOwn(snap('p-a', 'ok', '2026-11-01T02:00:00Z', earlier), claim)).toBe(false);
    expect(isOwn(snap('p-a', 'ok', '2026-11-01T02:00:00Z', earlier), adopted)).toBe(true);
    expect(isOwn(snap('p-a', 'ok', '2026-11-01T02:00:00Z', STRANGER), adopted)).toBe(false);
    expect(isOwn(snap('p-a', 'unfinished', '2026-11-01T02:00:00Z'), claim)).toBe(true);
    expect(isOwn({ ...before, state: 'unknown', manifest: null }, claim)).toBe(false);
  });
});
