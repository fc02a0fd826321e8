import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHook } from '../../../core/backup/hooks.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'snaptray-hooks-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Running, as opposed to gone or a zombie nobody reaped (pid 1 here is no real init). */
function isRunning(pid: number): boolean {
  const stat = spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout;
  if (stat === '') return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  return state !== 'Z' && state !== 'X';
}

async function readPid(path: string): Promise<number> {
  return Number((await readFile(path, 'utf8')).trim());
}

const vars = (extra: Record<string, string> = {}): Record<string, string> => ({
  SNAPTRAY_PROFILE: 'default',
  SNAPTRAY_SNAPSHOT: 'univac-2026-11-26-030000',
  SNAPTRAY_STATUS: 'ok',
  SNAPTRAY_EXIT_CODE: '0',
  SNAPTRAY_DEST: 'root@192.0.2.1:/mnt/sda1/backups',
  ...extra,
});

describe('runHook', () => {
  it("does not pass on Electron's node mode, which the packaged CLI runs in", async () => {
    const seen = join(dir, 'seen');
    process.env.ELECTRON_RUN_AS_NODE = '1';
    try {
      const result = await runHook(
        'printf "%s %s" "${ELECTRON_RUN_AS_NODE:-unset}" "$SNAPTRAY_STATUS" > "$OUT"',
        vars({ OUT: seen }),
        5,
      );
      expect(result).toEqual({ kind: 'ok' });
    } finally {
      delete process.env.ELECTRON_RUN_AS_NODE;
    }
    expect(await readFile(seen, 'utf8')).toBe('unset ok');
  });

  it('succeeds without running anything for an empty command', async () => {
    expect(await runHook('', vars(), 5)).toEqual({ kind: 'ok' });
    expect(await runHook('  \n ', vars(), 5)).toEqual({ kind: 'ok' });
  });

  it('gives the hook its variables, plus the normal environment', async () => {
    const out = join(dir, 'out.txt');
    const result = await runHook(
      `printf '%s|%s|%s|%s|%s|%s' "$SNAPTRAY_PROFILE" "$SNAPTRAY_SNAPSHOT" "$SNAPTRAY_STATUS" ` +
        `"$SNAPTRAY_EXIT_CODE" "$SNAPTRAY_DEST" "$(basename "$(command -v ls)")" > "$OUT"`,
      vars({ OUT: out }),
      10,
    );
    expect(result).toEqual({ kind: 'ok' });
    expect(await readFile(out, 'utf8')).toBe(
      'default|univac-2026-11-26-030000|ok|0|root@192.0.2.1:/mnt/sda1/backups|ls',
    );
  });

  it('passes hostile values literally: they are data, not commands', async () => {
    const out = join(dir, 'out.txt');
    const hostile = `a b $(touch ${dir}/pwned) \`id\` "q" 'q' ; rm -rf /nonexistent`;
    const result = await runHook(
      'printf "%s" "$SNAPTRAY_SNAPSHOT" > "$OUT"',
      vars({ OUT: out, SNAPTRAY_SNAPSHOT: hostile }),
      10,
    );
    expect(result).toEqual({ kind: 'ok' });
    expect(await readFile(out, 'utf8')).toBe(hostile);
    await expect(readFile(join(dir, 'pwned'))).rejects.toThrow(/ENOENT/);
  });

  it('reports a failing exit code with the end of its output', async () => {
    const result = await runHook('echo starting; echo "no such mount" >&2; exit 3', vars(), 10);
    expect(result).toEqual({
      kind: 'failed',
      exitCode: 3,
      signal: null,
      timedOut: false,
      outputTail: 'starting\nno such mount\n',
    });
  });

  it('does not wait for input: stdin is closed', async () => {
    // With stdin open, cat would wait until the 10 s timeout and fail as timed out.
    expect(await runHook('cat', vars(), 10)).toEqual({ kind: 'ok' });
  });

  it('keeps only the last 4 KiB of a chatty hook', async () => {
    const result = await runHook(
      'i=0; while [ $i -lt 20000 ]; do echo "line $i ✓"; i=$((i+1)); done; echo END; exit 1',
      vars(),
      30,
    );
    if (result.kind !== 'failed') throw new Error('expected a failure');
    expect(Buffer.byteLength(result.outputTail)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(result.outputTail)).toBeGreaterThan(4000);
    expect(result.outputTail.endsWith('line 19999 ✓\nEND\n')).toBe(true);
    expect(result.outputTail).not.toContain('\uFFFD');
  });

  it('stops a hook that runs past its timeout', async () => {
    const started = performance.now();
    const result = await runHook('sleep 30', vars(), 1);
    const seconds = (performance.now() - started) / 1000;
    expect(result).toEqual({
      kind: 'failed',
      exitCode: null,
      signal: 'SIGTERM',
      timedOut: true,
      outputTail: '',
    });
    // Stopped at the timeout, not when sleep ends by itself 30 s later.
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThan(25);
  });

  it('stops the programs the hook started, too', async () => {
    const pidFile = join(dir, 'pid');
    const result = await runHook(`sleep 100 & echo $! > "${pidFile}"; wait`, vars(), 1);
    expect(result).toMatchObject({ kind: 'failed', timedOut: true });
    const grandchild = await readPid(pidFile);
    expect(grandchild).toBeGreaterThan(0);
    expect(isRunning(grandchild)).toBe(false);
  });

  it('kills programs that ignore SIGTERM after a grace period', async () => {
    const pidFile = join(dir, 'pid');
    const started = performance.now();
    const result = await runHook(
      `(trap '' TERM; exec sleep 100) & echo $! > "${pidFile}"; trap '' TERM; wait`,
      vars(),
      1,
    );
    expect(result).toMatchObject({ kind: 'failed', timedOut: true, signal: 'SIGKILL' });
    expect(isRunning(await readPid(pidFile))).toBe(false);
    // Killed after the grace period, long before sleep would end by itself.
    expect(performance.now() - started).toBeLessThan(60_000);
  });

  it('ends at the timeout even when an escaped program keeps its output open', async () => {
    const pidFile = join(dir, 'pid');
    const started = performance.now();
    const result = await runHook(
      `setsid sh -c 'echo $$ > "${pidFile}"; exec sleep 30' & echo waiting`,
      vars(),
      1,
    );
    try {
      // The escaped sleep holds the output open for 30 s: the hook ended well before.
      expect(performance.now() - started).toBeLessThan(25_000);
      expect(result).toMatchObject({ kind: 'failed', timedOut: true, outputTail: 'waiting\n' });
    } finally {
      process.kill(await readPid(pidFile), 'SIGKILL');
    }
  });

  it('is cancelled by its AbortSignal, with everything it started', async () => {
    const pidFile = join(dir, 'pid');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = performance.now();
    const result = await runHook(
      `sleep 100 & echo $! > "${pidFile}"; wait`,
      vars(),
      60,
      controller.signal,
    );
    // Ended by the signal, not by the 60 s timeout (which would say timedOut) nor by sleep.
    expect(performance.now() - started).toBeLessThan(50_000);
    expect(result).toMatchObject({ kind: 'failed', timedOut: false, exitCode: null });
    expect(isRunning(await readPid(pidFile))).toBe(false);
  });

  it('does not start when already cancelled', async () => {
    const out = join(dir, 'ran');
    const result = await runHook(`touch "${out}"`, vars(), 10, AbortSignal.abort());
    expect(result).toMatchObject({ kind: 'failed', timedOut: false });
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  it('leaves a hook that finishes in time alone', async () => {
    const result = await runHook('sleep 0.2; echo done', vars(), 5);
    expect(result).toEqual({ kind: 'ok' });
  });
});
