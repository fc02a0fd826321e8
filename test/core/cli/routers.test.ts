/**
 * `snaptray` against a router built the way users have them: dropbear, a BusyBox login shell,
 * rsync off the PATH of ssh commands, a login that prints text, keys restricted with rrsync
 * (-no-del, -absolute, -ro, its lock), and a destination path with spaces and brackets through
 * an rsync that hands remote paths to the far shell as they are (RSYNC_OLD_ARGS=1, as rsync
 * before 3.2.4 does). Each case asserts what the user sees: exit code, words, the destination.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  makeCliHome,
  runCli,
  startCli,
  writeSettingsFile,
  type CliHome,
  type CliRun,
} from '../../support/cli.js';
import { startRouter, type Router } from '../../support/router.js';
import { cliFlags, profileSsh, sshArgs } from '../../support/sshd.js';
import { runProgram } from '../../support/run-program.js';
import { linkCount, makeTempDir, readTree, writeTree } from '../../support/tree.js';

let router: Router;
let home: CliHome;
let src: string;

interface Step {
  step: string;
  ok: boolean;
  message: string;
  suggestedRsyncPath?: string;
}

function flags(key: string, ...extra: string[]): string[] {
  return [...cliFlags(router, key), ...extra];
}

function at(path: string): string {
  return `${router.user}@127.0.0.1:${path}`;
}

function cli(command: string, dest: string, key: string, ...extra: string[]): Promise<CliRun> {
  return runCli([command, '--dest', at(dest), '--json', ...flags(key, ...extra)], home);
}

function backup(dest: string, key: string, ...extra: string[]): Promise<CliRun> {
  return cli('backup', dest, key, '--prefix', 'r', '--source', src, ...extra);
}

function errorOf(r: CliRun): { kind: string; message: string } {
  return r.json?.error as { kind: string; message: string };
}

function stepsOf(r: CliRun): Step[] {
  return r.json?.steps as Step[];
}

async function snapshots(folder: string, prefix = 'r'): Promise<string[]> {
  return (await readdir(folder)).filter((n) => new RegExp(`^${prefix}-[\\d-]+$`).test(n)).sort();
}

/** Gives a folder made as root to the router's account. */
async function giveToRouter(path: string): Promise<void> {
  await runProgram('chown', ['-R', `${router.uid}:${router.gid}`, path]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  router = await startRouter();
});
afterAll(async () => {
  await router.stop();
});
beforeEach(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  await writeTree(src, { 'keep.txt': 'same', 'big/blob': Buffer.alloc(50_000, 1) });
});

