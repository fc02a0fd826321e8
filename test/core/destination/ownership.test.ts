import { describe, expect, it } from 'vitest';
import {
  claimFor,
  decideOwnership,
  meFor,
  parseClaim,
  prefixOwner,
  previousOwnersOf,
  type Claim,
  type Me,
} from '../../../core/destination/ownership.js';
import type { Manifest, Snapshot } from '../../../core/destination/snapshot.js';

const ME: Me = { id: 'a'.repeat(32), profile: 'default', host: 'univac', user: 'ben' };
const NOW = new Date('2026-11-29T10:00:00.000Z');

function withManifest(extra: Partial<Manifest>): Snapshot {
  const time = new Date('2026-11-01T02:00:00Z');
  const manifest: Manifest = {
    format: 1,
    host: 'univac',
    prefix: 'p',
    startedAt: time.toISOString(),
    endedAt: time.toISOString(),
    rsyncExitCode: 0,
    status: 'ok',
    files: 1,
    bytesSent: 1,
    appVersion: '0.1.0',
    ...extra,
  };
  return {
    name: 'p-2026-11-01-030000',
    time,
    latestTime: time,
    generation: null,
    sequenceTime: time,
    state: 'ok',
    manifest,
    problem: null,
  };
}

const unfinished: Snapshot = {
  name: 'p-2026-11-02-030000',
  time: new Date('2026-11-02T02:00:00Z'),
  latestTime: new Date('2026-11-02T02:00:00Z'),
  generation: null,
  sequenceTime: new Date('2026-11-02T02:00:00Z'),
  state: 'unfinished',
  manifest: null,
  problem: null,
};

describe('prefixOwner', () => {
  it('is the owner file when there is one', () => {
    const claim = claimFor(ME, 'p', NOW, '0.2.0');
    expect(prefixOwner({ kind: 'claimed', claim }, [withManifest({ host: 'x' })])).toEqual({
      kind: 'claimed',
      claim,
    });
    expect(prefixOwner({ kind: 'unreadable', reason: 'r' }, [])).toEqual({
      kind: 'unreadable',
      reason: 'r',
    });
  });

  it('is the newest manifest’s writer when there is no owner file', () => {
    const older = withManifest({ host: 'eniac' });
    const newer = { ...withManifest({ host: 'univac', user: 'ben' }), name: 'p-2026-11-03-030000' };
    expect(prefixOwner({ kind: 'none' }, [older, newer, unfinished])).toEqual({
      kind: 'unclaimed',
      host: 'univac',
      owner: null,
      user: 'ben',
    });
  });

  it('is free when nothing under the prefix has a manifest', () => {
    expect(prefixOwner({ kind: 'none' }, [])).toEqual({ kind: 'free' });
    expect(prefixOwner({ kind: 'none' }, [unfinished])).toEqual({ kind: 'free' });
  });
});

describe('decideOwnership', () => {
  const theirs: Claim = {
    ...claimFor({ ...ME, id: 'b'.repeat(32), host: 'eniac', user: 'eve' }, 'p', NOW, '0.2.0'),
  };

  it('goes on under its own claim', () => {
    const claim = claimFor(ME, 'p', NOW, '0.2.0');
    expect(decideOwnership({ kind: 'claimed', claim }, ME, 'p')).toEqual({ kind: 'ours', claim });
  });

  it('refuses another owner’s claim, naming the owner and both ways forward', () => {
    const d = decideOwnership({ kind: 'claimed', claim: theirs }, ME, 'p');
    expect(d.kind).toBe('refuse');
    const message = d.kind === 'refuse' ? d.message : '';
    expect(message).toContain('user eve on "eniac" (profile "default")');
    expect(message).toContain('Choose another prefix');
    expect(message).toContain('snaptray adopt');
  });

  it('refuses the same account’s other profile, and says which profile holds it', () => {
    const claim = claimFor({ ...ME, profile: 'work' }, 'p', NOW, '0.2.0');
    const d = decideOwnership({ kind: 'claimed', claim }, ME, 'p');
    expect(d).toEqual({
      kind: 'refuse',
      message: expect.stringContaining('this account\'s profile "work"'),
    });
  });

  it('refuses an owner file it cannot read, and never offers to replace it', () => {
    const d = decideOwnership({ kind: 'unreadable', reason: 'it has format 2' }, ME, 'p');
    expect(d).toEqual({ kind: 'refuse', message: expect.stringContaining('Update Snaptray') });
    expect(d.kind === 'refuse' && d.message).not.toContain('adopt');
  });

  it('claims a free prefix', () => {
    expect(decideOwnership({ kind: 'free' }, ME, 'p')).toEqual({ kind: 'claim' });
  });

  it('claims, for the default profile only, snapshots this host made before owners existed', () => {
    const legacy = { kind: 'unclaimed' as const, host: 'univac', owner: null, user: null };
    expect(decideOwnership(legacy, ME, 'p')).toEqual({ kind: 'claim' });
    const work = decideOwnership(legacy, { ...ME, profile: 'work' }, 'p');
    expect(work).toEqual({
      kind: 'refuse',
      message: expect.stringContaining('snaptray adopt --profile work'),
    });
  });

  it('refuses snapshots another host made, and offers adopt for a renamed or replaced machine', () => {
    const d = decideOwnership(
      { kind: 'unclaimed', host: 'old-name', owner: null, user: null },
      ME,
      'p',
    );
    expect(d).toEqual({
      kind: 'refuse',
      message: expect.stringMatching(/machine "old-name".*earlier name.*snaptray adopt/),
    });
  });

  it('takes back its own prefix whose owner file went missing, and no one else’s', () => {
    expect(
      decideOwnership(
        { kind: 'unclaimed', host: 'x', owner: { id: ME.id, profile: 'default' }, user: 'ben' },
        ME,
        'p',
      ),
    ).toEqual({ kind: 'claim' });
    expect(
      decideOwnership(
        {
          kind: 'unclaimed',
          host: 'univac',
          owner: { id: 'b'.repeat(32), profile: 'default' },
          user: 'eve',
        },
        ME,
        'p',
      ).kind,
    ).toBe('refuse');
  });
});

