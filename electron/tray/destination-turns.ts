/**
 * Profiles that share a destination run one after another: an rrsync key locks its folder for
 * the whole transfer, so a second run beside the first would fail as "busy", and two runs to one
 * disk only slow each other down.
 */
import { parseDestination } from '../../core/destination/address.js';
import type { Profile } from '../../core/settings/schema.js';

/**
 * What "the same destination" means: the same account on the same ssh host and port (an rrsync
 * key confines that account to one folder, whatever path each profile names), or the same
 * local folder.
 */
export function destinationKey(profile: Pick<Profile, 'destination' | 'ssh'>): string {
  const parsed = parseDestination(profile.destination);
  if (!parsed.ok) return `raw:${profile.destination}`;
  const dest = parsed.value;
  if (dest.kind === 'local') return `local:${dest.path}`;
  return `ssh:${dest.user ?? ''}@${dest.host}:${profile.ssh.port ?? 22}`;
}

export interface Turn {
  /** Ends this profile's turn; the next waiting profile starts. */
  release(): void;
}

export interface DestinationTurns {
  /**
   * Resolves when it is `profile`'s turn at `key`, or with null when `signal` aborts first.
   * `onWait` is told whose run it waits for.
   */
  take(
    key: string,
    profile: string,
    signal: AbortSignal,
    onWait: (holder: string) => void,
  ): Promise<Turn | null>;
}

export function createDestinationTurns(): DestinationTurns {
  const queues = new Map<
    string,
    Array<{ profile: string; start: () => void; onWait: (holder: string) => void }>
  >();
  const holders = new Map<string, string>();

  function next(key: string): void {
    const queue = queues.get(key) ?? [];
    const waiting = queue.shift();
    if (queue.length === 0) queues.delete(key);
    if (waiting === undefined) {
      holders.delete(key);
      return;
    }
    holders.set(key, waiting.profile);
    for (const other of queue) other.onWait(waiting.profile);
    waiting.start();
  }

  return {
    take(key, profile, signal, onWait) {
      if (signal.aborted) return Promise.resolve(null);
      const turn = (): Turn => {
        let released = false;
        return {
          release: () => {
            if (released) return;
            released = true;
            next(key);
          },
        };
      };
      const holder = holders.get(key);
      if (holder === undefined) {
        holders.set(key, profile);
        return Promise.resolve(turn());
      }
      onWait(holder);
      return new Promise((resolve) => {
        const entry = { profile, start: () => resolve(turn()), onWait };
        const queue = queues.get(key) ?? [];
        queue.push(entry);
        queues.set(key, queue);
        signal.addEventListener(
          'abort',
          () => {
            const list = queues.get(key);
            const at = list?.indexOf(entry) ?? -1;
            if (list === undefined || at < 0) return;
            list.splice(at, 1);
            if (list.length === 0) queues.delete(key);
            resolve(null);
          },
          { once: true },
        );
      });
    },
  };
}
