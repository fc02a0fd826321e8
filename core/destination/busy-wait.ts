/**
 * A backup waits a little for a destination that is busy instead of failing at once. Through an
 * rrsync key that locks its folder, each rsync call holds the lock while it runs, so a Backups
 * window (or another machine) reading between two of a backup's calls makes the next one be
 * refused with "Another instance of rrsync is already accessing this directory". A window's read
 * lasts seconds: the refused call is made again, after a growing pause, for a bounded time; past
 * it, the refusal stands and the run fails with the busy words (rsync-messages.ts).
 */
import { basename } from 'node:path';
import type { Spawn } from '../process.js';
import { refusedAsBusy } from './rsync-messages.js';

/** How long, in all, a run waits for a busy destination by default: many windows' reads. */
export const DEFAULT_BUSY_WAIT_MS = 120_000;
const FIRST_PAUSE_MS = 250;
const LONGEST_PAUSE_MS = 5_000;

export interface BusyWait {
  /** The longest a run waits in all, over every call refused as busy. */
  boundMs: number;
  /** Told each time a call was refused as busy and is about to be made again after `pauseMs`. */
  onRefused?: (pauseMs: number) => void;
}

/**
 * `spawn`, with every rsync call that the destination refuses as busy made again after a pause
 * (250 ms, doubling up to 5 s), until it is let through or the run has waited `boundMs` in all.
 * Output seen in a refused attempt has already reached the request's callbacks: rrsync refuses
 * before any transfer, so that is only its refusal, which the run's log keeps.
 */
export function waitingWhileBusy(spawn: Spawn, wait: BusyWait): Spawn {
  let waited = 0;
  return async (req) => {
    const isRsync = [req.file, ...req.args].some((a) => basename(a) === 'rsync');
    let pause = FIRST_PAUSE_MS;
    for (;;) {
      const result = await spawn(req);
      if (!isRsync || !refusedAsBusy(result)) return result;
      const left = wait.boundMs - waited;
      if (left <= 0) return result;
      const ms = Math.min(pause, left);
      wait.onRefused?.(ms);
      if (!(await paused(ms, req.signal))) return { ...result, cancelled: true };
      waited += ms;
      pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
    }
  };
}

/** Waits `ms`; false when the signal stopped the wait. */
function paused(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(false);
  return new Promise((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}
