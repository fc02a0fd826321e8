/**
 * Searching every snapshot of the chosen prefix by name: the engine's `snaptray find --all`
 * (core/restore/find.ts), one rsync call over the one connection. The answer is grouped by path,
 * each with the snapshots that hold it. A newer search stops the one still running, so typing
 * never queues listings of the whole destination.
 */
import { completeSnapshots } from '../../core/restore/choose.js';
import { findByName, namePattern } from '../../core/restore/find.js';
import { baseName } from '../../core/restore/paths.js';
import type { BackupsResult, SearchView } from '../ipc/backups-contract.js';
import type { BackupsHandlers } from '../ipc/contract.js';
import type { Reader } from './reading.js';
import { invalid, searchRequest } from './requests.js';

/** Paths sent to the window at most: a one-letter pattern may match most of a snapshot. */
export const SEARCH_LIMIT = 500;

export const SUPERSEDED_MESSAGE = 'A newer search took this one’s place.';

export function createSearching(deps: { reader: Reader }): {
  handlers: Pick<BackupsHandlers, 'searchSnapshots'>;
  /** Stops a search still running (the window closed). */
  cancel(): void;
} {
  let running: AbortController | null = null;

  async function searchSnapshots(input: unknown): Promise<BackupsResult<SearchView>> {
    const request = searchRequest.safeParse(input);
    if (!request.success) return invalid('a search');
    const pattern = namePattern(request.data.query);
    if (!pattern.ok) return { ok: false, reason: 'invalid', message: pattern.message };
    running?.abort();
    const mine = new AbortController();
    running = mine;
    try {
      const answer = await deps.reader.withSnapshots<SearchView>(
        false,
        async (opened, _s, { snapshots }) => {
          if (mine.signal.aborted) return superseded();
          const searched = completeSnapshots(snapshots);
          const times = new Map(searched.map((s) => [s.name, s.time.toISOString()]));
          const found = await findByName(opened.ctx, searched, pattern.value, {
            signal: mine.signal,
          });
          if (mine.signal.aborted) return superseded();
          if (!found.ok) return deps.reader.failed(found.failure);
          const { matches } = found.value;
          return {
            ok: true,
            value: {
              query: pattern.value.text,
              searched: searched.length,
              total: matches.length,
              matches: matches.slice(0, SEARCH_LIMIT).map((m) => ({
                path: m.path,
                name: baseName(m.path),
                type: m.type,
                size: m.size,
                mtime: m.mtime.toISOString(),
                snapshots: [...m.snapshots]
                  .reverse()
                  .map((name) => ({ name, time: times.get(name) ?? '' })),
              })),
              warnings: found.value.warnings,
            },
          };
        },
      );
      return mine.signal.aborted ? superseded() : answer;
    } finally {
      if (running === mine) running = null;
    }
  }

  return {
    handlers: { searchSnapshots },
    cancel: () => running?.abort(),
  };
}

function superseded<T>(): BackupsResult<T> {
  return { ok: false, reason: 'declined', message: SUPERSEDED_MESSAGE };
}
