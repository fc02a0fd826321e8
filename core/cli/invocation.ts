/**
 * How this installation runs the `snaptray` command, spelled so that cron or a systemd timer can
 * run it: absolute paths, no PATH lookup and no shell start-up files.
 */
import { realpathSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { configDir, stateRoot } from '../state/paths.js';

/** cron's PATH when a crontab does not set one. */
export const CRON_PATH = '/usr/bin:/bin';

export interface Invocation {
  /** The program and the words before the subcommand. */
  command: string[];
  /** Variables the scheduled run needs to find the same settings and state as this one. */
  environment: [string, string][];
}

/**
 * The packaged app's launcher says how it was started (SNAPTRAY_COMMAND: the deb's
 * /usr/bin/snaptray, or the AppImage file). An npm-linked `snaptray` is named as it is when the
 * `node` its first line asks for is the one running now on cron's PATH; otherwise node and the
 * script are named by absolute path, which works whatever PATH cron has.
 */
export function thisInvocation(
  env: NodeJS.ProcessEnv,
  cwd: string,
  argv: readonly string[] = process.argv,
  execPath: string = process.execPath,
): Invocation {
  const environment = carriedEnvironment(env);
  const launcher = env.SNAPTRAY_COMMAND;
  if (launcher !== undefined && launcher !== '') {
    return { command: [isAbsolute(launcher) ? launcher : resolve(cwd, launcher)], environment };
  }
  const script = resolve(cwd, argv[1] ?? '');
  if (basename(script) === 'snaptray' && nodeOnCronPath() === realOrNull(execPath)) {
    return { command: [script], environment };
  }
  return { command: [execPath, realOrNull(script) ?? script], environment };
}

/**
 * XDG_CONFIG_HOME and XDG_STATE_HOME, when this session sets them to other folders than cron
 * would use: the scheduled run must read the same settings and write the same history.
 */
function carriedEnvironment(env: NodeJS.ProcessEnv): [string, string][] {
  const home = env.HOME ?? '';
  const defaults: NodeJS.ProcessEnv = { HOME: home };
  const carried: [string, string][] = [];
  if (configDir(env, home) !== configDir(defaults, home)) {
    carried.push(['XDG_CONFIG_HOME', env.XDG_CONFIG_HOME ?? '']);
  }
  if (stateRoot(env, home) !== stateRoot(defaults, home)) {
    carried.push(['XDG_STATE_HOME', env.XDG_STATE_HOME ?? '']);
  }
  return carried;
}

function nodeOnCronPath(): string | null {
  for (const folder of CRON_PATH.split(':')) {
    const found = realOrNull(`${folder}/node`);
    if (found !== null) return found;
  }
  return null;
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}
