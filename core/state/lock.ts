import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { isAlive, ownStartTime } from './liveness.js';

/**
 * A run lock of one profile: `<dir>/lock`, so that a cron run of the CLI and the tray never back
 * up the same profile at once (profile-lock.ts takes one in the state folder and one beside the
 * identity). PERSISTED FORMAT: the CLI and the tray (possibly of
 * different versions) create and read this file; add fields freely, never change them.
 *
 *   {"pid": 4242, "pidStart": "<start time in clock ticks>", "startedAt": "2026-11-26T03:00:00.000Z",
 *    "source": "cli", "bootId": "<kernel boot id>", "token": "<random, unique to this lock>",
 *    "rsyncPid": 4250, "rsyncStart": "<start time>"}
 *
 * A lock is stale when its process is gone: exited, a zombie, or its PID now names another
 * process (the start time differs), or the machine rebooted since; or when it is unreadable and
 * older than a minute. The rsync a run starts is recorded too, so that the run which takes over a
 * stale lock can stop an rsync the dead run left writing (liveness.ts). Breaking a stale lock is
 * serialized by a marker file `lock.break-<identity of that stale lock>`, created with O_EXCL, so
 * of several processes racing over one stale lock exactly one removes it, and none removes a
 * newer lock.
 */

const LOCK_NAME = 'lock';
const BREAK_PREFIX = 'lock.break-';
/** An unreadable lock younger than this may be one still being written. */
const GARBAGE_STALE_MS = 60_000;
const ATTEMPTS = 6;
const RETRY_DELAY_MS = 20;

export interface LockInfo {
  pid: number;
  startedAt: string;
  source: 'cli' | 'tray';
}

export interface LockHolder {
  pid: number;
  startedAt: string;
  source: string;
}

/** A process the lock names, as it was recorded. */
export interface RecordedProcess {
  pid: number;
  startTime: string | null;
}

export interface HeldLock {
  kind: 'acquired';
  release(): Promise<void>;
  /** Records the rsync this run started (its PID and start time). */
  recordChild(child: RecordedProcess): Promise<void>;
  /** The rsync named by the stale lock this one replaced: a dead run's, maybe still running. */
  leftovers: RecordedProcess[];
}

export type LockResult =
  | HeldLock
  /** pid, startedAt and source are null when the lock file cannot be read (yet). */
  | { kind: 'held'; pid: number | null; startedAt: string | null; source: string | null };

const lockFileSchema = z.object({
  pid: z.number().int().positive(),
  pidStart: z.string().nullable().optional(),
  startedAt: z.string(),
  source: z.string(),
  bootId: z.string().nullable().optional(),
  token: z.string().optional(),
  rsyncPid: z.number().int().positive().nullable().optional(),
  rsyncStart: z.string().nullable().optional(),
});
type LockFile = z.infer<typeof lockFileSchema>;

interface Observed {
  /** Names this very lock (inode, mtime, content): no later lock has the same identity. */
  identity: string;
  mtimeMs: number;
  holder: LockFile | null;
}

/** Takes the profile's lock in `dir` (which must exist), or says who holds it. */
export async function acquireLock(dir: string, info: LockInfo): Promise<LockResult> {
  const path = join(dir, LOCK_NAME);
  const token = randomBytes(16).toString('hex');
  const pidStart = info.pid === process.pid ? await ownStartTime() : null;
  const body: LockFile = { ...info, pidStart, bootId: await currentBootId(), token };
  const content = JSON.stringify(body) + '\n';
  let last: Observed | null = null;
  const leftovers: RecordedProcess[] = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await createExclusive(path, content)) {
      return {
        kind: 'acquired',
        release: () => releaseIfOurs(path, token),
        recordChild: (child) =>
          rewriteIfOurs(path, token, { ...body, rsyncPid: child.pid, rsyncStart: child.startTime }),
        leftovers,
      };
    }
    last = await observeLock(path);
    if (last === null) continue; // released in between: try again
    if (!(await isStale(last, Date.now()))) return heldBy(last.holder);
    if ((await breakStale(dir, path, last)) === 'busy') await delay(RETRY_DELAY_MS);
    else if (last.holder?.rsyncPid != null) {
      leftovers.push({ pid: last.holder.rsyncPid, startTime: last.holder.rsyncStart ?? null });
    }
  }
  return heldBy(last?.holder ?? null);
}

