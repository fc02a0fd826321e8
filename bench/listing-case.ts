/**
 * Case 5: a destination holding many snapshots with manifests; one rsync call lists it over ssh
 * (a local folder is read directly), then retention is planned. Both are timed separately.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listDestination, type DestinationContext } from '../core/destination/ops.js';
import { openDestination } from '../core/destination/session.js';
import type { Destination } from '../core/destination/address.js';
import { spawnProcess, type Spawn } from '../core/process.js';
import { planRetention } from '../core/backup/retention.js';
import { defaultProfile } from '../core/settings/schema.js';
import { MARKER_NAME, manifestName, snapshotName } from '../core/destination/snapshot-name.js';
import { snapshotsOf } from '../core/destination/snapshot.js';
import { median } from './measure.js';

export interface ListingTimes {
  listMs: number;
  planMs: number;
  snapshots: number;
  /** Programs started by one listing. */
  calls: number;
  kept: number;
  deleted: number;
}

export interface SshAccess {
  port: number;
  identityFile: string;
  knownHostsFile: string;
  configFile: string;
  user: string;
}

const PREFIX = 'b';

/** `count` snapshots an hour apart up to `now`, each with a manifest and one file. */
export async function makeSnapshotDestination(
  dir: string,
  count: number,
  now: Date,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MARKER_NAME), '{"format":1}\n');
  for (let i = 0; i < count; i++) {
    const at = new Date(now.getTime() - (count - i) * 3_600_000);
    const name = snapshotName(PREFIX, at);
    await mkdir(join(dir, name, 'home'), { recursive: true });
    await writeFile(join(dir, name, 'home', 'file.txt'), name);
    const manifest = {
      format: 1,
      host: 'bench',
      prefix: PREFIX,
      startedAt: at.toISOString(),
      endedAt: at.toISOString(),
      rsyncExitCode: 0,
      status: 'ok',
      files: 1,
      bytesSent: 10,
      appVersion: '0.0.0',
    };
    await writeFile(join(dir, manifestName(name)), JSON.stringify(manifest, null, 2) + '\n');
  }
}

/** Lists and plans `reps` times; medians of each part. Throws when the listing is wrong. */
export async function timeListing(
  dir: string,
  expected: number,
  runtimeDir: string,
  ssh: SshAccess | null,
  reps: number,
): Promise<ListingTimes> {
  const dest: Destination = ssh
    ? { kind: 'ssh', user: ssh.user, host: '127.0.0.1', path: dir }
    : { kind: 'local', path: dir };
  let spawned = 0;
  const counting: Spawn = (req) => {
    spawned++;
    return spawnProcess(req);
  };
  const opened = await openDestination(
    {
      spawn: counting,
      runtimeDir,
      userKnownHosts: [],
      appKnownHosts: join(runtimeDir, 'known_hosts'),
      defaultSshConfig: null,
    },
    dest,
    {
      port: ssh?.port ?? null,
      identityFile: ssh?.identityFile ?? null,
      knownHostsFile: ssh?.knownHostsFile ?? null,
      configFile: ssh?.configFile ?? null,
      rsyncPath: null,
    },
  );
  if (!opened.ok) throw new Error(`opening the destination failed: ${opened.failure.message}`);
  const ctx: DestinationContext = opened.value.ctx;
  const lists: number[] = [];
  const plans: number[] = [];
  let kept = 0;
  let deleted = 0;
  let listCalls = 0;
  try {
    spawned = 0;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const listing = await listDestination(ctx);
      const t1 = performance.now();
      if (!listing.ok) throw new Error(`listing failed: ${listing.failure.message}`);
      const { snapshots } = snapshotsOf(PREFIX, listing.value);
      const plan = planRetention(snapshots, defaultProfile().retention, new Date());
      const t2 = performance.now();
      const complete = snapshots.filter((s) => s.state === 'ok').length;
      if (!listing.value.hasMarker || complete !== expected) {
        throw new Error(`the listing shows ${complete} complete snapshots, expected ${expected}`);
      }
      if (plan.keep.length + plan.delete.length !== expected) {
        throw new Error(`the plan covers ${plan.keep.length + plan.delete.length} snapshots`);
      }
      lists.push(t1 - t0);
      plans.push(t2 - t1);
      kept = plan.keep.length;
      deleted = plan.delete.length;
    }
    // Counted before closing: the master connection's own exit is not part of a listing.
    listCalls = spawned;
  } finally {
    await opened.value.close();
  }
  const calls = listCalls / reps;
  return {
    listMs: median(lists),
    planMs: median(plans),
    snapshots: expected,
    calls,
    kept,
    deleted,
  };
}
