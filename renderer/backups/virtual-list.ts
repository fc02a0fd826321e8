/**
 * The folder's list: a listbox the keyboard walks as listbox.ts's does (Tab reaches the focused
 * row, the arrow keys, Home, End, Page Up and Page Down move, Enter activates), where several
 * items can be selected as in GNOME's and KDE's file managers: Ctrl-click adds or removes one,
 * Shift-click and Shift with the arrows select a range, Ctrl+A selects every item shown,
 * Ctrl with the arrows moves without selecting and Ctrl+Space selects the focused one too.
 *
 * A folder of thousands of items keeps only the rows near the viewport in the page (rows are
 * all one height), plus the focused row, so typing a filter or scrolling never builds thousands
 * of rows. Each row tells a screen reader its label and its place in the whole list.
 */
import { h, uniqueId } from '../shared/dom.js';

export interface VirtualRow {
  /** What a screen reader says for the row. */
  label: string;
  content: Node[];
  className?: string;
}

export interface VirtualListOptions<T> {
  label: string;
  keyOf(item: T): string;
  /** Builds a row's parts; called only for the rows in the page. */
  row(item: T): VirtualRow;
  /** The selection changed (by click, keys or `select`): the items selected, in list order. */
  onSelect(items: T[]): void;
  /** Enter or a double click: open a folder, for instance. */
  onActivate?(item: T): void;
  /** Extra keys, such as Backspace for the parent folder; return true when handled. */
  onKey?(event: KeyboardEvent): boolean;
}

export interface VirtualList<T> {
  element: HTMLElement;
  setItems(items: readonly T[]): void;
  /** Selects only the item with this key; false when there is none. */
  select(key: string, opts?: { focus?: boolean; silent?: boolean }): boolean;
  /** The one item selected, or the focused one of several; null when none is. */
  selectedKey(): string | null;
  selectedKeys(): string[];
  focus(): void;
  clearSelection(): void;
}

/**
 * Up to this many items (more than a maximised window shows) every row is in the page; above it,
 * only those near the viewport. A hundred rows built at once cost a frame of their own.
 */
export const ALL_ROWS_UP_TO = 50;
/** Rows kept in the page above and below the viewport. */
const OVERSCAN = 8;
/** The rows' height before one is measured (the stylesheet fixes it). */
const DEFAULT_ROW_PX = 34;

