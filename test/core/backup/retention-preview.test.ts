import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listDestination } from '../../../core/destination/ops.js';
import { spawnProcess } from '../../../core/process.js';
import { previewRetention } from '../../../core/backup/retention-preview.js';
import type { RetentionPolicy } from '../../../core/backup/retention.js';
import { retentionSchema } from '../../../core/settings/schema.js';
import { snapshotName } from '../../../core/destination/snapshot-name.js';
import type { Claim } from '../../../core/destination/ownership.js';
import { snapshotsOf, type Manifest, type Snapshot } from '../../../core/destination/snapshot.js';
import { makeCliHome, runCli } from '../../support/cli.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

const claim: Claim = {
  format: 1,
  prefix: 'p',
  owner: { id: 'a'.repeat(32), profile: 'default' },
  host: 'univac',
  user: 'ben',
  claimedAt: '2026-01-01T00:00:00.000Z',
  appVersion: '0.2.0',
  previousOwners: [],
};

function manifest(host: string, time: Date, owner = claim.owner): Manifest {
  return {
    format: 1,
    owner,
    user: 'ben',
    host,
    prefix: 'p',
    startedAt: time.toISOString(),
    endedAt: time.toISOString(),
    rsyncExitCode: 0,
    status: 'ok',
    files: 1,
    bytesSent: 1,
    appVersion: '0.1.0',
  };
}

function complete(name: string, time: Date, owner = claim.owner, host = 'univac'): Snapshot {
  const m = manifest(host, time, owner);
  return {
    name,
    time,
    latestTime: time,
    generation: null,
    sequenceTime: time,
    state: 'ok',
    manifest: m,
    problem: null,
  };
}

function incomplete(name: string, time: Date): Snapshot {
  return {
    name,
    time,
    latestTime: time,
    generation: null,
    sequenceTime: time,
    state: 'unfinished',
    manifest: null,
    problem: null,
  };
}

function legacy(name: string, time: Date): Snapshot {
  return {
    name,
    time,
    latestTime: time,
    generation: null,
    sequenceTime: time,
    state: 'legacy',
    manifest: null,
    problem: null,
  };
}

const policy: RetentionPolicy = {
  keepAllHours: 24,
  dailyDays: 2,
  weeklyWeeks: 0,
  monthlyMonths: 0,
  maxAgeDays: null,
};
// Local times, so the calendar days do not depend on the machine's time zone.
const now = new Date(2026, 2, 10, 12, 0, 0);
const at = (day: number, hour: number) => new Date(2026, 2, day, hour, 0, 0);

describe('previewRetention', () => {
  const snapshots = [
    complete('p-2026-03-10-080000', at(10, 8)),
    legacy('p-2026-01-01', new Date(2026, 0, 1)),
    complete('p-2026-03-08-100000', at(8, 10)),
    complete('p-2026-03-09-090000', at(9, 9)),
    incomplete('p-2026-03-09-100000', at(9, 10)),
    complete('p-2026-03-09-200000', at(9, 20)),
    incomplete('p-2026-03-10-090000', at(10, 9)),
    incomplete('p-2026-03-10-100000', at(10, 10)),
  ];

  it('says what prune would keep, delete and leave, oldest first, in words', () => {
    const iso = (d: Date) => d.toISOString();
    expect(previewRetention(snapshots, policy, now, claim)).toEqual([
      {
        name: 'p-2026-01-01',
        time: iso(new Date(2026, 0, 1)),
        state: 'legacy',
        action: 'delete',
        reason: 'not in the last 2 days',
      },
      {
        name: 'p-2026-03-08-100000',
        time: iso(at(8, 10)),
        state: 'ok',
        action: 'delete',
        reason: 'not in the last 2 days',
      },
      {
        name: 'p-2026-03-09-090000',
        time: iso(at(9, 9)),
        state: 'ok',
        action: 'delete',
        reason: 'not the newest of its day',
      },
      {
        name: 'p-2026-03-09-100000',
        time: iso(at(9, 10)),
        state: 'unfinished',
        action: 'delete',
        reason: 'unfinished, and a newer complete snapshot exists',
      },
      {
        name: 'p-2026-03-09-200000',
        time: iso(at(9, 20)),
        state: 'ok',
        action: 'keep',
        reason: 'within 24 hours, newest of 2026-03-09',
      },
      {
        name: 'p-2026-03-10-080000',
        time: iso(at(10, 8)),
        state: 'ok',
        action: 'keep',
        reason: 'newest, within 24 hours, newest of 2026-03-10',
      },
      {
        name: 'p-2026-03-10-090000',
        time: iso(at(10, 9)),
        state: 'unfinished',
        action: 'leave',
        reason: 'unfinished; the next backup reuses its files, then deletes it',
      },
      {
        name: 'p-2026-03-10-100000',
        time: iso(at(10, 10)),
        state: 'unfinished',
        action: 'leave',
        reason: 'unfinished; the next backup resumes it',
      },
    ]);
  });

  it("leaves every snapshot alone when the prefix is not this profile's", () => {
    const preview = previewRetention(snapshots, policy, now, null, 'it belongs to "eniac"');
    expect(preview).toHaveLength(8);
    expect(new Set(preview.map((e) => [e.action, e.reason].join(': ')))).toEqual(
      new Set(['leave: it belongs to "eniac"']),
    );
  });

  it("leaves another owner's and unknown snapshots alone inside its own prefix", () => {
    const stranger = { id: 'b'.repeat(32), profile: 'default' };
    const theirs = complete('p-2026-01-02-100000', new Date(2026, 0, 2, 10), stranger, 'eniac');
    const unknown: Snapshot = {
      ...incomplete('p-2026-01-03-100000', new Date(2026, 0, 3, 10)),
      state: 'unknown',
      problem: 'it has format 2, written by a newer Snaptray',
    };
    const preview = previewRetention([...snapshots, theirs, unknown], policy, now, claim);
    expect(preview.filter((e) => e.name === theirs.name || e.name === unknown.name)).toEqual([
      expect.objectContaining({
        name: theirs.name,
        action: 'leave',
        reason: 'written by another owner (ben on "eniac")',
      }),
      expect.objectContaining({
        name: unknown.name,
        action: 'leave',
        reason:
          'its manifest cannot be read (it has format 2, written by a newer Snaptray); never deleted automatically',
      }),
    ]);
    // The same plan for everything else as without them.
    expect(preview.filter((e) => e.name !== theirs.name && e.name !== unknown.name)).toEqual(
      previewRetention(snapshots, policy, now, claim),
    );
  });

  it('has nothing to say about no snapshots', () => {
    expect(previewRetention([], policy, now, claim)).toEqual([]);
  });
});

