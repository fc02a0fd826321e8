/**
 * Which runs the History page shows: by outcome (by its true name), by who started the run, and
 * by text found in its error, its warnings or its snapshot's name. A pure function of the runs.
 */
import type { RunSource, RunSummary } from '../../electron/ipc/contract.js';

/** `warnings`: any run that left warnings, whatever its outcome; `not-run`: locked or paused. */
export type OutcomeFilter =
  'all' | 'failed' | 'partial' | 'warnings' | 'ok' | 'cancelled' | 'not-run';

export interface RunFilter {
  outcome: OutcomeFilter;
  source: RunSource | 'all';
  text: string;
}

export const NO_FILTER: RunFilter = { outcome: 'all', source: 'all', text: '' };

/** The choices in the order the page offers them, in the outcome words of the runs' badges. */
export const OUTCOME_CHOICES: ReadonlyArray<[OutcomeFilter, string]> = [
  ['all', 'Every outcome'],
  ['failed', 'Failed'],
  ['partial', 'Completed with errors'],
  ['warnings', 'With warnings'],
  ['ok', 'Succeeded'],
  ['cancelled', 'Stopped'],
  ['not-run', 'Not run'],
];

export const SOURCE_CHOICES: ReadonlyArray<[RunSource | 'all', string]> = [
  ['all', 'Tray or command line'],
  ['tray', 'Tray'],
  ['cli', 'Command line'],
];

export function isFiltered(filter: RunFilter): boolean {
  return filter.outcome !== 'all' || filter.source !== 'all' || filter.text.trim() !== '';
}

export function filterRuns(runs: readonly RunSummary[], filter: RunFilter): RunSummary[] {
  const text = filter.text.trim().toLowerCase();
  return runs.filter(
    (run) =>
      outcomeMatches(run, filter.outcome) &&
      (filter.source === 'all' || run.source === filter.source) &&
      (text === '' || searchedText(run).includes(text)),
  );
}

function outcomeMatches(run: RunSummary, outcome: OutcomeFilter): boolean {
  switch (outcome) {
    case 'all':
      return true;
    case 'warnings':
      return run.warnings.length > 0;
    case 'not-run':
      return run.outcome === 'locked' || run.outcome === 'paused';
    case 'failed':
    case 'partial':
    case 'ok':
    case 'cancelled':
      return run.outcome === outcome;
  }
}

/** What the text box searches: the error, each warning and the snapshot's name, any case. */
function searchedText(run: RunSummary): string {
  return [run.error?.message ?? '', ...run.warnings, run.snapshot ?? ''].join('\n').toLowerCase();
}
