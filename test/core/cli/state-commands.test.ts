/**
 * `snaptray status`, `pause` and `resume`: the tray's state and controls for desktops without a
 * tray and for cron users, through the same pause file, lock and history.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { localTime } from '../../../core/cli/state-profile.js';
import { makeCliHome, runCli, startCli, type CliHome } from '../../support/cli.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

let home: CliHome;
let src: string;
let dest: string;
let configFile: string;

const stateDir = () => join(home.stateDir, 'snaptray', 'default');

async function settings(extra: Record<string, unknown> = {}): Promise<void> {
  await mkdir(join(home.configDir, 'Snaptray'), { recursive: true });
  const profile = { sources: [src], destination: dest, prefix: 't', ...extra };
  await writeFile(configFile, JSON.stringify({ version: 1, profiles: { default: profile } }), {
    mode: 0o600,
  });
}

async function snapshots(): Promise<string[]> {
  return (await readdir(dest)).filter((n) => /^t-[\d-]+$/.test(n)).sort();
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Timed out waiting until ${what}`);
}

beforeEach(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  configFile = join(home.configDir, 'Snaptray', 'config.json');
  await writeTree(src, { 'a.txt': 'alpha' });
  await settings();
  expect((await runCli(['init'], home)).code).toBe(0);
});

describe('snaptray status', () => {
  it('says what the tray would: no backup yet, then the last one and the next', async () => {
    const before = await runCli(['status'], home);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toBe(
      `Profile "default": ${src} to ${dest}, every 24 hours (a missed backup runs as soon as it can).\n` +
        'Last backup: none yet.\nNext backup: due now.\n',
    );

    const run = await runCli(['backup', '--json'], home);
    expect(run.code, run.stderr).toBe(0);
    const snapshot = run.json?.snapshot as string;
    const json = (await runCli(['status', '--json'], home)).json!;
    const started = new Date((json.lastRun as { startedAt: string }).startedAt);
    expect(json).toEqual({
      profile: 'default',
      configured: true,
      destination: dest,
      lastRun: {
        outcome: 'ok',
        startedAt: started.toISOString(),
        endedAt: expect.any(String),
        exitCode: 0,
        snapshot,
        files: 1,
        bytesSent: 5,
        error: null,
      },
      lastSuccess: json.lastRun,
      running: null,
      paused: false,
      pausedUntil: null,
      nextBackup: new Date(started.getTime() + 24 * 3_600_000).toISOString(),
      due: false,
      overdue: false,
      overdueSince: null,
      overdueDays: 3,
      newestSnapshot: null,
      error: null,
    });
    const text = (await runCli(['status'], home)).stdout.split('\n');
    expect(text[1]).toMatch(
      new RegExp(
        `^Last backup: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d, ok: ${snapshot}, 1 changed file sent \\(5 B\\)\\.$`,
      ),
    );
    expect(text[2]).toBe(`Next backup: ${localTime(new Date(json.nextBackup as string))}.`);

    // With --dest it also reads the destination.
    const there = await runCli(['status', '--dest', dest, '--json'], home);
    expect(there.code, there.stderr).toBe(0);
    expect(there.json?.newestSnapshot).toEqual({
      name: snapshot,
      time: started.toISOString(),
      state: 'ok',
    });
  });

  it('says when backups are overdue, and why the last run failed', async () => {
    const old = new Date(Date.now() - 5 * 86_400_000).toISOString();
    await mkdir(stateDir(), { recursive: true });
    await writeFile(
      join(stateDir(), 'history.jsonl'),
      JSON.stringify({
        profile: 'default',
        startedAt: old,
        endedAt: old,
        outcome: 'ok',
        exitCode: 0,
        rsyncExitCode: 0,
        files: 2,
        bytesSent: 10,
        snapshot: 't-old',
        logPath: null,
        error: null,
        warnings: [],
      }) + '\n',
    );
    await settings({ sources: [join(src, 'gone')] });
    expect((await runCli(['backup'], home)).code).toBe(2);
    const r = await runCli(['status'], home);
    expect(r.stdout.split('\n').slice(1)).toEqual([
      `Last backup: ${localTime(new Date(old))}, ok: t-old, 2 changed files sent (10 B).`,
      expect.stringMatching(
        new RegExp(
          `^Last run: .*, failed: These sources do not exist or cannot be read: ${join(src, 'gone')}\\.$`,
        ),
      ),
      'Next backup: due now.',
      `Overdue: no successful backup since ${localTime(new Date(old))} (the warning comes after 3 days).`,
      '',
    ]);
    expect((await runCli(['status', '--json'], home)).json).toMatchObject({
      overdue: true,
      overdueSince: old,
      lastRun: { outcome: 'failed', exitCode: 2, error: { kind: 'source-missing' } },
    });
  });
});

describe('snaptray pause and resume', () => {
  it('pause --until HH:MM holds cron runs until then; resume ends it', async () => {
    const now = new Date();
    const at = new Date(now.getTime() + 2 * 3_600_000);
    const hhmm = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
    const paused = await runCli(['pause', '--until', hhmm, '--json'], home);
    expect(paused.code, paused.stderr).toBe(0);
    const until = new Date(paused.json?.pausedUntil as string);
    // HH:MM is its next occurrence in local time.
    expect(until.getHours()).toBe(at.getHours());
    expect(until.getMinutes()).toBe(at.getMinutes());
    expect(until.getTime() - now.getTime()).toBeGreaterThan(3_600_000);
    expect(until.getTime() - now.getTime()).toBeLessThanOrEqual(2 * 3_600_000);
    expect(paused.json).toMatchObject({ profile: 'default', paused: true, stopped: null });
    // The same file the tray writes and reads.
    expect(JSON.parse(await readFile(join(stateDir(), 'pause'), 'utf8'))).toMatchObject({
      until: until.toISOString(),
    });
    // The backup that fell due meanwhile runs when the pause ends.
    expect((await runCli(['status'], home)).stdout).toContain(
      `\nPaused until ${localTime(until)} ("snaptray resume" ends it now).\n` +
        `Next backup: ${localTime(until)}.\n`,
    );

    const held = await runCli(['backup'], home);
    expect(held.code).toBe(4);
    expect(held.stderr).toMatch(
      /^Backup not run \(paused\): Backups of this profile are paused until /,
    );
    // From cron (--if-due) a pause is quiet: nothing to mail every few minutes.
    const quiet = await runCli(['backup', '--if-due'], home);
    expect(quiet).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await snapshots()).toEqual([]);

    const resumed = await runCli(['resume'], home);
    expect(resumed.stdout).toBe('Backups of profile "default" are resumed.\n');
    expect(existsSync(join(stateDir(), 'pause'))).toBe(false);
    expect((await runCli(['resume'], home)).stdout).toBe(
      'Backups of profile "default" were not paused.\n',
    );
    const ran = await runCli(['backup', '--if-due'], home);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/^Backed up: t-/);
    expect(await snapshots()).toHaveLength(1);
    // Done for the next 24 hours.
    expect(await runCli(['backup', '--if-due'], home)).toMatchObject({ code: 0, stdout: '' });
    expect(await snapshots()).toHaveLength(1);
  });

  it('pause without options holds backups until resumed; bad times are refused', async () => {
    const r = await runCli(['pause'], home);
    expect(r.stdout).toBe(
      'Backups of profile "default" are paused until you resume them ("snaptray resume").\n',
    );
    expect(JSON.parse(await readFile(join(stateDir(), 'pause'), 'utf8')).until).toBeNull();
    expect((await runCli(['status', '--json'], home)).json).toMatchObject({
      paused: true,
      pausedUntil: null,
      nextBackup: null,
    });
    for (const [args, message] of [
      [['--for', '90'], '--for "90" is not a duration: write it as 30m, 2h, 1h30m or 1d.'],
      [
        ['--until', '25:00'],
        '--until "25:00" is not a time: write HH:MM (its next occurrence, local time) or an ISO-8601 date and time such as 2026-11-30T08:00.',
      ],
      [['--until', '2020-01-01T00:00'], '--until "2020-01-01T00:00" is in the past.'],
      [['--for', '1h', '--until', '10:00'], 'Give --for or --until, not both.'],
    ] as const) {
      const bad = await runCli(['pause', ...args], home);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe(`snaptray: ${message}\n`);
    }
    // The earlier pause is untouched by the refused ones.
    expect(JSON.parse(await readFile(join(stateDir(), 'pause'), 'utf8')).until).toBeNull();
  });

  it('pause --for stops a backup the command line is running, and status says it is paused', async () => {
    await settings({ rsync: { bandwidthLimit: 300 } });
    await writeTree(src, { 'big.bin': Buffer.alloc(3_000_000, 1) });
    const running = startCli(['backup', '--json'], home);
    await waitFor('the backup holds the lock', async () => existsSync(join(stateDir(), 'lock')));
    const during = await runCli(['status', '--json'], home);
    expect(during.json).toMatchObject({ running: { source: 'cli', pid: running.child.pid } });
    const paused = await runCli(['pause', '--for', '1h30m'], home);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(
      /\nThe backup running since .* \(started from the command line or cron\) is being stopped; the next backup continues from it\.\n$/,
    );
    const stopped = await running.done;
    expect(stopped.code).toBe(5);
    expect(stopped.json).toMatchObject({ outcome: 'cancelled' });
    const after = (await runCli(['status', '--json'], home)).json!;
    expect(after).toMatchObject({ running: null, paused: true, lastRun: { outcome: 'cancelled' } });
    const minutes = (new Date(after.pausedUntil as string).getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(80);
    expect(minutes).toBeLessThanOrEqual(90);
  });
});

describe('a one-off run', () => {
  /** A backup of the profile five days ago: its real backups are overdue. */
  async function oldBackup(): Promise<string> {
    const old = new Date(Date.now() - 5 * 86_400_000).toISOString();
    await mkdir(stateDir(), { recursive: true });
    await writeFile(
      join(stateDir(), 'history.jsonl'),
      JSON.stringify({
        profile: 'default',
        startedAt: old,
        endedAt: old,
        outcome: 'ok',
        exitCode: 0,
        rsyncExitCode: 0,
        files: 2,
        bytesSent: 10,
        snapshot: 't-old',
        logPath: null,
        error: null,
        warnings: [],
      }) + '\n',
    );
    return old;
  }

  it('to another destination, prefix and sources leaves the status and --if-due of the failing profile as they were', async () => {
    const old = await oldBackup();
    // The profile's own backups fail: its source is gone.
    await settings({ sources: [join(src, 'gone')] });
    expect((await runCli(['backup'], home)).code).toBe(2);
    const statusBefore = (await runCli(['status', '--json'], home)).json!;
    const dueBefore = await runCli(['backup', '--if-due', '--json'], home);
    expect(statusBefore).toMatchObject({
      lastRun: { outcome: 'failed', error: { kind: 'source-missing' } },
      lastSuccess: { snapshot: 't-old' },
      overdue: true,
      overdueSince: old,
    });

    const other = await makeTempDir('st-other-');
    expect((await runCli(['init', '--dest', other], home)).code).toBe(0);
    const oneOff = await runCli(
      ['backup', '--dest', other, '--prefix', 'lab', '--source', src, '--json'],
      home,
    );
    expect(oneOff.code, oneOff.stderr).toBe(0);
    expect(oneOff.json).toMatchObject({
      outcome: 'ok',
      oneOff: { destination: other, prefix: 'lab', sources: [src] },
    });
    expect((await readdir(other)).filter((n) => /^lab-[\d-]+$/.test(n))).toEqual([
      oneOff.json?.snapshot,
    ]);
    const text = await runCli(
      ['backup', '--dest', other, '--prefix', 'lab', '--source', src],
      home,
    );
    expect(text.stdout).toMatch(
      new RegExp(
        `\\nThis was a one-off run to ${other} \\(prefix lab\\): the schedule and status of ` +
          'profile "default" do not count it as its backup\\.\\n$',
      ),
    );

    // Recorded, marked as a one-off, and nothing the profile shows or decides has moved.
    const history = (await readFile(join(stateDir(), 'history.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(history.map((e) => [e.outcome, e.oneOff ?? null])).toEqual([
      ['ok', null],
      ['failed', null],
      ['ok', { destination: other, prefix: 'lab', sources: [src] }],
      ['ok', { destination: other, prefix: 'lab', sources: [src] }],
    ]);
    const statusAfter = (await runCli(['status', '--json'], home)).json!;
    // Overdue means "due now": the next backup is the moment status was asked.
    expect({ ...statusAfter, nextBackup: null }).toEqual({ ...statusBefore, nextBackup: null });
    expect(statusAfter.due).toBe(true);
    const dueAfter = await runCli(['backup', '--if-due', '--json'], home);
    expect(dueAfter).toEqual(dueBefore);
    expect(dueAfter.json).toMatchObject({
      outcome: 'not-due',
      reason: 'The last attempt failed; waiting a little before trying again.',
    });
    const words = (await runCli(['status'], home)).stdout;
    expect(words).toContain(`\nLast backup: ${localTime(new Date(old))}, ok: t-old,`);
    expect(words).toMatch(/\nLast run: .*, failed: These sources do not exist/);
    expect(words).not.toContain('lab-');

    // --if-due with flags that make a one-off would run it at every check: refused.
    const cron = await runCli(
      ['backup', '--if-due', '--dest', other, '--prefix', 'lab', '--source', src],
      home,
    );
    expect(cron.code).toBe(2);
    expect(cron.stderr).toBe(
      `snaptray: --if-due follows the schedule of profile "default", but --dest, --prefix or ` +
        `--source name another destination, prefix or sources than ${configFile} saves for it, ` +
        "and such a one-off run never counts as the profile's backup. Save them in the settings, " +
        'or run the one-off without --if-due.\n',
    );
  });

  it('flags that repeat the saved destination, prefix and sources make the profile’s own backup', async () => {
    await oldBackup();
    const own = await runCli(
      ['backup', '--dest', `${dest}/`, '--prefix', 't', '--source', src, '--json'],
      home,
    );
    expect(own.code, own.stderr).toBe(0);
    expect(own.json).toMatchObject({ outcome: 'ok', oneOff: null });
    expect((await runCli(['status', '--json'], home)).json).toMatchObject({
      lastSuccess: { snapshot: own.json?.snapshot },
      overdue: false,
      due: false,
    });
    expect(await runCli(['backup', '--if-due'], home)).toMatchObject({ code: 0, stdout: '' });
  });
});

describe('runs refused by a pause or the lock', () => {
  it('are not the last run: after resume, status tells of the last real backup', async () => {
    const ran = await runCli(['backup', '--json'], home);
    expect(ran.code, ran.stderr).toBe(0);
    const before = (await runCli(['status'], home)).stdout;
    expect((await runCli(['pause'], home)).code).toBe(0);
    expect((await runCli(['backup'], home)).code).toBe(4);
    expect((await runCli(['resume'], home)).code).toBe(0);
    const after = await runCli(['status', '--json'], home);
    expect(after.json).toMatchObject({
      lastRun: { outcome: 'ok', snapshot: ran.json?.snapshot },
      lastSuccess: { outcome: 'ok', snapshot: ran.json?.snapshot },
    });
    expect((await runCli(['status'], home)).stdout).toBe(before);
    expect(before).not.toMatch(/Last run/);
  });
});
