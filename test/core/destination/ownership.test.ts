import { describe, expect, it } from 'vitest';
import {
  claimFor,
  decideOwnership,
  describeOwner,
  meFor,
  ownedBy,
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

describe('refusals in words', () => {
  const eves = claimFor(
    { ...ME, id: 'b'.repeat(32), host: 'eniac', user: 'eve' },
    'p',
    NOW,
    '0.2.0',
  );

  it('another owner’s claim: whose it is, why nothing was written, and both ways forward', () => {
    expect(decideOwnership({ kind: 'claimed', claim: eves }, ME, 'p')).toEqual({
      kind: 'refuse',
      message:
        'The snapshots named "p-…" on the destination belong to user eve on "eniac" (profile ' +
        '"default"). Two owners sharing a prefix would link against and delete each other’s ' +
        'snapshots, so nothing was written. Choose another prefix for this profile; or, if those ' +
        'snapshots are yours (a reinstall, or this machine replaces that one), run "snaptray ' +
        'adopt" to take them over.',
    });
  });

  it('an owner file it cannot read: why, and that it writes nothing', () => {
    expect(
      decideOwnership({ kind: 'unreadable', reason: 'it is not valid JSON' }, ME, 'p'),
    ).toEqual({
      kind: 'refuse',
      message:
        'The owner file of the prefix "p" cannot be read (it is not valid JSON), so this version ' +
        'cannot tell whose snapshots these are and writes nothing. Update Snaptray, or choose ' +
        'another prefix.',
    });
  });

  it('snapshots of another owner whose owner file is missing, for the default and another profile', () => {
    const theirs = { id: 'b'.repeat(32), profile: 'home' };
    expect(
      decideOwnership({ kind: 'unclaimed', host: 'eniac', owner: theirs, user: 'eve' }, ME, 'p'),
    ).toEqual({
      kind: 'refuse',
      message:
        'The snapshots named "p-…" were made by eve on "eniac" (profile "home"), and their owner ' +
        'file is missing. Choose another prefix; or, if they are yours, run "snaptray adopt".',
    });
    expect(
      decideOwnership(
        { kind: 'unclaimed', host: 'eniac', owner: theirs, user: null },
        { ...ME, profile: 'work' },
        'p',
      ),
    ).toEqual({
      kind: 'refuse',
      message:
        'The snapshots named "p-…" were made by another user on "eniac" (profile "home"), and ' +
        'their owner file is missing. Choose another prefix; or, if they are yours, run ' +
        '"snaptray adopt --profile work".',
    });
  });

  it('this machine’s snapshots from before owners, asked for by a profile other than the default', () => {
    const legacy = { kind: 'unclaimed' as const, host: 'univac', owner: null, user: null };
    expect(decideOwnership(legacy, { ...ME, profile: 'work' }, 'p')).toEqual({
      kind: 'refuse',
      message:
        'The snapshots named "p-…" were made on this machine before prefixes had owners; the ' +
        'default profile takes them over by itself. To use them for the profile "work" instead, ' +
        'run "snaptray adopt --profile work"; otherwise choose another prefix.',
    });
  });

  it('another machine’s snapshots from before owners, even for the default profile', () => {
    const legacy = { kind: 'unclaimed' as const, host: 'old-name', owner: null, user: null };
    expect(decideOwnership(legacy, ME, 'p')).toEqual({
      kind: 'refuse',
      message:
        'The snapshots named "p-…" were made by the machine "old-name". If that was this machine ' +
        'under an earlier name, or this machine replaces it, run "snaptray adopt" to continue its ' +
        'snapshots; otherwise choose another prefix.',
    });
  });
});

describe('describeOwner', () => {
  const claim = claimFor({ ...ME, profile: 'work' }, 'p', NOW, '0.2.0');

  it('names this account’s own profile as such, and anyone else by user, host and profile', () => {
    expect(describeOwner(claim, ME)).toBe('this account\'s profile "work"');
    expect(describeOwner(claim)).toBe('user ben on "univac" (profile "work")');
    expect(describeOwner(claim, { ...ME, id: 'b'.repeat(32) })).toBe(
      'user ben on "univac" (profile "work")',
    );
  });
});

describe('ownedBy', () => {
  const earlier = { id: 'c'.repeat(32), profile: 'old' };
  const claim = claimFor(ME, 'p', NOW, '0.2.0', [
    { ...earlier, host: 'old', user: 'ben', until: NOW.toISOString() },
  ]);

  it('is the owner and the owners it took over from, by identity and profile together', () => {
    expect(ownedBy(claim, { id: ME.id, profile: 'default' })).toBe(true);
    expect(ownedBy(claim, earlier)).toBe(true);
    expect(ownedBy(claim, { id: ME.id, profile: 'old' })).toBe(false);
    expect(ownedBy(claim, { id: earlier.id, profile: 'default' })).toBe(false);
    expect(ownedBy(claim, { id: 'd'.repeat(32), profile: 'old' })).toBe(false);
  });
});

describe('previousOwnersOf', () => {
  it('records the writer of unclaimed snapshots, and nobody for a free or unreadable prefix', () => {
    expect(
      previousOwnersOf(
        {
          kind: 'unclaimed',
          host: 'eniac',
          owner: { id: 'b'.repeat(32), profile: 'home' },
          user: 'eve',
        },
        NOW,
      ),
    ).toEqual([
      { id: 'b'.repeat(32), profile: 'home', host: 'eniac', user: 'eve', until: NOW.toISOString() },
    ]);
    expect(
      previousOwnersOf({ kind: 'unclaimed', host: 'eniac', owner: null, user: null }, NOW),
    ).toEqual([{ id: null, profile: null, host: 'eniac', user: null, until: NOW.toISOString() }]);
    expect(previousOwnersOf({ kind: 'free' }, NOW)).toEqual([]);
    expect(previousOwnersOf({ kind: 'unreadable', reason: 'r' }, NOW)).toEqual([]);
  });
});

describe('parseClaim', () => {
  it('tells a newer format from a format that is not a number, and JSON that is no object; no history is none', () => {
    const claim = claimFor(ME, 'p', NOW, '0.2.0');
    expect(parseClaim(JSON.stringify({ ...claim, format: 2 }))).toEqual({
      kind: 'unreadable',
      reason: 'it has format 2, written by a newer Snaptray',
    });
    expect(parseClaim(JSON.stringify({ ...claim, format: '2' }))).toEqual({
      kind: 'unreadable',
      reason: 'its fields are not the ones this version knows',
    });
    const withoutHistory: Partial<Claim> = { ...claim };
    delete withoutHistory.previousOwners;
    expect(parseClaim(JSON.stringify(withoutHistory))).toEqual({ kind: 'claimed', claim });
    expect(parseClaim('null')).toEqual({
      kind: 'unreadable',
      reason: 'its fields are not the ones this version knows',
    });
  });
});

describe('prefixOwner of snapshots from before owner files', () => {
  it('finds the writer in the oldest snapshot when it is the only one with a manifest', () => {
    expect(prefixOwner({ kind: 'none' }, [withManifest({ host: 'eniac' }), unfinished])).toEqual({
      kind: 'unclaimed',
      host: 'eniac',
      owner: null,
      user: null,
    });
  });
});
