/** Runs the built `snaptray` command as a separate process, as cron or a user would. */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'snaptray.mjs');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed, when --json was given. */
  json: Record<string, unknown> | null;
}

/** A private home for one test: config, state and runtime folders of its own. */
export interface CliHome {
  env: NodeJS.ProcessEnv;
  configDir: string;
  stateDir: string;
  runtimeDir: string;
}

export async function makeCliHome(): Promise<CliHome> {
  const root = await mkdtemp(join(tmpdir(), 'st-home-'));
  const configDir = join(root, 'config');
  const stateDir = join(root, 'state');
  const runtimeDir = join(root, 'run');
  return {
    env: {
      ...process.env,
      XDG_CONFIG_HOME: configDir,
      XDG_STATE_HOME: stateDir,
      XDG_RUNTIME_DIR: runtimeDir,
    },
    configDir,
    stateDir,
    runtimeDir,
  };
}

/**
 * Runs the CLI as on another machine: its own host name (a UTS namespace of its own) and, with
 * `machineId`, its own /etc/machine-id (and /var/lib/dbus/machine-id where there is one),
 * bind-mounted in a mount namespace of its own.
 */
export function runCliOn(
  machine: { host: string; machineId?: string },
  args: readonly string[],
  home: CliHome,
): Promise<CliRun> {
  const through =
    machine.machineId === undefined
      ? ['unshare', '--uts', 'sh', '-c', 'hostname "$1"; shift; exec "$@"', 'sh', machine.host]
      : [
          'unshare',
          '--uts',
          '--mount',
          'sh',
          '-c',
          'hostname "$1" && mount --bind "$2" /etc/machine-id && ' +
            '{ [ ! -e /var/lib/dbus/machine-id ] || mount --bind "$2" /var/lib/dbus/machine-id; } && ' +
            'shift 2 && exec "$@"',
          'sh',
          machine.host,
          machine.machineId,
        ];
  return startCli(args, home, { through }).done;
}

export function startCli(
  args: readonly string[],
  home: CliHome,
  /** `through`: a command the CLI runs under (`unshare …`), which execs its last arguments. */
  opts: { cwd?: string; through?: readonly string[] } = {},
): { child: ReturnType<typeof spawn>; done: Promise<CliRun> } {
  const [file, ...before] = [...(opts.through ?? []), process.execPath];
  const child = spawn(file ?? process.execPath, [...before, CLI, ...args], {
    env: home.env,
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      let json: Record<string, unknown> | null = null;
      if (args.includes('--json')) {
        try {
          json = JSON.parse(stdout) as Record<string, unknown>;
        } catch {
          json = null;
        }
      }
      resolve({ code, signal, stdout, stderr, json });
    });
  });
  return { child, done };
}

export function runCli(
  args: readonly string[],
  home: CliHome,
  opts: { cwd?: string; through?: readonly string[] } = {},
): Promise<CliRun> {
  return startCli(args, home, opts).done;
}

/** Writes a settings file (config.json) holding these profiles, its folder made if needed. */
export async function writeSettingsFile(
  file: string,
  profiles: Record<string, Record<string, unknown>>,
): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ version: 1, profiles }), { mode: 0o600 });
}
