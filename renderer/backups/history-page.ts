/**
 * History: every run of this profile, newest first, from the tray or the command line, with its
 * outcome and numbers, narrowed by outcome, by who started it and by text (run-filter.ts). A
 * selected run shows why it failed first, then its warnings and its log in words ("new",
 * "changed", "deleted"), with a search box; the log file itself opens too.
 */
import type {
  BackupsWindowApi,
  RunLogLine,
  RunLogView,
  RunSummary,
} from '../../electron/ipc/contract.js';
import { button, h, uniqueId } from '../shared/dom.js';
import { formatBytes, formatCount } from '../shared/format.js';
import { createListbox, type Row } from './listbox.js';
import {
  filterRuns,
  isFiltered,
  NO_FILTER,
  OUTCOME_CHOICES,
  SOURCE_CHOICES,
  type OutcomeFilter,
  type RunFilter,
} from './run-filter.js';
import { duration, OUTCOME_WORDS, plural, shown, SOURCE_WORDS } from './words.js';
import { formatTime } from '../shared/format.js';

export interface HistoryPage {
  element: HTMLElement;
  /** Reads the history again. */
  load(): Promise<void>;
  /** Reads the history and shows this run (its id), or the newest when it is gone. */
  showRun(run: string): Promise<void>;
}

/** Search once typing pauses. */
const SEARCH_DELAY_MS = 250;

const KIND_WORDS: Record<RunLogLine['kind'], string> = {
  new: 'new',
  changed: 'changed',
  deleted: 'deleted',
  'new-folder': 'new folder',
  'folder-changed': 'folder',
  message: 'message',
  note: 'note',
  statistics: 'total',
};

