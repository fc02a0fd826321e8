/**
 * The Backups window's one connection to the destination: opened by the first request, shared by
 * every request after it (one ssh master, so a folder opens without a new login), and closed a
 * minute after the window was hidden or closed.
 *
 * The window browses while a backup runs, wherever the access allows it. The app cannot know
 * beforehand whether the key is an rrsync key that locks its folder for each rsync call
 * (read-only and -no-lock keys do not): reading requests always go to the destination, and only
 * one the destination itself refuses as busy is answered "busy" (reading.ts). A backup refused
 * because the window was reading makes its call again a moment later (core/destination/
 * busy-wait.ts): a window's read lasts seconds. Restores and checks are long, and could hold an
 * rrsync lock for minutes between two of a backup's calls: while a run of this profile starts or
 * runs (the tray's own, `holdOff`, or the CLI's, seen through the lock file), they do not reach
 * an ssh destination and are answered "busy" until it ends. A run that is starting waits for the
 * requests already on their way.
 */
import type { Destination } from '../../core/destination/address.js';
import {
  openDestination,
  type OpenDestination,
  type SessionEnvironment,
} from '../../core/destination/session.js';
import type { Failure } from '../../core/errors.js';
import type { Profile } from '../../core/settings/schema.js';
import { readRunLock, type LockPlaces } from '../../core/state/profile-lock.js';

export interface Timers {
  setTimer(ms: number, fn: () => void): unknown;
  clearTimer(handle: unknown): void;
}

/** `busy`: a long operation held off while a backup of the profile runs. */
export type Used<T> =
  { ok: true; value: T } | { ok: false; busy: true } | { ok: false; busy: false; failure: Failure };

/** A reading request (seconds), or a restore or check (minutes). */
export type RequestKind = 'read' | 'long';

export interface DestinationHolder {
  /**
   * Runs `body` with the open destination, opening it first when needed; a long one is held off
   * while a backup of the profile runs.
   */
  use<T>(
    dest: Destination,
    ssh: Profile['ssh'],
    body: (opened: OpenDestination) => Promise<T>,
    kind?: RequestKind,
  ): Promise<Used<T>>;
  /** Whether a long request would be held off now: a run of the profile uses an ssh destination. */
  busy(dest: Destination): Promise<boolean>;
  /** The window was shown (true) or hidden or closed (false). */
  setVisible(visible: boolean): void;
  /**
   * A backup is starting: hold off new long requests, wait for those on their way, and give the
   * function that lets them through again once the backup ended.
   */
  holdOff(): Promise<() => void>;
  /** Closes the connection now (a broken one, or the app quits). */
  close(): Promise<void>;
  isOpen(): boolean;
}

export interface HolderOptions {
  session: SessionEnvironment;
  /** Where a run of the profile shown holds its locks: held, a CLI run uses the destination. */
  lock: () => LockPlaces;
  timers: Timers;
  /** How long a hidden window keeps the connection (a minute). */
  idleCloseMs: number;
  /** Called when a backup let go of the destination. */
  onFree: () => void;
}

interface Connection {
  key: string;
  opened: Promise<{ ok: true; value: OpenDestination } | { ok: false; failure: Failure }>;
}

export function createDestinationHolder(options: HolderOptions): DestinationHolder {
  let connection: Connection | null = null;
  let inFlight = 0;
  let holds = 0;
  let visible = true;
  let idleTimer: unknown = null;
  const drained: Array<() => void> = [];

  async function busy(dest: Destination): Promise<boolean> {
    // A local folder has no rrsync in front of it: nothing there gets in a backup's way.
    if (dest.kind === 'local') return false;
    if (holds > 0) return true;
    return (await readRunLock(options.lock())) !== null;
  }

  async function use<T>(
    dest: Destination,
    ssh: Profile['ssh'],
    body: (opened: OpenDestination) => Promise<T>,
    kind: RequestKind = 'read',
  ): Promise<Used<T>> {
    inFlight++;
    try {
      if (kind === 'long' && (await busy(dest))) return { ok: false, busy: true };
      const key = JSON.stringify({ dest, ssh });
      if (connection !== null && connection.key !== key) await close();
      connection ??= { key, opened: openDestination(options.session, dest, ssh) };
      const current = connection;
      const opened = await current.opened;
      if (!opened.ok) {
        // Nothing is open: the next request tries again.
        if (connection === current) connection = null;
        return { ok: false, busy: false, failure: opened.failure };
      }
      return { ok: true, value: await body(opened.value) };
    } finally {
      inFlight--;
      if (inFlight === 0) {
        for (const resolve of drained.splice(0)) resolve();
        if (!visible) planIdleClose();
      }
    }
  }

  async function close(): Promise<void> {
    const current = connection;
    connection = null;
    if (current === null) return;
    const opened = await current.opened;
    if (opened.ok) await opened.value.close();
  }

  function planIdleClose(): void {
    if (idleTimer !== null) return;
    idleTimer = options.timers.setTimer(options.idleCloseMs, () => {
      idleTimer = null;
      // A request still running keeps it; the last one to end plans the close again.
      if (!visible && inFlight === 0) void close();
    });
  }

  function setVisible(shown: boolean): void {
    visible = shown;
    if (shown) {
      if (idleTimer !== null) options.timers.clearTimer(idleTimer);
      idleTimer = null;
    } else planIdleClose();
  }

  async function holdOff(): Promise<() => void> {
    holds++;
    if (inFlight > 0) await new Promise<void>((resolve) => drained.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      holds--;
      if (holds === 0) options.onFree();
    };
  }

  return {
    use,
    busy,
    setVisible,
    holdOff,
    close,
    isOpen: () => connection !== null,
  };
}
