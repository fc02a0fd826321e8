/**
 * A destination shared by several profiles, two accounts (root's cron and a user's tray), other
 * machines and older versions: no run may delete, overwrite, mix or hide another run's snapshot.
 * Real rsync; the owner file and identity as they are on disk.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultPrefix } from '../../../core/destination/snapshot-name.js';
import {
  CLI,
  makeCliHome,
  runCli,
  startCli,
  writeSettingsFile,
  type CliHome,
  type CliRun,
} from '../../support/cli.js';
import { cliFlags, startSshd, type Sshd } from '../../support/sshd.js';
import { inode, linkCount, makeTempDir, readTree, writeTree } from '../../support/tree.js';

let home: CliHome;
let src: string;
let dest: string;

beforeEach(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  await writeTree(src, {
    'a.txt': 'alpha',
    'sub/b.txt': 'beta',
    'big.bin': Buffer.alloc(120_000, 5),
  });
  expect((await runCli(['init', '--dest', dest], home)).code).toBe(0);
});

function writeProfiles(h: CliHome, profiles: Record<string, Record<string, unknown>>) {
  return writeSettingsFile(join(h.configDir, 'Snaptray', 'config.json'), profiles);
}

function profile(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { sources: [src], destination: dest, ...extra };
}

function backup(h: CliHome, ...args: string[]): Promise<CliRun> {
  return runCli(['backup', '--json', ...args], h);
}

async function snapshotDirs(prefix: string): Promise<string[]> {
  const re = new RegExp(`^${prefix.replace(/[.]/g, '\\.')}-\\d{4}-\\d\\d-\\d\\d(-\\d{6})?$`);
  return (await readdir(dest)).filter((n) => re.test(n)).sort();
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(50);
  }
}

/** Until rsync of a run writes a temporary file inside the snapshot folder for `prefix`. */
async function waitUntilSending(prefix: string): Promise<string> {
  let name = '';
  await waitFor(async () => {
    name = (await snapshotDirs(prefix))[0] ?? '';
    const inside = join(dest, name, src);
    return (
      name !== '' &&
      existsSync(inside) &&
      (await readdir(inside)).some((n) => n.startsWith('.big.bin.'))
    );
  });
  return name;
}

/**
 * Stops the rsync processes writing to `dest` (SIGSTOP) until the returned function lets them go
 * on: the run is held mid-transfer for as long as the test needs, however slow the machine.
 */
async function holdTransfer(): Promise<() => void> {
  const pids = await rsyncsMentioning(dest);
  expect(pids.length).toBeGreaterThan(0);
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  return () => {
    for (const pid of pids) process.kill(pid, 'SIGCONT');
  };
}

/** Live rsync processes whose command line mentions `text` (zombies are not alive). */
async function rsyncsMentioning(text: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    if (cmd.includes('rsync') && cmd.includes(text) && state !== 'Z' && state !== '') {
      found.push(Number(pid));
    }
  }
  return found;
}

