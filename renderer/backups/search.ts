/**
 * "Where is my file?" without knowing its folder: a name searched in every snapshot at once (the
 * engine's `snaptray find --all`), the paths found each with the snapshots that hold it. Choosing
 * a path, or one of its snapshots, shows it in the browser with its versions, to restore one.
 * A search starts once typing pauses (or on Enter); a newer one replaces the one on its way.
 * The arrow keys walk the results.
 */
import type { BackupsWindowApi, SearchMatch, SearchView } from '../../electron/ipc/contract.js';
import { button, h, uniqueId } from '../shared/dom.js';
import { formatBytes, formatTime } from '../shared/format.js';
import { icon } from '../shared/icons.js';
import type { Ask } from './requests.js';
import { plural, shown, TYPE_WORDS } from './words.js';

export interface SearchContext {
  api: BackupsWindowApi;
  ask: Ask;
  /** Results are shown (true) or put away (false): the browser gives them its place. */
  onOpen(open: boolean): void;
  /** Show this path in this snapshot, with its versions. */
  onChoose(match: SearchMatch, snapshot: string): Promise<void>;
}

export interface Search {
  /** The search field, for above the browser. */
  field: HTMLElement;
  /** The results, shown in the browser's place. */
  results: HTMLElement;
  /** Another profile or machine is shown: earlier results are put away, the field emptied. */
  reset(): void;
  /** Another snapshot was chosen: the browser comes back, the field keeps its text. */
  close(): void;
}

/** Typing pauses this long before a search starts: each one lists every snapshot. */
export const SEARCH_DELAY_MS = 400;
/** Snapshots named under each path; the rest are counted. */
const SNAPSHOTS_LISTED = 6;

