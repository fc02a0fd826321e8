/**
 * A machine without /proc (a chroot or container that does not mount it): lock liveness falls
 * back to kill(pid, 0). The missing /proc is injected by failing every read below it as the
 * kernel would (ENOENT); the processes and signals are real.
 */
import { spawnSync } from 'node:child_process';
import type * as FsPromises from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { isAlive, ownStartTime, readProcessStat } from '../../../core/state/liveness.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  const readFile = (path: unknown, ...rest: unknown[]): Promise<unknown> => {
    if (String(path).startsWith('/proc/')) {
      const error = new Error(`ENOENT: no such file or directory, open '${String(path)}'`);
      return Promise.reject(Object.assign(error, { code: 'ENOENT' }));
    }
    return (actual.readFile as (...a: unknown[]) => Promise<unknown>)(path, ...rest);
  };
  return { ...actual, readFile, default: { ...actual, readFile } };
});

function deadPid(): number {
  const child = spawnSync('/bin/true');
  if (child.pid === undefined) throw new Error('could not start /bin/true');
  return child.pid;
}

describe('without /proc', () => {
  it('knows no process stat and no start time of its own', async () => {
    expect(await readProcessStat(process.pid)).toBeNull();
    expect(await ownStartTime()).toBeNull();
  });

  it('counts a process that takes signal 0 as alive, whatever start time was recorded', async () => {
    expect(await isAlive(process.pid, 'unknowable')).toBe(true);
  });

  it('counts a PID that takes no signal as gone', async () => {
    expect(await isAlive(deadPid(), null)).toBe(false);
  });
});