export function createHistoryPage(api: BackupsWindowApi): HistoryPage {
  const status = h('p', { class: 'status', role: 'status' });
  const runs = createListbox<RunSummary>({
    label: 'Backup runs, newest first',
    onSelect: (run) => showRun(run),
  });
  const header = h(
    'div',
    { class: 'run-header', 'aria-hidden': 'true' },
    ...['When', 'From', 'Outcome', 'Files', 'Sent', 'Took', 'Warnings'].map((t) =>
      h('span', {}, t),
    ),
  );
  const details = h('section', { class: 'run-details', 'aria-label': 'Selected run' });
  const filterBar = createFilterBar(() => showList());
  const element = h(
    'div',
    { class: 'history' },
    filterBar.element,
    h('div', { class: 'runs' }, header, runs.element),
    h('div', { class: 'run-count' }, status, filterBar.clearButton),
    details,
  );
  let logGeneration = 0;
  let shownRun: string | null = null;
  /** Every run the history holds, newest first; the list shows those the filter lets through. */
  let allRuns: RunSummary[] = [];

  function row(run: RunSummary): Row<RunSummary> {
    const when = formatTime(run.startedAt);
    const outcome = OUTCOME_WORDS[run.outcome];
    const files = run.files === null ? '' : formatCount(run.files, 'file', 'files');
    const sent = run.bytesSent === null ? '' : formatBytes(run.bytesSent);
    const warnings = run.warnings.length === 0 ? '' : plural(run.warnings.length, 'warning');
    return {
      key: run.id,
      item: run,
      className: `run outcome-${run.outcome}${run.oneOff === null ? '' : ' one-off'}`,
      label: [
        when,
        `from ${SOURCE_WORDS[run.source]}`,
        outcome,
        run.oneOff === null ? '' : `one-off to ${oneOffPlace(run.oneOff)}`,
        files,
        sent && `${sent} sent`,
        duration(run.durationMs),
        warnings,
      ]
        .filter(Boolean)
        .join(', '),
      content: [
        h('span', {}, when),
        h('span', {}, SOURCE_WORDS[run.source]),
        h(
          'span',
          { class: 'outcome-cell' },
          h('span', { class: `badge outcome-badge outcome-${run.outcome}` }, outcome),
          run.oneOff === null
            ? null
            : h(
                'span',
                { class: 'badge one-off-badge', title: oneOffPlace(run.oneOff) },
                'One-off',
              ),
        ),
        h('span', { class: 'num' }, files),
        h('span', { class: 'num' }, sent),
        h('span', { class: 'num' }, duration(run.durationMs)),
        h('span', { class: run.warnings.length > 0 ? 'warn' : '' }, warnings),
      ],
    };
  }

  async function load(): Promise<void> {
    status.textContent = 'Reading the history…';
    const result = await api.loadHistory();
    if (!result.ok) {
      status.textContent = result.message;
      return;
    }
    allRuns = result.value.runs;
    const selected = wanted ?? runs.selectedKey();
    // The run the app asked for is shown even when the filter would hide it.
    if (wanted !== null && allRuns.some((r) => r.id === wanted)) {
      const asked = filterRuns(allRuns, filterBar.value());
      if (!asked.some((r) => r.id === wanted)) filterBar.clear();
    }
    wanted = null;
    showList(selected);
  }

  /**
   * Lists the runs the filter lets through. The selected run stays selected, its log and search
   * as they are, while it is still listed; otherwise the newest listed run is shown.
   */
  function showList(selected: string | null = runs.selectedKey()): void {
    const filter = filterBar.value();
    const list = filterRuns(allRuns, filter);
    runs.setRows([{ title: '', rows: list.map(row) }]);
    status.textContent = countWords(list.length, allRuns.length, isFiltered(filter));
    filterBar.setFiltered(isFiltered(filter));
    const target = list.find((r) => r.id === selected) ?? list[0];
    if (target === undefined) {
      details.replaceChildren(
        ...(allRuns.length === 0
          ? []
          : [
              h(
                'p',
                { class: 'hint' },
                'No run matches the filter. Clear Filters shows every run.',
              ),
            ]),
      );
      shownRun = null;
    } else {
      runs.select(target.id, { silent: true });
      // The run already shown keeps its log as it is, search included.
      if (shownRun !== target.id) showRun(target);
    }
  }

  function showRun(run: RunSummary): void {
    shownRun = run.id;
    const facts: Array<[string, string]> = [
      ['Started', formatTime(run.startedAt)],
      ['From', SOURCE_WORDS[run.source]],
      ['Outcome', OUTCOME_WORDS[run.outcome]],
    ];
    if (run.oneOff !== null) {
      facts.push(['Went to', oneOffPlace(run.oneOff)]);
      if (run.oneOff.sources !== null) facts.push(['Sources', run.oneOff.sources.join(', ')]);
    }
    if (run.snapshot !== null) facts.push(['Snapshot', run.snapshot]);
    if (run.files !== null) facts.push(['Files sent', formatCount(run.files, 'file', 'files')]);
    if (run.bytesSent !== null) facts.push(['Bytes sent', formatBytes(run.bytesSent)]);
    facts.push(['Took', duration(run.durationMs)]);
    const reason =
      run.outcome === 'failed' && run.error !== null
        ? h(
            'div',
            { class: 'alarm failure-reason', role: 'note' },
            h('h4', {}, 'Why it failed'),
            h('p', {}, shown(run.error.message)),
          )
        : null;
    const oneOff =
      run.oneOff === null
        ? null
        : h(
            'p',
            { class: 'hint one-off-note', role: 'note' },
            `One-off: this run went to ${oneOffPlace(run.oneOff)}, not to this profile’s ` +
              'destination, prefix and sources. It is kept here for the record; the schedule, ' +
              'the tray and “snaptray status” do not count it as a backup of this profile.',
          );
    const warnings =
      run.warnings.length > 0
        ? h(
            'div',
            { class: 'run-warnings' },
            h('h4', {}, plural(run.warnings.length, 'warning')),
            h('ul', {}, ...run.warnings.map((w) => h('li', {}, shown(w)))),
          )
        : null;
    const log = h('div', { class: 'run-log' });
    details.replaceChildren(
      ...[
        h('h3', {}, `The run of ${formatTime(run.startedAt)}`),
        reason,
        oneOff,
        h(
          'dl',
          { class: 'facts' },
          ...facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))),
        ),
        warnings,
        log,
      ].filter((n) => n !== null),
    );
    if (run.hasLog) buildLog(run, log);
    else
      log.replaceChildren(
        h('p', { class: 'hint' }, 'This run has no log any more (the newest 50 are kept).'),
      );
  }

  function buildLog(run: RunSummary, into: HTMLElement): void {
    const searchId = uniqueId('log-search');
    const search = h('input', {
      id: searchId,
      type: 'search',
      placeholder: 'Search the log',
      spellcheck: 'false',
      autocomplete: 'off',
    });
    const counts = h('p', { class: 'status', role: 'status' });
    const lines = h('ol', { class: 'log-lines', 'aria-label': 'The run’s log' });
    const openFile = button('Open the log file', () => void openLogFile(run, counts));
    let timer: number | undefined;
    search.addEventListener('input', () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(
        () => void readLog(run, search.value, counts, lines),
        SEARCH_DELAY_MS,
      );
    });
    into.replaceChildren(
      h('div', { class: 'log-head' }, h('h4', {}, 'Log'), openFile),
      h('div', { class: 'log-search' }, h('label', { for: searchId }, 'Search the log'), search),
      counts,
      lines,
    );
    void readLog(run, '', counts, lines);
  }

  async function readLog(
    run: RunSummary,
    query: string,
    counts: HTMLElement,
    lines: HTMLElement,
  ): Promise<void> {
    const mine = ++logGeneration;
    const result = await api.readRunLog({ run: run.id, query });
    if (mine !== logGeneration) return;
    if (!result.ok) {
      counts.textContent = result.message;
      lines.replaceChildren();
      return;
    }
    counts.textContent = describeLog(result.value, query);
    lines.replaceChildren(
      ...result.value.lines.map((line) =>
        h(
          'li',
          { class: `log-line kind-${line.kind}` },
          h('span', { class: `badge kind-badge kind-${line.kind}` }, KIND_WORDS[line.kind]),
          line.path !== null
            ? h('span', { class: 'log-path path' }, shown(line.path))
            : h('span', { class: 'log-text' }, shown(line.text)),
          line.path !== null && line.kind === 'changed'
            ? h('span', { class: 'log-detail' }, line.text.replace(/^changed \w+ /, ''))
            : null,
        ),
      ),
    );
  }

  async function openLogFile(run: RunSummary, counts: HTMLElement): Promise<void> {
    const result = await api.openRunLog({ run: run.id });
    if (!result.ok) counts.textContent = result.message;
  }

  /** A run to show at the next load, instead of the one selected. */
  let wanted: string | null = null;

  return {
    element,
    load,
    showRun(run) {
      wanted = run;
      return load();
    },
  };
}

