/**
 * One folder of the selected snapshot at a time, as a file manager shows it: a path bar, a name
 * filter and the folder's items, listed when the folder is opened (never the whole snapshot).
 * It starts at the snapshot's sources. "Show only what changed in this snapshot" lists what the
 * engine's diff against the snapshot before finds in this folder instead.
 */
import type {
  ChangeView,
  EntryView,
  FolderChanges,
  SnapshotSummary,
} from '../../electron/ipc/contract.js';
import { button, h, uniqueId } from '../shared/dom.js';
import { formatBytes } from '../shared/format.js';
import { icon } from '../shared/icons.js';
import { createVirtualList, type VirtualRow } from './virtual-list.js';
import type { Ask, Problem } from './requests.js';
import { CHANGE_WORDS, plural, shown, TYPE_WORDS } from './words.js';
import { formatTime } from '../shared/format.js';
import type { BackupsWindowApi } from '../../electron/ipc/contract.js';

export type Item = EntryView | ChangeView;

/** Keys typed within this of the one before wait until typing pauses this long. */
export const FILTER_DELAY_MS = 20;
/** A frame at 60 Hz: a filter slower than this makes keys that follow closely wait. */
const FRAME_MS = 16;

export interface Place {
  snapshot: SnapshotSummary;
  /** null: the list of the snapshot's sources. */
  path: string | null;
}

export interface BrowserContext {
  api: BackupsWindowApi;
  ask: Ask;
  /** The selected item of the folder, or null when none is (the folder itself then). */
  onSelection(item: Item | null, place: Place): void;
  /** Several items of the folder are selected, in list order. */
  onSeveral(items: Item[], place: Place): void;
  /** A problem with the destination as a whole (unreachable): the window shows it with Retry. */
  onUnreachable(problem: Problem): void;
}

export interface Browser {
  element: HTMLElement;
  /** Shows a snapshot, in the same folder when it holds it. */
  showSnapshot(snapshot: SnapshotSummary): Promise<void>;
  /** Lists the current folder again (after a restore, for one). */
  reload(): Promise<void>;
  place(): Place | null;
  focusList(): void;
  /**
   * Opens the folder that holds `file` in the snapshot shown and selects it (its versions then
   * show); false when this snapshot does not hold it.
   */
  reveal(file: string): Promise<boolean>;
}

