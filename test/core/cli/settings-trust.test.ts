/**
 * Settings that can make Snaptray run commands (hooks, an ssh config's ProxyCommand) are used only
 * when the running account owns them (or root does) and nobody else can change them. Root started
 * with another account's HOME (`sudo -E`, `su -m`) must not run that account's hooks as root.
 */
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeCliHome, runCli, writeSettingsFile, type CliHome } from '../../support/cli.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

const NOBODY = 65534;

let home: CliHome;
let src: string;
let dest: string;
let marker: string;

beforeEach(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  marker = join(await makeTempDir('st-mark-'), 'hook-ran');
  await writeTree(src, { 'a.txt': 'a' });
  expect((await runCli(['init', '--dest', dest], home)).code).toBe(0);
  expect(process.getuid?.()).toBe(0);
});

/** A profile whose pre hook leaves a file behind: the proof that it ran. */
function profileWithHook(): Record<string, unknown> {
  return {
    sources: [src],
    destination: dest,
    prefix: 'p',
    hooks: { pre: `id -u > '${marker}'`, after: '', fail: '', timeoutSeconds: 60 },
  };
}

async function snapshotsMade(): Promise<string[]> {
  return (await readdir(dest)).filter((n) => /^p-[\d-]+$/.test(n));
}

describe('root with another account’s HOME', () => {
  it('refuses that account’s settings, names the file and its owner, and runs no hook', async () => {
    // The other account's home, as `sudo -E snaptray backup` finds it.
    const theirs = await makeTempDir('st-ann-');
    const config = join(theirs, '.config', 'Snaptray', 'config.json');
    await writeSettingsFile(config, { default: profileWithHook() });
    for (const p of [
      theirs,
      join(theirs, '.config'),
      join(theirs, '.config', 'Snaptray'),
      config,
    ]) {
      await chown(p, NOBODY, NOBODY);
    }
    const sudoE: CliHome = {
      ...home,
      env: { ...home.env, HOME: theirs, XDG_CONFIG_HOME: undefined },
    };
    const r = await runCli(['backup'], sudoE);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `The settings file ${config} belongs to user nobody (uid ${NOBODY}), so Snaptray does not ` +
        'use it: it can make Snaptray run commands as root. Root never uses another account’s settings',
    );
    expect(existsSync(marker)).toBe(false);
    expect(await snapshotsMade()).toEqual([]);
    // `status` and the reading commands do not use it either.
    expect((await runCli(['status'], sudoE)).stderr).toContain('belongs to user nobody');
  });
});

describe('a settings file others can change', () => {
  it('is refused when others can write it or its folder, and used once it is closed again', async () => {
    const config = join(home.configDir, 'Snaptray', 'config.json');
    await writeSettingsFile(config, { default: profileWithHook() });

    await chmod(config, 0o666);
    const open = await runCli(['backup', '--json'], home);
    expect(open.code).toBe(2);
    expect(open.json?.error).toMatchObject({
      kind: 'settings',
      message: expect.stringContaining(
        `The settings file ${config} can be changed by any user (mode 666)`,
      ),
    });
    expect((open.json?.error as { message: string }).message).toContain(`chmod 600 "${config}"`);

    await chmod(config, 0o600);
    await chmod(join(home.configDir, 'Snaptray'), 0o777);
    const folder = await runCli(['backup'], home);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(
      `The folder of the settings file, ${join(home.configDir, 'Snaptray')}, can be changed by any user (mode 777)`,
    );
    expect(existsSync(marker)).toBe(false);
    expect(await snapshotsMade()).toEqual([]);

    await chmod(join(home.configDir, 'Snaptray'), 0o700);
    const fine = await runCli(['backup'], home);
    expect(fine.code, fine.stderr).toBe(0);
    expect(existsSync(marker)).toBe(true);
    expect(await snapshotsMade()).toHaveLength(1);
  });
});

describe('an ssh config file', () => {
  it('that another account owns is refused before anything connects', async () => {
    const sshConfig = join(await makeTempDir('st-ssh-'), 'config');
    await writeFile(sshConfig, `Host *\n  ProxyCommand sh -c 'id -u > "${marker}"'\n`);
    await chown(sshConfig, NOBODY, NOBODY);
    const r = await runCli(
      [
        'backup',
        '--dest',
        'someone@127.0.0.1:/backups',
        '--prefix',
        'p',
        '--source',
        src,
        '--ssh-config',
        sshConfig,
        '--json',
      ],
      home,
    );
    expect(r.code).toBe(2);
    expect(r.json?.error).toMatchObject({
      kind: 'settings',
      message: expect.stringContaining(
        `The ssh config file ${sshConfig} belongs to user nobody (uid ${NOBODY})`,
      ),
    });
    expect(existsSync(marker)).toBe(false);
  });

  it('in a folder only root could change is fine for root', async () => {
    const dir = await makeTempDir('st-ssh-');
    await mkdir(join(dir, 'd'), { mode: 0o755 });
    await writeFile(join(dir, 'd', 'config'), '# nothing\n', { mode: 0o644 });
    const r = await runCli(
      [
        'check',
        '--dest',
        'nobody@127.0.0.1:/x',
        '--ssh-port',
        '1',
        '--ssh-config',
        join(dir, 'd', 'config'),
        '--json',
      ],
      home,
    );
    expect(JSON.stringify(r.json)).not.toContain('does not use it');
  });
});
