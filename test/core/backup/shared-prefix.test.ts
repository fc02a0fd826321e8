/**
 * One prefix, several writers: the engine called in this process (as the tray calls it) with real
 * rsync, on a local folder and through a real sshd. A run links against and deletes only its own
 * owner's snapshots, leaves every other prefix alone, and of two first claims on a free prefix
 * the first stays: the second owner file never replaces it, and its run writes nothing.
 * The clock is injected: every run happens at a fixed time, whatever today is, except a run that
 * prunes: a clock days away from the destination's is suspect and deletes nothing, so the runs
 * that prune happen now and two days ago. No boot clock is read (as without /proc), since runs
 * days apart cannot share a boot.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BackupEnvironment, BackupResult } from '../../../core/backup/run.js';
import { runBackup } from '../../../core/backup/run.js';
import { claimFor, type Me } from '../../../core/destination/ownership.js';
import { backupEnvironment, places } from '../../../core/environment.js';
import { spawnProcess } from '../../../core/process.js';
import { loadIdentity } from '../../../core/settings/identity.js';
import { defaultProfile, type Profile } from '../../../core/settings/schema.js';
import { makeCliHome, type CliHome } from '../../support/cli.js';
import { profileSsh, startSshd, type Sshd } from '../../support/sshd.js';
import { inode, makeTempDir, readTree, writeTree } from '../../support/tree.js';

/** An account on some machine: its own config and state folders, and so its own identity. */
interface Account {
  home: CliHome;
  id: string;
  host: string;
  user: string;
}

const SETUP = new Date('2026-10-01T00:00:00.000Z');
/** Keeps the newest snapshot of today only: every older one of the owner's is pruned. */
const KEEP_TODAY: Profile['retention'] = {
  keepAllHours: 0,
  dailyDays: 1,
  weeklyWeeks: 0,
  monthlyMonths: 0,
  maxAgeDays: null,
  makeRoom: false,
  makeRoomKeep: 3,
};

let src: string;
let dest: string;

beforeEach(async () => {
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  await writeTree(src, {
    'a.txt': 'alpha',
    'sub/b.txt': 'beta',
    'big.bin': Buffer.alloc(50_000, 7),
  });
  await writeFile(join(dest, '.snaptray-destination'), '{"format":1}\n');
});

async function account(host: string, user: string): Promise<Account> {
  const home = await makeCliHome();
  const identity = await loadIdentity(places(home.env).configDir, SETUP);
  if (!identity.ok) throw new Error(identity.message);
  return { home, id: identity.id, host, user };
}

function me(a: Account, profile = 'default'): Me {
  return { id: a.id, profile, host: a.host, user: a.user };
}

/** The environment the tray would give a run of `profileName`, at the fixed time `at`. */
function environment(a: Account, profileName: string, at: Date): BackupEnvironment {
  return {
    ...backupEnvironment(places(a.home.env), profileName, spawnProcess, 'tray'),
    now: () => at,
    bootClock: async () => ({ bootId: null, uptimeSeconds: null }),
    hostname: a.host,
    user: a.user,
  };
}

/** Two days ago and now: runs that prune happen at the destination's time. */
const twoDaysAgo = () => new Date(Date.now() - 2 * 86_400_000);
const rightNow = () => new Date();

async function backUp(
  a: Account,
  at: string | Date,
  profile: Partial<Profile> & { prefix: string },
  profileName = 'default',
): Promise<BackupResult> {
  return runBackup(environment(a, profileName, new Date(at)), {
    profileName,
    profile: { ...defaultProfile(), sources: [src], destination: dest, ...profile },
    force: false,
  });
}

async function backedUp(
  a: Account,
  at: string | Date,
  profile: Partial<Profile> & { prefix: string },
  profileName = 'default',
): Promise<string> {
  const result = await backUp(a, at, profile, profileName);
  expect(result.outcome, result.error?.message).toBe('ok');
  return result.snapshot!;
}

/** Replaces the prefix's owner file, as a second owner's claim would have if it had won. */
async function claimAs(prefix: string, who: Me, folder = dest): Promise<void> {
  const claim = claimFor(who, prefix, SETUP, '0.1.0');
  await writeFile(join(folder, `${prefix}.snaptray-owner.json`), JSON.stringify(claim) + '\n');
}

async function snapshotsNamed(prefix: string, folder = dest): Promise<string[]> {
  const re = new RegExp(`^${prefix}-\\d{4}-\\d\\d-\\d\\d-\\d{6}$`);
  return (await readdir(folder)).filter((n) => re.test(n)).sort();
}

