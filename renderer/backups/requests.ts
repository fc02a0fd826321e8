/**
 * Asking the main process, the way every part of the Backups window does: an answer "busy" (a
 * backup holds the destination) is shown and asked again by itself, after the delay the answer
 * names or as soon as the destination is free; any other problem is shown once, for the part to
 * offer Retry.
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
}

export function createAsk(api: BackupsWindowApi): Ask {
  const waiting = new Set<() => void>();
  api.onBackupsEvent((event) => {
    if (event.type === 'destination-free') for (const retry of [...waiting]) retry();
  });

  return <T>(
    request: () => Promise<BackupsResult<T>>,
    onProblem: (problem: Problem) => void,
    current: () => boolean = () => true,
  ) =>
    new Promise<T | null>((resolve) => {
      let timer: number | undefined;
      const attempt = async (): Promise<void> => {
        waiting.delete(retry);
        window.clearTimeout(timer);
        if (!current()) return resolve(null);
        const result = await request();
        if (!current()) return resolve(null);
        if (result.ok) return resolve(result.value);
        onProblem(result);
        if (result.reason !== 'busy') return resolve(null);
        waiting.add(retry);
        timer = window.setTimeout(retry, result.retryInMs ?? 10_000);
      };
      const retry = () => void attempt();
      retry();
    });
}
