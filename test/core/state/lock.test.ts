import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, readLock } from '../../../core/state/lock.js';
import type { LockInfo } from '../../../core/state/lock.js';
import { stopLeftover } from '../../../core/state/liveness.js';
import {
  fakeRsyncProcess,
  makeZombie,
  processesMatching,
  processState,
} from '../../support/processes.js';

const LOCK_MODULE = resolve(import.meta.dirname, '../../../core/state/lock.ts');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'snaptray-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function me(startedAt = '2026-11-26T03:00:00.000Z', source: LockInfo['source'] = 'cli'): LockInfo {
  return { pid: process.pid, startedAt, source };
}

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync('/bin/true');
  if (child.pid === undefined) throw new Error('could not start /bin/true');
  return child.pid;
}

async function writeStaleLock(at: string, pid = deadPid()): Promise<void> {
  const body = { pid, startedAt: '2026-11-25T03:00:00.000Z', source: 'cli', token: 'old' };
  await writeFile(join(at, 'lock'), JSON.stringify(body) + '\n');
}

describe('acquireLock', () => {
  it('takes a free lock and writes who holds it, readable by the owner only', async () => {
    const result = await acquireLock(dir, me('2026-11-26T03:00:00.000Z', 'tray'));
    expect(result.kind).toBe('acquired');
    const body = JSON.parse(await readFile(join(dir, 'lock'), 'utf8')) as Record<string, unknown>;
    expect(body).toMatchObject({
      pid: process.pid,
      startedAt: '2026-11-26T03:00:00.000Z',
      source: 'tray',
    });
    expect((await stat(join(dir, 'lock'))).mode & 0o777).toBe(0o600);
    expect(await readLock(dir)).toEqual({
      pid: process.pid,
      startedAt: '2026-11-26T03:00:00.000Z',
      source: 'tray',
    });
  });

  it('reports the holder of a live lock', async () => {
    const first = await acquireLock(dir, me('2026-11-26T03:00:00.000Z', 'cli'));
    expect(first.kind).toBe('acquired');
    expect(await acquireLock(dir, me('2026-11-26T03:05:00.000Z', 'tray'))).toEqual({
      kind: 'held',
      pid: process.pid,
      startedAt: '2026-11-26T03:00:00.000Z',
      source: 'cli',
    });
  });

  it('is free again after release', async () => {
    const first = await acquireLock(dir, me());
    if (first.kind !== 'acquired') throw new Error('expected the lock');
    await first.release();
    expect(await readdir(dir)).toEqual([]);
    expect(await readLock(dir)).toBeNull();
    expect((await acquireLock(dir, me())).kind).toBe('acquired');
  });

  it('release leaves alone a lock that is no longer ours', async () => {
    const first = await acquireLock(dir, me('2026-11-26T03:00:00.000Z'));
    if (first.kind !== 'acquired') throw new Error('expected the lock');
    await rm(join(dir, 'lock'));
    const second = await acquireLock(dir, me('2026-11-26T04:00:00.000Z'));
    expect(second.kind).toBe('acquired');
    await first.release();
    expect(await readLock(dir)).toMatchObject({ startedAt: '2026-11-26T04:00:00.000Z' });
  });

  it('takes over a lock whose process is gone', async () => {
    await writeStaleLock(dir);
    expect(await readLock(dir)).toBeNull();
    expect((await acquireLock(dir, me('2026-11-26T05:00:00.000Z'))).kind).toBe('acquired');
    expect(await readLock(dir)).toMatchObject({ startedAt: '2026-11-26T05:00:00.000Z' });
    expect(await readdir(dir)).toEqual(['lock']);
  });

  it('takes over a lock from before a reboot even if its pid is in use again', async () => {
    const body = {
      pid: process.pid,
      startedAt: '2026-11-25T03:00:00.000Z',
      source: 'cli',
      bootId: '00000000-0000-0000-0000-000000000000',
      token: 'old',
    };
    await writeFile(join(dir, 'lock'), JSON.stringify(body));
    expect(await readLock(dir)).toBeNull();
    expect((await acquireLock(dir, me())).kind).toBe('acquired');
  });

  it('respects an unreadable lock younger than a minute (it may be being written)', async () => {
    await writeFile(join(dir, 'lock'), '');
    expect(await acquireLock(dir, me())).toEqual({
      kind: 'held',
      pid: null,
      startedAt: null,
      source: null,
    });
    expect(await readLock(dir)).toBeNull();
  });

  it('takes over an unreadable lock older than a minute', async () => {
    await writeFile(join(dir, 'lock'), '{"pid": 12');
    const old = new Date(Date.now() - 90_000);
    await utimes(join(dir, 'lock'), old, old);
    expect((await acquireLock(dir, me())).kind).toBe('acquired');
    expect(await readLock(dir)).toMatchObject({ pid: process.pid });
  });

  it('lets exactly one of many concurrent callers win a stale lock', async () => {
    for (let round = 0; round < 25; round++) {
      const roundDir = join(dir, String(round));
      await mkdir(roundDir);
      await writeStaleLock(roundDir);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => acquireLock(roundDir, me(`contender ${i}`))),
      );
      const winners = results.flatMap((r, i) => (r.kind === 'acquired' ? [i] : []));
      expect(winners).toHaveLength(1);
      // The file names the winner, and every loser was told so.
      const winner = `contender ${winners[0]}`;
      expect(await readLock(roundDir)).toMatchObject({ startedAt: winner });
      for (const r of results) if (r.kind === 'held') expect(r.startedAt).toBe(winner);
      expect(await readdir(roundDir)).toEqual(['lock']);
    }
  });

  it('lets exactly one of several processes win a stale lock', async () => {
    const script = join(dir, 'contender.mjs');
    await writeFile(
      script,
      `import { createInterface } from 'node:readline';
const { acquireLock } = await import(${JSON.stringify(LOCK_MODULE)});
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  const result = await acquireLock(line, {
    pid: process.pid, startedAt: new Date().toISOString(), source: 'cli' });
  // A winner keeps its lock (and stays alive) until the test ends.
  console.log(result.kind);
}
`,
    );
    type Contender = ChildProcessByStdio<Writable, Readable, null>;
    const children: Contender[] = Array.from({ length: 5 }, () =>
      spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: resolve(import.meta.dirname, '../../..'),
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    try {
      const lines = children.map((c) =>
        createInterface({ input: c.stdout })[Symbol.asyncIterator](),
      );
      const next = async (i: number): Promise<string> => {
        const line = await lines[i]!.next();
        if (line.done === true) throw new Error(`contender ${i} exited`);
        return String(line.value);
      };
      await Promise.all(children.map((_, i) => next(i).then((l) => expect(l).toBe('ready'))));
      for (let round = 0; round < 8; round++) {
        const roundDir = join(dir, `round-${round}`);
        await mkdir(roundDir);
        await writeStaleLock(roundDir);
        for (const c of children) c.stdin.write(roundDir + '\n');
        const kinds = await Promise.all(children.map((_, i) => next(i)));
        expect(kinds.filter((k) => k === 'acquired')).toHaveLength(1);
        expect(kinds.filter((k) => k === 'held')).toHaveLength(children.length - 1);
        const holder = await readLock(roundDir);
        expect(children.map((c) => c.pid)).toContain(holder?.pid);
      }
    } finally {
      for (const c of children) c.kill();
    }
  });
});

