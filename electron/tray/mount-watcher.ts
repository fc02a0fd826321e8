/**
 * Tells when the machine's mounts change, so that a profile waiting for its USB disk starts as
 * soon as the disk is mounted. It re-reads /proc/self/mountinfo every few seconds while someone
 * listens: cheap (a few kB from the kernel), and it needs no udev or D-Bus.
 */
import { readFile } from 'node:fs/promises';
import type { Clock } from './clock.js';

export interface MountWatcher {
  /** Calls `onChange` after each change of the mount table; returns the unsubscribe. */
  subscribe(onChange: () => void): () => void;
}

export const MOUNTINFO = '/proc/self/mountinfo';
/** How often to look at the mount table while a profile waits for its disk. */
export const MOUNT_POLL_MS = 3000;

export function pollMountTable(
  timers: Pick<Clock, 'setTimer' | 'clearTimer'>,
  file = MOUNTINFO,
  intervalMs = MOUNT_POLL_MS,
): MountWatcher {
  const listeners = new Set<() => void>();
  let last: string | null = null;
  let timer: unknown = null;

  async function read(): Promise<string | null> {
    return readFile(file, 'utf8').catch(() => null);
  }

  function schedule(): void {
    timer = timers.setTimer(intervalMs, () => {
      timer = null;
      void read().then((table) => {
        if (listeners.size === 0) return;
        const changed = table !== null && last !== null && table !== last;
        if (table !== null) last = table;
        schedule();
        if (changed) for (const listener of [...listeners]) listener();
      });
    });
  }

  return {
    subscribe(onChange) {
      listeners.add(onChange);
      if (listeners.size === 1 && timer === null) {
        // The table as it is now is the baseline; only later changes are news.
        void read().then((table) => {
          last ??= table;
          if (listeners.size > 0 && timer === null) schedule();
        });
      }
      return () => {
        listeners.delete(onChange);
        if (listeners.size === 0 && timer !== null) {
          timers.clearTimer(timer);
          timer = null;
          last = null;
        }
      };
    },
  };
}
