/**
 * The household and the new machine: `snaptray machines` lists every prefix on a destination from
 * an account that knows only --dest, over OpenSSH, the dropbear router and an rrsync -ro key; and
 * where a new machine's prefix is empty, list, ls, versions, restore, check and init name the
 * others. The destination is made by real backups from two accounts (one on another host name,
 * in a UTS namespace of its own), an owner file and manifests written as a third machine's
 * Snaptray writes them (with times relative to now), and the old router script's folders.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  manifestName,
  ownerFileName,
  snapshotName,
} from '../../../core/destination/snapshot-name.js';
import {
  makeCliHome,
  runCli,
  runCliOn,
  writeSettingsFile,
  type CliHome,
  type CliRun,
} from '../../support/cli.js';
import { startRouter, type Router } from '../../support/router.js';
import { runProgram } from '../../support/run-program.js';
import { cliFlags, startSshd, type Sshd } from '../../support/sshd.js';
import { makeTempDir, readTree, writeTree } from '../../support/tree.js';

const HOUR = 3_600_000;
const NO_STATES = { ok: 0, partial: 0, legacy: 0, unfinished: 0, unknown: 0 };

let router: Router;
let sshd: Sshd;
let dest: string;
let src: string;
let univac: string;
let desk: string;
let anna: string[];

function settingsOf(h: CliHome, profile: Record<string, unknown>): Promise<void> {
  return writeSettingsFile(join(h.configDir, 'Snaptray', 'config.json'), { default: profile });
}

/** Writes a snapshot as another machine's Snaptray would: its folder, then its manifest. */
async function writeSnapshot(
  folder: string,
  prefix: string,
  at: Date,
  manifest: Record<string, unknown>,
): Promise<string> {
  const name = snapshotName(prefix, at);
  await writeTree(join(folder, name), { 'home/anna/notes.txt': name });
  await writeFile(
    join(folder, manifestName(name)),
    JSON.stringify({
      format: 1,
      host: 'anna-laptop',
      prefix,
      startedAt: at.toISOString(),
      endedAt: new Date(at.getTime() + 60_000).toISOString(),
      rsyncExitCode: 0,
      status: 'ok',
      files: 1,
      bytesSent: 30,
      appVersion: '0.2.0',
      owner: { id: 'c'.repeat(32), profile: 'work' },
      user: 'anna',
      ...manifest,
    }),
  );
  return name;
}

async function manifestOf(name: string): Promise<{ startedAt: string; scheduleHours?: number }> {
  return JSON.parse(await readFile(join(dest, manifestName(name)), 'utf8')) as {
    startedAt: string;
    scheduleHours?: number;
  };
}

async function startedAt(name: string): Promise<string> {
  return (await manifestOf(name)).startedAt;
}

beforeAll(async () => {
  [router, sshd] = await Promise.all([startRouter(), startSshd()]);
  dest = await router.makeRouterFolder('household-');
  src = await makeTempDir('st-src-');
  await writeTree(src, { 'docs/report.txt': 'quarterly', 'a.txt': 'alpha' });

  // Ben's machine backs up daily; the desk PC, another host, every six hours.
  const ben = await makeCliHome();
  await settingsOf(ben, {
    sources: [src],
    destination: dest,
    prefix: 'univac',
    schedule: { mode: 'daily', dailyAt: '03:00' },
  });
  expect((await runCli(['init'], ben)).code).toBe(0);
  const first = await runCli(['backup', '--json'], ben);
  expect(first.code, first.stderr).toBe(0);
  univac = first.json?.snapshot as string;
  const deskHome = await makeCliHome();
  await settingsOf(deskHome, {
    sources: [src],
    destination: dest,
    prefix: 'desk-pc',
    schedule: { mode: 'interval', everyHours: 6 },
  });
  const second = await runCliOn({ host: 'desk-pc' }, ['backup', '--json'], deskHome);
  expect(second.code, second.stderr).toBe(0);
  desk = second.json?.snapshot as string;

  // Anna's laptop, whose prefix ends in digits, backs up daily and last did 30 hours ago.
  const now = Date.now();
  await writeFile(
    join(dest, ownerFileName('anna-2024')),
    JSON.stringify({
      format: 1,
      prefix: 'anna-2024',
      owner: { id: 'c'.repeat(32), profile: 'work' },
      host: 'anna-laptop',
      user: 'anna',
      claimedAt: new Date(now - 200 * HOUR).toISOString(),
      appVersion: '0.2.0',
      previousOwners: [],
    }),
  );
  anna = [
    await writeSnapshot(dest, 'anna-2024', new Date(now - 54 * HOUR), {
      generation: 1,
      scheduleHours: 24,
    }),
    await writeSnapshot(dest, 'anna-2024', new Date(now - 30 * HOUR), {
      generation: 2,
      scheduleHours: 24,
    }),
  ];
  // The old router script's daily folders.
  for (const day of ['2019-05-01', '2019-05-02']) {
    await writeTree(join(dest, `oldbox-${day}`), { 'etc/hostname': 'oldbox' });
  }
  await runProgram('chown', ['-R', `${router.uid}:${router.gid}`, dest]);
});

