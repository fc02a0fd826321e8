/**
 * A wrong clock, with real rsync: the engine runs with an injected wall clock and boot clock (the
 * kernel still stamps files with the real time, as on a machine whose clock was set wrong). No
 * run whose clock jumped deletes anything; the newest run stays the newest whatever its date.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BootClock } from '../../../core/backup/clock-check.js';
import { runBackup, type BackupResult } from '../../../core/backup/run.js';
import { backupEnvironment, places } from '../../../core/environment.js';
import { spawnProcess, type Spawn } from '../../../core/process.js';
import { defaultProfile, type Profile } from '../../../core/settings/schema.js';
import { readHistory } from '../../../core/state/history.js';
import { makeCliHome, runCli, type CliHome } from '../../support/cli.js';
import { cliFlags, startSshd, type Sshd } from '../../support/sshd.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

const MIN = 60_000;
const DAY = 86_400_000;

let home: CliHome;
let src: string;
let dest: string;
let profile: Profile;

/** A machine's clocks: the wall clock can be set; the uptime runs on in real time. */
interface Clocks {
  /** Wall-clock offset from the real time, in ms. */
  offset: number;
  bootId: string;
  /** Uptime at the test's start, in seconds. */
  uptimeAtStart: number;
}

const started = Date.now();

function env(clocks: Clocks, spawn: Spawn = spawnProcess) {
  return {
    ...backupEnvironment(places(home.env), 'default', spawn, 'cli'),
    now: () => new Date(Date.now() + clocks.offset),
    bootClock: async (): Promise<BootClock> => ({
      bootId: clocks.bootId,
      uptimeSeconds: clocks.uptimeAtStart + (Date.now() - started) / 1000,
    }),
  };
}

async function backup(clocks: Clocks, p: Profile = profile): Promise<BackupResult> {
  return runBackup(env(clocks), { profileName: 'default', profile: p, force: false });
}

async function snapshotNames(prefix = 'c'): Promise<string[]> {
  return (await readdir(dest)).filter((n) => new RegExp(`^${prefix}-[\\d-]+$`).test(n)).sort();
}

function right(): Clocks {
  return { offset: 0, bootId: 'boot-1', uptimeAtStart: 100_000 };
}

/** Six snapshots of a normal hour, each a minute (of injected wall time) after the last. */
async function sixSnapshots(): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < 6; i++) {
    await writeFile(join(src, 'counter.txt'), `run ${i}\n`);
    // A second apart on the real clock: names never collide, and the uptime moves with them.
    const r = await backup({ ...right(), offset: -(6 - i) * MIN });
    expect(r.outcome, r.error?.message).toBe('ok');
    expect(r.clockSuspicions).toEqual([]);
    names.push(r.snapshot!);
  }
  return names;
}

beforeEach(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  await writeTree(src, { 'counter.txt': 'start\n', 'big.bin': Buffer.alloc(50_000, 3) });
  expect((await runCli(['init', '--dest', dest], home)).code).toBe(0);
  profile = { ...defaultProfile(), sources: [src], destination: dest, prefix: 'c' };
});

