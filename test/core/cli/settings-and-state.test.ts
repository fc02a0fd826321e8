/**
 * The CLI with a settings file, the pause and the lock it shares with the tray, hooks, and the
 * import of the old router script's config.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { setPause } from '../../../core/state/pause.js';
import { makeCliHome, runCli, type CliHome } from '../../support/cli.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

let home: CliHome;
let src: string;
let dest: string;

function profileDir() {
  return join(home.stateDir, 'snaptray', 'default');
}

async function settingsFile(
  profile: Record<string, unknown>,
  version: unknown = 1,
): Promise<string> {
  const file = join(home.configDir, 'Snaptray', 'config.json');
  await mkdir(join(home.configDir, 'Snaptray'), { recursive: true });
  await writeFile(file, JSON.stringify({ version, profiles: { default: profile } }), {
    mode: 0o600,
  });
  return file;
}

beforeEach(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  await writeTree(src, { 'f.txt': 'file' });
  await runCli(['init', '--dest', dest], home);
});

describe('settings', () => {
  it('runs from the settings file alone', async () => {
    await settingsFile({ sources: [src], destination: dest, prefix: 'cfg' });
    const r = await runCli(['backup', '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.snapshot).toMatch(/^cfg-\d{4}-/);
    expect(await readFile(join(dest, r.json?.snapshot as string, src, 'f.txt'), 'utf8')).toBe(
      'file',
    );
  });

  it('names each invalid field and what it allows, exit 2, and changes nothing', async () => {
    const file = await settingsFile({
      sources: ['relative/path'],
      destination: dest,
      ssh: { port: 99999 },
      schedule: { mode: 'weekly' },
    });
    const before = await readFile(file, 'utf8');
    const r = await runCli(['backup'], home);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('profiles.default.sources.0: must be an absolute path');
    expect(r.stderr).toContain('profiles.default.ssh.port: must be at most 65535');
    expect(r.stderr).toContain(
      'profiles.default.schedule.mode: must be one of "interval", "daily"',
    );
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await readdir(dest)).toEqual(['.snaptray-destination']);
    const json = await runCli(['list', '--json'], home);
    expect(json.code).toBe(2);
    expect(json.json).toMatchObject({ snapshots: [], error: { kind: 'settings' } });
  });

  it('warns in every run and in check about a key it does not know, naming the nearest known one', async () => {
    const file = join(home.configDir, 'Snaptray', 'config.json');
    await mkdir(join(home.configDir, 'Snaptray'), { recursive: true });
    const profile = {
      sources: [src],
      destination: dest,
      prefix: 'cfg',
      retention: { keepAllHour: 72 },
      shedule: { mode: 'daily' },
    };
    const other = { ...profile, destination: '', retention: { keepDaily: 3 } };
    await writeFile(
      file,
      JSON.stringify({ version: 1, profiles: { default: profile, other }, extra: true }),
      { mode: 0o600 },
    );
    const warnings = [
      `The settings file ${file} has a setting this version of Snaptray does not know, ` +
        'profiles.default.retention.keepAllHour, and ignores it. Did you mean keepAllHours?',
      `The settings file ${file} has a setting this version of Snaptray does not know, ` +
        'profiles.default.shedule, and ignores it. Did you mean schedule?',
      `The settings file ${file} has a setting this version of Snaptray does not know, ` +
        'extra, and ignores it.',
    ];
    const stderr = warnings.map((w) => `Warning: ${w}\n`).join('');

    // Not an error: the backup runs with the defaults in force, and says why they are.
    const text = await runCli(['backup'], home);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toBe(stderr);
    const json = await runCli(['backup', '--json'], home);
    expect(json.code, json.stderr).toBe(0);
    expect(json.json?.warnings).toEqual(warnings);
    // The history keeps them, so the tray and the Backups window show them too.
    const history = (await readFile(join(profileDir(), 'history.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { warnings: string[] });
    expect(history.map((e) => e.warnings)).toEqual([warnings, warnings]);

    const check = await runCli(['check', '--json'], home);
    expect(check.code, check.stderr).toBe(0);
    expect(check.json?.warnings).toEqual(warnings);
    expect((await runCli(['check'], home)).stderr).toBe(stderr);
    // The file is read, never rewritten.
    expect(JSON.parse(await readFile(file, 'utf8')).profiles.default.retention).toEqual({
      keepAllHour: 72,
    });
  });

  it('refuses a file from a newer Snaptray, and a file that is not JSON', async () => {
    await settingsFile({}, 7);
    const newer = await runCli(['list'], home);
    expect(newer.code).toBe(2);
    expect(newer.stderr).toMatch(/newer Snaptray/);
    await writeFile(join(home.configDir, 'Snaptray', 'config.json'), '{ not json');
    const broken = await runCli(['list'], home);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/cannot be read/);
  });

  it('migrates a file without a version, and init saves the host-name prefix (file mode 0600)', async () => {
    const file = join(home.configDir, 'Snaptray', 'config.json');
    await mkdir(join(home.configDir, 'Snaptray'), { recursive: true });
    await writeFile(
      file,
      JSON.stringify({ profiles: { default: { destination: dest, sources: [src] } } }),
      { mode: 0o644 },
    );
    const r = await runCli(['init'], home);
    expect(r.code, r.stderr).toBe(0);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved.version).toBe(1);
    expect(saved.profiles.default.prefix).toMatch(/^[A-Za-z0-9._-]+$/);
    // Defaults stay out of the file: it holds what its author wrote, and the version.
    expect(saved.profiles.default.retention).toBeUndefined();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('a mistyped --profile is refused, with or without a settings file, unless flags name everything', async () => {
    // The init of beforeEach saved its destination and prefix there.
    await rm(join(home.configDir, 'Snaptray', 'config.json'));
    const without = await runCli(['backup', '--profile', 'wrok'], home);
    expect(without.code).toBe(2);
    expect(without.stderr).toBe(
      `snaptray: There is no profile "wrok": there is no settings file (${join(home.configDir, 'Snaptray', 'config.json')}). ` +
        'Check the name, or pass --dest and --source to run without a saved profile.\n',
    );
    expect((await runCli(['status', '--profile', 'wrok'], home)).code).toBe(2);
    const file = await settingsFile({ sources: [src], destination: dest, prefix: 'cfg' });
    const typo = await runCli(['pause', '--profile', 'defualt'], home);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      `snaptray: There is no profile "defualt": ${file} has the profiles default. ` +
        'Check the name, or pass --dest to run without a saved profile.\n',
    );
    expect(existsSync(join(home.stateDir, 'snaptray', 'defualt'))).toBe(false);
    const named = await runCli(
      ['backup', '--profile', 'other', '--dest', dest, '--source', src, '--prefix', 'o'],
      home,
    );
    expect(named.code, named.stderr).toBe(0);
  });

  it('a --config that does not exist is an error, not a silent default', async () => {
    const r = await runCli(['backup', '--config', join(dest, 'nope.json'), '--json'], home);
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ outcome: 'failed', error: { kind: 'settings' } });
  });
});

describe('pause and lock, shared with the tray', () => {
  it('a paused profile is not backed up (exit 4) unless --force; an expired pause is over', async () => {
    await mkdir(profileDir(), { recursive: true });
    await setPause(profileDir(), new Date(Date.now() + 3_600_000), new Date());
    const paused = await runCli(['backup', '--dest', dest, '--source', src, '--json'], home);
    expect(paused.code).toBe(4);
    expect(paused.json).toMatchObject({ outcome: 'paused', snapshot: null });
    expect((paused.json?.error as { message: string }).message).toMatch(/paused until .*--force/);
    const forced = await runCli(
      ['backup', '--dest', dest, '--source', src, '--force', '--json'],
      home,
    );
    expect(forced.code, forced.stderr).toBe(0);
    await setPause(profileDir(), new Date(Date.now() - 1000), new Date(Date.now() - 3_600_000));
    await new Promise((r) => setTimeout(r, 1100));
    const over = await runCli(['backup', '--dest', dest, '--source', src, '--json'], home);
    expect(over.code, over.stderr).toBe(0);
  });

  it('an unreadable pause file is a clear error that names the file and the fix, not a crash', async () => {
    // A folder where the pause file should be: reading it fails as an unreadable file would.
    await mkdir(join(profileDir(), 'pause'), { recursive: true });
    const r = await runCli(['backup', '--dest', dest, '--source', src, '--json'], home);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ outcome: 'failed', snapshot: null });
    expect((r.json?.error as { message: string }).message).toMatch(
      /^The pause file in .*default cannot be read \(.*\)\. Fix its permissions or delete it/,
    );
    expect(r.stderr).not.toMatch(/at .*\.mjs:\d+/);
  });

  it('prune and delete work on a profile that has never run (no state folder yet)', async () => {
    expect(existsSync(profileDir())).toBe(false);
    const prune = await runCli(['prune', '--dest', dest, '--prefix', 'fresh', '--json'], home);
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.json).toMatchObject({ delete: [], deleted: [], error: null });
    const del = await runCli(
      ['delete', '--dest', dest, '--prefix', 'fresh', 'fresh-2020-01-01', '--json'],
      home,
    );
    expect(del.code).toBe(2);
    expect((del.json?.error as { message: string }).message).toMatch(
      /Not snapshots of the prefix "fresh"/,
    );
  });

  it("a second run of the same profile is refused (exit 4); a dead run's lock is taken over", async () => {
    await mkdir(profileDir(), { recursive: true });
    const lockInfo = (pid: number) =>
      JSON.stringify({ pid, startedAt: new Date().toISOString(), source: 'tray' });
    // A live holder: this test process.
    await writeFile(join(profileDir(), 'lock'), lockInfo(process.pid));
    const locked = await runCli(['backup', '--dest', dest, '--source', src, '--json'], home);
    expect(locked.code).toBe(4);
    expect(locked.json).toMatchObject({ outcome: 'locked' });
    expect((locked.json?.error as { message: string }).message).toContain(String(process.pid));
    // A dead holder: a process that has exited.
    const gone = spawn('true');
    await new Promise((r) => gone.on('close', r));
    await writeFile(join(profileDir(), 'lock'), lockInfo(gone.pid!));
    const stale = await runCli(['backup', '--dest', dest, '--source', src, '--json'], home);
    expect(stale.code, stale.stderr).toBe(0);
    expect(existsSync(join(profileDir(), 'lock'))).toBe(false);
  });
});

describe('hooks', () => {
  it('a failing pre hook stops the run before anything is sent; the fail hook sees why', async () => {
    const out = join(await makeTempDir('st-hook-'), 'fail.txt');
    await settingsFile({
      sources: [src],
      destination: dest,
      prefix: 'h',
      hooks: {
        pre: 'echo not mounted >&2; exit 3',
        fail: `echo "$SNAPTRAY_STATUS $SNAPTRAY_PROFILE" > '${out}'`,
      },
    });
    const r = await runCli(['backup', '--json'], home);
    expect(r.code).toBe(1);
    expect(r.json?.error).toMatchObject({ kind: 'hook-failed' });
    expect((r.json?.error as { message: string }).message).toMatch(/exit code 3: not mounted/);
    expect(await readFile(out, 'utf8')).toBe('failed default\n');
    expect(await readdir(dest)).toEqual(['.snaptray-destination']);
  });

  it('the after hook gets the snapshot name and status', async () => {
    const out = join(await makeTempDir('st-hook-'), 'after.txt');
    await settingsFile({
      sources: [src],
      destination: dest,
      prefix: 'h',
      hooks: { after: `echo "$SNAPTRAY_SNAPSHOT $SNAPTRAY_STATUS $SNAPTRAY_EXIT_CODE" > '${out}'` },
    });
    const r = await runCli(['backup', '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(`${r.json?.snapshot} ok 0\n`);
  });
});

describe('import-config', () => {
  it("imports the old router script's config into a profile and reports what it left out", async () => {
    const fixture = join(import.meta.dirname, '..', '..', 'fixtures', 'old-config.py');
    const r = await runCli(
      ['import-config', fixture, '--host', 'admin@router.lan', '--json'],
      home,
    );
    expect(r.code, r.stderr).toBe(0);
    const notImported = (r.json?.notImported as { name: string }[]).map((n) => n.name);
    expect(notImported).toContain('SSH');
    const file = join(home.configDir, 'Snaptray', 'config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved.profiles.default).toMatchObject({
      prefix: 'univac',
      destination: 'admin@router.lan:/mnt/sda1/backups',
      sources: ['/'],
      excludes: [
        '/run/*',
        '/var/run/*',
        '/media/*',
        '/dev/*',
        '/proc/*',
        '/sys/*',
        '/tmp/*',
        '/mnt/*',
      ],
      retention: { maxAgeDays: 30 },
    });
  });

  it('run again without --host, keeps the destination imported earlier and says so', async () => {
    const fixture = join(import.meta.dirname, '..', '..', 'fixtures', 'old-config.py');
    await runCli(['import-config', fixture, '--host', 'admin@router.lan'], home);
    const again = await runCli(['import-config', fixture], home);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      '\nKept the destination "admin@router.lan:/mnt/sda1/backups" set earlier (pass --host to import BACKUP_DIR instead).\n',
    );
    expect(again.stderr).not.toContain('No destination set');
    const saved = JSON.parse(
      await readFile(join(home.configDir, 'Snaptray', 'config.json'), 'utf8'),
    );
    expect(saved.profiles.default.destination).toBe('admin@router.lan:/mnt/sda1/backups');
  });

  it('refuses a host that would be read as an ssh option', async () => {
    const fixture = join(import.meta.dirname, '..', '..', 'fixtures', 'old-config.py');
    // The init of beforeEach saved its destination and prefix there; nothing else is written.
    const file = join(home.configDir, 'Snaptray', 'config.json');
    const before = await readFile(file, 'utf8');
    const r = await runCli(
      ['import-config', fixture, '--host', '-oProxyCommand=x', '--json'],
      home,
    );
    expect(r.code).toBe(2);
    expect(await readFile(file, 'utf8')).toBe(before);
  });
});
