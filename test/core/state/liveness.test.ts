/**
 * Whether the process a lock names is still that process, read from the real /proc: live, gone,
 * a zombie, a reused PID; and stopping only the programs a run starts, SIGTERM first.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  isAlive,
  ownStartTime,
  readProcessStat,
  stopLeftover,
} from '../../../core/state/liveness.js';
import {
  exists,
  makeZombie,
  namedProcess,
  processStartTime,
  processState,
} from '../../support/processes.js';

/** The PID of a process that has exited and been reaped. */
function deadPid(): number {
  const child = spawnSync('/bin/true');
  if (child.pid === undefined) throw new Error('could not start /bin/true');
  return child.pid;
}

/** A shell named like rsync that ignores SIGTERM, as a program stuck in a write may seem to. */
function deafToTerm(name: string) {
  return namedProcess(name, '/bin/sh', ['-c', "trap '' TERM; echo ready; read x"], {
    ready: 'ready',
  });
}

describe('readProcessStat', () => {
  it('reads this process: its state, its start time and its name', async () => {
    const stat = await readProcessStat(process.pid);
    expect(stat).toEqual({
      // Running, or sleeping while the file is read on another thread.
      state: expect.stringMatching(/^[RS]$/),
      startTime: String(await processStartTime(process.pid)),
      comm: (await readFile('/proc/self/comm', 'utf8')).trim(),
    });
    expect(await ownStartTime()).toBe(stat?.startTime);
  });

  it('reads a name that holds spaces and parentheses, cutting at the last one', async () => {
    // Cut at the first ")", this name would make a sleeping process read as a zombie.
    const sly = await namedProcess('a) Z 1 (b', '/bin/sleep', ['300']);
    try {
      expect(await readProcessStat(sly.pid)).toEqual({
        state: 'S',
        startTime: String(sly.startTime),
        comm: 'a) Z 1 (b',
      });
      expect(await isAlive(sly.pid, String(sly.startTime))).toBe(true);
    } finally {
      await sly.stop();
    }
  });

  it('is null for a PID that names no process', async () => {
    expect(await readProcessStat(deadPid())).toBeNull();
  });
});

describe('isAlive', () => {
  it('is true for the recorded process, and for any live one when no start time was recorded', async () => {
    const start = await ownStartTime();
    expect(await isAlive(process.pid, start)).toBe(true);
    expect(await isAlive(process.pid, null)).toBe(true);
    expect(await isAlive(process.pid, undefined)).toBe(true);
    expect(await isAlive(process.pid, '')).toBe(true);
  });

  it('is false once the PID names another process (another start time)', async () => {
    expect(await isAlive(process.pid, `${await ownStartTime()}0`)).toBe(false);
  });

  it('is false for a process that is gone, and for a zombie whatever its start time', async () => {
    expect(await isAlive(deadPid(), null)).toBe(false);
    const zombie = await makeZombie();
    try {
      expect(await processState(zombie.pid)).toBe('Z');
      expect(await isAlive(zombie.pid, null)).toBe(false);
      expect(await isAlive(zombie.pid, String(await processStartTime(zombie.pid)))).toBe(false);
    } finally {
      await zombie.stop();
    }
  });
});

describe('stopLeftover', () => {
  it.each(['rsync', 'nice', 'ionice', 'setpriv'])(
    'stops a %s that a dead run left behind, with SIGTERM',
    async (name) => {
      const leftover = await namedProcess(name, '/bin/sleep', ['300']);
      try {
        expect(await stopLeftover(leftover.pid, String(leftover.startTime), 60_000)).toBe(true);
        expect(await leftover.ended).toBe('SIGTERM');
      } finally {
        await leftover.stop();
      }
    },
  );

  it('leaves alone a live process that is no program a run starts, or not the recorded one', async () => {
    const stranger = await namedProcess('sleep', '/bin/sleep', ['300']);
    const reused = await namedProcess('rsync', '/bin/sleep', ['300']);
    try {
      expect(await stopLeftover(stranger.pid, String(stranger.startTime), 100)).toBe(true);
      expect(await stopLeftover(reused.pid, String(reused.startTime + 1), 100)).toBe(true);
      expect(await processState(stranger.pid)).toBe('S');
      expect(await processState(reused.pid)).toBe('S');
    } finally {
      await stranger.stop();
      await reused.stop();
    }
  });

  it('has nothing to stop when the process is gone or a zombie', async () => {
    expect(await stopLeftover(deadPid(), '1', 60_000)).toBe(true);
    const zombie = await makeZombie();
    try {
      expect(await stopLeftover(zombie.pid, null, 60_000)).toBe(true);
      expect(await exists(zombie.pid)).toBe(true);
    } finally {
      await zombie.stop();
    }
  });

  it('kills one that ignores SIGTERM once the grace time is over, not before', async () => {
    const stuck = await deafToTerm('rsync');
    try {
      const graceMs = 400;
      const started = Date.now();
      expect(await stopLeftover(stuck.pid, String(stuck.startTime), graceMs)).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(graceMs);
      expect(await stuck.ended).toBe('SIGKILL');
      expect(await exists(stuck.pid)).toBe(false);
    } finally {
      await stuck.stop();
    }
  });
});