async function ownerOf(prefix: string, folder = dest): Promise<{ id: string; profile: string }> {
  const raw = await readFile(join(folder, `${prefix}.snaptray-owner.json`), 'utf8');
  return (JSON.parse(raw) as { owner: { id: string; profile: string } }).owner;
}

const bigFile = (snapshot: string) => join(dest, snapshot, src, 'big.bin');

describe('snapshots of another owner under the prefix this run holds', () => {
  // Two owners that both believed they held "p": another machine's account, then this account's
  // other profile, wrote snapshots there before this profile's claim replaced theirs.
  let mine: Account;
  let foreign: string[];

  beforeEach(async () => {
    mine = await account('univac', 'ben');
    const other = await account('eniac', 'eve');
    foreign = [
      await backedUp(other, '2026-11-01T02:00:00Z', { prefix: 'p' }),
      await backedUp(other, '2026-11-02T02:00:00Z', { prefix: 'p' }),
    ];
    await claimAs('p', me(mine, 'work'));
    foreign.push(await backedUp(mine, '2026-11-03T02:00:00Z', { prefix: 'p' }, 'work'));
    await claimAs('p', me(mine));
  });

  it('are never linked against: the first run of the owner copies every file', async () => {
    const first = await backUp(mine, '2026-11-10T02:00:00Z', { prefix: 'p' });
    expect(first.outcome, first.error?.message).toBe('ok');
    expect(first.files).toBe(3);
    for (const theirs of foreign) {
      expect(await inode(bigFile(first.snapshot!)), theirs).not.toBe(await inode(bigFile(theirs)));
    }
    // Its own snapshot is the base of the next run.
    const second = await backedUp(mine, '2026-11-10T03:00:00Z', { prefix: 'p' });
    expect(await inode(bigFile(second))).toBe(await inode(bigFile(first.snapshot!)));
  });

  it('are never deleted by retention, which prunes the owner’s own older snapshots', async () => {
    const before = await readTree(dest);
    const theirs = new Map([...before].filter(([path]) => foreign.some((f) => path.startsWith(f))));
    const older = await backedUp(mine, twoDaysAgo(), {
      prefix: 'p',
      retention: KEEP_TODAY,
    });
    const newer = await backedUp(mine, rightNow(), {
      prefix: 'p',
      retention: KEEP_TODAY,
    });
    expect(await snapshotsNamed('p')).toEqual([...foreign, newer].sort());
    expect(existsSync(join(dest, `${older}.snaptray.json`))).toBe(false);
    const after = await readTree(dest);
    for (const [path, contents] of theirs) expect(after.get(path), path).toEqual(contents);
    for (const f of foreign) expect(existsSync(join(dest, `${f}.snaptray.json`)), f).toBe(true);
    expect(await ownerOf('p')).toEqual({ id: mine.id, profile: 'default' });
  });
});

describe('another prefix on the same destination', () => {
  it('is left as it is by the runs and the retention of a prefix whose names it starts with', async () => {
    const mine = await account('univac', 'ben');
    // The old router script deleted anything starting with "PREFIX-": "p-work-…" starts with "p-".
    await backedUp(mine, '2026-11-01T02:00:00Z', { prefix: 'p-work' }, 'work');
    await backedUp(mine, '2026-11-02T02:00:00Z', { prefix: 'p-work' }, 'work');
    const other = await readTree(dest);
    const older = await backedUp(mine, twoDaysAgo(), {
      prefix: 'p',
      retention: KEEP_TODAY,
    });
    const newer = await backedUp(mine, rightNow(), {
      prefix: 'p',
      retention: KEEP_TODAY,
    });
    expect(await snapshotsNamed('p')).toEqual([newer]);
    expect(older).not.toBe(newer);
    const after = await readTree(dest);
    for (const [path, contents] of other) expect(after.get(path), path).toEqual(contents);
    expect(await snapshotsNamed('p-work')).toHaveLength(2);
    expect(await ownerOf('p-work')).toEqual({ id: mine.id, profile: 'work' });
    expect(await ownerOf('p')).toEqual({ id: mine.id, profile: 'default' });
  });
});

/**
 * A pre hook that says when it runs (the run has listed the destination and found the prefix
 * free, but not claimed it yet) and then waits to be let go: two FIFOs, so no polling.
 */