describe('two profiles of one machine', () => {
  it('get prefixes of their own by default, and neither prunes nor links the other’s snapshots', async () => {
    const rules = {
      retention: { keepAllHours: 0, dailyDays: 1, weeklyWeeks: 0, monthlyMonths: 0 },
    };
    await writeProfiles(home, { default: profile(rules), work: profile(rules) });
    for (const p of ['default', 'work', 'default', 'work']) {
      const r = await backup(home, '--profile', p);
      expect(r.code, r.stderr).toBe(0);
      await sleep(1100);
    }
    const uid = process.getuid?.() ?? 1000;
    const mine = await snapshotDirs(defaultPrefix(hostname(), 'default', uid));
    const work = await snapshotDirs(defaultPrefix(hostname(), 'work', uid));
    // Each profile keeps its own newest of the day; the other's never counted.
    expect(mine).toHaveLength(1);
    expect(work).toHaveLength(1);
    // And each hard-linked against its own previous snapshot: nothing was sent again.
    for (const name of [...mine, ...work]) {
      const manifest = JSON.parse(await readFile(join(dest, `${name}.snaptray.json`), 'utf8'));
      expect(manifest.files, name).toBe(0);
    }
  });

  it('cannot share one prefix: the second profile is refused and nothing of the first changes', async () => {
    await writeProfiles(home, {
      default: profile({ prefix: 'same' }),
      work: profile({ prefix: 'same', sources: [join(src, 'sub')] }),
    });
    expect((await backup(home)).code).toBe(0);
    const before = await readTree(dest);
    const r = await backup(home, '--profile', 'work');
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({
      outcome: 'failed',
      snapshot: null,
      error: { kind: 'prefix-owned' },
    });
    expect((r.json?.error as { message: string }).message).toMatch(
      /belong to this account's profile "default".*Choose another prefix/,
    );
    expect(await readTree(dest)).toEqual(before);
    const prune = await runCli(['prune', '--profile', 'work', '--json'], home);
    expect(prune.code).toBe(1);
    expect(prune.json?.error).toMatchObject({ kind: 'prefix-owned' });
    expect(await readTree(dest)).toEqual(before);
  });

  it('overlapping in time: the second is refused while the first writes, and the first completes', async () => {
    await writeProfiles(home, {
      default: profile({ prefix: 'same', rsync: { bandwidthLimit: 100 } }),
      work: profile({ prefix: 'same' }),
    });
    const first = startCli(['backup', '--json'], home);
    const name = await waitUntilSending('same');
    const letGo = await holdTransfer();
    const second = await backup(home, '--profile', 'work');
    letGo();
    expect(second.code).toBe(1);
    expect(second.json?.error).toMatchObject({ kind: 'prefix-owned' });
    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.json?.snapshot).toBe(name);
    expect(await readTree(join(dest, name, src))).toEqual(await readTree(src));
    expect(existsSync(join(dest, `${name}.snaptray.json`))).toBe(true);
  });

  it('one profile started again with another state folder waits for the run of its owner', async () => {
    // A session that sets XDG_STATE_HOME and cron, which does not: two state folders, one owner.
    await writeProfiles(home, {
      default: profile({ prefix: 'own', rsync: { bandwidthLimit: 100 } }),
    });
    const first = startCli(['backup', '--json'], home);
    const name = await waitUntilSending('own');
    const letGo = await holdTransfer();
    const cron: CliHome = {
      ...home,
      env: { ...home.env, XDG_STATE_HOME: await makeTempDir('st-state-') },
    };
    const status = await runCli(['status', '--json'], cron);
    const second = await backup(cron);
    letGo();
    expect(status.json?.running).toMatchObject({ pid: first.child.pid, source: 'cli' });
    expect(second.code, second.stderr).toBe(4);
    expect((second.json?.error as { message: string }).message).toMatch(
      /^Another backup of this profile is running \(process \d+, started from the cli\) with another state folder/,
    );
    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.json?.snapshot).toBe(name);
    expect(await snapshotDirs('own')).toEqual([name]);
    expect(await readTree(join(dest, name, src))).toEqual(await readTree(src));
    // Once it is over, the same profile backs up from the other state folder, linking as usual.
    await sleep(1100);
    const again = await backup(cron);
    expect(again.code, again.stderr).toBe(0);
    const [, later] = await snapshotDirs('own');
    expect(await inode(join(dest, later!, src, 'big.bin'))).toBe(
      await inode(join(dest, name, src, 'big.bin')),
    );
  });

  it('started in the same second on a new prefix: one claims it, the other writes nothing', async () => {
    const other = await makeTempDir('st-src2-');
    await writeTree(other, { 'other.txt': 'other' });
    await writeProfiles(home, {
      default: profile({ prefix: 'race' }),
      work: profile({ prefix: 'race', sources: [other] }),
    });
    const [a, b] = await Promise.all([backup(home), backup(home, '--profile', 'work')]);
    const results = [a, b].map((r) => r.code).sort();
    expect(results).toEqual([0, 1]);
    const loser = a.code === 1 ? a : b;
    expect(loser.json?.error).toMatchObject({ kind: 'prefix-owned' });
    const dirs = await snapshotDirs('race');
    expect(dirs).toHaveLength(1);
    // The one snapshot holds one profile's source only.
    const holds = [existsSync(join(dest, dirs[0]!, src)), existsSync(join(dest, dirs[0]!, other))];
    expect(holds.filter(Boolean)).toHaveLength(1);
  });
});

