/**
 * Whether a process recorded in a lock is still the one that was recorded, from /proc: a zombie
 * is dead (on machines whose PID 1 does not reap orphans zombies are common), and so is a PID
 * that now names another process (its start time differs).
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

export interface ProcessStat {
  /** R, S, D, Z, T, X, … */
  state: string;
  /** Clock ticks after boot at which the process started: with the PID, it names one process. */
  startTime: string;
  /** The executable's name, at most 15 characters. */
  comm: string;
}

/** /proc/PID/stat, or null when there is no such process (or no /proc). */
export async function readProcessStat(pid: number): Promise<ProcessStat | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (text === null) return null;
  // `PID (comm) state ppid …`: comm may hold spaces and parentheses, so cut at the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return {
    state: fields[0] ?? '',
    startTime: fields[19] ?? '',
    comm: text.slice(open + 1, close),
  };
}

/** This process's start time, to record beside its PID. */
export async function ownStartTime(): Promise<string | null> {
  return (await readProcessStat(process.pid))?.startTime ?? null;
}

/**
 * Alive and still the recorded process. Without a recorded start time (a lock from an older
 * version) only existence and the zombie state count; without /proc, kill(pid, 0) decides.
 */
export async function isAlive(pid: number, startTime: string | null | undefined): Promise<boolean> {
  const stat = await readProcessStat(pid);
  if (stat === null) return (await hasProcFs()) ? false : signalZeroSucceeds(pid);
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return startTime == null || startTime === '' || stat.startTime === startTime;
}

let procFs: Promise<boolean> | null = null;
function hasProcFs(): Promise<boolean> {
  procFs ??= readFile('/proc/self/stat', 'utf8').then(
    () => true,
    () => false,
  );
  return procFs;
}

function signalZeroSucceeds(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The programs a run starts rsync through; only these are ever stopped by PID from a lock. */
const RUN_PROGRAMS = new Set(['rsync', 'nice', 'ionice', 'setpriv']);

/**
 * Stops a process a dead run left behind (its rsync, still writing into the snapshot): SIGTERM,
 * then SIGKILL after `graceMs`. Only if it is still the recorded process and one of the programs
 * a run starts. Resolves true when it is gone (or was never there).
 */
export async function stopLeftover(
  pid: number,
  startTime: string | null | undefined,
  graceMs = 5000,
): Promise<boolean> {
  const stat = await readProcessStat(pid);
  if (stat === null || !(await isAlive(pid, startTime))) return true;
  if (!RUN_PROGRAMS.has(stat.comm)) return true;
  send(pid, 'SIGTERM');
  if (await waitUntilDead(pid, startTime, graceMs)) return true;
  send(pid, 'SIGKILL');
  return waitUntilDead(pid, startTime, 5000);
}

function send(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already, or not ours to signal
  }
}

async function waitUntilDead(
  pid: number,
  startTime: string | null | undefined,
  ms: number,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!(await isAlive(pid, startTime))) return true;
    if (Date.now() >= deadline) return false;
    await delay(50);
  }
}
