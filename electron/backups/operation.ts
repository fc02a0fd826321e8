/** The restore or verify that runs in the Backups window: one at a time, stopped by Cancel. */
import type { BackupsResult } from '../ipc/backups-contract.js';

export interface Operation {
  /** Runs `body` unless another restore or verify runs, with a signal Cancel aborts. */
  exclusive<T>(body: (signal: AbortSignal) => Promise<BackupsResult<T>>): Promise<BackupsResult<T>>;
  cancel(): void;
}

export function createOperation(): Operation {
  let running: AbortController | null = null;
  return {
    async exclusive(body) {
      if (running !== null) {
        return {
          ok: false,
          reason: 'failed',
          message:
            'A restore or verify is already running in this window: wait for it, or cancel it.',
        };
      }
      const controller = new AbortController();
      running = controller;
      try {
        return await body(controller.signal);
      } finally {
        running = null;
      }
    },
    cancel: () => running?.abort(),
  };
}
