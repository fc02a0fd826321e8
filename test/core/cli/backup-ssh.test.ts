/**
 * `snaptray` pushing to a real sshd on loopback (the "router"), with real rsync on both ends:
 * snapshots, hard links, one connection per run, and each connection fault named in words.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  makeCliHome,
  runCli,
  startCli,
  writeSettingsFile,
  type CliHome,
} from '../../support/cli.js';
import { processesMatching, type ProcessMatch } from '../../support/processes.js';
import { runProgram } from '../../support/run-program.js';
import { profileSsh, startSshd, type Sshd } from '../../support/sshd.js';
import { linkCount, makeTempDir, readTree, writeTree } from '../../support/tree.js';

let sshd: Sshd;
let home: CliHome;
let src: string;
let destDir: string;

function sshFlags(over: Partial<{ port: string; key: string; knownHosts: string }> = {}): string[] {
  return [
    '--ssh-port',
    over.port ?? String(sshd.port),
    '--ssh-key',
    over.key ?? sshd.clientKey,
    '--known-hosts',
    over.knownHosts ?? sshd.knownHosts,
    '--ssh-config',
    sshd.sshConfig,
  ];
}

function remote(path = destDir): string {
  return `${sshd.user}@127.0.0.1:${path}`;
}

function backup(...extra: string[]) {
  return runCli(
    [
      'backup',
      '--dest',
      remote(),
      '--prefix',
      'r',
      '--source',
      src,
      '--json',
      ...sshFlags(),
      ...extra,
    ],
    home,
  );
}

async function snapshotNames(dir = destDir): Promise<string[]> {
  return (await readdir(dir)).filter((n) => /^r-[\d-]+$/.test(n)).sort();
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd.stop();
});

beforeEach(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  destDir = await makeTempDir('st-router-');
  await writeTree(src, {
    'keep.txt': 'same',
    'edit.txt': 'v1',
    'big/blob': Buffer.alloc(200_000, 1),
  });
});

describe('backup over ssh', () => {
  it('pushes snapshots through one ssh connection per run and hard-links unchanged files', async () => {
    const init = await runCli(['init', '--dest', remote(), ...sshFlags()], home);
    expect(init.code, init.stderr).toBe(0);

    const before = await sshd.connectionCount();
    const first = await backup();
    expect(first.code, first.stderr).toBe(0);
    expect(first.json).toMatchObject({ outcome: 'ok', error: null });
    expect(await sshd.connectionCount()).toBe(before + 1);

    await new Promise((r) => setTimeout(r, 1100));
    await writeFile(join(src, 'edit.txt'), 'v2');
    const second = await backup();
    expect(second.code, second.stderr).toBe(0);
    const [s1, s2] = await snapshotNames();
    expect(second.json?.snapshot).toBe(s2);
    expect(await linkCount(join(destDir, s2!, src, 'big/blob'))).toBe(2);
    expect(await linkCount(join(destDir, s2!, src, 'keep.txt'))).toBe(2);
    expect(await linkCount(join(destDir, s2!, src, 'edit.txt'))).toBe(1);
    expect(await readFile(join(destDir, s1!, src, 'edit.txt'), 'utf8')).toBe('v1');
    expect(second.json?.bytesSent).toBeLessThan(1000);

    const check = await runCli(['check', '--dest', remote(), ...sshFlags(), '--json'], home);
    expect(check.code, check.stderr).toBe(0);
    const steps = check.json?.steps as { step: string; ok: boolean; message: string }[];
    expect(steps.map((s) => [s.step, s.ok])).toEqual([
      ['reachable', true],
      ['host-key', true],
      ['authentication', true],
      ['rsync', true],
      ['marker', true],
      ['owner', true],
      ['writable', true],
      ['hard-links', true],
      ['ownership', true],
    ]);
    expect(steps[3]?.message).toMatch(/protocol 3\d/);
    expect(steps.at(-1)?.message).toBe(
      'Owners and groups are kept (the destination account is root).',
    );
    // The probe folder is gone again.
    expect((await readdir(destDir)).filter((n) => n.startsWith('.snaptray-check'))).toEqual([]);
  }, 180_000);

  describe('connection faults: a reason in words, no snapshot, nothing deleted', () => {
    let before: Map<string, Buffer>;
    beforeEach(async () => {
      await runCli(['init', '--dest', remote(), ...sshFlags()], home);
      expect((await backup()).code).toBe(0);
      before = await readTree(destDir);
    });

    async function expectFailure(args: string[], kind: string) {
      const r = await runCli(
        ['backup', '--dest', remote(), '--prefix', 'r', '--source', src, '--json', ...args],
        home,
      );
      expect(r.code, r.stderr).toBe(1);
      expect(r.json).toMatchObject({ outcome: 'failed', snapshot: null, error: { kind } });
      expect(await readTree(destDir)).toEqual(before);
      return (r.json?.error as { message: string }).message;
    }

    it('wrong key', async () => {
      const stranger = join(await makeTempDir('st-key-'), 'id');
      const { execFileSync } = await import('node:child_process');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
      expect(await expectFailure(sshFlags({ key: stranger }), 'auth-refused')).toMatch(
        /authorized_keys/,
      );
    });

    it('unknown host key', async () => {
      const empty = join(await makeTempDir('st-kh-'), 'known_hosts');
      await writeFile(empty, '');
      expect(await expectFailure(sshFlags({ knownHosts: empty }), 'host-key-unknown')).toMatch(
        /not known/,
      );
    });

    it('changed host key', async () => {
      const other = join(await makeTempDir('st-kh-'), 'host');
      const { execFileSync } = await import('node:child_process');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
      const kh = join(await makeTempDir('st-kh-'), 'known_hosts');
      await writeFile(
        kh,
        `[127.0.0.1]:${sshd.port} ${(await readFile(`${other}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ')}\n`,
      );
      expect(await expectFailure(sshFlags({ knownHosts: kh }), 'host-key-changed')).toMatch(
        /CHANGED/,
      );
    });

    it('closed port', async () => {
      const port = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const p = (server.address() as { port: number }).port;
          server.close(() => resolve(p));
        });
      });
      expect(await expectFailure(sshFlags({ port: String(port) }), 'connection-refused')).toMatch(
        /port/,
      );
    });

    it('a prefix that belongs to another owner', async () => {
      const claimPath = join(destDir, 'r.snaptray-owner.json');
      const claim = JSON.parse(await readFile(claimPath, 'utf8'));
      const stranger = { id: 'f'.repeat(32), profile: 'default' };
      await writeFile(
        claimPath,
        JSON.stringify({ ...claim, owner: stranger, host: 'someone-else', user: 'eve' }),
      );
      before = await readTree(destDir);
      expect(await expectFailure(sshFlags(), 'prefix-owned')).toMatch(
        /belong to user eve on "someone-else" \(profile "default"\).*snaptray adopt/,
      );
    });
  });

  it('a destination whose parent folder is missing is named, and nothing is created', async () => {
    const r = await runCli(
      [
        'backup',
        '--dest',
        remote(join(destDir, 'gone', 'deeper')),
        '--source',
        src,
        '--json',
        ...sshFlags(),
      ],
      home,
    );
    expect(r.code).toBe(1);
    expect(r.json?.error).toMatchObject({ kind: 'destination-missing' });
    expect(existsSync(join(destDir, 'gone'))).toBe(false);
  });

  it('init --create makes the last folder over ssh with rsync alone; without it nothing is made', async () => {
    const folder = join(destDir, 'snap tray');
    const refused = await runCli(['init', '--dest', remote(folder), ...sshFlags()], home);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${remote(folder)} does not exist. Is the disk mounted?`);
    expect(refused.stderr).toContain(
      `\n  snaptray init --create --dest '${remote(folder)}' --ssh-port`,
    );
    expect(existsSync(folder)).toBe(false);
    const created = await runCli(
      ['init', '--create', '--dest', remote(folder), ...sshFlags()],
      home,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(new RegExp(`^Created the folder ${remote(folder)}\\.\n`));
    expect(await readdir(folder)).toEqual(['.snaptray-destination']);
    const deeper = join(destDir, 'no', 'such');
    const parent = await runCli(
      ['init', '--create', '--dest', remote(deeper), ...sshFlags()],
      home,
    );
    expect(parent.code).toBe(1);
    expect(parent.stderr).toContain('does not exist either. Is the disk mounted?');
    expect(existsSync(join(destDir, 'no'))).toBe(false);
  });

  it('check words the host that answered the same way whichever later step fails', async () => {
    await runCli(['init', '--dest', remote(), ...sshFlags()], home);
    const good = await runCli(['check', '--dest', remote(), ...sshFlags(), '--json'], home);
    const other = await makeTempDir('st-otherkey-');
    const key = join(other, 'id');
    await runProgram('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const bad = await runCli(['check', '--dest', remote(), ...sshFlags({ key }), '--json'], home);
    const reachable = (r: typeof good) =>
      (r.json?.steps as { step: string; message: string }[]).find((s) => s.step === 'reachable');
    expect(reachable(good)).toEqual({
      step: 'reachable',
      ok: true,
      message: '127.0.0.1 answered on the ssh port.',
    });
    expect(reachable(bad)).toEqual(reachable(good));
  });

  it('takes a key and a known_hosts file whose paths hold "%", which ssh would expand', async () => {
    const odd = join(await makeTempDir('st-pct-'), '100% mine %h');
    await mkdir(odd);
    const key = join(odd, 'key %d');
    const knownHosts = join(odd, 'known %u');
    await writeFile(key, await readFile(sshd.clientKey), { mode: 0o600 });
    await writeFile(knownHosts, await readFile(sshd.knownHosts));
    const flags = sshFlags({ key, knownHosts });
    expect((await runCli(['init', '--dest', remote(), ...flags], home)).code).toBe(0);
    const r = await runCli(
      ['backup', '--dest', remote(), '--prefix', 'r', '--source', src, '--json', ...flags],
      home,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(await snapshotNames()).toEqual([r.json?.snapshot]);
  });

  it('an uninitialised destination (an empty mount point) is refused', async () => {
    const r = await backup();
    expect(r.code).toBe(1);
    expect(r.json?.error).toMatchObject({ kind: 'not-initialised' });
    expect(await readdir(destDir)).toEqual([]);
  });
});

describe('a run killed with SIGKILL over ssh', () => {
  /** The folder a running CLI process made for its connection and scratch files. */
  async function runFolderOf(pid: number): Promise<string> {
    const dir = join(home.runtimeDir, 'snaptray');
    let found: string | undefined;
    await waitFor(`the folder of process ${pid}`, async () => {
      found = (await readdir(dir).catch(() => [] as string[])).find((n) =>
        n.startsWith(`r-${pid}-`),
      );
      return found !== undefined;
    });
    return join(dir, found!);
  }

  /**
   * Until the rsync that pushes the snapshot sends through the connection of that folder; that
   * rsync. Listings and probes through the same connection end within moments, so only the push
   * (the one that reports progress) is a process a test can hold.
   */
  async function whileSending(folder: string): Promise<ProcessMatch> {
    let push: ProcessMatch | undefined;
    await waitFor(`an rsync pushing through ${folder}`, async () => {
      push = (await processesMatching(`${folder}/ssh_config`)).find(
        (p) => basename(p.argv[0]!) === 'rsync' && p.argv.includes('--info=progress2'),
      );
      return push !== undefined;
    });
    return push!;
  }

  const isMaster = (p: ProcessMatch) => p.argv[0] === 'ssh' && p.argv.includes('ControlMaster=yes');

  it('leaves no ssh master or folder behind once the next run starts, and a live run’s are untouched', async () => {
    const workDest = await makeTempDir('st-router-work-');
    const workSrc = await makeTempDir('st-src-work-');
    await writeTree(workSrc, { blob: Buffer.alloc(300_000, 3) });
    const profile = (dest: string, prefix: string, slow: boolean) => ({
      sources: [dest === workDest ? workSrc : src],
      destination: remote(dest),
      prefix,
      ssh: profileSsh(sshd),
      rsync: { bandwidthLimit: slow ? 100 : null },
    });
    const configFile = join(home.configDir, 'Snaptray', 'config.json');
    await writeSettingsFile(configFile, {
      default: profile(destDir, 'r', true),
      work: profile(workDest, 'w', true),
    });
    await writeTree(src, { 'big/more': Buffer.alloc(1_500_000, 2) });
    for (const p of ['default', 'work']) {
      const init = await runCli(['init', '--profile', p], home);
      expect(init.code, init.stderr).toBe(0);
    }

    // A run of "default" is killed mid-transfer: its ssh master lingers, its folder stays.
    const killed = startCli(['backup'], home);
    const dead = await runFolderOf(killed.child.pid!);
    await whileSending(dead);
    killed.child.kill('SIGKILL');
    await killed.done;
    expect((await processesMatching(`${dead}/`)).filter(isMaster)).toHaveLength(1);
    expect(existsSync(dead)).toBe(true);

    // A run of "work" goes on meanwhile, held mid-transfer.
    const work = startCli(['backup', '--profile', 'work', '--json'], home);
    const live = await runFolderOf(work.child.pid!);
    const held = await whileSending(live);
    process.kill(held.pid, 'SIGSTOP');
    let workResult;
    try {
      await writeSettingsFile(configFile, {
        default: profile(destDir, 'r', false),
        work: profile(workDest, 'w', true),
      });
      const next = await runCli(['backup', '--json'], home);
      expect(next.code, next.stderr).toBe(0);

      // The dead run's master and folder are gone; the live run's are where they were.
      expect(await processesMatching(`${dead}/`)).toEqual([]);
      expect(existsSync(dead)).toBe(false);
      expect((await processesMatching(`${live}/`)).filter(isMaster)).toHaveLength(1);
      expect(existsSync(join(live, 'ssh_config'))).toBe(true);
    } finally {
      process.kill(held.pid, 'SIGCONT');
      workResult = await work.done;
    }
    expect(workResult.code, workResult.stderr).toBe(0);
    expect(workResult.json).toMatchObject({ outcome: 'ok' });
    // The live run closed its own master and removed its folder as it ended.
    expect(await processesMatching(`${live}/`)).toEqual([]);
    expect(await readdir(join(home.runtimeDir, 'snaptray'))).toEqual([]);
  });
});