describe('two accounts on one machine (root’s cron and a user’s tray)', () => {
  it('the second account is refused with the owner named, and the first keeps its snapshots', async () => {
    const root = home;
    const user = await makeCliHome();
    expect((await backup(root, '--dest', dest, '--source', src, '--prefix', 'box')).code).toBe(0);
    const before = await readTree(dest);
    const r = await backup(user, '--dest', dest, '--source', src, '--prefix', 'box');
    expect(r.code).toBe(1);
    expect((r.json?.error as { message: string }).message).toMatch(
      new RegExp(`belong to user \\S+ on "${hostname()}" \\(profile "default"\\)`),
    );
    expect(await readTree(dest)).toEqual(before);
  });
});

describe('a manifest this version cannot read', () => {
  it('is listed as unknown, never linked against, and never deleted', async () => {
    await writeProfiles(home, { default: profile({ prefix: 'u' }) });
    expect((await backup(home)).code).toBe(0);
    await sleep(1100);
    expect((await backup(home)).code).toBe(0);
    const [older, newer] = await snapshotDirs('u');
    // From now on, retention keeps nothing it does not have to.
    await writeProfiles(home, {
      default: profile({
        prefix: 'u',
        retention: {
          keepAllHours: 0,
          dailyDays: 0,
          weeklyWeeks: 0,
          monthlyMonths: 0,
          maxAgeDays: 1,
        },
      }),
    });
    // The newer snapshot's manifest comes from a future version, and its copy of a.txt differs
    // (same size and time): a run that linked against it would take the wrong content.
    const manifestPath = join(dest, `${newer}.snaptray.json`);
    const m = JSON.parse(await readFile(manifestPath, 'utf8'));
    await writeFile(
      manifestPath,
      JSON.stringify({ ...m, format: 2, startedAt: '2001-01-01T00:00:00Z' }),
    );
    const copy = join(dest, newer!, src, 'a.txt');
    const { mtime } = await stat(copy);
    await rm(copy);
    await writeFile(copy, 'ALPHA');
    await utimes(copy, mtime, mtime);

    const list = await runCli(['list', '--json'], home);
    expect(list.json?.snapshots).toContainEqual(
      expect.objectContaining({
        name: newer,
        state: 'unknown',
        reason: 'it has format 2, written by a newer Snaptray',
      }),
    );
    expect(list.stderr).toMatch(/manifest of .* cannot be read/);

    await sleep(1100);
    const third = await backup(home);
    expect(third.code, third.stderr).toBe(0);
    expect((third.json?.warnings as string[]).join(' ')).toMatch(/cannot be read/);
    const made = third.json?.snapshot as string;
    expect(await readFile(join(dest, made, src, 'a.txt'), 'utf8')).toBe('alpha');
    expect(await linkCount(join(dest, made, src, 'big.bin'))).toBeGreaterThan(1);
    // Retention deleted the older ok snapshot but left the unknown one.
    expect(await snapshotDirs('u')).toEqual([newer, made].sort());
    expect(older).toBeDefined();
    const prune = await runCli(['prune', '--unfinished', '--json'], home);
    expect(prune.code, prune.stderr).toBe(0);
    expect(existsSync(join(dest, newer!))).toBe(true);
  });
});

