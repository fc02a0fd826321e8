/**
 * A backup through an rrsync key that locks its folder, while another transfer holds the lock (a
 * Backups window reading, another machine): the run's refused calls are made again for a while,
 * and the run ends ok once the lock is let go; held for longer than the run waits, the run fails
 * with the busy words and leaves nothing that looks complete. Real rsync, real sshd, real rrsync;
 * the other transfer is a real rsync pull through the same key, held with SIGSTOP.
 */
import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../../core/backup/run.js';
import { refusedAsBusy } from '../../../core/destination/rsync-messages.js';
import { backupEnvironment, places } from '../../../core/environment.js';
import { spawnProcess, type Spawn } from '../../../core/process.js';
import { defaultProfile, type Profile } from '../../../core/settings/schema.js';
import { readHistory } from '../../../core/state/history.js';
import { makeCliHome, runCli, type CliHome } from '../../support/cli.js';
import { cliFlags, profileSsh, sshArgs, startSshd, type Sshd } from '../../support/sshd.js';
import { linkCount, makeTempDir, writeTree } from '../../support/tree.js';

let sshd: Sshd;
let root: string;
let home: CliHome;
let src: string;
let profile: Profile;
let holders: ChildProcess[] = [];

beforeAll(async () => {
  root = await makeTempDir('st-rrsync-busy-');
  // A locking rrsync key (no -no-lock), as the README's example key is.
  sshd = await startSshd({ restrictedDir: root });
  home = await makeCliHome();
  const dest = `${sshd.user}@127.0.0.1:/`;
  const init = await runCli(['init', '--dest', dest, ...cliFlags(sshd)], home);
  expect(init.code, init.stderr).toBe(0);
  // What the other transfer reads, slowly.
  await writeFile(join(root, 'other-transfer.bin'), Buffer.alloc(2_000_000, 7));
});
afterAll(async () => {
  await sshd?.stop();
});
beforeEach(async () => {
  src = await makeTempDir('st-src-');
  await writeTree(src, { 'a.txt': 'alpha\n', 'big/blob.bin': Buffer.alloc(300_000, 3) });
  profile = {
    ...defaultProfile(),
    sources: [src],
    destination: `${sshd.user}@127.0.0.1:/`,
    prefix: `p${String(Date.now())}`,
    ssh: { ...defaultProfile().ssh, ...profileSsh(sshd) },
  };
});
afterEach(() => {
  for (const h of holders) {
    if (h.exitCode === null && h.signalCode === null) {
      h.kill('SIGCONT');
      h.kill('SIGKILL');
    }
  }
  holders = [];
});

/**
 * Another rsync call through the same key, pulling a file slowly; resolves once it transfers (so
 * rrsync holds the folder's lock), then stops it with SIGSTOP, keeping the lock held.
 */
async function holdTheLock(): Promise<{ release(): Promise<void> }> {
  const into = await makeTempDir('st-other-');
  const child = spawnChild(
    'rsync',
    [
      '-e',
      ['ssh', ...sshArgs(sshd)].join(' '),
      '--bwlimit=20',
      `${sshd.user}@127.0.0.1:/other-transfer.bin`,
      `${into}/`,
    ],
    { stdio: 'ignore' },
  );
  holders.push(child);
  const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // rsync writes into a temporary file beside the target once data flows.
  for (;;) {
    if ((await readdir(into)).some((n) => n.startsWith('.other-transfer.bin.'))) break;
    if (child.exitCode !== null)
      throw new Error('the other transfer ended before it held the lock');
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGSTOP');
  return {
    async release() {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await ended;
    },
  };
}

/** The real spawn, telling `onBusy` about each call the destination refused as busy. */
function observed(onBusy: () => void, after?: (args: readonly string[]) => Promise<void>): Spawn {
  return async (req) => {
    const result = await spawnProcess(req);
    if (refusedAsBusy(result)) onBusy();
    await after?.(req.args);
    return result;
  };
}

function env(spawn: Spawn, busyWaitMs?: number) {
  return {
    ...backupEnvironment(places(home.env), 'default', spawn, 'cli'),
    ...(busyWaitMs === undefined ? {} : { busyWaitMs }),
  };
}

describe('a backup through a locking rrsync key that another transfer holds', () => {
  it('waits for the lock to be let go, then ends ok with a complete snapshot', async () => {
    const held = await holdTheLock();
    let refusals = 0;
    let refusedOnce!: () => void;
    const refused = new Promise<void>((resolve) => (refusedOnce = resolve));
    const running = runBackup(
      env(
        observed(() => {
          refusals++;
          refusedOnce();
        }),
      ),
      { profileName: 'default', profile, force: false },
    );
    // The run's first call to the destination is refused; the other transfer then ends.
    await refused;
    await held.release();
    const result = await running;

    expect(result.outcome, result.error?.message).toBe('ok');
    expect(refusals).toBeGreaterThanOrEqual(1);
    const name = result.snapshot!;
    const manifest = JSON.parse(await readFile(join(root, `${name}.snaptray.json`), 'utf8')) as {
      status: string;
    };
    expect(manifest.status).toBe('ok');
    expect(await readFile(join(root, name, src, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(await readFile(join(root, name, src, 'big/blob.bin'))).toEqual(Buffer.alloc(300_000, 3));
    expect(await linkCount(join(root, name, src, 'a.txt'))).toBe(1);
  });

  it('fails with the busy words when the lock is held longer than the run waits, and nothing looks complete', async () => {
    let held: { release(): Promise<void> } | null = null;
    let refusals = 0;
    // The other transfer takes the lock right after the run's push, before its manifest.
    const result = await runBackup(
      env(
        observed(
          () => refusals++,
          async (args) => {
            if (held === null && args.includes('--info=progress2')) held = await holdTheLock();
          },
        ),
        1_500,
      ),
      { profileName: 'default', profile, force: false },
    );
    await (held as { release(): Promise<void> } | null)?.release();

    expect(result.outcome).toBe('failed');
    expect(result.error?.kind).toBe('destination-busy');
    expect(result.error?.message).toMatch(
      /^The destination is busy: .* was refused because another transfer is using its folder through a key restricted with rrsync/,
    );
    // Made again, then given up: more than one refusal, each call ended by rrsync.
    expect(refusals).toBeGreaterThan(1);
    // The pushed folder has no manifest: incomplete, never presented as a snapshot.
    const name = result.snapshot!;
    expect(existsSync(join(root, name))).toBe(true);
    expect(existsSync(join(root, `${name}.snaptray.json`))).toBe(false);
    const manifests = (await readdir(root)).filter(
      (n) => n.startsWith(profile.prefix) && n.endsWith('.snaptray.json'),
    );
    expect(manifests).toEqual([]);
    const history = await readHistory(join(home.stateDir, 'snaptray', 'default'));
    expect(history.at(-1)).toMatchObject({ outcome: 'failed' });
  });
});
