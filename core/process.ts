/**
 * The one module that starts processes. Everything goes as an argument array, never through a
 * shell. Injected into the runner as a `Spawn` so tests can observe what ran.
 */
import { execa } from 'execa';

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

export const spawnProcess: Spawn = async (req) => {
  let stderr = '';
  const keepStderr = (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
    req.onStderr?.(chunk);
  };
  const child = execa(req.file, [...req.args], {
    reject: false,
    cancelSignal: req.signal,
    forceKillAfterDelay: 5000,
    ...(req.input === undefined ? { stdin: 'ignore' as const } : { input: req.input }),
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: { stdout: req.onStdout === undefined, stderr: false },
    encoding: 'utf8',
    stripFinalNewline: false,
    env: req.env,
    cwd: req.cwd,
  });
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  if (req.onStdout) child.stdout?.on('data', req.onStdout);
  child.stderr?.on('data', keepStderr);
  const result = await child;
  const startError =
    result.exitCode === undefined && result.signal === undefined && !result.isCanceled
      ? (result.originalMessage ?? result.shortMessage ?? 'could not start')
      : null;
  return {
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr,
    cancelled: result.isCanceled === true,
    startError,
  };
};
