/**
 * The one module that starts processes. Everything goes as an argument array, never through a
 * shell. Injected into the runner as a `Spawn` so tests can observe what ran.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface SpawnRequest {
  file: string;
  args: readonly string[];
  signal?: AbortSignal;
  /** Called with each decoded chunk as it arrives; output is then not kept. */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  env?: Record<string, string>;
  cwd?: string;
  /** stdin contents; stdin is closed otherwise. */
  input?: string;
  /**
   * End the program when this process dies, even by SIGKILL (`setpriv --pdeathsig TERM`, where
   * util-linux has it): an rsync must not go on writing into a snapshot after its run is gone.
   */
  dieWithParent?: boolean;
  /** Called with the PID once the program runs (the same PID after setpriv execs it). */
  onStart?: (pid: number) => void;
}

export interface SpawnResult {
  exitCode: number | null;
  signal: string | null;
  /** Whole stdout when no onStdout is given, else ''. */
  stdout: string;
  /** The last 64 KiB of stderr. */
  stderr: string;
  cancelled: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  startError: string | null;
}

export type Spawn = (req: SpawnRequest) => Promise<SpawnResult>;

const STDERR_TAIL = 64 * 1024;
/** After SIGTERM, a program that has not ended within this long gets SIGKILL. */
const FORCE_KILL_AFTER_MS = 5000;

// node:child_process rather than execa: execa's imports alone cost the CLI ~0.15 s at start-up.
export const spawnProcess: Spawn = (req) =>
  new Promise<SpawnResult>((resolve) => {
    let stderr = '';
    let stdout = '';
    let cancelled = false;
    let forceKill: NodeJS.Timeout | null = null;
    let child: ChildProcess;
    const setpriv = req.dieWithParent === true ? setprivPath() : null;
    const file = setpriv ?? req.file;
    const args = setpriv !== null ? ['--pdeathsig', 'TERM', req.file, ...req.args] : req.args;
    try {
      child = spawn(file, [...args], {
        // Like execa: the given variables on top of this process's environment.
        env: req.env === undefined ? process.env : { ...process.env, ...req.env },
        cwd: req.cwd,
        stdio: [req.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (e) {
      resolve(notStarted((e as Error).message));
      return;
    }
    const cancel = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      cancelled = true;
      child.kill('SIGTERM');
      forceKill = setTimeout(() => child.kill('SIGKILL'), FORCE_KILL_AFTER_MS);
      forceKill.unref();
    };
    req.signal?.addEventListener('abort', cancel, { once: true });
    if (child.pid !== undefined) req.onStart?.(child.pid);
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      if (req.onStdout) req.onStdout(chunk);
      else stdout += chunk;
    });
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
      req.onStderr?.(chunk);
    });
    if (req.input !== undefined && child.stdin) {
      // A program that exits without reading its input must not fail the run with EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(req.input);
    }
    let startError: string | null = null;
    child.once('error', (error) => {
      startError ??= error.message;
      // 'close' does not follow when the program never started.
      if (child.pid === undefined) finish(null, null);
    });
    child.once('close', (code, signal) => finish(code, signal));
    // A killed program's own children may hold the pipes open: stop waiting for them.
    child.once('exit', () => {
      if (!cancelled) return;
      child.stdout?.destroy();
      child.stderr?.destroy();
    });
    let done = false;
    function finish(code: number | null, signal: NodeJS.Signals | null): void {
      if (done) return;
      done = true;
      req.signal?.removeEventListener('abort', cancel);
      if (forceKill !== null) clearTimeout(forceKill);
      if (startError !== null && child.pid === undefined) {
        resolve(notStarted(startError));
        return;
      }
      resolve({ exitCode: code, signal, stdout, stderr, cancelled, startError: null });
    }
    if (req.signal?.aborted) cancel();
  });

let setprivCache: string | null | undefined;

/** util-linux's setpriv, if this machine has it. */
function setprivPath(): string | null {
  if (setprivCache !== undefined) return setprivCache;
  setprivCache = null;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/bin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, 'setpriv'), constants.X_OK);
      setprivCache = join(dir, 'setpriv');
      break;
    } catch {
      // not in this folder
    }
  }
  return setprivCache;
}

function notStarted(message: string): SpawnResult {
  return {
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    cancelled: false,
    startError: message,
  };
}
