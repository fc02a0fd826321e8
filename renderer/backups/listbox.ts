/**
 * A list the keyboard can walk, as GNOME's and KDE's lists are: Tab reaches the selected row,
 * the arrow keys (and Home, End, Page Up, Page Down) move the selection, Enter activates a row.
 * Rows may sit in labelled groups (the days of the timeline). Screen readers hear each row by its
 * label.
 */
import { h, uniqueId } from '../shared/dom.js';

export interface Row<T> {
  key: string;
  item: T;
  /** What a screen reader says for the row. */
  label: string;
  /** The row's visible parts. */
  content: Node[];
  className?: string;
}

export interface RowGroup<T> {
  title: string;
  rows: Row<T>[];
}

export interface ListboxOptions<T> {
  label: string;
  /** Called when the selection moves to a row (by click, keys or `select`). */
  onSelect: (item: T) => void;
  /** Enter or a double click: open a folder, for instance. */
  onActivate?: (item: T) => void;
  /** Extra keys, such as Backspace for the parent folder; return true when handled. */
  onKey?: (event: KeyboardEvent) => boolean;
}

export interface Listbox<T> {
  element: HTMLElement;
  setRows(groups: RowGroup<T>[]): void;
  /** Selects the row with this key; false when there is none. */
  select(key: string, opts?: { focus?: boolean; silent?: boolean }): boolean;
  selectedKey(): string | null;
  focus(): void;
  clearSelection(): void;
}

export function createListbox<T>(options: ListboxOptions<T>): Listbox<T> {
  const element = h('div', {
    role: 'listbox',
    class: 'listbox',
    'aria-label': options.label,
    tabindex: 0,
  });
  let rows: Array<{ row: Row<T>; node: HTMLElement }> = [];
  let selected: string | null = null;

  function setRows(groups: RowGroup<T>[]): void {
    rows = [];
    const children: Node[] = [];
    for (const g of groups) {
      const nodes = g.rows.map((row) => {
        const node = h(
          'div',
          {
            role: 'option',
            id: uniqueId('row'),
            class: `row-item${row.className ? ` ${row.className}` : ''}`,
            'aria-selected': 'false',
            'aria-label': row.label,
            tabindex: -1,
          },
          ...row.content,
        );
        node.addEventListener('click', () => choose(row.key, { focus: true }));
        node.addEventListener('dblclick', () => options.onActivate?.(row.item));
        rows.push({ row, node });
        return node;
      });
      if (g.title === '') {
        children.push(...nodes);
      } else {
        const heading = h('div', { class: 'group-heading', id: uniqueId('day') }, g.title);
        children.push(
          h(
            'div',
            { role: 'group', class: 'row-group', 'aria-labelledby': heading.id },
            heading,
            ...nodes,
          ),
        );
      }
    }
    element.replaceChildren(...children);
    const keep = selected !== null && rows.some((r) => r.row.key === selected);
    if (!keep) selected = null;
    paint();
  }

  function paint(): void {
    const focusable = selected ?? rows[0]?.row.key ?? null;
    for (const { row, node } of rows) {
      node.setAttribute('aria-selected', String(row.key === selected));
      node.tabIndex = row.key === focusable ? 0 : -1;
    }
    // With rows, the rows take Tab; an empty list keeps its own place in the tab order.
    element.tabIndex = rows.length === 0 ? 0 : -1;
  }

  function choose(key: string, opts: { focus?: boolean; silent?: boolean } = {}): boolean {
    const found = rows.find((r) => r.row.key === key);
    if (found === undefined) return false;
    const changed = selected !== key;
    selected = key;
    paint();
    if (opts.focus) found.node.focus();
    found.node.scrollIntoView({ block: 'nearest' });
    if (changed && opts.silent !== true) options.onSelect(found.row.item);
    return true;
  }

  element.addEventListener('keydown', (event) => {
    if (options.onKey?.(event)) {
      event.preventDefault();
      return;
    }
    const index = rows.findIndex((r) => r.node === document.activeElement);
    const last = rows.length - 1;
    if (last < 0) return;
    const page = Math.max(1, Math.floor(element.clientHeight / 44));
    const target = {
      ArrowDown: Math.min(last, index + 1),
      ArrowUp: Math.max(0, index - 1),
      Home: 0,
      End: last,
      PageDown: Math.min(last, index + page),
      PageUp: Math.max(0, index - page),
    }[event.key];
    if (target !== undefined) {
      event.preventDefault();
      const row = rows[index < 0 && event.key === 'ArrowDown' ? 0 : target];
      if (row) choose(row.row.key, { focus: true });
      return;
    }
    if ((event.key === 'Enter' || event.key === ' ') && index >= 0) {
      event.preventDefault();
      const row = rows[index];
      if (row === undefined) return;
      choose(row.row.key, { focus: true });
      if (event.key === 'Enter') options.onActivate?.(row.row.item);
    }
  });

  return {
    element,
    setRows,
    select: choose,
    selectedKey: () => selected,
    focus() {
      const target = rows.find((r) => r.row.key === selected) ?? rows[0];
      if (target) target.node.focus();
      else element.focus();
    },
    clearSelection() {
      selected = null;
      paint();
    },
  };
}