describe('rsync only in /opt/bin, where Entware puts it, off the PATH of ssh commands', () => {
  // A router of its own: rsync is at /opt/bin/rsync and nowhere else, whatever this machine has.
  let entware: Router;
  let key: string;
  beforeAll(async () => {
    entware = await startRouter({}, { entware: true });
    key = entware.clientKey;
  });
  afterAll(async () => {
    await entware.stop();
  });

  function onEntware(command: string, dest: string, ...extra: string[]): Promise<CliRun> {
    const flags = [...cliFlags(entware, key), ...extra];
    const where = `${entware.user}@127.0.0.1:${dest}`;
    return runCli([command, '--dest', where, '--json', ...flags], home);
  }

  it('the router holds rsync at /opt/bin/rsync only', async () => {
    const ssh = (command: string) =>
      runProgram('ssh', [...sshArgs(entware), `${entware.user}@127.0.0.1`, command]);
    expect((await ssh('/opt/bin/rsync --version')).stdout).toMatch(/^rsync +version/);
    expect((await ssh('ls /usr/bin/rsync')).code).not.toBe(0);
    expect((await ssh('rsync --version')).code).toBe(127);
  });

  it('check finds rsync in the usual places and says to set --rsync-path, not to install it', async () => {
    const dest = await entware.makeRouterFolder();
    const r = await onEntware('check', dest);
    expect(r.code, r.stderr).toBe(1);
    const steps = stepsOf(r);
    expect(steps.map((s) => [s.step, s.ok])).toEqual([
      ['reachable', true],
      ['host-key', true],
      ['authentication', true],
      ['rsync', false],
    ]);
    expect(steps[3]).toEqual({
      step: 'rsync',
      ok: false,
      message:
        'rsync is at /opt/bin/rsync: set --rsync-path /opt/bin/rsync (the rsync path in the ' +
        'settings). ssh commands on the destination do not find it by themselves: it is not on ' +
        'the PATH they get.',
      suggestedRsyncPath: '/opt/bin/rsync',
    });
  });

  it('a wrong --rsync-path is named, with where rsync really is', async () => {
    const dest = await entware.makeRouterFolder();
    const r = await onEntware('check', dest, '--rsync-path', '/usr/bin/rsync');
    expect(r.code).toBe(1);
    expect(stepsOf(r)[3]).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /^rsync is at \/opt\/bin\/rsync: set --rsync-path \/opt\/bin\/rsync .*It is not at \/usr\/bin\/rsync, the path set now\.$/,
      ),
      suggestedRsyncPath: '/opt/bin/rsync',
    });
  });

  it('without --rsync-path init fails in words; with it init, backup and check work', async () => {
    const dest = await entware.makeRouterFolder();
    const refused = await onEntware('init', dest);
    expect(refused.code).toBe(1);
    expect(errorOf(refused).kind).toBe('remote-rsync-missing');
    expect(errorOf(refused).message).toMatch(
      /^rsync was not found on the destination: it is not on the PATH that ssh commands get there\. If rsync is installed elsewhere .* set its full path with --rsync-path/,
    );
    expect(await readdir(dest)).toEqual([]);

    const withPath = ['--rsync-path', '/opt/bin/rsync'];
    expect((await onEntware('init', dest, ...withPath)).code).toBe(0);
    const first = await onEntware('backup', dest, '--prefix', 'r', '--source', src, ...withPath);
    expect(first.code, first.stderr).toBe(0);
    expect(await snapshots(dest)).toHaveLength(1);
    const check = await onEntware('check', dest, ...withPath);
    expect(check.code, check.stderr).toBe(0);
    expect(stepsOf(check)[3]?.message).toMatch(
      /^rsync answers on the destination at \/opt\/bin\/rsync \(protocol 3\d\)\.$/,
    );
  });
});

describe('a login that prints text before it runs commands', () => {
  let key: string;
  beforeAll(async () => {
    key = await router.addClientKey('banner', { banner: 'Welcome to RT-AC66U' });
  });

  it('check says the login prints text, shows it, and says how to make it quiet', async () => {
    const dest = await router.makeRouterFolder();
    const r = await cli('check', dest, key);
    expect(r.code).toBe(1);
    const rsync = stepsOf(r)[3];
    expect(rsync?.ok).toBe(false);
    expect(rsync?.message).toMatch(
      /^The destination's login prints text before it runs commands, and rsync read that text \("Welc…"\) as its protocol version/,
    );
    expect(rsync?.message).toMatch(/must print nothing/);
    expect(rsync?.message).not.toMatch(/protocol \d+\)|not installed/);
  });

  it('a backup fails with the same cause, and writes nothing', async () => {
    const dest = await router.makeRouterFolder();
    const r = await backup(dest, key);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ outcome: 'failed', error: { kind: 'login-banner' } });
    expect(errorOf(r).message).toMatch(
      /the destination's login prints text before it runs commands/,
    );
    expect(await readdir(dest)).toEqual([]);
  });
});

