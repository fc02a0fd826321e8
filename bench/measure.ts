/** Running programs and timing them: the primitives every benchmark case shares. */
import { spawn } from 'node:child_process';

export interface Timed {
  code: number | null;
  ms: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end; stdout is kept only when asked (rsync's itemized output is large). */
export function runTimed(
  file: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; keepStdout?: boolean; cwd?: string } = {},
): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, [...args], {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      if (opts.keepStdout === true) stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr = (stderr + c).slice(-16_384);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, ms: performance.now() - started, stdout, stderr });
    });
  });
}

/** Runs a program and throws with its stderr when it fails: for setup steps, not measured runs. */
export async function runChecked(
  file: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; keepStdout?: boolean } = {},
): Promise<Timed> {
  const r = await runTimed(file, args, opts);
  if (r.code !== 0) {
    throw new Error(`${file} ${args.join(' ')} exited ${String(r.code)}: ${r.stderr.trim()}`);
  }
  return r;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The order in which contenders run in repetition `rep`: rotated so none always goes first. */
export function rotateOrder<T>(items: readonly T[], rep: number): T[] {
  const k = rep % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