/** Who holds the lock in `dir`, or null when nobody does (a stale lock counts as nobody). */
export async function readLock(dir: string): Promise<LockHolder | null> {
  const observed = await observeLock(join(dir, LOCK_NAME));
  if (observed === null || observed.holder === null) return null;
  if (await isStale(observed, Date.now())) return null;
  const { pid, startedAt, source } = observed.holder;
  return { pid, startedAt, source };
}

function heldBy(holder: LockFile | null): LockResult {
  return {
    kind: 'held',
    pid: holder?.pid ?? null,
    startedAt: holder?.startedAt ?? null,
    source: holder?.source ?? null,
  };
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if (hasCode(error, 'EEXIST')) return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
  } catch (error) {
    // Nobody breaks a fresh unreadable lock, so this file is still ours to remove.
    await handle.close();
    await unlink(path).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return true;
}

/** Reads the lock through one handle, so its identity and content belong to the same file. */
async function observeLock(path: string): Promise<Observed | null> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return null;
    throw error;
  }
  try {
    const info = await handle.stat();
    const raw = await handle.readFile();
    const identity = createHash('sha256')
      .update(`${info.dev}:${info.ino}:${info.mtimeMs}:${info.size}:`)
      .update(raw)
      .digest('hex')
      .slice(0, 32);
    return { identity, mtimeMs: info.mtimeMs, holder: parseLockFile(raw.toString('utf8')) };
  } finally {
    await handle.close();
  }
}

function parseLockFile(text: string): LockFile | null {
  try {
    const result = lockFileSchema.safeParse(JSON.parse(text));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

async function isStale(observed: Observed, nowMs: number): Promise<boolean> {
  const { holder } = observed;
  if (holder === null) return Math.abs(nowMs - observed.mtimeMs) > GARBAGE_STALE_MS;
  const bootId = await currentBootId();
  if (holder.bootId && bootId && holder.bootId !== bootId) return true;
  return !(await isAlive(holder.pid, holder.pidStart));
}

/**
 * Removes the stale lock `observed` if it is still in place. Only the process that creates the
 * marker for this identity may unlink, and it checks the identity again first, so a newer lock
 * (a different identity) is never removed.
 */
async function breakStale(dir: string, path: string, observed: Observed): Promise<'done' | 'busy'> {
  const marker = join(dir, BREAK_PREFIX + observed.identity);
  try {
    await (await open(marker, 'wx', 0o600)).close();
  } catch (error) {
    if (!hasCode(error, 'EEXIST')) throw error;
    await removeAbandonedMarker(marker);
    return 'busy';
  }
  try {
    const again = await observeLock(path);
    if (again !== null && again.identity === observed.identity) await unlinkIfPresent(path);
  } finally {
    await unlinkIfPresent(marker);
  }
  return 'done';
}

/** A breaker needs milliseconds; a marker a minute old was left by one that was killed. */
async function removeAbandonedMarker(marker: string): Promise<void> {
  const info = await stat(marker).catch(() => null);
  if (info !== null && Math.abs(Date.now() - info.mtimeMs) > GARBAGE_STALE_MS) {
    await unlinkIfPresent(marker);
  }
}

/**
 * Replaces the lock's content, only while it is still ours; written aside and renamed, so a
 * reader never sees half a file and the lock never disappears in between.
 */
async function rewriteIfOurs(path: string, token: string, body: LockFile): Promise<void> {
  const observed = await observeLock(path);
  if (observed?.holder?.token !== token) return;
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, JSON.stringify(body) + '\n', { mode: 0o600, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Removes the lock only if it is still the one this process created. */
async function releaseIfOurs(path: string, token: string): Promise<void> {
  const observed = await observeLock(path);
  if (observed?.holder?.token === token) await unlinkIfPresent(path);
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!hasCode(error, 'ENOENT')) throw error;
  }
}

let bootIdPromise: Promise<string | null> | null = null;

/** Changes at every boot; null where /proc does not say. */
function currentBootId(): Promise<string | null> {
  bootIdPromise ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
    (text) => text.trim() || null,
    () => null,
  );
  return bootIdPromise;
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