describe('a clock that jumps', () => {
  it('three days ahead within one boot: the backup is made, nothing is deleted, and it says why', async () => {
    const six = await sixSnapshots();
    const ahead = await backup({ ...right(), offset: 3 * DAY });
    expect(ahead.outcome, ahead.error?.message).toBe('ok');
    expect(ahead.deleted).toEqual([]);
    expect(await snapshotNames()).toEqual([...six, ahead.snapshot].sort());
    expect(ahead.clockSuspicions.join(' ')).toMatch(
      /without a restart since snapshot c-.*, yet its clock moved 3 days forward/,
    );
    const warning = ahead.warnings.find((w) => w.startsWith("This computer's clock looks wrong"));
    expect(warning).toMatch(/nothing was deleted automatically/);
    const history = await readHistory(join(home.stateDir, 'snaptray', 'default'));
    expect(history.at(-1)?.warnings).toContain(warning);
  });

  it('twenty years back: the backup is made, it is the newest, and nothing is deleted', async () => {
    const six = await sixSnapshots();
    await writeFile(join(src, 'counter.txt'), 'made with a dead clock battery\n');
    const back = await backup({ ...right(), offset: -20 * 365 * DAY, bootId: 'boot-2' });
    expect(back.outcome, back.error?.message).toBe('ok');
    expect(back.deleted).toEqual([]);
    expect(back.clockSuspicions.join(' ')).toMatch(/earlier than the newest snapshot/);
    expect(await snapshotNames()).toEqual([back.snapshot, ...six]);
    expect(await readlink(join(dest, 'c-latest'))).toBe(back.snapshot);
    // The next run, clock still back, links against it: the newest by its place, not its date.
    const again = await backup({ ...right(), offset: -20 * 365 * DAY, bootId: 'boot-2' });
    expect(again.files).toBe(0);
    expect(again.deleted).toEqual([]);
  });

  it('after the clock is set right, the newest run is what -latest, list and restore give', async () => {
    await sixSnapshots();
    await writeFile(join(src, 'counter.txt'), 'written while the clock was ahead\n');
    const ahead = await backup({ ...right(), offset: 3 * DAY });
    expect(ahead.clockSuspicions).not.toEqual([]);
    // Stays wrong: the next run is judged by the runs before the jump, so it is careful too.
    const stillAhead = await backup({ ...right(), offset: 3 * DAY });
    expect(stillAhead.clockSuspicions.join(' ')).toMatch(/clock moved 3 days forward/);
    expect(stillAhead.deleted).toEqual([]);
    await writeFile(join(src, 'counter.txt'), 'written after the clock was set right\n');
    const fixed = await backup(right());
    expect(fixed.outcome).toBe('ok');
    // Judged by the runs whose clock looked right, the right clock is not suspect.
    expect(fixed.clockSuspicions).toEqual([]);
    expect(fixed.deleted).toEqual([]);
    expect(await readlink(join(dest, 'c-latest'))).toBe(fixed.snapshot);

    const list = await runCli(['list', '--dest', dest, '--prefix', 'c', '--json'], home);
    const rows = list.json?.snapshots as { name: string; outOfOrder: boolean }[];
    expect(rows.at(-1)?.name).toBe(fixed.snapshot);
    expect(rows.filter((r) => r.outOfOrder).map((r) => r.name)).toEqual([
      ahead.snapshot,
      stillAhead.snapshot,
    ]);
    const text = await runCli(['list', '--dest', dest, '--prefix', 'c'], home);
    expect(text.stdout).toMatch(
      new RegExp(`${ahead.snapshot} .*dated out of order \\(a clock was wrong\\)`),
    );

    const to = await makeTempDir('st-to-');
    const restored = await runCli(
      ['restore', join(src, 'counter.txt'), '--dest', dest, '--prefix', 'c', '--to', to],
      home,
    );
    expect(restored.code, restored.stderr).toBe(0);
    expect(await readFile(join(to, 'counter.txt'), 'utf8')).toBe(
      'written after the clock was set right\n',
    );
    const ls = await runCli(['ls', src, '--dest', dest, '--prefix', 'c', '--json'], home);
    expect(ls.json?.snapshot).toBe(fixed.snapshot);

    // One more run with the right clock: retention goes on, with the misdated snapshot counted
    // as made when the next run was, so it never takes the place of the hour's real runs.
    const next = await backup(right());
    expect(next.clockSuspicions).toEqual([]);
    expect(next.deleted).toEqual([]);
    expect(await snapshotNames()).toHaveLength(10);
  });
});

