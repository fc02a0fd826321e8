/**
 * An identity belongs to one account on one machine. A home folder restored or copied onto another
 * machine (cp -a, identity and all) runs the bundled CLI in namespaces of its own: another host name
 * and another /etc/machine-id bind-mounted over the real one. Real rsync, the destination as it is
 * on disk.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, lstat, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  runCli,
  runCliOn,
  startCli,
  writeSettingsFile,
  type CliHome,
  type CliRun,
} from '../../support/cli.js';
import { inode, makeTempDir, readTree, writeTree } from '../../support/tree.js';

const NOBODY = 65534;
/** A real machine id was written when its system was installed, long before this boot. */
const INSTALLED = new Date('2020-01-01T00:00:00Z');

let src: string;
let dest: string;

beforeEach(async () => {
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  await writeTree(src, {
    'a.txt': 'alpha',
    'sub/b.txt': 'beta',
    'big.bin': Buffer.alloc(120_000, 5),
  });
  const init = await runCli(['init', '--dest', dest], await realHome());
  expect(init.code, init.stderr).toBe(0);
});

/** The environment of a login without XDG_* overrides: everything under HOME. */
function loginEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ...extra };
  for (const name of ['XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'XDG_RUNTIME_DIR', 'XDG_CACHE_HOME']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

/** A home folder with the usual layout (and a runtime folder of its own, outside it). */
async function realHome(path?: string): Promise<CliHome> {
  const home = path ?? (await makeTempDir('st-home-'));
  const runtime = await makeTempDir('st-run-');
  return {
    env: loginEnv(home, { XDG_RUNTIME_DIR: runtime }),
    configDir: join(home, '.config'),
    stateDir: join(home, '.local', 'state'),
    runtimeDir: runtime,
  };
}

function homeOf(h: CliHome): string {
  return h.env.HOME!;
}

function settings(h: CliHome, profile: Record<string, unknown>): Promise<void> {
  return writeSettingsFile(join(h.configDir, 'Snaptray', 'config.json'), {
    default: { sources: [src], destination: dest, ...profile },
  });
}

async function identityFile(h: CliHome): Promise<{ id: string; madeFor?: { by: string } }> {
  return JSON.parse(await readFile(join(h.configDir, 'Snaptray', 'identity.json'), 'utf8'));
}

/** A file holding a machine id, dated as a real one is (see INSTALLED). */
async function machineIdFile(id: string): Promise<string> {
  const file = join(await makeTempDir('st-machine-'), 'machine-id');
  await writeFile(file, `${id}\n`);
  await utimes(file, INSTALLED, INSTALLED);
  return file;
}

/** Runs the CLI as the user `uid` (and group of the same number). */
function asUser(uid: number, args: string[], h: CliHome): Promise<CliRun> {
  const through = ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
  return startCli(args, h, { through }).done;
}

async function snapshotDirs(prefix: string): Promise<string[]> {
  const re = new RegExp(`^${prefix}-\\d{4}-\\d\\d-\\d\\d-\\d{6}$`);
  return (await readdir(dest)).filter((n) => re.test(n)).sort();
}

/** Everything on the destination: names at the top (folders too) and every file's content. */
async function destinationState(): Promise<{ names: string[]; files: Map<string, Buffer> }> {
  return { names: (await readdir(dest)).sort(), files: await readTree(dest) };
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

function errorMessage(r: CliRun): string {
  return (r.json?.error as { message?: string } | null)?.message ?? '';
}

describe('a home folder copied onto another machine', () => {
  it('is refused under the old machine’s prefix with adopt named, writing and deleting nothing', async () => {
    const old = await realHome();
    await settings(old, { prefix: 'oldlaptop' });
    const first = await runCli(['backup', '--json'], old);
    expect(first.code, first.stderr).toBe(0);
    const oldId = (await identityFile(old)).id;

    // The new laptop: the old home restored onto it, identity and settings and all.
    const copy = await realHome(`${homeOf(old)}-copy`);
    execFileSync('cp', ['-a', homeOf(old), homeOf(copy)]);
    const newMachine = await machineIdFile('0123456789abcdef0123456789abcdef');
    const before = await destinationState();
    const refused = await runCliOn(
      { host: 'newlaptop', machineId: newMachine },
      ['backup', '--json'],
      copy,
    );
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.json).toMatchObject({
      outcome: 'failed',
      snapshot: null,
      error: { kind: 'prefix-owned' },
    });
    expect(errorMessage(refused)).toMatch(
      new RegExp(
        `^The snapshots named "oldlaptop-…" belong to user \\S+ on "${hostname()}" .*this looks ` +
          `like a home folder copied or restored from "${hostname()}".*nothing was written. If ` +
          `this machine replaces "${hostname()}", run "snaptray adopt" \\(or Take over in the ` +
          'settings window\\)',
      ),
    );
    expect(refused.json?.warnings).toEqual([
      expect.stringMatching(`^This home folder's Snaptray identity was made on "${hostname()}"`),
    ]);
    expect(await destinationState()).toEqual(before);
    // The copy now holds an identity of its own for the new laptop, and the old one beside it.
    const split = JSON.parse(
      await readFile(join(copy.configDir, 'Snaptray', 'identity.json'), 'utf8'),
    );
    expect(split.id).not.toBe(oldId);
    expect(split.elsewhere).toEqual([expect.objectContaining({ id: oldId })]);

    // Taken over explicitly, it continues the old laptop's snapshots.
    const adopt = await runCliOn(
      { host: 'newlaptop', machineId: newMachine },
      ['adopt', '--json'],
      copy,
    );
    expect(adopt.code, adopt.stderr).toBe(0);
    expect(adopt.json).toMatchObject({
      adopted: true,
      previousOwner: { host: hostname(), profile: 'default' },
      snapshots: 1,
    });
    const claim = JSON.parse(await readFile(join(dest, 'oldlaptop.snaptray-owner.json'), 'utf8'));
    expect(claim).toMatchObject({ owner: { id: split.id }, host: 'newlaptop' });
    expect(claim.previousOwners).toEqual([
      expect.objectContaining({ id: oldId, host: hostname(), profile: 'default' }),
    ]);
    await sleep(1100);
    const after = await runCliOn(
      { host: 'newlaptop', machineId: newMachine },
      ['backup', '--json'],
      copy,
    );
    expect(after.code, after.stderr).toBe(0);
    expect(after.json?.files).toBe(0);
    const made = after.json?.snapshot as string;
    expect(await inode(join(dest, made, src, 'big.bin'))).toBe(
      await inode(join(dest, first.json?.snapshot as string, src, 'big.bin')),
    );
    // Both histories intact: the old laptop's snapshot stays beside the new one.
    expect(await snapshotDirs('oldlaptop')).toEqual([first.json?.snapshot, made].sort());

    // The old laptop, still running, is now another owner: refused, and it changes nothing.
    const state = await destinationState();
    const oldAgain = await runCli(['backup', '--json'], old);
    expect(oldAgain.code).toBe(1);
    expect(errorMessage(oldAgain)).toMatch(/belong to user \S+ on "newlaptop"/);
    expect(await destinationState()).toEqual(state);
    expect((await identityFile(old)).id).toBe(oldId);
  });

  it('backs up at once under a prefix of its own, and neither machine touches the other’s snapshots', async () => {
    const strict = { keepAllHours: 0, dailyDays: 1, weeklyWeeks: 0, monthlyMonths: 0 };
    const old = await realHome();
    await settings(old, { prefix: 'oldlaptop', retention: strict });
    expect((await runCli(['backup', '--json'], old)).code).toBe(0);
    const copy = await realHome(`${homeOf(old)}-copy`);
    execFileSync('cp', ['-a', homeOf(old), homeOf(copy)]);
    await settings(copy, { prefix: 'newlaptop', retention: strict });
    const newMachine = await machineIdFile('0123456789abcdef0123456789abcdef');

    const first = await runCliOn(
      { host: 'newlaptop', machineId: newMachine },
      ['backup', '--json'],
      copy,
    );
    expect(first.code, first.stderr).toBe(0);
    const claim = JSON.parse(await readFile(join(dest, 'newlaptop.snaptray-owner.json'), 'utf8'));
    expect(claim.owner.id).toBe((await identityFile(copy)).id);
    expect(claim.owner.id).not.toBe((await identityFile(old)).id);

    // The old laptop cannot write under the new one's prefix (it would prune its snapshots).
    const before = await destinationState();
    const intruder = await runCli(['backup', '--prefix', 'newlaptop', '--json'], old);
    expect(intruder.code).toBe(1);
    expect(intruder.json?.error).toMatchObject({ kind: 'prefix-owned' });
    expect(await destinationState()).toEqual(before);

    // Each keeps its own newest snapshot of the day; the other's stays.
    await sleep(1100);
    const oldRun = await runCli(['backup', '--json'], old);
    const newRun = await runCliOn(
      { host: 'newlaptop', machineId: newMachine },
      ['backup', '--json'],
      copy,
    );
    expect(oldRun.code, oldRun.stderr).toBe(0);
    expect(newRun.code, newRun.stderr).toBe(0);
    expect(await snapshotDirs('oldlaptop')).toEqual([oldRun.json?.snapshot]);
    expect(await snapshotDirs('newlaptop')).toEqual([newRun.json?.snapshot]);
  });
});

describe('a machine without a lasting machine id', () => {
  it('binds to the host name, says so in check, and takes a renamed host for another machine', async () => {
    const h = await realHome();
    await settings(h, { prefix: 'live' });
    const noId = await machineIdFile('uninitialized');
    const check = await runCliOn({ host: 'livebox', machineId: noId }, ['check', '--json'], h);
    expect(check.code, check.stderr).toBe(0);
    const owner = (check.json?.steps as { step: string; message: string }[]).find(
      (s) => s.step === 'owner',
    );
    expect(owner?.message).toMatch(
      /is free.* This account's identity is bound to the host name "livebox" instead of the machine id, because \/etc\/machine-id holds no machine id/,
    );
    expect((await identityFile(h)).madeFor).toMatchObject({ by: 'host-name', host: 'livebox' });
    expect(
      (await runCliOn({ host: 'livebox', machineId: noId }, ['backup', '--json'], h)).code,
    ).toBe(0);

    const before = await destinationState();
    const renamed = await runCliOn({ host: 'renamed', machineId: noId }, ['backup', '--json'], h);
    expect(renamed.code).toBe(1);
    expect(errorMessage(renamed)).toMatch(/copied or restored from "livebox".*snaptray adopt/);
    expect(await destinationState()).toEqual(before);
  });
});

describe('Snaptray’s own files', () => {
  it('never enter a snapshot, for this account (XDG_* set) and for every home in a parent folder', async () => {
    // A parent folder that holds this account's home and, as root's backups of / meet them,
    // another account's home and root's.
    const parent = await makeTempDir('st-parent-');
    const me = join(parent, 'home', 'me');
    await writeTree(parent, {
      'home/me/notes.txt': 'mine',
      'home/al/notes.txt': 'his',
      'home/al/.config/Snaptray/config.json': '{"version":1,"profiles":{}}',
      'home/al/.config/Snaptray/known_hosts': 'router ssh-ed25519 AAAA\n',
      'home/al/.config/Snaptray/identity.json': '{}',
      'home/al/.config/Snaptray/identity.json.77.abcd1234.tmp': '{}',
      'home/al/.config/Snaptray/config.json.tmp-1234567890abcdef': '{}',
      'home/al/.config/Snaptray/locks/default/lock': '{}',
      'home/al/.local/state/snaptray/default/history.jsonl': '{}\n',
      'home/al/.local/state/snaptray/default/lock': '{}',
      'root/.config/Snaptray/identity.json': '{}',
      'root/.config/Snaptray/locks/default/lock': '{}',
      'root/.local/state/snaptray/default/pause': '{}',
    });
    const h: CliHome = {
      env: loginEnv(me, {
        XDG_CONFIG_HOME: join(me, 'dots'),
        XDG_STATE_HOME: join(me, 'st'),
        XDG_RUNTIME_DIR: join(parent, 'run'),
      }),
      configDir: join(me, 'dots'),
      stateDir: join(me, 'st'),
      runtimeDir: join(parent, 'run'),
    };
    await writeSettingsFile(join(h.configDir, 'Snaptray', 'config.json'), {
      default: { sources: [parent], destination: dest, prefix: 'p' },
    });
    const first = await runCli(['backup', '--json'], h);
    expect(first.code, first.stderr).toBe(0);
    const snapshot = first.json?.snapshot as string;
    expect([...(await readTree(join(dest, snapshot, parent))).keys()]).toEqual([
      'home/al/.config/Snaptray/config.json',
      'home/al/.config/Snaptray/known_hosts',
      'home/al/notes.txt',
      'home/me/dots/Snaptray/config.json',
      'home/me/notes.txt',
    ]);
    // This account's own files were there while it ran.
    expect(existsSync(join(me, 'dots', 'Snaptray', 'identity.json'))).toBe(true);
    expect(existsSync(join(me, 'st', 'snaptray', 'default', 'history.jsonl'))).toBe(true);

    // Another run changes the history, the logs and the locks: compared with now, nothing changed.
    await sleep(1100);
    expect((await runCli(['backup', '--json'], h)).code).toBe(0);
    const diff = await runCli(['diff', snapshot, '--now', '--json'], h);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.json).toMatchObject({ added: [], changed: [], deleted: [] });
  });
});

// Only root can act for another user; the test suite runs as root (CI does).
describe('root with a user’s HOME (sudo keeping it)', () => {
  async function userHome(
    files: Record<string, string>,
  ): Promise<{ h: CliHome; home: string; rootSettings: string }> {
    const home = await makeTempDir('st-user-');
    await writeTree(home, files);
    await writeSettingsFile(join(home, '.config', 'Snaptray', 'config.json'), {
      default: { sources: [src], destination: dest, prefix: 'u' },
    });
    execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, home]);
    execFileSync('chmod', ['-R', 'go-rwx', home]);
    // Root never reads the user's settings (they could hold hooks), so root's runs name a file
    // of root's own; the HOME it keeps is still the user's.
    const rootSettings = join(await makeTempDir('st-root-settings-'), 'config.json');
    await writeSettingsFile(rootSettings, {
      default: { sources: [src], destination: dest, prefix: 'u' },
    });
    // As sudo leaves it: HOME kept, no XDG_* variables.
    const h = {
      env: loginEnv(home),
      configDir: join(home, '.config'),
      stateDir: join(home, '.local', 'state'),
      runtimeDir: `/tmp/snaptray-0`,
    };
    return { h, home, rootSettings };
  }

  /** Every path below `root` that root owns: what the user could not use afterwards. */
  async function ownedByRoot(root: string): Promise<string[]> {
    const found: string[] = [];
    for (const name of await readdir(root, { recursive: true })) {
      if ((await lstat(join(root, name))).uid === 0) found.push(name);
    }
    return found;
  }

  async function fingerprint(file: string) {
    const info = await stat(file, { bigint: true });
    return {
      text: await readFile(file, 'utf8'),
      mtimeNs: info.mtimeNs,
      ctimeNs: info.ctimeNs,
      uid: info.uid,
    };
  }

  it('neither binds nor rewrites the user’s identity, creates nothing there, and says why', async () => {
    expect(process.getuid?.()).toBe(0);
    const legacy =
      '{"format":1,"id":"aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb","createdAt":"2025-01-01T00:00:00.000Z"}\n';
    const { h, home, rootSettings } = await userHome({
      '.config/Snaptray/identity.json': legacy,
    });
    const identity = join(home, '.config', 'Snaptray', 'identity.json');
    const before = await fingerprint(identity);

    const check = await runCli(['check', '--json', '--config', rootSettings], h);
    expect(check.code).toBe(1);
    expect(check.json?.steps).toContainEqual({
      step: 'owner',
      ok: false,
      message: expect.stringMatching(
        /^\S+identity\.json belongs to user nobody, but Snaptray runs as root: .*"sudo -H snaptray …"/,
      ),
    });
    const adopt = await runCli(['adopt', '--json', '--config', rootSettings], h);
    expect(adopt.code).toBe(2);
    expect(errorMessage(adopt)).toMatch(/belongs to user nobody, but Snaptray runs as root/);
    const backup = await runCli(['backup', '--json', '--config', rootSettings], h);
    expect(backup.code).toBe(1);
    expect(errorMessage(backup)).toMatch(/Snaptray runs as root.*belongs to user nobody.*sudo -H/);

    expect(await fingerprint(identity)).toEqual(before);
    expect(await ownedByRoot(home)).toEqual([]);
    expect(await snapshotDirs('u')).toEqual([]);

    // The user's own first run binds it, keeping its id.
    await chown(dest, NOBODY, NOBODY);
    const own = await asUser(NOBODY, ['check', '--json'], h);
    expect(own.code, own.stderr).toBe(0);
    const bound = JSON.parse(await readFile(identity, 'utf8'));
    expect(bound).toMatchObject({
      id: 'aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb',
      madeFor: { uid: NOBODY, by: 'machine-id' },
    });
    expect((await stat(identity)).uid).toBe(NOBODY);
  });

  it('does not make an identity in the user’s folder', async () => {
    const { h, home, rootSettings } = await userHome({});
    const check = await runCli(['check', '--json', '--config', rootSettings], h);
    expect(check.code).toBe(1);
    expect(check.json?.steps).toContainEqual({
      step: 'owner',
      ok: false,
      message: expect.stringMatching(/identity\.json does not exist, and Snaptray runs as root/),
    });
    expect(existsSync(join(home, '.config', 'Snaptray', 'identity.json'))).toBe(false);
    expect(await ownedByRoot(home)).toEqual([]);
  });
});