/** "4 runs, newest first", or with a filter "2 of 4 runs". */
function countWords(listed: number, total: number, filtered: boolean): string {
  if (total === 0) return 'No backup has run yet.';
  if (!filtered) return `${plural(total, 'run')}, newest first.`;
  return `${listed.toLocaleString('en')} of ${plural(total, 'run')} ${listed === 1 ? 'matches' : 'match'} the filter.`;
}

interface FilterBar {
  element: HTMLElement;
  /** Shown beside the count while a filter is set. */
  clearButton: HTMLButtonElement;
  value(): RunFilter;
  /** Shows every run again. */
  clear(): void;
  /** Whether a filter is set: Clear Filters is offered only then. */
  setFiltered(filtered: boolean): void;
}

/** The filter's controls, each labelled, in the tab order before the runs. */
function createFilterBar(onChange: () => void): FilterBar {
  const outcomeId = uniqueId('run-outcome');
  const sourceId = uniqueId('run-source');
  const textId = uniqueId('run-text');
  const outcome = h(
    'select',
    { id: outcomeId },
    ...OUTCOME_CHOICES.map(([value, words]) => h('option', { value }, words)),
  );
  const source = h(
    'select',
    { id: sourceId },
    ...SOURCE_CHOICES.map(([value, words]) => h('option', { value }, words)),
  );
  const text = h('input', {
    id: textId,
    type: 'search',
    placeholder: 'Error, warning or snapshot',
    spellcheck: 'false',
    autocomplete: 'off',
  });
  const clearButton = button('Clear Filters', () => {
    clear();
    onChange();
    outcome.focus();
  });
  clearButton.hidden = true;
  let timer: number | undefined;
  outcome.addEventListener('change', onChange);
  source.addEventListener('change', onChange);
  text.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(onChange, SEARCH_DELAY_MS);
  });
  // Enter filters at once, without waiting for typing to pause.
  text.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    window.clearTimeout(timer);
    onChange();
  });

  function clear(): void {
    window.clearTimeout(timer);
    outcome.value = NO_FILTER.outcome;
    source.value = NO_FILTER.source;
    text.value = NO_FILTER.text;
  }

  return {
    element: h(
      'div',
      { class: 'run-filter', role: 'search', 'aria-label': 'Filter the runs' },
      h('label', { for: outcomeId }, 'Outcome'),
      outcome,
      h('label', { for: sourceId }, 'From'),
      source,
      h('label', { for: textId }, 'Search'),
      text,
    ),
    clearButton,
    value: () => ({
      outcome: outcome.value as OutcomeFilter,
      source: source.value as RunFilter['source'],
      text: text.value,
    }),
    clear,
    setFiltered(filtered) {
      clearButton.hidden = !filtered;
    },
  };
}

/** "/mnt/other, prefix lab": where a one-off run went. */
function oneOffPlace(target: NonNullable<RunSummary['oneOff']>): string {
  const where = target.destination === null ? 'another destination' : shown(target.destination);
  return target.prefix === null ? where : `${where}, prefix ${shown(target.prefix)}`;
}

function describeLog(log: RunLogView, query: string): string {
  const c = (k: RunLogLine['kind']) => log.counts[k] ?? 0;
  const changes =
    `${plural(c('new'), 'new file')}, ${plural(c('changed'), 'changed file')}, ` +
    `${formatCount(c('deleted'), 'deleted', 'deleted')}, ${plural(c('message'), 'message')}.`;
  const shownPart =
    query.trim() === ''
      ? log.truncated
        ? ` Showing the first ${formatCount(log.lines.length, 'line', 'lines')} of ${formatCount(log.total, 'line', 'lines')}; search to find the rest.`
        : ''
      : ` ${plural(log.matched, 'line')} ${log.matched === 1 ? 'matches' : 'match'} “${query.trim()}”${log.truncated ? `; the first ${log.lines.length} are shown` : ''}.`;
  return `${changes}${shownPart}`;
}