describe('previewRetention against prune on a real destination', () => {
  const cleanup: string[] = [];
  afterAll(async () => {
    for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
  });

  it('agrees with snaptray prune --dry-run', async () => {
    const home = await makeCliHome();
    const src = await makeTempDir('st-rp-src-');
    const dest = await makeTempDir('st-rp-dest-');
    cleanup.push(src, dest);
    await writeTree(src, { 'a.txt': 'a', 'b/c.txt': 'c' });
    const destArgs = ['--dest', dest, '--prefix', 'p'];
    expect((await runCli(['init', ...destArgs], home)).code).toBe(0);
    for (let i = 0; i < 3; i++) {
      const backup = await runCli(['backup', ...destArgs, '--source', src, '--json'], home);
      expect(backup.code, backup.stderr).toBe(0);
    }
    // An old unfinished run, an unfinished run newer than every complete one, and an old-script day.
    await mkdir(join(dest, 'p-2020-01-01-000000'));
    await mkdir(join(dest, snapshotName('p', new Date(Date.now() + 600_000))));
    await mkdir(join(dest, 'p-2020-02-02'));

    const scratch = await makeTempDir('st-rp-scratch-');
    cleanup.push(scratch);
    const listing = await listDestination({
      dest: { kind: 'local', path: dest },
      spawn: spawnProcess,
      rsyncShellArgs: [],
      scratch,
    });
    if (!listing.ok) throw new Error(listing.failure.message);
    const set = snapshotsOf('p', listing.value);
    if (set.claim.kind !== 'claimed') throw new Error('the backups did not claim the prefix');
    const preview = previewRetention(
      set.snapshots,
      retentionSchema.parse({}),
      new Date(),
      set.claim.claim,
    );

    const prune = await runCli(['prune', ...destArgs, '--dry-run', '--json'], home);
    expect(prune.code, prune.stderr).toBe(0);
    const json = prune.json as {
      keep: { name: string; reason: string }[];
      delete: { name: string; reason: string }[];
    };
    const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
    expect(
      preview
        .filter((e) => e.action === 'keep')
        .map((e) => ({ name: e.name, reason: e.reason }))
        .sort(byName),
    ).toEqual([...json.keep].sort(byName));
    expect(
      preview
        .filter((e) => e.action === 'delete')
        .map((e) => ({ name: e.name, reason: e.reason }))
        .sort(byName),
    ).toEqual([...json.delete].sort(byName));
    expect(json.keep).toHaveLength(3);
    expect(json.delete.map((d) => d.name).sort()).toEqual(['p-2020-01-01-000000', 'p-2020-02-02']);
    expect(preview.filter((e) => e.action === 'leave')).toEqual([
      expect.objectContaining({
        state: 'unfinished',
        reason: 'unfinished; the next backup resumes it',
      }),
    ]);
  });
});