export function createSearch(ctx: SearchContext): Search {
  const inputId = uniqueId('search');
  const input = h('input', {
    id: inputId,
    type: 'search',
    class: 'search-all',
    placeholder: 'Search all snapshots',
    spellcheck: 'false',
    autocomplete: 'off',
    title: 'A name or part of one; * ? and [a-z] match as in the file manager',
  });
  const field = h(
    'div',
    { class: 'search-box', role: 'search' },
    h('label', { for: inputId, class: 'visually-hidden' }, 'Search all snapshots by name'),
    input,
  );
  const status = h('p', { class: 'status search-status', role: 'status' });
  const list = h('ul', { class: 'search-results', 'aria-label': 'Found in the snapshots' });
  const close = button('Back to the Folder', () => putAway(true), { class: 'flat' });
  const results = h(
    'section',
    { class: 'search-pane', 'aria-label': 'Search results', hidden: true },
    h('div', { class: 'search-head' }, status, close),
    list,
  );
  let generation = 0;
  let timer: number | undefined;

  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    if (input.value.trim() === '') {
      putAway(false);
      return;
    }
    timer = window.setTimeout(() => void search(), SEARCH_DELAY_MS);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      window.clearTimeout(timer);
      void search();
    } else if (event.key === 'Escape' && !results.hidden) {
      event.preventDefault();
      putAway(true);
    } else if (event.key === 'ArrowDown' && !results.hidden) {
      event.preventDefault();
      list.querySelector<HTMLButtonElement>('.search-hit')?.focus();
    }
  });
  // The keyboard walks the results: Up and Down from path to path (Down from the search field
  // reaches the first, Up from the first goes back to it), Left and Right along a path's
  // snapshots, Home and End to the first and last path; Enter or Space chooses.
  list.addEventListener('keydown', (event) => {
    const at = event.target;
    const result = at instanceof HTMLButtonElement ? at.closest('.search-result') : null;
    if (result === null) return;
    const paths = [...list.querySelectorAll<HTMLButtonElement>('.search-hit')];
    const along = [...result.querySelectorAll<HTMLButtonElement>('button')];
    const path = paths.findIndex((b) => result.contains(b));
    const step = along.indexOf(at as HTMLButtonElement);
    const moves: Record<string, HTMLElement | undefined> = {
      ArrowDown: paths[path + 1],
      ArrowUp: path === 0 ? input : paths[path - 1],
      ArrowRight: along[step + 1],
      ArrowLeft: along[step - 1],
      Home: paths[0],
      End: paths.at(-1),
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    moves[event.key]?.focus();
  });

  function putAway(clear: boolean): void {
    generation++;
    window.clearTimeout(timer);
    if (clear) input.value = '';
    results.hidden = true;
    results.removeAttribute('aria-busy');
    list.replaceChildren();
    ctx.onOpen(false);
  }

  async function search(): Promise<void> {
    const query = input.value.trim();
    if (query === '') return;
    const mine = ++generation;
    const current = () => mine === generation;
    results.hidden = false;
    ctx.onOpen(true);
    results.setAttribute('aria-busy', 'true');
    status.className = 'status search-status';
    status.textContent = `Searching every snapshot for “${query}”…`;
    list.replaceChildren();
    const found = await ctx.ask(
      () => ctx.api.searchSnapshots({ query }),
      (p) => {
        if (!current()) return;
        status.className = `status search-status ${p.reason === 'busy' ? 'busy-note' : 'message bad'}`;
        status.textContent =
          p.reason === 'busy' ? p.message : `The search could not be done. ${p.message}`;
      },
      current,
    );
    if (!current()) return;
    results.removeAttribute('aria-busy');
    if (found !== null) show(found);
  }

  function show(found: SearchView): void {
    const where = plural(found.searched, 'snapshot');
    if (found.total === 0) {
      status.textContent = `No name matches “${found.query}” in the ${where}.`;
    } else {
      const paths = plural(found.total, 'path');
      status.textContent =
        found.matches.length < found.total
          ? `${paths} match “${found.query}” in the ${where}; the first ${found.matches.length} are shown. Type more of the name to narrow it.`
          : `${paths} ${found.total === 1 ? 'matches' : 'match'} “${found.query}” in the ${where}.`;
    }
    const warned = found.warnings.map((w) => h('li', { class: 'message warn' }, w));
    list.replaceChildren(...warned, ...found.matches.map(resultItem));
  }

  function resultItem(m: SearchMatch): HTMLElement {
    const name = shown(m.name);
    const newest = m.snapshots[0]?.name ?? '';
    const size = m.type === 'dir' ? '' : formatBytes(m.size);
    const held = plural(m.snapshots.length, 'snapshot');
    const choose = (snapshot: string) => () => {
      putAway(false);
      void ctx.onChoose(m, snapshot);
    };
    const main = button('', choose(newest), {
      class: 'flat search-hit',
      'aria-label': `${name}, ${TYPE_WORDS[m.type]}, in ${shown(m.path)}, kept in ${held}: show its versions`,
    });
    main.append(
      icon(m.type === 'dir' ? 'folder' : m.type === 'symlink' ? 'link' : 'file'),
      h(
        'span',
        { class: 'search-hit-text' },
        h('span', { class: 'name-text', title: name }, name),
        h('span', { class: 'path search-hit-path', title: shown(m.path) }, shown(m.path)),
      ),
      h('span', { class: 'entry-size' }, size),
    );
    const listed = m.snapshots.slice(0, SNAPSHOTS_LISTED);
    const versions = h(
      'ul',
      { class: 'search-snapshots', 'aria-label': `Snapshots holding ${name}, newest first` },
      ...listed.map((s) =>
        h(
          'li',
          {},
          button(s.time === '' ? s.name : formatTime(s.time), choose(s.name), {
            class: 'flat search-snapshot',
            title: s.name,
            'aria-label': `${name} as in the snapshot of ${s.time === '' ? s.name : formatTime(s.time)}`,
          }),
        ),
      ),
      m.snapshots.length > listed.length
        ? h('li', { class: 'hint' }, `and ${plural(m.snapshots.length - listed.length, 'more')}`)
        : null,
    );
    return h(
      'li',
      { class: 'search-result', 'data-path': m.path },
      main,
      h('p', { class: 'search-held' }, `In ${held}:`),
      versions,
    );
  }

  return {
    field,
    results,
    reset: () => putAway(true),
    close: () => {
      if (!results.hidden) putAway(false);
    },
  };
}
