/**
 * `snaptray schedule --print-cron | --print-systemd`: the printed entry runs a backup as cron and
 * systemd would run it, in an environment emptied with `env -i` (cron's PATH, HOME and nothing
 * else), and the units are ones systemd accepts.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { CLI, makeCliHome, runCli, type CliHome } from '../../support/cli.js';
import { runProgram } from '../../support/run-program.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

let home: CliHome;
let homeDir: string;
let src: string;
let dest: string;

async function settings(profiles: Record<string, Record<string, unknown>>): Promise<void> {
  await mkdir(join(home.configDir, 'Snaptray'), { recursive: true });
  await writeFile(
    join(home.configDir, 'Snaptray', 'config.json'),
    JSON.stringify({ version: 1, profiles }),
    { mode: 0o600 },
  );
}

async function snapshots(): Promise<string[]> {
  return (await readdir(dest)).filter((n) => /^c-[\d-]+$/.test(n));
}

/** What cron gives a job: its own PATH, HOME, and nothing of the session that printed the line. */
function cronRun(command: string) {
  return runProgram('/usr/bin/env', [
    '-i',
    'PATH=/usr/bin:/bin',
    `HOME=${homeDir}`,
    'SHELL=/bin/sh',
    'LOGNAME=root',
    '/bin/sh',
    '-c',
    command,
  ]);
}

beforeEach(async () => {
  home = await makeCliHome();
  homeDir = await makeTempDir('st-cronhome-');
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  await writeTree(src, { 'a.txt': 'alpha', 'b/c.txt': 'charlie' });
});

describe('schedule --print-cron', () => {
  it('prints a line that backs up under cron, with no PATH but /usr/bin:/bin', async () => {
    await settings({ default: { sources: [src], destination: dest, prefix: 'c' } });
    expect((await runCli(['init'], home)).code).toBe(0);
    const r = await runCli(['schedule', '--print-cron'], home);
    expect(r.code, r.stderr).toBe(0);
    const [comment, entry, ...rest] = r.stdout.split('\n');
    expect(rest).toEqual(['']);
    expect(comment).toBe(
      '# Snaptray, profile "default": every 24 hours (a missed backup runs as soon as it can). ' +
        'cron asks every 15 minutes; "backup --if-due" backs up only when one is due.',
    );
    const fields = entry!.split(' ');
    expect(fields.slice(0, 5)).toEqual(['*/15', '*', '*', '*', '*']);
    const command = fields.slice(5).join(' ');
    // The settings and state folders of this session, and the program by absolute path.
    expect(command).toBe(
      `XDG_CONFIG_HOME=${home.configDir} XDG_STATE_HOME=${home.stateDir} ${process.execPath} ${CLI} backup --if-due`,
    );
    expect(r.stderr).toContain('The tray app, while it runs, backs up this profile');
    expect(r.stderr).not.toContain('/dev/null');

    const first = await cronRun(command);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Backed up: c-\d{4}-\d\d-\d\d-\d{6} — 2 changed files sent/);
    expect(await snapshots()).toHaveLength(1);
    // Fifteen minutes later cron asks again: not due, so nothing runs and nothing is mailed.
    const second = await cronRun(command);
    expect(second).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await snapshots()).toHaveLength(1);
  });

  it('a failing run reaches cron (stderr, exit code), and another profile is named', async () => {
    await settings({
      default: { sources: [src], destination: dest },
      nightly: {
        sources: [src],
        destination: join(dest, 'unset up'),
        prefix: 'c',
        schedule: { mode: 'daily', dailyAt: '04:30', catchUp: false },
      },
    });
    const r = await runCli(['schedule', '--print-cron', '--profile', 'nightly'], home);
    expect(r.code, r.stderr).toBe(0);
    const entry = r.stdout.split('\n')[1]!;
    expect(entry.startsWith('30 4 * * * ')).toBe(true);
    expect(entry.endsWith(' backup --if-due --profile nightly')).toBe(true);
    expect(r.stderr).not.toContain('The tray app');
    // Run as cron would at 04:30 (--if-due would wait for the slot, so it is dropped here).
    const command = entry.split(' ').slice(5).join(' ').replace(' --if-due', '');
    const failed = await cronRun(command);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toContain(
      `Backup failed: The destination folder "${join(dest, 'unset up')}" does not exist.`,
    );
  });
});

describe('schedule --print-systemd', () => {
  it('prints a service and a timer systemd accepts, whose ExecStart backs up', async () => {
    await settings({
      default: {
        sources: [src],
        destination: dest,
        prefix: 'c',
        schedule: { mode: 'daily', dailyAt: '03:15', catchUp: true },
      },
    });
    expect((await runCli(['init'], home)).code).toBe(0);
    const r = await runCli(['schedule', '--print-systemd'], home);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'systemctl --user daemon-reload && systemctl --user enable --now snaptray-default.timer',
    );
    const json = (await runCli(['schedule', '--print-systemd', '--json'], home)).json!;
    const units = json.systemd as Record<'service' | 'timer', { path: string; text: string }>;
    expect(r.stdout).toBe(
      `# ${units.service.path}\n${units.service.text}\n# ${units.timer.path}\n${units.timer.text}`,
    );
    expect(units.service.path).toBe('~/.config/systemd/user/snaptray-default.service');
    expect(units.timer.text).toBe(
      [
        '[Unit]',
        'Description=Snaptray backups of profile "default", daily at 03:15 (a missed backup runs as soon as it can)',
        '',
        '[Timer]',
        'OnCalendar=*-*-* 03:15:00',
        'Persistent=true',
        '',
        '[Install]',
        'WantedBy=timers.target',
        '',
      ].join('\n'),
    );
    const folder = await makeTempDir('st-units-');
    await writeFile(join(folder, 'snaptray-default.service'), units.service.text);
    await writeFile(join(folder, 'snaptray-default.timer'), units.timer.text);
    const verify = await runProgram('systemd-analyze', [
      'verify',
      join(folder, 'snaptray-default.service'),
      join(folder, 'snaptray-default.timer'),
    ]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stderr).toBe('');

    // The service's environment and command, run with nothing else around them.
    const lines = units.service.text.split('\n');
    const environment = lines.filter((l) => l.startsWith('Environment=')).map((l) => l.slice(12));
    const exec = lines.find((l) => l.startsWith('ExecStart='))!.slice(10);
    const ran = await cronRun(`${environment.join(' ')} ${exec}`);
    expect(ran.code, ran.stderr).toBe(0);
    expect(await snapshots()).toHaveLength(1);
  });
});
