/**
 * Case 8, the household: `snaptray machines` over the dropbear router, on a destination holding
 * many prefixes of many snapshots each (an owner file per prefix, a manifest per snapshot), from
 * an account without settings. Timed as a user runs it, with the router's connections counted.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  MARKER_NAME,
  manifestName,
  ownerFileName,
  snapshotName,
} from '../core/destination/snapshot-name.js';
import type { Router } from '../test/support/router.js';
import { cliFlags } from '../test/support/sshd.js';
import { CLI, makeCliEnv } from './contenders.js';
import { median, runChecked, runTimed } from './measure.js';

export interface MachinesFigures {
  prefixes: number;
  snapshotsEach: number;
  /** With the runtime folder (where the listing lands) on the disk, as the other cases have it. */
  ms: number;
  /** With it on a tmpfs, as /run/user/UID is on a desktop; null without /dev/shm. */
  tmpfsMs: number | null;
  /** ssh connections the router took for one run (the most over the repetitions). */
  connections: number;
}

const HOUR = 3_600_000;

/** `prefixes` owners with `each` daily snapshots each, the newest a few hours old. */
async function makeHousehold(dir: string, prefixes: number, each: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MARKER_NAME), '{"format":1}\n');
  const now = Date.now();
  for (let p = 0; p < prefixes; p++) {
    const prefix = `machine-${String(p).padStart(2, '0')}`;
    await writeFile(
      join(dir, ownerFileName(prefix)),
      JSON.stringify({
        format: 1,
        prefix,
        owner: { id: String(p).padStart(32, '0'), profile: 'default' },
        host: `host-${p}`,
        user: 'bench',
        claimedAt: new Date(now - (each + 1) * 24 * HOUR).toISOString(),
        appVersion: '0.0.0',
      }),
    );
    for (let i = 0; i < each; i++) {
      const at = new Date(now - (each - i) * 24 * HOUR - p * HOUR);
      const name = snapshotName(prefix, at);
      await mkdir(join(dir, name, 'home'), { recursive: true });
      await writeFile(
        join(dir, manifestName(name)),
        JSON.stringify({
          format: 1,
          host: `host-${p}`,
          prefix,
          startedAt: at.toISOString(),
          endedAt: at.toISOString(),
          rsyncExitCode: 0,
          status: 'ok',
          files: 1,
          bytesSent: 10,
          appVersion: '0.0.0',
          generation: i + 1,
          scheduleHours: 24,
        }),
      );
    }
  }
}

export async function timeMachines(
  root: string,
  router: Router,
  prefixes: number,
  each: number,
  reps: number,
): Promise<MachinesFigures> {
  const dir = await router.makeRouterFolder('household-');
  await makeHousehold(dir, prefixes, each);
  await runChecked('chown', ['-R', `${router.uid}:${router.gid}`, dir]);
  const env = await makeCliEnv(join(root, 'machines-home'));
  let connections = 0;
  const timed = async (runEnv: NodeJS.ProcessEnv): Promise<number> => {
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const before = await router.connectionCount();
      const t = await runTimed(
        process.execPath,
        [
          CLI,
          'machines',
          '--dest',
          `${router.user}@127.0.0.1:${dir}`,
          '--json',
          ...cliFlags(router),
        ],
        { env: runEnv, keepStdout: true },
      );
      connections = Math.max(connections, (await router.connectionCount()) - before);
      if (t.code !== 0) throw new Error(`snaptray machines exited ${String(t.code)}: ${t.stderr}`);
      const listed = (JSON.parse(t.stdout) as { machines: { snapshots: number }[] }).machines;
      if (listed.length !== prefixes || listed.some((m) => m.snapshots !== each)) {
        throw new Error(
          `machines listed ${listed.length} prefixes (${listed.map((m) => m.snapshots).join(', ')} snapshots), ${prefixes} × ${each} made`,
        );
      }
      times.push(t.ms);
    }
    return median(times);
  };
  const ms = await timed(env);
  let tmpfsMs: number | null = null;
  if (existsSync('/dev/shm')) {
    const runtime = await mkdtemp('/dev/shm/snaptray-bench-');
    try {
      tmpfsMs = await timed({ ...env, XDG_RUNTIME_DIR: runtime });
    } finally {
      await rm(runtime, { recursive: true, force: true });
    }
  }
  return { prefixes, snapshotsEach: each, ms, tmpfsMs, connections };
}
