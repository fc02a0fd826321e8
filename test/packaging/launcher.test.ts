/** The installed `snaptray` launcher, run by /bin/sh as cron, a terminal or the desktop would. */
import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../core/cli/args.js';
import { makeTempDir } from '../support/tree.js';
import { headlessEnv } from './stand-in-electron.js';

const LAUNCHER = join(import.meta.dirname, '..', '..', 'scripts', 'snaptray-launcher.sh');

interface Started {
  /** "cli" when the binary was started in Node mode, "tray" otherwise. */
  mode: 'cli' | 'tray';
  args: string[];
}

let appDir: string;
let cliScript: string;

/** An app folder as electron-builder leaves it after scripts/after-pack.mjs. */
async function makeAppFolder(parent: string): Promise<string> {
  // A space and a trailing newline: both are lost by careless `$(dirname …)` code.
  const dir = join(parent, 'Snap tray\n');
  await mkdir(join(dir, 'resources', 'cli'), { recursive: true });
  await copyFile(LAUNCHER, join(dir, 'snaptray'));
  await chmod(join(dir, 'snaptray'), 0o755);
  // The real binary's stand-in reports how it was started, one NUL-separated field at a time.
  await writeFile(
    join(dir, 'snaptray-bin'),
    '#!/bin/sh\nprintf "%s\\0" "${ELECTRON_RUN_AS_NODE-unset}" "$@"\n',
  );
  await chmod(join(dir, 'snaptray-bin'), 0o755);
  await writeFile(join(dir, 'resources', 'cli', 'snaptray.mjs'), '');
  return dir;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = headlessEnv(process.env)) {
  const result = spawnSync(command, args, { env, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const [runAsNode, ...rest] = result.stdout.split('\0').slice(0, -1);
  return { mode: runAsNode === '1' ? 'cli' : 'tray', args: rest } satisfies Started;
}

beforeAll(async () => {
  appDir = await makeAppFolder(await makeTempDir('st-launcher-'));
  cliScript = join(appDir, 'resources', 'cli', 'snaptray.mjs');
});

describe('snaptray launcher', () => {
  it('runs every CLI subcommand, help and --version through the CLI script in Node mode', () => {
    for (const word of [...COMMANDS, 'help', '--help', '-h', '--version']) {
      expect(run(join(appDir, 'snaptray'), [word, '--json']), word).toEqual({
        mode: 'cli',
        args: [cliScript, word, '--json'],
      });
    }
  });

  it('starts the tray app without a subcommand, even when Node mode was inherited', () => {
    const env = { ...headlessEnv(process.env), ELECTRON_RUN_AS_NODE: '1' };
    expect(run(join(appDir, 'snaptray'), [], env)).toEqual({ mode: 'tray', args: [] });
    expect(run(join(appDir, 'snaptray'), ['--enable-logging'], env)).toEqual({
      mode: 'tray',
      args: ['--enable-logging'],
    });
  });

  it("drops the AppImage's leading --no-sandbox for the CLI and keeps it for the tray", () => {
    expect(run(join(appDir, 'snaptray'), ['--no-sandbox', 'list'])).toEqual({
      mode: 'cli',
      args: [cliScript, 'list'],
    });
    expect(run(join(appDir, 'snaptray'), ['--no-sandbox'])).toEqual({
      mode: 'tray',
      args: ['--no-sandbox'],
    });
  });

  it('passes arguments through literally', () => {
    const hostile = ['--dest', '/b k/$(touch /tmp/pwned)', '--exclude', '*\'"`x`\n', ''];
    expect(run(join(appDir, 'snaptray'), ['backup', ...hostile])).toEqual({
      mode: 'cli',
      args: [cliScript, 'backup', ...hostile],
    });
  });

  it('finds its folder through symlinks from elsewhere, as /usr/bin/snaptray reaches it', async () => {
    // The deb's postinst: /usr/bin/snaptray -> /etc/alternatives/snaptray -> /opt/Snaptray/snaptray.
    const root = await makeTempDir('st-links-');
    await mkdir(join(root, 'usr', 'bin'), { recursive: true });
    await mkdir(join(root, 'etc', 'alternatives'), { recursive: true });
    await symlink(join(appDir, 'snaptray'), join(root, 'etc', 'alternatives', 'snaptray'));
    await symlink('../../etc/alternatives/snaptray', join(root, 'usr', 'bin', 'snaptray'));
    const viaLinks = join(root, 'usr', 'bin', 'snaptray');
    expect(run(viaLinks, ['list'])).toEqual({ mode: 'cli', args: [cliScript, 'list'] });
    expect(run(viaLinks, [])).toEqual({ mode: 'tray', args: [] });
    // Found on PATH, as cron runs it.
    const env = { ...headlessEnv(process.env), PATH: `${join(root, 'usr', 'bin')}:/usr/bin:/bin` };
    expect(run('snaptray', ['check'], env)).toEqual({ mode: 'cli', args: [cliScript, 'check'] });
    // Run by name from its own folder.
    const inFolder = spawnSync('sh', ['snaptray', 'prune'], {
      cwd: appDir,
      env: headlessEnv(process.env),
      encoding: 'utf8',
    });
    expect(inFolder.stdout.split('\0').slice(0, -1)).toEqual([
      '1',
      './resources/cli/snaptray.mjs',
      'prune',
    ]);
  });
});
