/** What a command gives back: one exit code, one JSON object, and words for people. */
import type { Failure } from '../errors.js';
import type { Places } from '../environment.js';

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export interface Output {
  exitCode: number;
  /** Printed as the one object on stdout with --json. */
  json: Record<string, unknown>;
  /** The result in words: stdout on success, stderr on failure. */
  text: string;
  /** Printed to stderr in text mode whatever the outcome, so cron mails them (JSON has them too). */
  warnings?: readonly string[];
}

/** What every command gets from the process it runs in. */
export interface CommandContext {
  places: Places;
  signal: AbortSignal;
  io: Io;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function failedOutput(
  json: (error: Failure) => Record<string, unknown>,
  exitCode: number,
  error: Failure,
): Output {
  return { exitCode, json: json(error), text: `snaptray: ${error.message}\n` };
}

export { plural } from '../format.js';
