import { spawn } from 'node:child_process';
import type { Sshd } from './sshd.js';
import { sshArgs } from './sshd.js';

/** What a finished program left: its exit code (null when a signal ended it) and its output. */
export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a program without a shell; a non-zero exit is a result here, not an error. */
export function runProgram(
  file: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
  });
}

/**
 * The `rsync -e` string for a server (sshd or router), optionally with another client key.
 * rsync splits that string at spaces itself, so no path in it may hold one.
 */
export function rsyncShell(server: Sshd, key = server.clientKey): string {
  const args = sshArgs(server).map((a) => (a === server.clientKey ? key : a));
  for (const a of args) if (/\s/.test(a)) throw new Error(`space in ssh argument ${a}`);
  return ['ssh', ...args].join(' ');
}