describe('every deletion is told', () => {
  it('in the result, the history, the log and the summary', async () => {
    const rules = onlyTheNewest();
    const first = await backup(right(), { ...profile, retention: rules });
    await writeFile(join(src, 'counter.txt'), 'second\n');
    const second = await backup(right(), { ...profile, retention: rules });
    expect(second.deleted).toEqual([{ name: first.snapshot, reason: 'no rule keeps it' }]);
    expect(await snapshotNames()).toEqual([second.snapshot]);
    const history = await readHistory(join(home.stateDir, 'snaptray', 'default'));
    expect(history.at(-1)?.deleted).toEqual(second.deleted);
    expect(await readFile(second.logPath!, 'utf8')).toContain(
      `# Deleted snapshot ${first.snapshot}: no rule keeps it.`,
    );
    await writeFile(join(src, 'counter.txt'), 'third\n');
    await writeSettings({ ...profile, retention: rules });
    const third = await runCli(['backup'], home);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain(
      `Deleted 1 old snapshot:\n  ${second.snapshot} (no rule keeps it)\n`,
    );
  });

  it('a deletion rsync complains about but that went through is not called a failure', async () => {
    const rules = onlyTheNewest();
    const first = await backup(right(), { ...profile, retention: rules });
    // rsync deletes the folder, then exits 23 (as for a folder it could not read on the way).
    const complains: Spawn = async (req) => {
      const result = await spawnProcess(req);
      return req.args.some((a) => a.endsWith('/***')) ? { ...result, exitCode: 23 } : result;
    };
    const second = await runBackup(env(right(), complains), {
      profileName: 'default',
      profile: { ...profile, retention: rules },
      force: false,
    });
    expect(second.outcome).toBe('ok');
    expect(existsSync(join(dest, first.snapshot!))).toBe(false);
    expect(second.deleted.map((d) => d.name)).toEqual([first.snapshot]);
    expect(second.warnings).toEqual([]);
  });

  it('a deletion that was refused names what stayed', async () => {
    const rules = onlyTheNewest();
    const first = await backup(right(), { ...profile, retention: rules });
    const refuses: Spawn = async (req) =>
      req.args.includes('--delete')
        ? {
            exitCode: 23,
            signal: null,
            stdout: '',
            stderr: 'rsync: delete refused\n',
            cancelled: false,
            startError: null,
          }
        : spawnProcess(req);
    const second = await runBackup(env(right(), refuses), {
      profileName: 'default',
      profile: { ...profile, retention: rules },
      force: false,
    });
    expect(second.outcome).toBe('ok');
    expect(second.deleted).toEqual([]);
    expect(second.warnings.join(' ')).toContain(first.snapshot!);
    expect(existsSync(join(dest, first.snapshot!))).toBe(true);
  });
});

/** Retention that keeps only the newest snapshot, whatever the day and hour. */
function onlyTheNewest(): Profile['retention'] {
  return { ...profile.retention, keepAllHours: 0, dailyDays: 0, weeklyWeeks: 0, monthlyMonths: 0 };
}

async function writeSettings(p: Profile): Promise<void> {
  const { writeSettingsFile } = await import('../../support/cli.js');
  await writeSettingsFile(join(home.configDir, 'Snaptray', 'config.json'), { default: p });
}

describe('over ssh, the destination’s clock', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd.stop();
  });

  it('is read from the manifest it was given, and names a clock days ahead of it', async () => {
    const where = `${sshd.user}@127.0.0.1:${dest}`;
    const ssh = {
      ...profile.ssh,
      port: sshd.port,
      identityFile: sshd.clientKey,
      knownHostsFile: sshd.knownHosts,
      configFile: sshd.sshConfig,
    };
    expect((await runCli(['init', '--dest', where, ...cliFlags(sshd)], home)).code).toBe(0);
    const overSsh = { ...profile, destination: where, ssh };
    const first = await backup(right(), overSsh);
    expect(first.outcome, first.error?.message).toBe('ok');
    expect(first.clockSuspicions).toEqual([]);
    // Another boot, so only the destination can tell that this clock is two days ahead.
    const ahead = await backup({ ...right(), offset: 2 * DAY, bootId: 'boot-9' }, overSsh);
    expect(ahead.outcome).toBe('ok');
    expect(ahead.clockSuspicions).toEqual([
      expect.stringMatching(/^the destination's clock says .*, 2 days behind this computer's/),
    ]);
    expect(ahead.deleted).toEqual([]);
  });
});
