import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * The user's pre/after/fail hooks: their own shell commands, run with `/bin/sh -c` on purpose.
 * Values reach the command only through the environment (SNAPTRAY_PROFILE, SNAPTRAY_SNAPSHOT,
 * SNAPTRAY_STATUS, SNAPTRAY_EXIT_CODE, SNAPTRAY_DEST), never by pasting them into the command.
 */

export interface HookOk {
  kind: 'ok';
}

export interface HookFailed {
  kind: 'failed';
  /** null when the hook was killed or could not start. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** The last 4 KiB of what the hook wrote to stdout and stderr. */
  outputTail: string;
}

export type HookResult = HookOk | HookFailed;

const TAIL_BYTES = 4096;
/** Between SIGTERM and SIGKILL: time for the hook's programs to clean up. */
const KILL_GRACE_MS = 2000;
/** After SIGKILL, how long to wait for output pipes held by programs that left the group. */
const PIPE_GRACE_MS = 1000;
const POLL_MS = 50;

/**
 * Runs one hook. A timeout (in seconds; 0 means none) or an abort stops the hook's whole process
 * group, so programs it started die with it. An empty command succeeds without running. A
 * program the hook leaves in the background with its output still open is waited for too.
 */
export async function runHook(
  command: string,
  env: Record<string, string>,
  timeoutSeconds: number,
  signal?: AbortSignal,
): Promise<HookResult> {
  if (command.trim() === '') return { kind: 'ok' };
  const tail = createOutputTail(TAIL_BYTES);
  if (signal?.aborted === true) return failed(null, null, false, tail);

  // Loaded only when a hook is set: execa's imports cost start-up time on every run.
  const { execa } = await import('execa');
  const subprocess = execa('/bin/sh', ['-c', command], {
    // The packaged app runs the CLI in Electron's node mode; a hook must not inherit that.
    env: { ...process.env, ...env, ELECTRON_RUN_AS_NODE: undefined },
    extendEnv: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    // Its own process group, so that one kill reaches every program the hook started.
    detached: true,
  });
  subprocess.stdout?.on('data', (chunk: Buffer) => tail.push(chunk));
  subprocess.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));

  let timedOut = false;
  let stopping: Promise<void> | null = null;
  const stop = (): void => {
    if (stopping !== null || subprocess.pid === undefined) return;
    const pid = subprocess.pid;
    stopping = stopProcessGroup(pid).then(async () => {
      // A program that left the group may still hold the pipes open: stop waiting for them.
      await Promise.race([subprocess, delay(PIPE_GRACE_MS)]);
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
    });
  };
  const timer =
    timeoutSeconds > 0
      ? setTimeout(() => {
          timedOut = true;
          stop();
        }, timeoutSeconds * 1000)
      : null;
  signal?.addEventListener('abort', stop, { once: true });

  try {
    const result = await subprocess;
    if (stopping !== null) await stopping;
    const exitCode = result.exitCode ?? null;
    const exitSignal = result.signal ?? null;
    if (exitCode === 0 && stopping === null) return { kind: 'ok' };
    if (exitCode === null && exitSignal === null && stopping === null) {
      tail.push(Buffer.from(result.shortMessage ?? result.message ?? ''));
    }
    return failed(exitCode, exitSignal, timedOut, tail);
  } finally {
    if (timer !== null) clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
  }
}

function failed(
  exitCode: number | null,
  signal: string | null,
  timedOut: boolean,
  tail: OutputTail,
): HookFailed {
  return { kind: 'failed', exitCode, signal, timedOut, outputTail: tail.text() };
}

interface OutputTail {
  push(chunk: Buffer): void;
  text(): string;
}

/** Keeps only the last `limit` bytes, however much the hook prints. */
function createOutputTail(limit: number): OutputTail {
  let kept = Buffer.alloc(0);
  let truncated = false;
  return {
    push(chunk) {
      const joined = Buffer.concat([kept, chunk]);
      truncated ||= joined.length > limit;
      kept = joined.length > limit ? Buffer.from(joined.subarray(joined.length - limit)) : joined;
    },
    text() {
      let start = 0;
      // Do not begin with the broken remains of a multi-byte character.
      while (truncated && start < 3 && start < kept.length && (kept[start]! & 0xc0) === 0x80) {
        start += 1;
      }
      return kept.subarray(start).toString('utf8');
    },
  };
}

/** SIGTERM to the group, SIGKILL to whatever is still running after the grace period. */
async function stopProcessGroup(pgid: number): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + KILL_GRACE_MS;
  while (Date.now() < deadline) {
    if (!(await groupHasLiveMembers(pgid))) return;
    await delay(POLL_MS);
  }
  signalGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 20 && (await groupHasLiveMembers(pgid)); i++) await delay(POLL_MS / 2);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Whether any process of the group still runs. Zombies do not count: orphans may never be reaped
 * where pid 1 is not a real init (containers), and they hold no resources.
 */
async function groupHasLiveMembers(pgid: number): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return groupExists(pgid);
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the parenthesized command name: state, ppid, pgrp, ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[2] === String(pgid) && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