describe('a run killed with SIGKILL', () => {
  it('takes its rsync with it, and the next run, started at once, makes a whole snapshot', async () => {
    await writeProfiles(home, {
      default: profile({ prefix: 'k', rsync: { bandwidthLimit: 100 } }),
    });
    const run = startCli(['backup', '--json'], home);
    const unfinished = await waitUntilSending('k');
    run.child.kill('SIGKILL');
    await run.done;
    await writeProfiles(home, { default: profile({ prefix: 'k' }) });
    const next = await backup(home);
    expect(next.code, next.stderr).toBe(0);
    expect(await rsyncsMentioning(unfinished)).toEqual([]);
    const made = next.json?.snapshot as string;
    expect(made).not.toBe(unfinished);
    expect(await readTree(join(dest, made, src))).toEqual(await readTree(src));
    // The unfinished snapshot was a link base, then superseded.
    expect(existsSync(join(dest, unfinished))).toBe(false);
  });
});

describe('a renamed machine', () => {
  /** Runs the CLI in a UTS namespace of its own whose host name is `name`. */
  function inRenamedHost(name: string, args: string[], h: CliHome): CliRun {
    const script = 'hostname "$1"; shift; exec "$@"';
    const r = spawnSync(
      'unshare',
      ['-u', 'sh', '-c', script, 'sh', name, process.execPath, CLI, ...args],
      { env: h.env, encoding: 'utf8' },
    );
    return {
      code: r.status,
      signal: r.signal,
      stdout: r.stdout,
      stderr: r.stderr,
      json: JSON.parse(r.stdout) as Record<string, unknown>,
    };
  }

  it('goes on backing up under its prefix: ownership is the account’s, not the host name’s', async () => {
    const flags = ['--dest', dest, '--source', src, '--prefix', 'mine', '--json'];
    expect((await runCli(['backup', ...flags], home)).code).toBe(0);
    await sleep(1100);
    const renamed = inRenamedHost('renamed-box', ['backup', ...flags], home);
    expect(renamed.json).toMatchObject({ outcome: 'ok', error: null });
    const made = renamed.json?.snapshot as string;
    const manifest = JSON.parse(await readFile(join(dest, `${made}.snaptray.json`), 'utf8'));
    expect(manifest.host).toBe('renamed-box');
    expect(manifest.files).toBe(0);
  });

  it('upgrading from before owners: this host’s snapshots are claimed once; a renamed host adopts them', async () => {
    const flags = ['--dest', dest, '--source', src, '--prefix', 'old', '--json'];
    expect((await runCli(['backup', ...flags], home)).code).toBe(0);
    // Make the destination look as an older version left it: manifests with the host only.
    const [first] = await snapshotDirs('old');
    const manifestPath = join(dest, `${first}.snaptray.json`);
    const oldManifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
    delete oldManifest.owner;
    delete oldManifest.user;
    await writeFile(manifestPath, JSON.stringify(oldManifest));
    await rm(join(dest, 'old.snaptray-owner.json'));

    // Another machine finds snapshots it did not make, and is told what to do.
    const stranger = await makeCliHome();
    const refused = inRenamedHost('another-box', ['backup', ...flags], stranger);
    expect(refused.code).toBe(1);
    expect(refused.json?.error).toMatchObject({ kind: 'prefix-owned' });
    expect((refused.json?.error as { message: string }).message).toMatch(
      new RegExp(`made by the machine "${hostname()}".*snaptray adopt`),
    );
    expect(existsSync(join(dest, 'old.snaptray-owner.json'))).toBe(false);
    await sleep(1100);

    // The same account on the same host claims them by itself.
    const again = await runCli(['backup', ...flags], home);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json?.files).toBe(0);
    const claim = JSON.parse(await readFile(join(dest, 'old.snaptray-owner.json'), 'utf8'));
    expect(claim).toMatchObject({ prefix: 'old', host: hostname(), owner: { profile: 'default' } });

    // A reinstall (a new identity) is refused until it adopts the prefix, then links against it.
    await rm(join(home.configDir, 'Snaptray', 'identity.json'));
    await sleep(1100);
    const afterReinstall = await runCli(['backup', ...flags], home);
    expect(afterReinstall.code).toBe(1);
    expect((afterReinstall.json?.error as { message: string }).message).toMatch(/snaptray adopt/);
    const adopt = await runCli(['adopt', '--dest', dest, '--prefix', 'old', '--json'], home);
    expect(adopt.code, adopt.stderr).toBe(0);
    expect(adopt.json).toMatchObject({ adopted: true, previousOwner: { host: hostname() } });
    const adopted = await runCli(['backup', ...flags], home);
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(adopted.json?.files).toBe(0);
    const prune = await runCli(['prune', '--dest', dest, '--prefix', 'old', '--json'], home);
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.json?.leave).toEqual([]);
  });
});

