import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  exists,
  fakeRsyncProcess,
  makeZombie,
  processesMatching,
  processStartTime,
  processState,
} from './processes.js';

describe('makeZombie', () => {
  it('gives a real zombie that stop() has reaped', async () => {
    const zombie = await makeZombie();
    try {
      expect(await processState(zombie.pid)).toBe('Z');
      // A zombie has no command line any more, but still a parent.
      expect(await readFile(`/proc/${zombie.pid}/cmdline`, 'utf8')).toBe('');
      const stat = await readFile(`/proc/${zombie.pid}/stat`, 'utf8');
      expect(stat).toMatch(new RegExp(`^${zombie.pid} \\(sleep\\) Z ${zombie.parentPid} `));
      // Signals do nothing to it.
      process.kill(zombie.pid, 'SIGKILL');
      expect(await processState(zombie.pid)).toBe('Z');
    } finally {
      await zombie.stop();
    }
    expect(await exists(zombie.pid)).toBe(false);
    expect(await exists(zombie.parentPid)).toBe(false);
  });
});

describe('processesMatching', () => {
  it('finds a live process by its command line and leaves out zombies', async () => {
    const marker = `snaptray-marker-${process.pid}-${Date.now()}`;
    const child = spawn('/bin/sh', ['-c', 'sleep 30; : "$0"', marker], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const zombie = await makeZombie();
    try {
      expect(await processesMatching(marker)).toEqual([
        { pid: child.pid, argv: ['/bin/sh', '-c', 'sleep 30; : "$0"', marker] },
      ]);
      const sleeps = (await processesMatching('sleep')).map((m) => m.pid);
      expect(sleeps).not.toContain(zombie.pid);
      expect(sleeps).toContain(child.pid);
    } finally {
      child.kill('SIGKILL');
      await exited;
      await zombie.stop();
    }
    expect(await processesMatching(marker)).toEqual([]);
  });
});

describe('fakeRsyncProcess', () => {
  it('is named rsync in /proc, with the start time of field 22', async () => {
    const fake = await fakeRsyncProcess();
    try {
      expect(await readFile(`/proc/${fake.pid}/comm`, 'utf8')).toBe('rsync\n');
      const argv = (await readFile(`/proc/${fake.pid}/cmdline`, 'utf8')).split('\0');
      expect(argv[0]).toMatch(/\/rsync$/);
      expect(fake.startTime).toBe(await processStartTime(fake.pid));
      // Field 22 counts clock ticks after boot: a process started now has a later one than PID 1.
      expect(fake.startTime).toBeGreaterThan((await processStartTime(1)) ?? Infinity);
      expect(await processState(fake.pid)).toMatch(/^[RS]$/);
      expect((await processesMatching('rsync')).map((m) => m.pid)).toContain(fake.pid);
    } finally {
      await fake.stop();
    }
    expect(await exists(fake.pid)).toBe(false);
  });
});
