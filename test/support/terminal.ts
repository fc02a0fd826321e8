/**
 * The CLI on a real pseudo-terminal (util-linux `script`), as a user at a terminal runs it.
 */
import { spawn } from 'node:child_process';
import { shellLine } from '../../core/cli/shell-words.js';
import { CLI, type CliHome } from './cli.js';

/** What a status line writes to clear itself: a carriage return and "erase line". */
export const CLEAR = '\r\u001b[2K';

export interface Terminal {
  code: number | null;
  /** Everything the terminal received, escape sequences included. */
  raw: string;
  /** Each state of the status line and each printed line, in order. */
  lines: string[];
  ms: number;
}

/**
 * Runs `snaptray ARGS` on a pseudo-terminal; `keys.type` is typed once `keys.when` is on the
 * screen. The command line starts with `exec`: a shell left waiting between the terminal and the
 * CLI would take Ctrl-C itself, and dash (the /bin/sh `script` uses when SHELL is unset, as under
 * CI) then dies of it after the CLI has exited, hiding the CLI's exit code behind 130.
 */
export function onTerminal(
  home: CliHome,
  args: string[],
  keys?: { when: RegExp; type: string },
): Promise<Terminal> {
  const started = Date.now();
  const child = spawn(
    'script',
    ['-q', '-e', '-c', `exec ${shellLine([process.execPath, CLI, ...args])}`, '/dev/null'],
    { env: { ...home.env, TERM: 'xterm', SHELL: '/bin/sh' }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let raw = '';
  let typed = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    raw += chunk;
    if (keys && !typed && keys.when.test(raw)) {
      typed = true;
      child.stdin.write(keys.type);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = raw
        .split(/\r\n|\r|\n/)
        .map((l) => l.split(CLEAR.slice(1)).join(''))
        .filter((l) => l !== '');
      resolve({ code, raw, lines, ms: Date.now() - started });
    });
  });
}