describe('options smuggled through host, user, port or path', () => {
  const canary = '/tmp/snaptray-smuggled';
  it.each([
    ['--dest', `-oProxyCommand=touch ${canary}:/x`],
    ['--dest', `root@-oProxyCommand=touch ${canary}:/x`],
    ['--dest', `-oProxyCommand=touch ${canary}@127.0.0.1:/x`],
    ['--dest', `root@127.0.0.1:-oProxyCommand=touch ${canary}`],
    ['--ssh-port', `22 -oProxyCommand=touch ${canary}`],
    ['--ssh-port', '-1'],
    ['--source', '--rsh=touch /tmp/snaptray-smuggled'],
    ['--exclude', '--rsh=touch /tmp/snaptray-smuggled'],
  ])('%s %j is refused with exit 2 and nothing runs', async (flag, value) => {
    await rm(canary, { force: true });
    const connections = await sshd.connectionCount();
    const base = ['backup', '--source', src, '--dest', remote()];
    const i = base.indexOf(flag);
    const args = i >= 0 ? base.map((v, j) => (j === i + 1 ? value : v)) : [...base, flag, value];
    const r = await runCli([...args, '--json'], home);
    expect(r.code).toBe(2);
    expect(r.json?.outcome).toBe('failed');
    expect((r.json?.error as { message: string }).message).toMatch(/option|port|absolute/);
    expect(existsSync(canary)).toBe(false);
    expect(await sshd.connectionCount()).toBe(connections);
  });
});

