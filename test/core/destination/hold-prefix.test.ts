/**
 * Holding a prefix before anything is written under it, on a real local folder: read from the
 * listing, claimed by an owner file that never replaces one that is there, read back, and refused
 * in words when another owner holds it or the owner file went away.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  checkHeld,
  holdPrefix,
  mayHold,
  writeClaim,
} from '../../../core/destination/hold-prefix.js';
import { listDestination, type DestinationContext } from '../../../core/destination/ops.js';
import { claimFor, type Me } from '../../../core/destination/ownership.js';
import type { DestinationListing } from '../../../core/destination/snapshot.js';
import { spawnProcess } from '../../../core/process.js';
import { makeImmutable } from '../../support/disks.js';
import { makeTempDir } from '../../support/tree.js';

const ME: Me = { id: 'a'.repeat(32), profile: 'default', host: 'univac', user: 'ben' };
const EVE: Me = { id: 'b'.repeat(32), profile: 'default', host: 'eniac', user: 'eve' };
const NOW = new Date('2026-11-29T10:00:00.000Z');
const OWNER_FILE = 'p.snaptray-owner.json';

let dest: string;
let ctx: DestinationContext;

beforeEach(async () => {
  dest = await makeTempDir('st-hold-');
  ctx = {
    dest: { kind: 'local', path: dest },
    spawn: spawnProcess,
    rsyncShellArgs: [],
    scratch: await makeTempDir('st-hold-scratch-'),
  };
  await writeFile(join(dest, '.snaptray-destination'), '{"format":1}\n');
});

async function listing(): Promise<DestinationListing> {
  const listed = await listDestination(ctx);
  if (!listed.ok) throw new Error(listed.failure.message);
  return listed.value;
}

async function claimOnDisk(who: Me): Promise<void> {
  await writeFile(join(dest, OWNER_FILE), JSON.stringify(claimFor(who, 'p', NOW, '0.1.0')));
}

async function ownerOnDisk(): Promise<unknown> {
  return (JSON.parse(await readFile(join(dest, OWNER_FILE), 'utf8')) as { owner: unknown }).owner;
}

const refusedForEve = {
  ok: false,
  failure: {
    kind: 'prefix-owned',
    message: expect.stringMatching(
      /^The snapshots named "p-…" on the destination belong to user eve on "eniac" \(profile "default"\)\./,
    ),
  },
};

describe('mayHold', () => {
  it('allows a free prefix and the owner’s own, and refuses another owner’s, writing nothing', async () => {
    expect(mayHold(await listing(), 'p', ME)).toEqual({ ok: true });
    await claimOnDisk(ME);
    expect(mayHold(await listing(), 'p', ME)).toEqual({ ok: true });
    await claimOnDisk(EVE);
    const before = await readdir(dest);
    expect(mayHold(await listing(), 'p', ME)).toEqual(refusedForEve);
    expect(await readdir(dest)).toEqual(before);
  });
});

describe('holdPrefix', () => {
  it('claims a free prefix with an owner file, reads it back and says it claimed', async () => {
    await mkdir(join(dest, 'p-2026-11-01-030000'));
    const held = await holdPrefix(ctx, await listing(), 'p', ME, NOW, '0.2.0');
    const claim = claimFor(ME, 'p', NOW, '0.2.0');
    expect(held).toMatchObject({ ok: true, claim, claimed: true });
    expect(await readFile(join(dest, OWNER_FILE), 'utf8')).toBe(
      JSON.stringify(claim, null, 2) + '\n',
    );
    // What it returns is the listing read after the claim.
    expect(held.ok && held.listing.manifests.has(OWNER_FILE)).toBe(true);
    expect(held.ok && held.set.claim).toEqual({ kind: 'claimed', claim });
    expect(held.ok && held.set.snapshots.map((s) => [s.name, s.state])).toEqual([
      ['p-2026-11-01-030000', 'unfinished'],
    ]);
    expect((await readdir(dest)).sort()).toEqual([
      '.snaptray-destination',
      'p-2026-11-01-030000',
      OWNER_FILE,
    ]);
  });

  it('goes on under its own claim from the listing it was given, without claiming again', async () => {
    await claimOnDisk(ME);
    const given = await listing();
    // Changed after the listing: without a recheck the given listing is what counts.
    await claimOnDisk(EVE);
    const held = await holdPrefix(ctx, given, 'p', ME, NOW, '0.2.0');
    expect(held).toMatchObject({ ok: true, claimed: false, claim: { owner: { id: ME.id } } });
    expect(held.ok && held.listing).toBe(given);
    expect(await ownerOnDisk()).toEqual({ id: EVE.id, profile: 'default' });
  });

  it('with a recheck, lists again: a prefix taken over meanwhile is refused', async () => {
    await claimOnDisk(ME);
    const given = await listing();
    await claimOnDisk(EVE);
    expect(await holdPrefix(ctx, given, 'p', ME, NOW, '0.2.0', { recheck: true })).toEqual(
      refusedForEve,
    );
  });

  it('with a recheck, gives the new listing: a name taken meanwhile is seen', async () => {
    await claimOnDisk(ME);
    const given = await listing();
    await mkdir(join(dest, 'p-2026-11-29-110000'));
    const held = await holdPrefix(ctx, given, 'p', ME, NOW, '0.2.0', { recheck: true });
    expect(held).toMatchObject({ ok: true, claimed: false });
    expect(held.ok && held.listing.directories).toEqual(['p-2026-11-29-110000']);
  });

  it('refuses another owner’s prefix and writes nothing', async () => {
    await claimOnDisk(EVE);
    const before = await readFile(join(dest, OWNER_FILE), 'utf8');
    expect(await holdPrefix(ctx, await listing(), 'p', ME, NOW, '0.2.0')).toEqual(refusedForEve);
    expect(await readFile(join(dest, OWNER_FILE), 'utf8')).toBe(before);
    expect((await readdir(dest)).sort()).toEqual(['.snaptray-destination', OWNER_FILE]);
  });

  it('leaves a claim that appeared since the listing, and refuses: the first owner file stays', async () => {
    const free = await listing();
    await claimOnDisk(EVE);
    expect(await holdPrefix(ctx, free, 'p', ME, NOW, '0.2.0')).toEqual(refusedForEve);
    expect(await ownerOnDisk()).toEqual({ id: EVE.id, profile: 'default' });
  });

  it('of two claims at once on a free prefix, exactly one holds it', async () => {
    const free = await listing();
    const [mine, eves] = await Promise.all([
      holdPrefix(ctx, free, 'p', ME, NOW, '0.2.0'),
      holdPrefix(ctx, free, 'p', EVE, NOW, '0.2.0'),
    ]);
    expect([mine.ok, eves.ok].filter(Boolean)).toHaveLength(1);
    const winner = mine.ok ? ME : EVE;
    expect(await ownerOnDisk()).toEqual({ id: winner.id, profile: 'default' });
    expect((await readdir(dest)).sort()).toEqual(['.snaptray-destination', OWNER_FILE]);
  });

  it('on a folder that may not be changed: refuses another owner’s prefix without trying to write', async () => {
    await claimOnDisk(EVE);
    const given = await listing();
    const release = makeImmutable(dest);
    try {
      expect(await holdPrefix(ctx, given, 'p', ME, NOW, '0.2.0')).toEqual(refusedForEve);
    } finally {
      release();
    }
  });

  it('on a folder that may not be changed: a free prefix fails with the write’s own failure', async () => {
    const free = await listing();
    const release = makeImmutable(dest);
    try {
      expect(await holdPrefix(ctx, free, 'p', ME, NOW, '0.2.0')).toEqual({
        ok: false,
        failure: {
          kind: 'refused',
          message: expect.stringMatching(
            /^The destination refused access \(Writing p\.snaptray-owner\.json: EPERM: /,
          ),
        },
      });
    } finally {
      release();
    }
  });

  it('passes on the failure of a claim that cannot be written', async () => {
    const free = await listing();
    await rm(dest, { recursive: true });
    expect(await holdPrefix(ctx, free, 'p', ME, NOW, '0.2.0')).toEqual({
      ok: false,
      failure: {
        kind: 'destination-missing',
        message: `The destination folder "${dest}" does not exist. Check the path, and that the disk is mounted.`,
      },
    });
  });
});

describe('checkHeld', () => {
  it('says so when the owner file did not stay in place', async () => {
    expect(await checkHeld(ctx, 'p', ME)).toEqual({
      ok: false,
      failure: {
        kind: 'prefix-owned',
        message: 'The owner file of "p" did not stay in place; nothing was written.',
      },
    });
  });

  it('passes on a listing that fails', async () => {
    await rm(dest, { recursive: true });
    const checked = await checkHeld(ctx, 'p', ME);
    expect(checked.ok === false && checked.failure.kind).toBe('destination-missing');
  });
});

describe('writeClaim', () => {
  it('keeps an owner file that is there when asked to, and replaces it otherwise (adopt)', async () => {
    await claimOnDisk(EVE);
    expect(await writeClaim(ctx, claimFor(ME, 'p', NOW, '0.2.0'), true)).toEqual({ ok: true });
    expect(await ownerOnDisk()).toEqual({ id: EVE.id, profile: 'default' });
    expect(await writeClaim(ctx, claimFor(ME, 'p', NOW, '0.2.0'), false)).toEqual({ ok: true });
    expect(await ownerOnDisk()).toEqual({ id: ME.id, profile: 'default' });
  });

  it('passes on a failure to write', async () => {
    await rm(dest, { recursive: true });
    const written = await writeClaim(ctx, claimFor(ME, 'p', NOW, '0.2.0'), true);
    expect(written.ok === false && written.failure.kind).toBe('destination-missing');
  });
});