describe('keys restricted with rrsync', () => {
  it('-no-del: backups work and pruning is a warning; prune and delete say the key cannot delete', async () => {
    const root = await router.makeRouterFolder('no-del-');
    const key = await router.addClientKey('no-del', { restrictedDir: root, noDel: true });
    expect((await cli('init', '/', key)).code).toBe(0);
    // A snapshot of the old script's format from 2001, which the retention policy deletes.
    await mkdir(join(root, 'r-2001-01-01'));
    await giveToRouter(join(root, 'r-2001-01-01'));

    const first = await backup('/', key);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json).toMatchObject({ outcome: 'ok', error: null });
    const noDelete =
      /the destination's key may not delete \(rrsync -no-del refused --delete\), so nothing was deleted\. Backups through this key work\. To prune, add a second key without -no-del/;
    expect((first.json?.warnings as string[]).join(' ')).toMatch(noDelete);
    expect(existsSync(join(root, 'r-2001-01-01'))).toBe(true);

    const prune = await cli('prune', '/', key, '--prefix', 'r');
    expect(prune.code).toBe(1);
    expect(prune.json?.deleted).toEqual([]);
    expect((prune.json?.warnings as string[]).join(' ')).toMatch(noDelete);
    expect(prune.stderr).toMatch(/NOT deleted r-2001-01-01/);
    expect(prune.stderr).not.toMatch(/rsync error|Deleting failed/);

    const del = await runCli(
      ['delete', 'r-2001-01-01', '--dest', at('/'), '--prefix', 'r', ...flags(key)],
      home,
    );
    expect(del.code).toBe(1);
    expect(del.stdout + del.stderr).toMatch(/NOT deleted r-2001-01-01/);
    expect(del.stderr).toMatch(noDelete);
    expect(existsSync(join(root, 'r-2001-01-01'))).toBe(true);

    // check passes: writing works, and the test folder the key cannot remove is named.
    const check = await cli('check', '/', key, '--prefix', 'r');
    expect(check.code, check.stderr).toBe(0);
    const writable = (check.json?.steps as { step: string; message: string }[]).find(
      (s) => s.step === 'writable',
    );
    expect(writable?.message).toMatch(
      /^Test files were written\. The key may not delete, so their folder \/\.snaptray-check-[0-9a-f]+ stays/,
    );
  });

  it('the real path of the key folder is read below it: the message says to use "/", which works', async () => {
    const root = await router.makeRouterFolder('relative-');
    const key = await router.addClientKey('relative', { restrictedDir: root });
    const refused = await cli('init', root, key);
    expect(refused.code).toBe(1);
    const error = errorOf(refused);
    expect(error.kind).toBe('destination-missing');
    expect(error.message).toMatch(/^\S+@127\.0\.0\.1:\S+ does not exist\. Is the disk mounted\?/);
    expect(error.message.split('\n').at(-1)).toBe(
      "With a key restricted by rrsync, destination paths are relative to the key's folder: use " +
        '"/" for that folder itself.',
    );
    expect(await readdir(root)).toEqual([]);

    expect((await cli('init', '/', key)).code).toBe(0);
    expect(existsSync(join(root, '.snaptray-destination'))).toBe(true);
    expect((await backup('/', key)).code).toBe(0);
    await sleep(1100);
    const second = await backup('/', key);
    expect(second.code, second.stderr).toBe(0);
    const [, s2] = await snapshots(root);
    expect(await linkCount(join(root, s2!, src, 'big/blob'))).toBe(2);
  });

  it('-absolute with "/": the key folder itself, as without -absolute', async () => {
    const root = await router.makeRouterFolder('absolute-');
    const key = await router.addClientKey('absolute', { restrictedDir: root, absolute: true });
    expect((await cli('init', '/', key)).code).toBe(0);
    expect(existsSync(join(root, '.snaptray-destination'))).toBe(true);
    const first = await backup('/', key);
    expect(first.code, first.stderr).toBe(0);
    expect(await snapshots(root)).toHaveLength(1);
  });

  it('an rsync path set for an rrsync key is named as what rrsync refuses', async () => {
    const root = await router.makeRouterFolder('rsync-path-');
    const key = await router.addClientKey('rrsync-path', { restrictedDir: root });
    const r = await cli('init', '/', key, '--rsync-path', '/usr/bin/rsync');
    expect(r.code).toBe(1);
    expect(errorOf(r)).toMatchObject({ kind: 'rrsync-refused' });
    expect(errorOf(r).message).toMatch(
      /which runs its own rsync and accepts only the command "rsync" .*Clear the rsync path \(--rsync-path\) for this key\.$/,
    );
    expect(await readdir(root)).toEqual([]);
  });

  it.each([
    ['rrsync with its lock', {}],
    ['rrsync -no-lock', { noLock: true }],
  ])(
    '%s: the key folder gone (a disk that is not mounted) is named, not called broken',
    async (_, opts) => {
      const root = join(await router.makeRouterFolder('unmounted-'), 'usb');
      const name = `unmounted${Object.keys(opts).join('')}`;
      const key = await router.addClientKey(name, { restrictedDir: root, ...opts });
      await runProgram('rmdir', [root]);
      const r = await backup('/', key);
      expect(r.code).toBe(1);
      expect(r.json).toMatchObject({ outcome: 'failed', error: { kind: 'destination-missing' } });
      expect(errorOf(r).message).toMatch(
        /^Listing the destination failed: the folder the destination's rrsync key is confined to does not exist \(".*"\)\. Check that the disk is mounted/,
      );
    },
  );

  it('RSYNC_PROTECT_ARGS in the environment: rrsync refuses -s, and the message names the variable', async () => {
    const root = await router.makeRouterFolder('secluded-');
    const key = await router.addClientKey('secluded', { restrictedDir: root });
    home.env = { ...home.env, RSYNC_PROTECT_ARGS: '1' };
    const r = await cli('init', '/', key);
    expect(r.code).toBe(1);
    expect(errorOf(r)).toEqual({
      kind: 'rrsync-refused',
      message:
        "Listing the destination failed: the destination's key is restricted with rrsync, which " +
        'does not allow the option -s ("option -s has been disabled on this server."). rsync ' +
        'sends it because RSYNC_PROTECT_ARGS is set in the environment: unset it.',
    });
  });

  it('-ro: a backup is refused because the key is read-only; listing works', async () => {
    const root = await router.makeRouterFolder('ro-');
    const writer = await router.addClientKey('writer', { restrictedDir: root });
    const reader = await router.addClientKey('reader', { restrictedDir: root, readOnly: true });
    expect((await cli('init', '/', writer)).code).toBe(0);
    expect((await backup('/', writer)).code).toBe(0);
    const before = await readTree(root);

    const r = await backup('/', reader);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ outcome: 'failed', error: { kind: 'key-read-only' } });
    expect(errorOf(r).message).toMatch(
      /failed: the destination's key is read-only \(rrsync -ro\): it can list and restore snapshots but not write anything/,
    );
    expect(await readTree(root)).toEqual(before);

    const list = await cli('list', '/', reader, '--prefix', 'r');
    expect(list.code, list.stderr).toBe(0);
    expect(list.json?.snapshots).toHaveLength(1);
  });

  it('a second transfer while one runs is told the destination is busy, not broken; a backup waits', async () => {
    const root = await router.makeRouterFolder('lock-');
    const key = await router.addClientKey('locking', { restrictedDir: root });
    expect((await cli('init', '/', key)).code).toBe(0);
    await writeFile(join(src, 'slow.bin'), Buffer.alloc(400_000, 7));
    const config = join(await makeTempDir('st-cfg-'), 'config.json');
    await writeSettingsFile(config, {
      default: {
        sources: [src],
        destination: at('/'),
        prefix: 'r',
        ssh: profileSsh(router, key),
        rsync: { bandwidthLimit: 100 },
      },
    });
    const slow = startCli(['backup', '--config', config, '--json'], home);
    try {
      // The transfer runs once its snapshot folder appears.
      const end = Date.now() + 30_000;
      while ((await snapshots(root)).length === 0) {
        if (Date.now() > end) throw new Error('the slow backup did not start its transfer');
        await sleep(50);
      }
      const busy =
        /^The destination is busy: .* another transfer is using its folder through a key restricted with rrsync/;

      const list = await cli('list', '/', key, '--prefix', 'r');
      expect(list.code).toBe(1);
      expect(errorOf(list).kind).toBe('destination-busy');
      expect(errorOf(list).message).toMatch(busy);
      expect(errorOf(list).message).toMatch(/try again later/);

      // Another machine's backup is refused too, and makes its calls again until it gets through
      // (a run that waits too long fails with these words: test/core/backup/busy-destination.test.ts).
      const other = await makeCliHome();
      const second = await runCli(
        ['backup', '--dest', at('/'), '--prefix', 'q', '--source', src, '--json', ...flags(key)],
        other,
      );
      expect(second.code, second.stderr).toBe(0);
      expect(second.json).toMatchObject({ outcome: 'ok' });
      expect(await snapshots(root, 'q')).toHaveLength(1);
      expect(await snapshots(root)).toHaveLength(1);
    } finally {
      const done = await slow.done;
      expect(done.code, done.stderr).toBe(0);
    }
  }, 120_000);
});