describe('decideOwnership, for a home folder copied from another machine', () => {
  // This account's identity file came from "oldlaptop": its identity there is kept as elsewhere.
  const OLD = 'c'.repeat(32);
  const copied: Me = {
    ...meFor(
      { id: ME.id, elsewhere: [{ id: OLD, host: 'oldlaptop', uid: 1000 }] },
      'default',
      'newlaptop',
      'ben',
    ),
  };
  const oldClaim = claimFor({ ...ME, id: OLD, host: 'oldlaptop' }, 'oldlaptop', NOW, '0.2.0');

  it('refuses the prefix the identity that came along holds, and says it looks copied', () => {
    expect(decideOwnership({ kind: 'claimed', claim: oldClaim }, copied, 'oldlaptop')).toEqual({
      kind: 'refuse',
      message:
        'The snapshots named "oldlaptop-…" belong to user ben on "oldlaptop" (profile ' +
        '"default"), and this account\'s Snaptray identity was made there, not on this machine: ' +
        'this looks like a home folder copied or restored from "oldlaptop". This machine has an ' +
        'identity of its own, so that the two never link against or delete each other’s ' +
        'snapshots; nothing was written. If this machine replaces "oldlaptop", run "snaptray ' +
        'adopt" (or Take over in the settings window) to continue its snapshots; otherwise ' +
        'choose another prefix for this machine.',
    });
  });

  it('says so too where only the manifests name that identity', () => {
    const d = decideOwnership(
      { kind: 'unclaimed', host: 'oldlaptop', owner: { id: OLD, profile: 'work' }, user: 'ben' },
      { ...copied, profile: 'work' },
      'p',
    );
    expect(d).toEqual({
      kind: 'refuse',
      message: expect.stringMatching(
        /^The snapshots named "p-…" belong to ben on "oldlaptop" \(profile "work"\), .*copied or restored from "oldlaptop".*"snaptray adopt --profile work"/,
      ),
    });
  });

  it('claims a free prefix under this machine’s own identity, and keeps its own claim', () => {
    expect(decideOwnership({ kind: 'free' }, copied, 'newlaptop')).toEqual({ kind: 'claim' });
    const mine = claimFor(copied, 'newlaptop', NOW, '0.2.0');
    expect(mine.owner).toEqual({ id: ME.id, profile: 'default' });
    expect(decideOwnership({ kind: 'claimed', claim: mine }, copied, 'newlaptop').kind).toBe(
      'ours',
    );
  });

  it('refuses any other owner as before', () => {
    const other = claimFor(
      { ...ME, id: 'd'.repeat(32), host: 'eniac', user: 'eve' },
      'p',
      NOW,
      '0.2.0',
    );
    const d = decideOwnership({ kind: 'claimed', claim: other }, copied, 'p');
    expect(d.kind === 'refuse' && d.message).toMatch(
      /^The snapshots named "p-…" on the destination belong to user eve/,
    );
  });
});

describe('owner files', () => {
  it('read back what was written, and keep the history of earlier owners through adopt', () => {
    const first = claimFor({ ...ME, id: 'c'.repeat(32), host: 'old' }, 'p', NOW, '0.2.0');
    const previous = previousOwnersOf({ kind: 'claimed', claim: first }, NOW);
    const second = claimFor(ME, 'p', NOW, '0.2.0', previous);
    expect(parseClaim(JSON.stringify(second))).toEqual({ kind: 'claimed', claim: second });
    expect(second.previousOwners).toEqual([
      {
        id: 'c'.repeat(32),
        profile: 'default',
        host: 'old',
        user: 'ben',
        until: NOW.toISOString(),
      },
    ]);
  });

  it('call an owner file unreadable rather than absent when it is damaged', () => {
    expect(parseClaim(undefined)).toEqual({ kind: 'none' });
    expect(parseClaim('{')).toEqual({ kind: 'unreadable', reason: 'it is not valid JSON' });
    expect(parseClaim('{"format": 1}')).toEqual({
      kind: 'unreadable',
      reason: 'its fields are not the ones this version knows',
    });
  });
});