describe('the hour the clock turns back', () => {
  it('keeps and links an unfinished snapshot that may be newer than the complete one', async () => {
    const berlin = { ...home, env: { ...home.env, TZ: 'Europe/Berlin' } };
    const flags = ['--dest', dest, '--source', src, '--prefix', 'dst', '--json'];
    expect((await runCli(['backup', ...flags], berlin)).code).toBe(0);
    const [made] = await snapshotDirs('dst');
    // Moved back in time, the manifest no longer carries this boot's uptime: without it the
    // later run would rightly find its clock 40 days away from the uptime.
    const manifest = JSON.parse(
      await readFile(join(dest, `${made}.snaptray.json`), 'utf8'),
    ) as Record<string, unknown>;
    delete manifest.bootId;
    delete manifest.uptimeSeconds;
    // A complete snapshot started at 02:00 CET (01:00 UTC), and an unfinished one named 02:30,
    // which happened both at 00:30 UTC (before it) and at 01:30 UTC (after it).
    const complete = 'dst-2026-10-25-020000';
    const unfinished = 'dst-2026-10-25-023000';
    execFileSync('cp', ['-al', join(dest, made!), join(dest, complete)]);
    await writeFile(
      join(dest, `${complete}.snaptray.json`),
      JSON.stringify({ ...manifest, startedAt: '2026-10-25T01:00:00.000Z' }),
    );
    execFileSync('cp', ['-al', join(dest, made!), join(dest, unfinished)]);
    await writeFile(join(dest, unfinished, src, 'new.bin'), Buffer.alloc(200_000, 9));
    await writeFile(join(src, 'new.bin'), Buffer.alloc(200_000, 9));
    await utimes(join(src, 'new.bin'), new Date(0), new Date(0));
    await utimes(join(dest, unfinished, src, 'new.bin'), new Date(0), new Date(0));
    await rm(join(dest, made!), { recursive: true });
    await rm(join(dest, `${made}.snaptray.json`));

    const preview = await runCli(
      ['prune', '--dest', dest, '--prefix', 'dst', '--dry-run', '--json'],
      berlin,
    );
    expect(preview.json?.leave).toContainEqual(expect.objectContaining({ name: unfinished }));
    expect((preview.json?.delete as { name: string }[]).map((d) => d.name)).not.toContain(
      unfinished,
    );

    const unfinishedCopy = await inode(join(dest, unfinished, src, 'new.bin'));
    const next = await runCli(['backup', ...flags], berlin);
    expect(next.code, next.stderr).toBe(0);
    // new.bin was only in the unfinished snapshot: linked from there, not sent again. Then the new
    // complete snapshot superseded the unfinished one.
    expect(next.json?.bytesSent).toBeLessThan(10_000);
    expect(await inode(join(dest, next.json?.snapshot as string, src, 'new.bin'))).toBe(
      unfinishedCopy,
    );
    expect(existsSync(join(dest, unfinished))).toBe(false);
    expect(existsSync(join(dest, complete))).toBe(true);
  });
});

