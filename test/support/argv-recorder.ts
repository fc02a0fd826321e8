/** A stand-in for the app's launcher that records the arguments it was started with. */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface ArgvRecorder {
  /** The program to name as the app (`--app`). */
  program: string;
  /** The arguments of its one run, waiting until it has run. */
  argv(): Promise<string[]>;
}

/**
 * The program writes its arguments NUL-separated (a line break may be part of one) to a file of
 * its own, complete or not at all (written beside it, then renamed).
 */
export async function makeArgvRecorder(folder: string): Promise<ArgvRecorder> {
  const program = join(folder, 'launcher');
  const out = join(folder, 'argv');
  await writeFile(
    program,
    `#!/bin/sh\nprintf '%s\\0' "$@" > '${out}.tmp' && mv '${out}.tmp' '${out}'\n`,
  );
  await chmod(program, 0o755);
  return {
    program,
    async argv() {
      for (let i = 0; i < 400; i++) {
        const text = await readFile(out, 'utf8').catch(() => null);
        if (text !== null) return text.split('\0').slice(0, -1);
        await delay(25);
      }
      throw new Error(`${program} was not run.`);
    },
  };
}
