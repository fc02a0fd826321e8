/**
 * Asking the main process, the way every part of the Backups window does. An answer "busy" (the
 * destination refused the request because another transfer holds it, or a restore or check waits
 * for a backup of the profile) is not the part's problem: it is said once for the whole window
 * (the notice `onBusy` shows), what the part showed before stays as it was, and the request is
 * asked again by itself, after the delay the answer names or as soon as the destination is free.
 * Any other problem is shown by the part, once, for it to offer Retry.
 */
import type { BackupsResult, BackupsWindowApi } from '../../electron/ipc/contract.js';

export type Problem = Extract<BackupsResult<unknown>, { ok: false }>;

export interface Ask {
  /**
   * Calls `request` until it answers something other than "busy" (while `current` says the
   * answer is still wanted); gives the value, or null after showing the problem.
   */
  <T>(
    request: () => Promise<BackupsResult<T>>,
    onProblem: (problem: Problem) => void,
    current?: () => boolean,
  ): Promise<T | null>;
  /**
   * Where the window says that it waits: called with the newest "busy" answer while any request
   * waits on one, and with null once none does.
   */
  onBusy(show: (problem: Problem | null) => void): void;
  /** Asks every request that waits on "busy" again now. */
  tryNow(): void;
}

/** How long after the destination became free a "busy" answer is taken for its lock settling. */
const JUST_FREED_MS = 5_000;
const SOON_MS = 1_000;

export function createAsk(api: BackupsWindowApi): Ask {
  const waiting = new Set<() => void>();
  /** The requests that were answered "busy" and have no other answer yet, with that answer. */
  const busy = new Map<() => void, Problem>();
  let notice: (problem: Problem | null) => void = () => undefined;
  /** Counts the times the destination became free: an answer older than the last is stale. */
  let freed = 0;
  /** When it last became free (ms since the epoch); 0 before it did. */
  let freedAt = 0;
  const tryNow = () => {
    for (const retry of [...waiting]) retry();
  };
  api.onBackupsEvent((event) => {
    if (event.type !== 'destination-free') return;
    freed++;
    freedAt = Date.now();
    tryNow();
  });

  function settled(retry: () => void): void {
    if (!busy.delete(retry)) return;
    notice([...busy.values()].at(-1) ?? null);
  }

  const ask = <T>(
    request: () => Promise<BackupsResult<T>>,
    onProblem: (problem: Problem) => void,
    current: () => boolean = () => true,
  ) =>
    new Promise<T | null>((resolve) => {
      let timer: number | undefined;
      const give = (value: T | null) => {
        settled(retry);
        resolve(value);
      };
      const attempt = async (): Promise<void> => {
        waiting.delete(retry);
        window.clearTimeout(timer);
        if (!current()) return give(null);
        const asked = freed;
        const result = await request();
        if (!current()) return give(null);
        if (result.ok) return give(result.value);
        if (result.reason !== 'busy') {
          settled(retry);
          onProblem(result);
          return give(null);
        }
        busy.delete(retry);
        busy.set(retry, result);
        notice(result);
        waiting.add(retry);
        // Refused before the destination became free, and answered after: ask again at once.
        // Refused just after it became free: the transfer that let go may still be closing its
        // connection, holding rrsync's lock for a moment longer: ask again soon.
        const justFreed = Date.now() - freedAt < JUST_FREED_MS;
        const delay = asked !== freed ? 0 : justFreed ? SOON_MS : (result.retryInMs ?? 10_000);
        timer = window.setTimeout(retry, delay);
      };
      const retry = () => void attempt();
      retry();
    });

  return Object.assign(ask, {
    onBusy(show: (problem: Problem | null) => void) {
      notice = show;
    },
    tryNow,
  });
}