export function createBrowser(ctx: BrowserContext): Browser {
  let snapshot: SnapshotSummary | null = null;
  let path: string | null = null;
  let entries: EntryView[] = [];
  let changes: FolderChanges | null = null;
  let generation = 0;

  const crumbs = h('ol', { class: 'crumbs' });
  const up = button('', () => void goUp(), {
    class: 'flat icon-button',
    'aria-label': 'Up to the parent folder',
    title: 'Up to the parent folder (Backspace)',
  });
  up.append(h('span', { 'aria-hidden': 'true' }, '↑'));
  const pathBar = h('nav', { class: 'path-bar', 'aria-label': 'Folder path' }, up, crumbs);

  const filterId = uniqueId('filter');
  const filter = h('input', {
    id: filterId,
    type: 'search',
    class: 'filter',
    placeholder: 'Filter names',
    spellcheck: 'false',
    autocomplete: 'off',
  });
  // Each key filters at once while filtering is quicker than a frame (5,000 names take a few
  // milliseconds). When it is slower, keys that follow the one before within FILTER_DELAY_MS
  // wait until typing pauses, so fast typing filters once rather than at every key.
  let filterTimer: number | undefined;
  let filtered = '';
  /** The last filter took longer than a frame. */
  let slowFilter = false;
  filter.addEventListener('input', () => {
    const wait = filterTimer !== undefined && slowFilter;
    window.clearTimeout(filterTimer);
    if (!wait) render();
    filterTimer = window.setTimeout(() => {
      filterTimer = undefined;
      if (wait) render();
    }, FILTER_DELAY_MS);
  });
  filter.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    window.clearTimeout(filterTimer);
    render();
  });
  const filterLabel = h(
    'label',
    { for: filterId, class: 'visually-hidden' },
    'Filter names in this folder',
  );

  const onlyId = uniqueId('only-changes');
  const onlyChanges = h('input', { id: onlyId, type: 'checkbox', role: 'switch', class: 'switch' });
  onlyChanges.addEventListener('change', () => void open(path, { keepSelection: true }));
  const onlyLabel = h('label', { for: onlyId }, 'Show only what changed in this snapshot');

  const status = h('p', { class: 'status browse-status', role: 'status' });
  const problem = h('div', { class: 'list-problem', hidden: true });
  const list = createVirtualList<Item>({
    label: 'Items in this folder',
    keyOf: (item) => item.path,
    row: rowFor,
    onSelect: (items) => {
      if (snapshot === null) return;
      if (items.length > 1) ctx.onSeveral(items, { snapshot, path });
      else ctx.onSelection(items[0] ?? null, { snapshot, path });
    },
    onActivate: (item) => {
      if (item.type === 'dir' && !('change' in item && item.change === 'deleted')) {
        void open(item.path, { focus: true });
      }
    },
    onKey: (event) => {
      if (event.key === 'Backspace' || (event.altKey && event.key === 'ArrowUp')) {
        void goUp({ focus: true });
        return true;
      }
      return false;
    },
  });
  const header = h(
    'div',
    { class: 'entry-header', 'aria-hidden': 'true' },
    h('span', {}, 'Name'),
    h('span', {}, 'Size'),
    h('span', {}, 'Modified'),
  );

  const element = h(
    'section',
    { class: 'browser', 'aria-label': 'Files in the snapshot' },
    h(
      'div',
      { class: 'browser-toolbar' },
      pathBar,
      h('div', { class: 'filter-box' }, filterLabel, filter),
    ),
    h('div', { class: 'only-changes' }, onlyLabel, onlyChanges),
    status,
    h('div', { class: 'entries' }, header, list.element, problem),
  );

  /** The source a path lies in (the place the path bar starts from). */
  function sourceOf(p: string): string | null {
    const sources = snapshot?.sources ?? [];
    return (
      sources
        .filter((s) => p === s || p.startsWith(s === '/' ? '/' : `${s}/`))
        .sort((a, b) => b.length - a.length)[0] ?? null
    );
  }

  function parentOf(p: string): string | null {
    const source = sourceOf(p);
    if (source !== null && p === source) return null;
    if (source === null && p === '/') return null;
    const i = p.lastIndexOf('/');
    return i <= 0 ? '/' : p.slice(0, i);
  }

  function drawCrumbs(): void {
    const items: Array<{ label: string; target: string | null }> = [];
    const sources = snapshot?.sources ?? [];
    if (sources.length > 0) items.push({ label: 'Sources', target: null });
    if (path !== null) {
      const source = sourceOf(path);
      const base = source ?? '/';
      items.push({ label: source ?? '/', target: base });
      const rest = path === base ? '' : path.slice(base === '/' ? 1 : base.length + 1);
      let at = base;
      for (const part of rest === '' ? [] : rest.split('/')) {
        at = at === '/' ? `/${part}` : `${at}/${part}`;
        items.push({ label: part, target: at });
      }
    }
    crumbs.replaceChildren(
      ...items.map((c, i) => {
        const last = i === items.length - 1;
        const content = last
          ? h('span', { 'aria-current': 'location', class: 'crumb-current' }, shown(c.label))
          : button(shown(c.label), () => void open(c.target, { focus: true }), {
              class: 'flat crumb',
            });
        return h('li', {}, content);
      }),
    );
    up.disabled = path === null || (sources.length === 0 && path === '/');
  }

  function rowFor(item: Item): VirtualRow {
    const change = 'change' in item ? item.change : null;
    const size = item.size === null ? '' : formatBytes(item.size);
    const modified = item.mtime === null ? '' : formatTime(item.mtime);
    const name = shown(item.name);
    const label = [
      name,
      TYPE_WORDS[item.type],
      change !== null ? CHANGE_WORDS[change] : null,
      size,
      modified ? `modified ${modified}` : null,
    ]
      .filter(Boolean)
      .join(', ');
    return {
      label,
      className: `entry type-${item.type}${change ? ` change-${change}` : ''}`,
      content: [
        h(
          'span',
          { class: 'entry-name' },
          icon(item.type === 'dir' ? 'folder' : item.type === 'symlink' ? 'link' : 'file'),
          h('span', { class: 'name-text', title: name }, name),
          change !== null
            ? h('span', { class: `badge change-badge change-${change}` }, CHANGE_WORDS[change])
            : null,
        ),
        h('span', { class: 'entry-size' }, size),
        h('span', { class: 'entry-time' }, modified),
      ],
    };
  }

  /** Names in lower case, made once per listing rather than at every keystroke. */
  const lowered = new WeakMap<Item, string>();
  function lowerName(item: Item): string {
    let lower = lowered.get(item);
    if (lower === undefined) {
      lower = item.name.toLowerCase();
      lowered.set(item, lower);
    }
    return lower;
  }

  function shownItems(): Item[] {
    const needle = filter.value.trim().toLowerCase();
    let source: Item[] = entries;
    if (onlyChanges.checked && changes !== null && changes.previous !== null) {
      const byPath = new Map(entries.map((e) => [e.path, e]));
      source = changes.changes.map((c) => {
        const listed = byPath.get(c.path);
        return listed && c.mtime === null ? { ...c, mtime: listed.mtime, size: listed.size } : c;
      });
    }
    return needle === '' ? source : source.filter((i) => lowerName(i).includes(needle));
  }

  function render(): void {
    const started = performance.now();
    window.clearTimeout(filterTimer);
    filterTimer = undefined;
    const items = shownItems();
    // Another filter starts at the top of what it matches.
    if (filter.value !== filtered) list.element.scrollTop = 0;
    filtered = filter.value;
    list.setItems(items);
    problem.hidden = true;
    list.element.hidden = false;
    const needle = filter.value.trim();
    const total =
      onlyChanges.checked && changes?.previous ? changes.changes.length : entries.length;
    const parts: string[] = [];
    if (onlyChanges.checked && changes !== null) {
      if (changes.previous === null) {
        parts.push('This is the first snapshot: everything in it is new.');
      } else {
        const count = (c: string) => changes!.changes.filter((x) => x.change === c).length;
        parts.push(
          total === 0
            ? `Nothing here changed since ${changes.previous}.`
            : `Since ${changes.previous}: ${count('added')} new, ${count('changed')} changed, ` +
                `${count('deleted')} deleted, ${count('inside')} ${count('inside') === 1 ? 'folder' : 'folders'} with changes inside.`,
        );
      }
    } else if (total === 0)
      parts.push(path === null ? 'This snapshot names no sources.' : 'This folder is empty.');
    else parts.push(plural(total, 'item'));
    if (needle !== '')
      parts.push(
        `${plural(items.length, 'name')} ${items.length === 1 ? 'matches' : 'match'} “${needle}”.`,
      );
    status.textContent = parts.join(' ');
    slowFilter = performance.now() - started > FRAME_MS;
  }

  function showProblem(p: Problem, retry: () => void): void {
    if (p.reason === 'unreachable') ctx.onUnreachable(p);
    list.element.hidden = true;
    problem.hidden = false;
    const again =
      p.reason === 'busy'
        ? null
        : p.reason === 'not-found'
          ? button('Show the sources', () => void open(null, { focus: true }))
          : button('Retry', retry);
    problem.replaceChildren(
      h('p', { class: p.reason === 'busy' ? 'busy-note' : 'message bad' }, p.message),
      ...(again ? [again] : []),
    );
    status.textContent =
      p.reason === 'busy' ? 'Waiting for the backup to end…' : 'The folder could not be listed.';
  }

  async function open(
    target: string | null,
    opts: { focus?: boolean; keepSelection?: boolean; fallBack?: boolean } = {},
  ): Promise<void> {
    if (snapshot === null) return;
    const mine = ++generation;
    const current = () => mine === generation;
    const at = snapshot;
    path = target;
    drawCrumbs();
    status.textContent = 'Opening the folder…';
    element.setAttribute('aria-busy', 'true');
    const again = () => void open(target, opts);
    let missing = false;
    try {
      const folder = await ctx.ask(
        () => ctx.api.listFolder({ snapshot: at.name, path: target }),
        (p) => {
          // Another snapshot may not hold the folder shown: its sources are shown instead.
          if (p.reason === 'not-found' && opts.fallBack === true) missing = true;
          else showProblem(p, again);
        },
        current,
      );
      if (folder === null) {
        if (missing && current()) await open(null, { focus: opts.focus === true });
        return;
      }
      entries = folder.entries;
      path = folder.path;
      changes = null;
      if (onlyChanges.checked) {
        status.textContent = `Comparing with the snapshot before…`;
        changes = await ctx.ask(
          () => ctx.api.folderChanges({ snapshot: at.name, path: folder.path }),
          (p) => showProblem(p, again),
          current,
        );
        if (changes === null) return;
      }
      drawCrumbs();
      if (!opts.keepSelection) list.clearSelection();
      // The rows are new: an item still selected is shown as this listing has it.
      render();
      const keys = new Set(list.selectedKeys());
      const kept = shownItems().filter((i) => keys.has(i.path));
      if (kept.length > 1) ctx.onSeveral(kept, { snapshot: at, path });
      else ctx.onSelection(kept[0] ?? null, { snapshot: at, path });
      if (opts.focus) list.focus();
    } finally {
      if (current()) element.removeAttribute('aria-busy');
    }
  }

  async function goUp(opts: { focus?: boolean } = {}): Promise<void> {
    if (path === null) return;
    const from = path;
    await open(parentOf(path), opts);
    if (list.select(from, { focus: opts.focus === true })) return;
  }

  return {
    element,
    async showSnapshot(next) {
      const same = snapshot?.name === next.name;
      snapshot = next;
      const keep = path !== null && (next.sources.length === 0 || sourceOf(path) !== null);
      await open(keep ? path : null, { keepSelection: same || keep, fallBack: keep });
    },
    reload: () => open(path, { keepSelection: true }),
    async reveal(file) {
      const folder = parentOf(file);
      if (snapshot === null || folder === null) return false;
      await open(folder, { fallBack: true });
      return list.select(file, { focus: true });
    },
    place: () => (snapshot === null ? null : { snapshot, path }),
    focusList: () => list.focus(),
  };
}