afterAll(async () => {
  await Promise.all([router?.stop(), sshd?.stop()]);
});

async function expected(): Promise<Record<string, unknown>[]> {
  return [
    {
      prefix: 'anna-2024',
      claimed: true,
      legacy: false,
      host: 'anna-laptop',
      user: 'anna',
      profile: 'work',
      snapshots: 2,
      states: { ...NO_STATES, ok: 2 },
      lastOk: { name: anna[1], time: await startedAt(anna[1] ?? '') },
      overdue: true,
      overdueDays: 1,
    },
    {
      prefix: 'desk-pc',
      claimed: true,
      legacy: false,
      host: 'desk-pc',
      user: 'root',
      profile: 'default',
      snapshots: 1,
      states: { ...NO_STATES, ok: 1 },
      lastOk: { name: desk, time: await startedAt(desk) },
      overdue: false,
      overdueDays: 0,
    },
    {
      prefix: 'oldbox',
      claimed: false,
      legacy: true,
      host: null,
      user: null,
      profile: null,
      snapshots: 2,
      states: { ...NO_STATES, legacy: 2 },
      lastOk: {
        name: 'oldbox-2019-05-02',
        time: new Date(2019, 4, 2).toISOString(),
      },
      overdue: true,
      overdueDays: expect.any(Number),
    },
    {
      prefix: 'univac',
      claimed: true,
      legacy: false,
      host: hostname(),
      user: 'root',
      profile: 'default',
      snapshots: 1,
      states: { ...NO_STATES, ok: 1 },
      lastOk: { name: univac, time: await startedAt(univac) },
      overdue: false,
      overdueDays: 0,
    },
  ];
}

/**
 * `machines` from a fresh account (no settings, no identity) reaching `server` at `path`: the
 * whole household in one connection, and nothing written, here or there.
 */
async function machinesFrom(server: Sshd, path: string, key?: string): Promise<CliRun> {
  const fresh = await makeCliHome();
  const before = await readTree(dest);
  const connections = await server.connectionCount();
  const r = await runCli(
    ['machines', '--dest', `${server.user}@127.0.0.1:${path}`, '--json', ...cliFlags(server, key)],
    fresh,
  );
  expect(r.code, r.stderr).toBe(0);
  expect((await server.connectionCount()) - connections).toBe(1);
  expect(existsSync(join(fresh.configDir, 'Snaptray'))).toBe(false);
  expect(await readTree(dest)).toEqual(before);
  return r;
}

