/**
 * A CLI backup of a profile held halfway: its push stopped with SIGSTOP once it writes into the new
 * snapshot, so the run holds its lock file (and, through a locking rrsync key, rrsync's lock)
 * while a test uses the window or the tray beside it. Real CLI, real rsync.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'vitest';
import type { Profile } from '../../core/settings/schema.js';
import { openConfStore, saveSettings } from '../../core/settings/store.js';
import { startCli, type CliHome, type CliRun } from './cli.js';
import { processesMatching } from './processes.js';
import { writeTree } from './tree.js';

export interface HeldBackupWorld extends CliHome {
  src: string;
  /** The folder the snapshots are in, on the router. */
  destDir: string;
  stateDir: string;
  /** The profile as saved: the held run is the same one, slowed down. */
  profile: Profile;
}

export interface HeldBackup {
  /** Lets the push go on; the run's outcome. */
  finish(): Promise<CliRun>;
}

/** Every push held and not yet let go. */
const held: number[] = [];

/** Polls `check` every 50 ms, for at most 90 s. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
): Promise<void> {
  for (let i = 0; i < 1800; i++) {
    if (await check()) return;
    await delay(50);
  }
  throw new Error(`Timed out waiting until ${what}.`);
}

/** Saves `profile` as the settings file's only profile, "default". */
export async function saveProfile(configDir: string, profile: Profile): Promise<void> {
  const store = await openConfStore(join(configDir, 'Snaptray', 'config.json'));
  expect(saveSettings(store, { version: 1, profiles: { default: profile } }).ok).toBe(true);
}

export async function holdCliBackup(w: HeldBackupWorld): Promise<HeldBackup> {
  await writeTree(w.src, { 'big/blob.bin': Buffer.alloc(1_500_000, 5) });
  await saveProfile(w.configDir, {
    ...w.profile,
    rsync: { ...w.profile.rsync, bandwidthLimit: 200 },
  });
  const run = startCli(['backup', '--json'], w);
  let pid = 0;
  await waitUntil('the run pushes into its snapshot', async () => {
    const push = (await processesMatching('--info=progress2')).find(
      (p) => p.argv.includes('--bwlimit=200') && p.argv.some((a) => a.includes(w.src)),
    );
    const written = (await readdir(w.destDir)).some(
      (n) => /^box-.*\d$/.test(n) && existsSync(join(w.destDir, n, w.src, 'big')),
    );
    if (push !== undefined && written) pid = push.pid;
    return pid !== 0;
  });
  expect(existsSync(join(w.stateDir, 'lock'))).toBe(true);
  process.kill(pid, 'SIGSTOP');
  held.push(pid);
  return {
    async finish() {
      process.kill(pid, 'SIGCONT');
      return run.done;
    },
  };
}

/** Lets every held push go on, so that none outlives its test. */
export function releaseHeldBackups(): void {
  for (const pid of held.splice(0)) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }
}