export function createVirtualList<T>(options: VirtualListOptions<T>): VirtualList<T> {
  const sizer = h('div', { class: 'virtual-sizer', role: 'presentation' });
  const element = h(
    'div',
    {
      role: 'listbox',
      class: 'listbox virtual-list',
      'aria-label': options.label,
      'aria-multiselectable': 'true',
      tabindex: 0,
    },
    sizer,
  );
  let items: readonly T[] = [];
  let keys: string[] = [];
  let indexOf = new Map<string, number>();
  /** The rows in the page, by index. */
  let nodes = new Map<number, HTMLElement>();
  const selected = new Set<string>();
  /** The focused row (the one Tab reaches), and where a Shift range starts. */
  let active: string | null = null;
  let anchor: string | null = null;
  let rowPx = 0;
  let frame = 0;

  function height(): number {
    return rowPx > 0 ? rowPx : DEFAULT_ROW_PX;
  }

  function setItems(next: readonly T[]): void {
    const before = selected.size;
    items = next;
    keys = next.map(options.keyOf);
    indexOf = new Map(keys.map((k, i) => [k, i]));
    for (const key of [...selected]) if (!indexOf.has(key)) selected.delete(key);
    if (active !== null && !indexOf.has(active)) active = null;
    if (anchor !== null && !indexOf.has(anchor)) anchor = null;
    for (const node of nodes.values()) node.remove();
    nodes = new Map();
    sizer.style.height = `${keys.length * height()}px`;
    element.tabIndex = keys.length === 0 ? 0 : -1;
    draw();
    // Several were selected and the list now shows fewer of them: say what is left.
    if (before > 1 && selected.size !== before) notify();
  }

  /** The indexes to have in the page: those near the viewport, and the focused row. */
  function wanted(): number[] {
    const n = keys.length;
    let first = 0;
    let last = n - 1;
    if (n > ALL_ROWS_UP_TO) {
      const view = element.clientHeight > 0 ? element.clientHeight : 20 * height();
      first = Math.max(0, Math.floor(element.scrollTop / height()) - OVERSCAN);
      last = Math.min(n - 1, Math.ceil((element.scrollTop + view) / height()) + OVERSCAN);
    }
    const out: number[] = [];
    for (let i = first; i <= last; i++) out.push(i);
    const focusable = indexOf.get(focusKey() ?? '');
    if (focusable !== undefined && (focusable < first || focusable > last)) {
      out.push(focusable);
      out.sort((a, b) => a - b);
    }
    return out;
  }

  function focusKey(): string | null {
    return active ?? keys[0] ?? null;
  }

  function build(index: number): HTMLElement {
    const item = items[index] as T;
    const key = keys[index] ?? '';
    const row = options.row(item);
    const node = h(
      'div',
      {
        role: 'option',
        id: uniqueId('row'),
        class: `row-item${row.className ? ` ${row.className}` : ''}`,
        'aria-label': row.label,
        'aria-setsize': keys.length,
        'aria-posinset': index + 1,
        'data-key': key,
      },
      ...row.content,
    );
    node.addEventListener('click', (event) => clicked(key, event));
    node.addEventListener('dblclick', () => {
      const i = indexOf.get(key);
      if (i !== undefined) options.onActivate?.(items[i] as T);
    });
    return node;
  }

  /** Brings the page's rows in line with the scroll position and the selection. */
  function draw(): void {
    const want = wanted();
    const keep = new Set(want);
    for (const [i, node] of nodes) {
      if (!keep.has(i)) {
        node.remove();
        nodes.delete(i);
      }
    }
    let previous: HTMLElement | null = null;
    for (const i of want) {
      let node = nodes.get(i);
      if (node === undefined) {
        node = build(i);
        if (previous === null) sizer.prepend(node);
        else previous.after(node);
        nodes.set(i, node);
        if (rowPx === 0 && node.offsetHeight > 0) {
          rowPx = node.offsetHeight;
          sizer.style.height = `${keys.length * rowPx}px`;
        }
      }
      previous = node;
    }
    const focusable = focusKey();
    for (const [i, node] of nodes) {
      const key = keys[i] ?? '';
      node.style.top = `${i * height()}px`;
      node.setAttribute('aria-selected', String(selected.has(key)));
      node.tabIndex = key === focusable ? 0 : -1;
    }
  }

  element.addEventListener('scroll', () => {
    if (keys.length <= ALL_ROWS_UP_TO || frame !== 0) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      draw();
    });
  });

  function notify(): void {
    options.onSelect(
      keys.filter((k) => selected.has(k)).map((k) => items[indexOf.get(k) ?? 0] as T),
    );
  }

  /** Scrolls the row into view, draws, and focuses it when asked. */
  function reach(index: number, focus: boolean): void {
    const top = index * height();
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + height() > element.scrollTop + element.clientHeight) {
      element.scrollTop = top + height() - element.clientHeight;
    }
    draw();
    const node = nodes.get(index);
    if (focus) node?.focus({ preventScroll: true });
    node?.scrollIntoView({ block: 'nearest' });
  }

  function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
    return a.size === b.size && [...a].every((k) => b.has(k));
  }

  /** Moves the focus to `index`; `how` says what happens to the selection. */
  function moveTo(
    index: number,
    how: 'only' | 'range' | 'toggle' | 'keep',
    opts: { focus?: boolean; silent?: boolean } = {},
  ): void {
    const key = keys[index];
    if (key === undefined) return;
    const before = new Set(selected);
    active = key;
    if (how === 'only') {
      selected.clear();
      selected.add(key);
      anchor = key;
    } else if (how === 'toggle') {
      if (selected.has(key)) selected.delete(key);
      else selected.add(key);
      anchor = key;
    } else if (how === 'range') {
      const from = indexOf.get(anchor ?? key) ?? index;
      selected.clear();
      for (let i = Math.min(from, index); i <= Math.max(from, index); i++) {
        selected.add(keys[i] ?? '');
      }
    }
    reach(index, opts.focus === true);
    if (!sameSet(before, selected) && opts.silent !== true) notify();
  }

  function clicked(key: string, event: MouseEvent): void {
    const index = indexOf.get(key);
    if (index === undefined) return;
    const how = event.shiftKey ? 'range' : event.ctrlKey || event.metaKey ? 'toggle' : 'only';
    moveTo(index, how, { focus: true });
  }

  // Tab reaches a row without selecting it: it is where the keys go from.
  element.addEventListener('focusin', (event) => {
    const key = event.target instanceof HTMLElement ? event.target.dataset.key : undefined;
    if (key !== undefined && indexOf.has(key)) active = key;
  });

  element.addEventListener('keydown', (event) => {
    if (options.onKey?.(event)) {
      event.preventDefault();
      return;
    }
    const last = keys.length - 1;
    if (last < 0) return;
    // The row that has the focus, reached by Tab, a click or the keys.
    const focused = document.activeElement;
    const key =
      focused instanceof HTMLElement && element.contains(focused) ? focused.dataset.key : undefined;
    const index = key === undefined ? -1 : (indexOf.get(key) ?? -1);
    const ctrl = event.ctrlKey || event.metaKey;
    if (ctrl && !event.shiftKey && event.key.toLowerCase() === 'a') {
      event.preventDefault();
      const before = selected.size;
      for (const k of keys) selected.add(k);
      draw();
      if (selected.size !== before) notify();
      return;
    }
    const page = Math.max(1, Math.floor(element.clientHeight / height()) - 1);
    const target = {
      ArrowDown: index < 0 ? 0 : Math.min(last, index + 1),
      ArrowUp: Math.max(0, index - 1),
      Home: 0,
      End: last,
      PageDown: Math.min(last, index + page),
      PageUp: Math.max(0, index - page),
    }[event.key];
    if (target !== undefined) {
      event.preventDefault();
      moveTo(target, event.shiftKey ? 'range' : ctrl ? 'keep' : 'only', { focus: true });
      return;
    }
    if ((event.key === 'Enter' || event.key === ' ') && index >= 0) {
      event.preventDefault();
      if (event.key === ' ') {
        moveTo(index, ctrl ? 'toggle' : 'only', { focus: true });
        return;
      }
      if (!selected.has(keys[index] ?? '')) moveTo(index, 'only', { focus: true });
      options.onActivate?.(items[index] as T);
    }
  });

  return {
    element,
    setItems,
    select(key, opts = {}) {
      const index = indexOf.get(key);
      if (index === undefined) return false;
      moveTo(index, 'only', opts);
      return true;
    },
    selectedKey() {
      if (selected.size === 1) return [...selected][0] ?? null;
      return active !== null && selected.has(active) ? active : null;
    },
    selectedKeys: () => keys.filter((k) => selected.has(k)),
    focus() {
      const index = indexOf.get(focusKey() ?? '');
      if (index === undefined) element.focus();
      else reach(index, true);
    },
    clearSelection() {
      selected.clear();
      anchor = null;
      draw();
    },
  };
}