describe('snaptray machines', () => {
  it('over OpenSSH: every owner, the old script’s folders, states, the newest good snapshot and overdue', async () => {
    const r = await machinesFrom(sshd, dest);
    expect(r.json).toEqual({ machines: await expected(), warnings: [], error: null });
    // Each backup records its schedule for the others: daily is 24 hours.
    expect((await manifestOf(univac)).scheduleHours).toBe(24);
    expect((await manifestOf(desk)).scheduleHours).toBe(6);
    // The keys scripts read, in the README's order and no others.
    expect(Object.keys(r.json ?? {})).toEqual(['machines', 'warnings', 'error']);
    for (const m of r.json?.machines as Record<string, unknown>[]) {
      expect(Object.keys(m)).toEqual([
        'prefix',
        'claimed',
        'legacy',
        'host',
        'user',
        'profile',
        'snapshots',
        'states',
        'lastOk',
        'overdue',
        'overdueDays',
      ]);
      expect(Object.keys(m['states'] as object)).toEqual(Object.keys(NO_STATES));
      if (m['lastOk'] !== null)
        expect(Object.keys(m['lastOk'] as object)).toEqual(['name', 'time']);
    }

    const text = await runCli(
      ['machines', '--dest', `${sshd.user}@127.0.0.1:${dest}`, ...cliFlags(sshd)],
      await makeCliHome(),
    );
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^PREFIX +OWNER +SNAPSHOTS +NEWEST GOOD +BACKUPS$/);
    expect(lines.slice(1, 5)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^anna-2024 +anna on "anna-laptop", profile "work" +2: 2 ok +${anna[1]} \\(1 day ago\\) +overdue \\(backs up every 1 day\\)$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^desk-pc +root on "desk-pc" +1: 1 ok +${desk} \\(today\\) +on time$`),
      ),
      expect.stringMatching(
        /^oldbox +the old router script +2: 2 legacy +oldbox-2019-05-02 \(\S+ days ago\) +overdue \(none in 7 days\)$/,
      ),
      expect.stringMatching(
        new RegExp(`^univac +root on "${hostname()}" +1: 1 ok +${univac} \\(today\\) +on time$`),
      ),
    ]);
    expect(text.stdout).toContain(`4 prefixes on ${sshd.user}@127.0.0.1:${dest}.`);
  });

  it('over the dropbear router, in one connection', async () => {
    const r = await machinesFrom(router, dest);
    expect(r.json).toEqual({ machines: await expected(), warnings: [], error: null });
  });

  it('through an rrsync -ro key', async () => {
    const key = await sshd.addClientKey('household-ro', { restrictedDir: dest, readOnly: true });
    const r = await machinesFrom(sshd, '/', key);
    expect(r.json).toEqual({ machines: await expected(), warnings: [], error: null });
  });

  it('finds rsync off the PATH of ssh commands as check does, through the same connection', async () => {
    const key = await router.addClientKey('household-off-path', { rsyncOffPath: true });
    const r = await machinesFrom(router, dest, key);
    expect(r.json).toEqual({
      machines: await expected(),
      warnings: [
        'rsync is at /usr/bin/rsync: set --rsync-path /usr/bin/rsync (the rsync path in the ' +
          'settings). ssh commands on the destination do not find it by themselves: it is not on ' +
          'the PATH they get. This listing used it.',
      ],
      error: null,
    });
  });
});

describe('a new machine’s empty prefix names the household', () => {
  let copy: string;
  let fresh: CliHome;
  const others = () =>
    new RegExp(
      [
        'This destination holds the snapshots of other machines:',
        `  (univac|desk-pc) \\(root on "(${hostname()}|desk-pc)"\\): newest (${univac}|${desk})`,
        `  (univac|desk-pc) \\(root on "(${hostname()}|desk-pc)"\\): newest (${univac}|${desk})`,
        `  anna-2024 \\(anna on "anna-laptop", profile "work"\\): newest ${anna[1]}`,
        '  and 1 more: "snaptray machines" lists them.',
        'Read one with --prefix (univac|desk-pc); or, if this machine takes over from it, continue its history with "snaptray adopt --prefix (univac|desk-pc)".',
      ].join('\n'),
    );

  beforeAll(async () => {
    copy = join(await makeTempDir('st-household-'), 'dest');
    await cp(dest, copy, { recursive: true });
    fresh = await makeCliHome();
  });

  /** The command on a machine called newlaptop, from an account without settings. */
  function on(args: string[], folder = copy): Promise<CliRun> {
    return runCliOn({ host: 'newlaptop' }, [...args, '--dest', folder], fresh);
  }

  it('list', async () => {
    const r = await on(['list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.snapshots).toEqual([]);
    expect(r.json?.hint).toMatch(others());
    const text = await on(['list']);
    expect(text.stdout).toMatch(/^No snapshots named newlaptop-system-… on .*\nThis destination/);
    expect(text.stdout).toMatch(others());
  });

  it('ls, versions and restore', async () => {
    const path = join(src, 'docs', 'report.txt');
    for (const args of [['ls'], ['versions', path], ['restore', path]]) {
      const r = await on([...args, '--json']);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(1);
      expect(r.json?.error).toMatchObject({ kind: 'not-found' });
      expect((r.json?.error as { message: string }).message, args[0]).toMatch(others());
      expect(r.stderr, args[0]).toMatch(others());
    }
    expect(existsSync(path)).toBe(true);
  });

  it('check', async () => {
    const r = await on(['check', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const owner = (r.json?.steps as { step: string; message: string }[]).find(
      (s) => s.step === 'owner',
    );
    expect(owner?.message).toMatch(
      /^The prefix "newlaptop-system" is free: the first backup claims it for this profile.\n/,
    );
    expect(owner?.message).toMatch(others());
  });

  it('init', async () => {
    const r = await on(['init', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ initialised: false, prefix: 'newlaptop-system' });
    expect(r.json?.hint).toMatch(others());
    const text = await on(['init']);
    expect(text.stdout).toMatch(others());
  });

  it('on a destination that holds only the old script’s folders, init names them too', async () => {
    const old = await makeTempDir('st-oldrouter-');
    await mkdir(join(old, 'oldbox-2019-05-02'));
    const r = await on(['init', '--json'], old);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ initialised: true });
    expect(r.json?.hint).toBe(
      [
        'This destination holds the snapshots of another machine:',
        '  oldbox (the old router script): newest oldbox-2019-05-02',
        'Read one with --prefix oldbox; or, if this machine takes over from it, continue its history with "snaptray adopt --prefix oldbox".',
      ].join('\n'),
    );
  });

  it('and says nothing more where no other machine has a snapshot to read', async () => {
    const lonely = await makeTempDir('st-lonely-');
    expect((await on(['init'], lonely)).code).toBe(0);
    // Another machine's first run, stopped before its manifest: nothing there to read yet.
    await mkdir(join(lonely, 'other-2026-01-01-101010'));
    const r = await on(['list', '--json'], lonely);
    expect(r.json).toMatchObject({ snapshots: [], hint: null });
  });
});

describe('asking for every prefix the ways a new user tries first', () => {
  it('points at machines', async () => {
    const home = await makeCliHome();
    const machines = ' "snaptray machines" lists every prefix on the destination.';
    for (const [args, message] of [
      [['list', '--all'], '--all does not apply to "list".'],
      [['list', '--prefix', '*'], '--prefix "*" is a pattern; a prefix is one name.'],
      [
        ['restore', '/etc/hostname', '--prefix', 'univac*'],
        '--prefix "univac*" is a pattern; a prefix is one name.',
      ],
    ] as const) {
      const r = await runCli([...args, '--dest', dest], home);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0], args.join(' ')).toBe(`snaptray: ${message}${machines}`);
    }
  });
});

describe('a hostile owner file', () => {
  it('reaches the terminal escaped: no ESC, BEL, C1 or direction override from the destination', async () => {
    const hostile = await makeTempDir('st-hostile-');
    const home = await makeCliHome();
    expect((await runCli(['init', '--dest', hostile], home)).code).toBe(0);
    const at = new Date(Date.now() - 2 * HOUR);
    await writeFile(
      join(hostile, ownerFileName('evil')),
      JSON.stringify({
        format: 1,
        prefix: 'evil',
        owner: { id: 'e'.repeat(32), profile: 'de\u001b[8mfault' },
        host: 'ro\u001b]0;owned\u0007uter\u001b[2J',
        user: 'ad\u009b31mmin\u202egnp.exe',
        claimedAt: at.toISOString(),
        appVersion: '0.2.0',
      }),
    );
    await writeSnapshot(hostile, 'evil', at, {
      host: 'm\u001b[1Aanifest',
      user: '\u0085x',
      owner: { id: 'e'.repeat(32), profile: 'de\u001b[8mfault' },
    });
    const runs = [
      await runCli(['machines', '--dest', hostile], home),
      await runCli(['machines', '--dest', hostile, '--json'], home),
      await runCli(['list', '--dest', hostile, '--prefix', 'newlaptop'], home),
      await runCli(['list', '--dest', hostile, '--prefix', 'newlaptop', '--json'], home),
      await runCli(['ls', '--dest', hostile, '--prefix', 'newlaptop'], home),
    ];
    for (const r of runs) {
      // eslint-disable-next-line no-control-regex -- asserting no control character is left
      expect(r.stdout + r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    }
    expect(runs[0]?.stdout).toContain(
      'ad\\x9B31mmin\\u202Egnp.exe on "ro\\e]0;owned\\x07uter\\e[2J", profile "de\\e[8mfault"',
    );
    // JSON carries the destination's words as they are, every control written as a \u escape.
    expect((runs[1]?.json?.machines as Record<string, unknown>[])[0]).toMatchObject({
      host: 'ro\u001b]0;owned\u0007uter\u001b[2J',
      user: 'ad\u009b31mmin\u202egnp.exe',
      profile: 'de\u001b[8mfault',
    });
    expect(runs[2]?.stdout).toContain('evil (ad\\x9B31mmin\\u202Egnp.exe on "ro\\e]0;owned');
    expect(runs[4]?.stderr).toContain('evil (ad\\x9B31mmin\\u202Egnp.exe on "ro\\e]0;owned');
  });
});