describe('a key restricted with rrsync -no-del', () => {
  let restricted: Sshd;
  let root: string;
  beforeAll(async () => {
    root = await makeTempDir('st-rrsync-');
    restricted = await startSshd({ restrictedDir: root, noDel: true });
  });
  afterAll(async () => {
    await restricted.stop();
  });

  it('backs up with hard links through the restricted folder; pruning is only a warning', async () => {
    const flags = [
      '--ssh-port',
      String(restricted.port),
      '--ssh-key',
      restricted.clientKey,
      '--known-hosts',
      restricted.knownHosts,
      '--ssh-config',
      restricted.sshConfig,
    ];
    const dest = `${restricted.user}@127.0.0.1:/`;
    expect((await runCli(['init', '--dest', dest, ...flags], home)).code).toBe(0);
    expect(existsSync(join(root, '.snaptray-destination'))).toBe(true);
    const first = await runCli(
      ['backup', '--dest', dest, '--prefix', 'r', '--source', src, '--json', ...flags],
      home,
    );
    expect(first.code, first.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 1100));
    const second = await runCli(
      ['backup', '--dest', dest, '--prefix', 'r', '--source', src, '--json', ...flags],
      home,
    );
    expect(second.code, second.stderr).toBe(0);
    const [, s2] = await snapshotNames(root);
    expect(await linkCount(join(root, s2!, src, 'big/blob'))).toBe(2);

    // An old snapshot retention would delete: the restricted key refuses, and that is a warning.
    await mkdir(join(root, 'r-2001-01-01'));
    const prune = await runCli(
      ['prune', '--dest', dest, '--prefix', 'r', '--json', ...flags],
      home,
    );
    expect(prune.code, prune.stderr).toBe(1);
    expect((prune.json?.delete as { name: string }[]).map((d) => d.name)).toEqual(['r-2001-01-01']);
    expect(prune.json?.deleted).toEqual([]);
    expect((prune.json?.warnings as string[]).join(' ')).toMatch(
      /the destination's key may not delete \(rrsync -no-del refused --delete\), so nothing was deleted/,
    );
    expect(prune.stderr).toMatch(/NOT deleted r-2001-01-01/);
    expect(existsSync(join(root, 'r-2001-01-01'))).toBe(true);
  }, 180_000);
});