async function gatedHook(name: string): Promise<{
  command: string;
  reached: Promise<string>;
  letGo: () => Promise<void>;
}> {
  const dir = await makeTempDir(`st-hook-${name}-`);
  const ready = join(dir, 'ready');
  const gate = join(dir, 'gate');
  execFileSync('mkfifo', [ready, gate]);
  return {
    command: `echo ${name} > ${ready}; read go < ${gate}`,
    // Opening a FIFO waits for the other end: this resolves once the hook has written.
    reached: readFile(ready, 'utf8'),
    letGo: () => writeFile(gate, 'go\n'),
  };
}

/**
 * Two accounts' first runs on a free prefix, both having listed the destination before either
 * claimed: the first is let go and completes, then the second claims over the first's claim.
 */
async function raceForPrefix(
  profileFor: (hook: string, source: string) => Profile,
): Promise<{ first: Account; second: Account; won: BackupResult; lost: BackupResult }> {
  const first = await account('univac', 'ben');
  const second = await account('eniac', 'eve');
  const otherSrc = await makeTempDir('st-src2-');
  await writeTree(otherSrc, { 'eve.txt': 'eve' });
  const [hookA, hookB] = [await gatedHook('first'), await gatedHook('second')];
  // The same second for both: a claim, not the clock, decides.
  const at = new Date('2026-11-20T02:00:00Z');
  const runA = runBackup(environment(first, 'default', at), {
    profileName: 'default',
    profile: profileFor(hookA.command, src),
    force: false,
  });
  const runB = runBackup(environment(second, 'default', at), {
    profileName: 'default',
    profile: profileFor(hookB.command, otherSrc),
    force: false,
  });
  expect(await Promise.all([hookA.reached, hookB.reached])).toEqual(['first\n', 'second\n']);
  await hookA.letGo();
  const won = await runA;
  await hookB.letGo();
  const lost = await runB;
  return { first, second, won, lost };
}

async function expectFirstClaimStays(
  folder: string,
  race: Awaited<ReturnType<typeof raceForPrefix>>,
): Promise<void> {
  const { first, won, lost } = race;
  expect(won.outcome, won.error?.message).toBe('ok');
  expect(lost).toMatchObject({ outcome: 'failed', exitCode: 1, snapshot: null, files: null });
  expect(lost.error?.kind).toBe('prefix-owned');
  expect(lost.error?.message).toMatch(
    /^The snapshots named "race-…" on the destination belong to user ben on "univac" \(profile "default"\)\./,
  );
  // One owner file, the first writer's; no temporary file of either claim left beside it.
  const top = await readdir(folder);
  expect(top.filter((n) => n.includes('snaptray-owner'))).toEqual(['race.snaptray-owner.json']);
  expect(await ownerOf('race', folder)).toEqual({ id: first.id, profile: 'default' });
  // The loser wrote no snapshot: the one there is the winner's, holding its source only.
  expect(await snapshotsNamed('race', folder)).toEqual([won.snapshot]);
  expect(top.filter((n) => n.endsWith('.snaptray.json'))).toEqual([
    `${won.snapshot}.snaptray.json`,
  ]);
  expect(await readdir(join(folder, won.snapshot!, src))).toEqual(
    expect.arrayContaining(['a.txt', 'big.bin', 'sub']),
  );
}

describe('two first claims on a free prefix', () => {
  it('on a local folder: the first owner file stays, and the second run writes nothing', async () => {
    const race = await raceForPrefix((hook, source) => ({
      ...defaultProfile(),
      sources: [source],
      destination: dest,
      prefix: 'race',
      hooks: { ...defaultProfile().hooks, pre: hook },
    }));
    await expectFirstClaimStays(dest, race);
  });

  describe('over ssh', () => {
    let sshd: Sshd;
    beforeAll(async () => {
      sshd = await startSshd();
    });
    afterAll(async () => {
      await sshd.stop();
    });

    it('through rsync alone: the first owner file stays, and the second run writes nothing', async () => {
      const race = await raceForPrefix((hook, source) => ({
        ...defaultProfile(),
        sources: [source],
        destination: `${sshd.user}@127.0.0.1:${dest}`,
        prefix: 'race',
        ssh: { ...defaultProfile().ssh, ...profileSsh(sshd) },
        hooks: { ...defaultProfile().hooks, pre: hook },
      }));
      await expectFirstClaimStays(dest, race);
    }, 180_000);
  });
});