describe('readLock', () => {
  it('is null without a lock', async () => {
    expect(await readLock(dir)).toBeNull();
  });

  it('shows a run of another process that is still alive', async () => {
    const child = spawn('/bin/sleep', ['30']);
    try {
      const body = { pid: child.pid, startedAt: '2026-11-26T03:00:00.000Z', source: 'cli' };
      await writeFile(join(dir, 'lock'), JSON.stringify(body));
      expect(await readLock(dir)).toEqual(body);
      expect(await acquireLock(dir, me())).toEqual({ kind: 'held', ...body });
    } finally {
      child.kill();
    }
  });
});

describe('a lock whose process is not the one it names', () => {
  it('is stale when its PID now names another, live process (a reused PID)', async () => {
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const body = {
        pid: other.pid,
        pidStart: '1',
        startedAt: '2026-11-25T03:00:00.000Z',
        source: 'cli',
        token: 'old',
      };
      await writeFile(join(dir, 'lock'), JSON.stringify(body) + '\n');
      expect(await readLock(dir)).toBeNull();
      const taken = await acquireLock(dir, me());
      expect(taken.kind).toBe('acquired');
      // The unrelated process was left alone.
      expect(other.exitCode).toBeNull();
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('is stale when its process is a zombie', async () => {
    const zombie = await makeZombie();
    try {
      expect(await processState(zombie.pid)).toBe('Z');
      const body = { pid: zombie.pid, startedAt: '2026-11-25T03:00:00.000Z', source: 'cli' };
      await writeFile(join(dir, 'lock'), JSON.stringify(body) + '\n');
      expect(await readLock(dir)).toBeNull();
      expect((await acquireLock(dir, me())).kind).toBe('acquired');
    } finally {
      await zombie.stop();
    }
  });

  it('hands the rsync a dead run left behind to the run that takes over, which stops it', async () => {
    const leftover = await fakeRsyncProcess();
    try {
      const body = {
        pid: deadPid(),
        startedAt: '2026-11-25T03:00:00.000Z',
        source: 'cli',
        rsyncPid: leftover.pid,
        rsyncStart: String(leftover.startTime),
      };
      await writeFile(join(dir, 'lock'), JSON.stringify(body) + '\n');
      const taken = await acquireLock(dir, me());
      if (taken.kind !== 'acquired') throw new Error('the stale lock was not taken over');
      expect(taken.leftovers).toEqual([
        { pid: leftover.pid, startTime: String(leftover.startTime) },
      ]);
      expect(await stopLeftover(leftover.pid, String(leftover.startTime), 2000)).toBe(true);
      expect(await processesMatching(String(leftover.pid))).toEqual([]);
      expect(await processState(leftover.pid)).not.toBe('S');
    } finally {
      await leftover.stop();
    }
  });

  it('never stops a process that is not the recorded rsync', async () => {
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    const fake = await fakeRsyncProcess();
    try {
      // Not an rsync at all, and an rsync whose start time differs (its PID was reused).
      expect(await stopLeftover(stranger.pid!, null, 500)).toBe(true);
      expect(stranger.exitCode).toBeNull();
      expect(await stopLeftover(fake.pid, String(fake.startTime + 1), 500)).toBe(true);
      // Still alive and not stopped: sleeping, or running on a busy machine.
      expect(await processState(fake.pid)).toMatch(/^[SR]$/);
    } finally {
      stranger.kill('SIGKILL');
      await fake.stop();
    }
  });

  it('records the rsync of the run that holds it', async () => {
    const held = await acquireLock(dir, me());
    if (held.kind !== 'acquired') throw new Error('not acquired');
    await held.recordChild({ pid: 4242, startTime: '99' });
    const body = JSON.parse(await readFile(join(dir, 'lock'), 'utf8')) as Record<string, unknown>;
    expect(body).toMatchObject({ pid: process.pid, rsyncPid: 4242, rsyncStart: '99' });
    expect(await readLock(dir)).toMatchObject({ pid: process.pid });
    await held.release();
    expect(await readdir(dir)).toEqual([]);
  });
});
