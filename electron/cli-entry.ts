/** Whether `snaptray …` was asked to run the CLI (headless) or to start the tray. */
import { COMMANDS } from '../core/cli/args.js';

const CLI_WORDS: readonly string[] = [
  ...COMMANDS,
  'help',
  '--help',
  '-h',
  'version',
  '--version',
  '-V',
];

/**
 * The CLI's arguments when this argv is a CLI invocation, else null. A packaged app's argv is
 * `[executable, ...args]`; `electron path/to/app ...args` adds the app path (`defaultApp`).
 */
export function cliArguments(argv: readonly string[], defaultApp: boolean): string[] | null {
  const args = argv.slice(defaultApp ? 2 : 1);
  const first = args[0];
  return first !== undefined && CLI_WORDS.includes(first) ? args : null;
}
