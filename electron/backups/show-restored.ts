/**
 * "Show in Files" after a restore: the file manager shows where a restored item went, or where
 * the current file was kept aside, selected. Only a place the last restore itself reported is
 * shown; the window cannot make the app open any other folder.
 */
import { isUtf8 } from 'node:buffer';
import { lstat } from 'node:fs/promises';
import { z } from 'zod';
import { parentOf } from '../../core/restore/paths.js';
import { pathBytes } from '../../core/restore/remote-names.js';
import type { BackupsResult, RestoreReport } from '../ipc/backups-contract.js';
import type { BackupsHandlers } from '../ipc/contract.js';
import { invalid } from './requests.js';

const showRestoredRequest = z.object({ path: z.string().min(1).max(8192) });

export const NOT_RESTORED =
  'Only a place the last restore wrote to can be shown in Files: restore it first.';

export interface ShowRestored {
  handlers: Pick<BackupsHandlers, 'showRestored'>;
  /** A restore's answer: an ok one's places become the ones that can be shown. */
  remember<T extends BackupsResult<RestoreReport>>(answer: T): T;
  /** The window closed. */
  forget(): void;
}

export function createShowRestored(deps: {
  showItemInFolder: (path: string) => void;
}): ShowRestored {
  let places = new Set<string>();

  return {
    remember(answer) {
      if (answer.ok) {
        const report = answer.value;
        places = new Set([
          ...report.placed.map((p) => p.to),
          ...report.keptAside.map((k) => k.keptAs),
        ]);
      }
      return answer;
    },
    forget() {
      places = new Set();
    },
    handlers: {
      async showRestored(input) {
        const request = showRestoredRequest.safeParse(input);
        if (!request.success) return invalid('a restored file to show');
        const { path } = request.data;
        if (!places.has(path)) return { ok: false, reason: 'refused', message: NOT_RESTORED };
        const shown = desktopPath(path);
        if ((await lstat(shown).catch(() => null)) === null) {
          return {
            ok: false,
            reason: 'not-found',
            message: `${shown} is not there any more: it was moved or deleted after the restore.`,
          };
        }
        deps.showItemInFolder(shown);
        return { ok: true, value: null };
      },
    },
  };
}

/**
 * The path as the desktop takes it (text): a name that is not UTF-8 cannot be handed over as it
 * is, so the nearest folder above it whose path is, is shown instead.
 */
function desktopPath(pathText: string): string {
  let path = pathText;
  for (;;) {
    const bytes = pathBytes(path);
    if (isUtf8(bytes) || path === '/') return bytes.toString('utf8');
    path = parentOf(path);
  }
}