describe('an ssh destination shared by two accounts', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd.stop();
  });

  it('claims the prefix through rsync alone and refuses the second account', async () => {
    const routerDir = await makeTempDir('st-router-');
    const remote = `${sshd.user}@127.0.0.1:${routerDir}`;
    const ssh = cliFlags(sshd);
    const user = await makeCliHome();
    expect((await runCli(['init', '--dest', remote, ...ssh], home)).code).toBe(0);
    const first = await backup(home, '--dest', remote, '--source', src, '--prefix', 'net', ...ssh);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(routerDir, 'net.snaptray-owner.json'))).toBe(true);
    const before = await readTree(routerDir);
    const second = await backup(user, '--dest', remote, '--source', src, '--prefix', 'net', ...ssh);
    expect(second.code).toBe(1);
    expect(second.json?.error).toMatchObject({ kind: 'prefix-owned' });
    expect(await readTree(routerDir)).toEqual(before);
  }, 180_000);
});

describe('changing what is on the destination while a backup runs', () => {
  it('prune and delete wait for the lock: refused with exit 4, nothing deleted', async () => {
    await writeProfiles(home, { default: profile({ prefix: 'l' }) });
    expect((await backup(home)).code).toBe(0);
    const [first] = await snapshotDirs('l');
    // An old snapshot retention would delete at once.
    execFileSync('cp', ['-al', join(dest, first!), join(dest, 'l-2001-01-01')]);
    await writeProfiles(home, {
      default: profile({
        prefix: 'l',
        rsync: { bandwidthLimit: 100 },
        retention: {
          keepAllHours: 0,
          dailyDays: 0,
          weeklyWeeks: 0,
          monthlyMonths: 0,
          maxAgeDays: 1,
        },
      }),
    });
    await sleep(1100);
    await writeFile(join(src, 'new.bin'), Buffer.alloc(600_000, 7));
    const running = startCli(['backup', '--json'], home);
    await waitFor(async () => {
      const dirs = await snapshotDirs('l');
      const inside = dirs.length === 3 ? join(dest, dirs.at(-1)!, src) : '';
      return (
        inside !== '' &&
        existsSync(inside) &&
        (await readdir(inside)).some((n) => n.startsWith('.new.bin.'))
      );
    });
    const before = await readTree(join(dest, 'l-2001-01-01'));
    const prune = await runCli(['prune', '--json'], home);
    expect(prune.code).toBe(4);
    expect((prune.json?.error as { message: string }).message).toMatch(
      /Another backup of this profile is running .*prune later/,
    );
    const del = await runCli(['delete', first!, '--json'], home);
    expect(del.code).toBe(4);
    expect(existsSync(join(dest, first!))).toBe(true);
    expect(await readTree(join(dest, 'l-2001-01-01'))).toEqual(before);
    const done = await running.done;
    expect(done.code, done.stderr).toBe(0);
    // Once the run is over, its own clean-up removed what retention does not keep.
    expect(existsSync(join(dest, 'l-2001-01-01'))).toBe(false);
  });

  it('delete refuses the newest complete snapshot without --force, and names what is not a snapshot', async () => {
    await writeProfiles(home, { default: profile({ prefix: 'd' }) });
    expect((await backup(home)).code).toBe(0);
    await sleep(1100);
    expect((await backup(home)).code).toBe(0);
    const [older, newest] = await snapshotDirs('d');
    const refused = await runCli(['delete', newest!, '--json'], home);
    expect(refused.code).toBe(1);
    expect((refused.json?.error as { message: string }).message).toMatch(
      /is the newest complete snapshot .*Nothing was deleted; add --force/,
    );
    const unknown = await runCli(['delete', 'd-1999-01-01-000000', '--json'], home);
    expect(unknown.code).toBe(2);
    expect((unknown.json?.error as { message: string }).message).toMatch(
      /Not snapshots of the prefix "d"/,
    );
    const ok = await runCli(['delete', older!], home);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^deleted {2}d-.*\n1 snapshot deleted\.\n$/);
    expect(await snapshotDirs('d')).toEqual([newest]);
    expect(existsSync(join(dest, `${older}.snaptray.json`))).toBe(false);
  });
});