describe.each([
  ['rsync 3.2.4 and newer', {}],
  ['an rsync that hands remote paths to the far shell (RSYNC_OLD_ARGS=1)', { RSYNC_OLD_ARGS: '1' }],
])('a destination path with spaces and brackets, %s', (_, extraEnv) => {
  it('init, check, two backups with hard links, list, prune and delete touch only that folder', async () => {
    home.env = { ...home.env, ...extraEnv };
    const parent = await router.makeRouterFolder('names-');
    const dest = join(parent, 'my backups [1]');
    // What the far side reaches if it splits the path or expands "[1]": a destination too.
    const decoy = join(parent, 'my backups 1');
    for (const folder of [dest, decoy, join(parent, 'my')]) await mkdir(folder);
    await writeFile(join(decoy, '.snaptray-destination'), 'decoy\n');
    await mkdir(join(decoy, 'p.x-2001-01-01'));
    await giveToRouter(parent);
    const decoyBefore = await readTree(decoy);
    const key = router.clientKey;
    const prefix = ['--prefix', 'p.x'];

    expect((await cli('init', dest, key, ...prefix)).code).toBe(0);
    expect(existsSync(join(dest, '.snaptray-destination'))).toBe(true);
    const check = await cli('check', dest, key, ...prefix);
    expect(check.code, check.stderr).toBe(0);

    await mkdir(join(dest, 'p.x-2001-01-01'));
    await giveToRouter(dest);
    const run = () =>
      cli('backup', dest, key, ...prefix, '--source', src).then((r) => {
        expect(r.code, r.stderr).toBe(0);
        return r;
      });
    await run();
    await sleep(1100);
    await writeFile(join(src, 'keep.txt'), 'same');
    const second = await run();
    const [s1, s2] = await snapshots(dest, 'p\\.x');
    expect(second.json?.snapshot).toBe(s2);
    expect(await linkCount(join(dest, s2!, src, 'big/blob'))).toBe(2);
    // The backup pruned the 2001 snapshot in this folder only.
    expect(existsSync(join(dest, 'p.x-2001-01-01'))).toBe(false);

    const list = await cli('list', dest, key, ...prefix);
    expect(list.code, list.stderr).toBe(0);
    expect((list.json?.snapshots as { name: string }[]).map((s) => s.name)).toEqual([s1, s2]);

    await mkdir(join(dest, 'p.x-2001-01-01'));
    await giveToRouter(dest);
    const prune = await cli('prune', dest, key, ...prefix);
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.json?.deleted).toEqual(['p.x-2001-01-01']);

    const del = await runCli(['delete', s1!, '--dest', at(dest), ...prefix, ...flags(key)], home);
    expect(del.code, del.stderr).toBe(0);
    expect(await snapshots(dest, 'p\\.x')).toEqual([s2]);
    expect(await readdir(dest)).toEqual(
      expect.arrayContaining(['.snaptray-destination', s2, `${s2}.snaptray.json`]),
    );

    expect(await readTree(decoy)).toEqual(decoyBefore);
    expect(await readdir(join(parent, 'my'))).toEqual([]);
  }, 120_000);
});
