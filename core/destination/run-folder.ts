/**
 * The private folder of one command under the runtime folder: its ssh config, the master
 * connection's socket and its scratch files. It is named for the process that made it,
 * `r-<pid>-<start time>-XXXXXX`, so that a later command can tell a dead process's folder from a
 * live one's: a run killed with SIGKILL leaves its folder, and an ssh master that lingers for
 * ControlPersist; the next command to open a destination closes that master and removes the
 * folder. A live process's folder (another profile's run going on now, the tray's Backups
 * window) is never touched, nor a folder of another form (an older version's `rXXXXXX`, which
 * names no process).
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Spawn } from '../process.js';
import { closeLeftoverMaster, CONTROL_SOCKET } from '../ssh/master.js';
import { isAlive, ownStartTime } from '../state/liveness.js';

const RUN_FOLDER = /^r-(\d+)-(\d*)-[A-Za-z0-9]{6}$/;

/** Makes this process's folder in `runtimeDir` (which must exist and be private). */
export async function makeRunFolder(runtimeDir: string): Promise<string> {
  return mkdtemp(join(runtimeDir, `r-${process.pid}-${(await ownStartTime()) ?? ''}-`));
}

/**
 * Closes the ssh masters of folders whose process is gone and removes those folders. Returns
 * the folders removed. Failures are left for the next command to try again.
 */
export async function sweepDeadRunFolders(runtimeDir: string, spawn: Spawn): Promise<string[]> {
  const names = await readdir(runtimeDir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const match = RUN_FOLDER.exec(name);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || (await isAlive(pid, match[2] || null))) continue;
    const folder = join(runtimeDir, name);
    const socket = join(folder, CONTROL_SOCKET);
    if ((await stat(socket).catch(() => null))?.isSocket() === true) {
      await closeLeftoverMaster(spawn, socket);
    }
    await rm(folder, { recursive: true, force: true }).then(
      () => removed.push(folder),
      () => undefined,
    );
  }
  return removed;
}
