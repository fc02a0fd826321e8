/**
 * The programs that take snapshots side by side: the `snaptray` command, plain rsync with exactly
 * Snaptray's flags and `--link-dest`, and rsnapshot with `link_dest 1`. Each takes one snapshot
 * per call and says where the copy of the source landed, so the run can be checked.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildPushCommand } from '../core/backup/rsync-args.js';
import { defaultProfile } from '../core/settings/schema.js';
import { runChecked, runTimed } from './measure.js';

export const CLI = join(import.meta.dirname, '..', 'dist', 'cli', 'snaptray.mjs');

export interface Taken {
  ms: number;
  /** The new snapshot's top folder (for disk usage). */
  snapshotDir: string;
  /** The previous snapshot's top folder, if any. */
  previousDir: string | null;
  /** Where the source's files are inside the new snapshot. */
  copyRoot: string;
}

export interface Contender {
  name: string;
  /** Takes one snapshot of the source; throws when the program fails. */
  take(): Promise<Taken>;
}

/** How a contender reaches an ssh destination: the flags of the loopback sshd. */
export interface SshTarget {
  user: string;
  /** Snaptray's flags: --ssh-port, --ssh-key, --known-hosts, --ssh-config. */
  cliFlags: string[];
  /** The `-e` value for plain rsync. */
  rsyncShell: string;
}

/** XDG folders of the benchmark's own, so the user's settings and state play no part. */
export async function makeCliEnv(root: string): Promise<NodeJS.ProcessEnv> {
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_RUNTIME_DIR: join(root, 'run'),
  };
  await mkdir(join(root, 'config'), { recursive: true });
  return env;
}

/** Where a snapshot landed; the source's files sit under its full path inside it. */
function takenAt(
  ms: number,
  snapshotDir: string,
  previousDir: string | null,
  source: string,
): Taken {
  return { ms, snapshotDir, previousDir, copyRoot: join(snapshotDir, source) };
}

function remoteOf(ssh: SshTarget | null, path: string): string {
  return ssh ? `${ssh.user}@127.0.0.1:${path}` : path;
}

/** `snaptray backup` into `destDir` (initialised here, untimed). */
export async function snaptrayContender(
  source: string,
  destDir: string,
  env: NodeJS.ProcessEnv,
  ssh: SshTarget | null,
): Promise<Contender> {
  await mkdir(destDir, { recursive: true });
  const destOpts = ['--dest', remoteOf(ssh, destDir), ...(ssh?.cliFlags ?? [])];
  await runChecked(process.execPath, [CLI, 'init', ...destOpts], { env });
  let previous: string | null = null;
  return {
    name: 'snaptray',
    async take() {
      const args = [CLI, 'backup', ...destOpts, '--prefix', 'b', '--source', source, '--json'];
      const r = await runTimed(process.execPath, args, { env, keepStdout: true });
      let json: { outcome?: string; snapshot?: string; error?: { message?: string } } = {};
      try {
        json = JSON.parse(r.stdout) as typeof json;
      } catch {
        // reported below
      }
      if (r.code !== 0 || json.outcome !== 'ok' || typeof json.snapshot !== 'string') {
        throw new Error(
          `snaptray backup exited ${String(r.code)}: ${json.error?.message ?? r.stderr.trim()}`,
        );
      }
      const snapshotDir = join(destDir, json.snapshot);
      const taken = takenAt(r.ms, snapshotDir, previous, source);
      previous = snapshotDir;
      return taken;
    },
  };
}

/** Plain rsync with the flags Snaptray builds for the default profile, linking the previous copy. */
export async function rsyncContender(
  source: string,
  destDir: string,
  ssh: SshTarget | null,
): Promise<Contender> {
  await mkdir(destDir, { recursive: true });
  let count = 0;
  let previous: string | null = null;
  return {
    name: ssh ? 'rsync over ssh' : 'rsync',
    async take() {
      const snapshotDir = join(destDir, `s${count++}`);
      const command = buildPushCommand({
        sources: [source],
        excludes: [],
        linkDests: previous ? [previous] : [],
        target: `${remoteOf(ssh, snapshotDir)}/`,
        options: defaultProfile().rsync,
        rsyncShell: ssh?.rsyncShell ?? null,
      });
      const r = await runTimed(command.file, command.args);
      if (r.code !== 0) throw new Error(`rsync exited ${String(r.code)}: ${r.stderr.trim()}`);
      const taken = takenAt(r.ms, snapshotDir, previous, source);
      previous = snapshotDir;
      return taken;
    },
  };
}

/** rsnapshot's `alpha` interval, under the same nice and ionice as Snaptray's default. */
export async function rsnapshotContender(source: string, root: string): Promise<Contender> {
  const snapshotRoot = join(root, 'snapshots');
  const conf = join(root, 'rsnapshot.conf');
  await mkdir(root, { recursive: true });
  // rsnapshot insists on tabs between fields.
  const lines = [
    ['config_version', '1.2'],
    ['snapshot_root', `${snapshotRoot}/`],
    ['no_create_root', '0'],
    ['cmd_cp', '/bin/cp'],
    ['cmd_rm', '/bin/rm'],
    ['cmd_rsync', '/usr/bin/rsync'],
    ['retain', 'alpha', '100'],
    ['verbose', '1'],
    ['loglevel', '1'],
    ['lockfile', join(root, 'rsnapshot.pid')],
    ['link_dest', '1'],
    ['rsync_short_args', '-aH'],
    ['rsync_long_args', '--numeric-ids --relative --itemize-changes --info=progress2 --stats'],
    ['backup', `${source}/`, 'localhost/'],
  ];
  await writeFile(conf, lines.map((l) => l.join('\t')).join('\n') + '\n');
  let taken = 0;
  return {
    name: 'rsnapshot',
    async take() {
      const r = await runTimed('nice', [
        '-n',
        '10',
        'ionice',
        '-c3',
        'rsnapshot',
        '-c',
        conf,
        'alpha',
      ]);
      if (r.code !== 0) throw new Error(`rsnapshot exited ${String(r.code)}: ${r.stderr.trim()}`);
      const snapshotDir = join(snapshotRoot, 'alpha.0');
      const previousDir = taken > 0 ? join(snapshotRoot, 'alpha.1') : null;
      taken++;
      return {
        ms: r.ms,
        snapshotDir,
        previousDir,
        copyRoot: join(snapshotDir, 'localhost', source),
      };
    },
  };
}
