/**
 * The History page's handlers: the runs of this profile from its history file, and each run's log
 * in words or as the file itself. They read this machine's state folder only.
 */
import { readHistory, type HistoryEntry } from '../../core/state/history.js';
import { logFileOf } from '../../core/state/logs.js';
import { readRunLog } from '../../core/state/run-log.js';
import { invalid, runLogRequest, runRequest } from './requests.js';
import { summarizeRun } from './views.js';
import type { BackupsHandlers } from '../ipc/contract.js';

/** How many runs the History page lists. */
export const HISTORY_RUNS = 1000;
/** How many lines of a log the window gets at once; a search narrows them. */
const LOG_LINES = 2000;

export type HistoryHandlers = Pick<BackupsHandlers, 'loadHistory' | 'readRunLog' | 'openRunLog'>;

export function createHistoryHandlers(deps: {
  /** The state folder of the profile shown. */
  stateDir: () => string;
  /** Opens a file with the desktop's default application: '' on success, else why not. */
  openPath: (path: string) => Promise<string>;
}): HistoryHandlers {
  const { stateDir } = deps;

  /** The run's log file, only if it really lies in this profile's log folder and is a log. */
  const logOf = (entry: HistoryEntry | undefined) => logFileOf(stateDir(), entry?.logPath ?? null);

  async function runNamed(run: string): Promise<HistoryEntry | undefined> {
    const history = await readHistory(stateDir(), { last: HISTORY_RUNS });
    return history.find((e) => e.startedAt === run);
  }

  return {
    async loadHistory() {
      const history = await readHistory(stateDir(), { last: HISTORY_RUNS });
      const runs = await Promise.all(
        [...history].reverse().map(async (e) => summarizeRun(e, (await logOf(e)) !== null)),
      );
      return { ok: true, value: { runs } };
    },

    async readRunLog(input) {
      const request = runLogRequest.safeParse(input);
      if (!request.success) return invalid('a log');
      const entry = await runNamed(request.data.run);
      const file = await logOf(entry);
      if (file === null) {
        return {
          ok: false,
          reason: 'not-found',
          message:
            entry === undefined
              ? 'That run is no longer in the history.'
              : 'This run’s log was removed (only the newest 50 logs are kept), or it wrote none.',
        };
      }
      const page = await readRunLog(file, { query: request.data.query, limit: LOG_LINES });
      return { ok: true, value: { run: request.data.run, ...page } };
    },

    async openRunLog(input) {
      const request = runRequest.safeParse(input);
      if (!request.success) return invalid('a log');
      const file = await logOf(await runNamed(request.data.run));
      if (file === null) {
        return { ok: false, reason: 'not-found', message: 'This run has no log file any more.' };
      }
      const error = await deps.openPath(file);
      return error === ''
        ? { ok: true, value: null }
        : { ok: false, reason: 'failed', message: `The log could not be opened: ${error}` };
    },
  };
}
