/**
 * What `init` keeps in the settings file, and how it writes it: the prefix (the host name by
 * default) saved where the next backup reads it, so that a renamed machine keeps its history, and
 * a file the user wrote by hand changed only where something changed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { CLI, makeCliHome, runCli, type CliHome, type CliRun } from '../../support/cli.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

let home: CliHome;
let src: string;
let dest: string;
let file: string;

// The default prefix is the host name, with "-system" for root's own backups (tests run as root).

/** Runs the CLI on this machine under another host name, as after a rename. */
function asHost(host: string, args: string[]): Promise<CliRun> {
  const child = spawn(
    'unshare',
    [
      '--uts',
      'sh',
      '-c',
      'hostname "$1" && shift && exec "$@"',
      'sh',
      host,
      process.execPath,
      CLI,
      ...args,
    ],
    { env: home.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const json = args.includes('--json') ? (JSON.parse(stdout) as Record<string, unknown>) : null;
      resolve({ code, signal, stdout, stderr, json });
    });
  });
}

beforeEach(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  file = join(home.configDir, 'Snaptray', 'config.json');
  await writeTree(src, { 'a.txt': 'a', 'big/blob': Buffer.alloc(100_000, 7) });
});

describe('init saves the prefix where the next backup reads it', () => {
  it('makes the settings file when there is none, says where, and a renamed machine keeps its prefix', async () => {
    expect(existsSync(file)).toBe(false);
    const init = await asHost('annlaptop', ['init', '--dest', dest]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toBe(
      `${dest} is now a Snaptray destination.\n` +
        'Hard links, symbolic links and permissions are kept: unchanged files take no extra space.\n' +
        `Saved the destination and the prefix "annlaptop-system" for profile "default" in ${file}: ` +
        '"snaptray backup" without flags (from cron too) uses them.\n' +
        `No folders to back up are saved yet: add "sources" to profile "default" in ${file} (or ` +
        'in the settings window), or name them on each run with "snaptray backup --source PATH".\n',
    );
    // Only what init decided; the defaults stay out of the file.
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: 1,
      profiles: { default: { destination: dest, prefix: 'annlaptop-system' } },
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const first = await asHost('annlaptop', ['backup', '--source', src, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json?.snapshot).toMatch(/^annlaptop-system-\d{4}-/);
    // Renamed: the saved prefix, so the new snapshot links against the old one.
    const second = await asHost('ann-thinkpad', ['backup', '--source', src, '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.json).toMatchObject({ outcome: 'ok', oneOff: null });
    expect(second.json?.snapshot).toMatch(/^annlaptop-system-\d{4}-/);
    expect(second.json?.bytesSent).toBeLessThan(10_000);
  }, 300_000);

  it('names what it saved in --json, and saves nothing for another destination than the saved one', async () => {
    const init = await runCli(['init', '--dest', dest, '--prefix', 'box', '--json'], home);
    expect(init.code, init.stderr).toBe(0);
    expect(init.json).toMatchObject({
      prefix: 'box',
      settings: { file, profile: 'default', saved: ['destination', 'prefix'], notSaved: null },
      warnings: [],
      error: null,
    });
    const before = await readFile(file, 'utf8');

    const other = await makeTempDir('st-other-');
    const elsewhere = await runCli(['init', '--dest', other, '--json'], home);
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    const notSaved =
      `The settings were not changed: profile "default" in ${file} backs up to ${dest} under ` +
      'the prefix "box", and this command named another destination. To make this its ' +
      'destination from now on, change the profile in the settings (or use --profile with a new name).';
    expect(elsewhere.json?.settings).toEqual({ file, profile: 'default', saved: [], notSaved });
    expect(await readFile(file, 'utf8')).toBe(before);
  }, 300_000);
});

describe('adopt saves the prefix it takes over', () => {
  it("a new account with no settings adopts the old machine's prefix, and its next backup continues it", async () => {
    const old = home;
    expect((await runCli(['init', '--dest', dest, '--prefix', 'oldlaptop'], old)).code).toBe(0);
    const first = await runCli(['backup', '--source', src, '--json'], old);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json?.snapshot).toMatch(/^oldlaptop-\d{4}-/);

    home = await makeCliHome();
    file = join(home.configDir, 'Snaptray', 'config.json');
    const adopt = await asHost('newlaptop', ['adopt', '--dest', dest, '--prefix', 'oldlaptop']);
    expect(adopt.code, adopt.stderr).toBe(0);
    expect(adopt.stdout).toContain(
      `Saved the destination and the prefix "oldlaptop" for profile "default" in ${file}: ` +
        '"snaptray backup" without flags (from cron too) uses them.\n',
    );
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: 1,
      profiles: { default: { destination: dest, prefix: 'oldlaptop' } },
    });
    const next = await asHost('newlaptop', ['backup', '--source', src, '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.json).toMatchObject({ outcome: 'ok', oneOff: null });
    expect(next.json?.snapshot).toMatch(/^oldlaptop-\d{4}-/);
    expect(next.json?.bytesSent).toBeLessThan(10_000);
  }, 300_000);
});

describe('saving keeps a hand-written settings file as its author wrote it', () => {
  it('adds only the prefix: key order, keys Snaptray does not know and left-out defaults stay', async () => {
    const handWritten = {
      version: 1,
      note: 'my backups',
      profiles: {
        default: {
          sources: [src],
          destination: dest,
          retention: { dailyDays: 30, keepAllHour: 12 },
          colour: 'blue',
        },
        work: { destination: dest, prefix: 'work', sources: [src] },
      },
    };
    await mkdir(join(home.configDir, 'Snaptray'), { recursive: true });
    await writeFile(file, JSON.stringify(handWritten, null, 2), { mode: 0o600 });

    const init = await asHost('annlaptop', ['init']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain(
      `Saved the prefix "annlaptop-system" for profile "default" in ${file}: "snaptray backup" without flags`,
    );
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved).toEqual({
      ...handWritten,
      profiles: {
        ...handWritten.profiles,
        default: { ...handWritten.profiles.default, prefix: 'annlaptop-system' },
      },
    });
    expect(Object.keys(saved)).toEqual(['version', 'note', 'profiles']);
    expect(Object.keys(saved.profiles.default)).toEqual([
      'sources',
      'destination',
      'retention',
      'colour',
      'prefix',
    ]);
  }, 300_000);

  it('a file without a version is migrated as written: the version is added, nothing else', async () => {
    await mkdir(join(home.configDir, 'Snaptray'), { recursive: true });
    await writeFile(
      file,
      JSON.stringify({ profiles: { default: { destination: dest, sources: [src], prefix: 'p' } } }),
      { mode: 0o644 },
    );
    const r = await runCli(['init'], home);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      profiles: { default: { destination: dest, sources: [src], prefix: 'p' } },
      version: 1,
    });
  }, 300_000);
});

describe('a destination that is a file', () => {
  it('is named as a file, and init does not offer to create it', async () => {
    const plain = join(dest, 'backups');
    await writeFile(plain, 'not a folder');
    for (const [path, words] of [
      [plain, `The destination ${plain} is a file, not a folder.`],
      [
        join(plain, 'deeper'),
        `The destination ${join(plain, 'deeper')} cannot be a folder: ${plain}, on its way, is a file.`,
      ],
    ] as const) {
      const message = `${words} The destination names the folder that holds the snapshots: check the path.`;
      const init = await runCli(['init', '--dest', path, '--json'], home);
      expect(init.code).toBe(1);
      expect(init.json?.error).toEqual({ kind: 'destination-not-folder', message });
      const created = await runCli(['init', '--create', '--dest', path], home);
      expect(created.code).toBe(1);
      expect(created.stderr).toBe(`snaptray: ${message}\n`);
      const check = await runCli(['check', '--dest', path, '--json'], home);
      expect(check.json?.steps).toEqual([{ step: 'folder', ok: false, message }]);
    }
    expect(await readFile(plain, 'utf8')).toBe('not a folder');
    expect(existsSync(file)).toBe(false);
  }, 300_000);
});
