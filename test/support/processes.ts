import { spawn } from 'node:child_process';
import { access, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Processes as the lock and clean-up code meets them: a zombie that still owns its PID, an rsync
 * left running by a killed parent, and a stranger whose name is `rsync`. Everything is read from
 * /proc, as the app does.
 */

/** A process started for a test; `stop()` ends it (and reaps it) and removes what it made. */
export interface TestProcess {
  pid: number;
  stop(): Promise<void>;
}

/** A process that has exited but was never reaped: /proc/PID/stat says `Z`. */
export interface Zombie extends TestProcess {
  /** The shell that does not reap it until `stop()`. */
  parentPid: number;
}

/** A live process whose /proc/PID/comm reads `rsync`, though it is only `sleep`. */
export interface FakeRsync extends TestProcess {
  /** Field 22 of /proc/PID/stat: clock ticks after boot, which tells a reused PID apart. */
  startTime: number;
}

export interface ProcessMatch {
  pid: number;
  /** The arguments, split at the NUL bytes of /proc/PID/cmdline. */
  argv: string[];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The fields of /proc/PID/stat after the command name, so that `fields[0]` is field 3 (state). */
async function statFields(pid: number): Promise<string[] | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return null;
  // The command name (field 2) may hold spaces and parentheses; it ends at the last `)`.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The state letter of /proc/PID/stat (`R`, `S`, `Z`, …), or null once the PID is gone. */
export async function processState(pid: number): Promise<string | null> {
  return (await statFields(pid))?.[0] ?? null;
}

/** Field 22 of /proc/PID/stat (start time in clock ticks after boot), or null once gone. */
export async function processStartTime(pid: number): Promise<number | null> {
  const fields = await statFields(pid);
  return fields === null ? null : Number(fields[19]);
}

async function parentOf(pid: number): Promise<number | null> {
  const fields = await statFields(pid);
  return fields === null ? null : Number(fields[1]);
}

async function waitFor(what: string, test: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
    await sleep(10);
  }
}

/** Starts a child that Node reaps itself once it ends. */
function start(file: string, args: readonly string[]) {
  const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'ignore'] });
  child.unref();
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  return { child, exited };
}

/**
 * A real zombie: `sh -c 'sleep 0 & read x; wait'` forks `sleep 0` and then blocks reading its
 * standard input without reaping, so the finished `sleep 0` stays a zombie. `stop()` closes that
 * input; the shell's `wait` then reaps the zombie (nothing is left to PID 1, which in a container
 * may never reap).
 */
export async function makeZombie(): Promise<Zombie> {
  const { child, exited } = start('/bin/sh', ['-c', 'sleep 0 & read x; wait']);
  const parentPid = child.pid;
  if (parentPid === undefined) throw new Error('could not start /bin/sh');
  let zombie = 0;
  const stop = async (): Promise<void> => {
    child.stdin?.end();
    const timer = setTimeout(() => signal(parentPid, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor('no zombie child of sh', async () => {
      for (const pid of await childrenOf(parentPid)) {
        if ((await processState(pid)) === 'Z') zombie = pid;
      }
      return zombie !== 0;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: zombie, parentPid, stop };
}

/**
 * Live processes (zombies left out) whose /proc/PID/cmdline contains `pattern`, this process
 * excepted: how a test finds an rsync left running after its parent died.
 */
export async function processesMatching(pattern: string): Promise<ProcessMatch[]> {
  const found: ProcessMatch[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`).catch(() => null);
    if (cmdline === null || cmdline.length === 0) continue;
    const text = cmdline.toString('utf8');
    if (!text.includes(pattern)) continue;
    const state = await processState(pid);
    if (state === null || state === 'Z' || state === 'X') continue;
    found.push({ pid, argv: text.replace(/\0$/, '').split('\0') });
  }
  return found.sort((a, b) => a.pid - b.pid);
}

/**
 * A long-running process named `rsync` that is not rsync: a symbolic link called `rsync` to
 * /bin/sleep, executed through the link, so /proc/PID/comm and argv[0] both say `rsync`.
 */
export async function fakeRsyncProcess(seconds = 300): Promise<FakeRsync> {
  return namedProcess('rsync', '/bin/sleep', [String(seconds)]);
}

/** A live process under a name of the test's choosing, whose end the test sees. */
export interface NamedProcess extends FakeRsync {
  /** Resolves when it has ended: with the signal that ended it, or null for an exit. */
  ended: Promise<NodeJS.Signals | null>;
}

/**
 * `program` run through a symbolic link called `name` (at most 15 characters: /proc/PID/comm then
 * reads `name`). With `ready`, the program writes that line once it is set up (a trap installed),
 * and this waits for it.
 */
export async function namedProcess(
  name: string,
  program: string,
  args: readonly string[],
  opts: { ready?: string } = {},
): Promise<NamedProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'snaptray-named-'));
  const link = join(dir, name);
  await symlink(program, link);
  const child = spawn(link, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  child.unref();
  const ended = new Promise<NodeJS.Signals | null>((resolve) => {
    child.once('exit', (_code, sig) => resolve(sig));
    child.once('error', () => resolve(null));
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const pid = child.pid;
  const stop = async (): Promise<void> => {
    if (pid !== undefined) signal(pid, 'SIGKILL');
    await ended;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if (pid === undefined) throw new Error(`could not start ${link}`);
    // Until exec() the child is still a copy of node; wait for the new program's name.
    await waitFor(`${name} did not start`, async () => {
      const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
      return comm === `${name}\n` && (opts.ready === undefined || output.includes(opts.ready));
    });
    const startTime = await processStartTime(pid);
    if (startTime === null) throw new Error(`${name} ended at once`);
    return { pid, startTime, ended, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The direct children of `pid`, read from /proc. */
export async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const name of await readdir('/proc')) {
    if (/^\d+$/.test(name) && (await parentOf(Number(name))) === pid) children.push(Number(name));
  }
  return children;
}

/** The processes below `root`, read from /proc: children first, then grandchildren, … */
export async function descendantsByDepth(root: number): Promise<number[][]> {
  const children = new Map<number, number[]>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = await parentOf(Number(name));
    if (ppid === null) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const levels: number[][] = [];
  for (let level = children.get(root) ?? []; level.length > 0;) {
    levels.push(level);
    level = level.flatMap((pid) => children.get(pid) ?? []);
  }
  return levels;
}

/** Whether the process still exists, zombie or not. */
export async function exists(pid: number): Promise<boolean> {
  return access(`/proc/${pid}`).then(
    () => true,
    () => false,
  );
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

async function waitUntilGone(pids: readonly number[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!(await Promise.all(pids.map(exists))).some(Boolean)) return true;
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
}

/** SIGTERM, then SIGKILL; waits until each process is reaped by its parent. */
export async function terminate(pids: readonly number[]): Promise<void> {
  for (const pid of pids) signal(pid, 'SIGTERM');
  if (await waitUntilGone(pids, 3_000)) return;
  for (const pid of pids) if ((await processState(pid)) !== 'Z') signal(pid, 'SIGKILL');
  await waitUntilGone(pids, 5_000);
}

/**
 * Ends `root` and everything below it, deepest first, so that each process is reaped by its
 * still-living parent (a server's connection processes, the shells they run, rsync).
 */
export async function terminateTree(root: number): Promise<void> {
  for (const level of (await descendantsByDepth(root)).reverse()) await terminate(level);
  await terminate([root]);
}
