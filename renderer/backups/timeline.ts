/**
 * The timeline: this profile's snapshots, newest first, grouped by day, each with its time,
 * state, what its run sent, and what is wrong with it, if anything.
 */
import type { SnapshotSummary } from '../../electron/ipc/contract.js';
import { h } from '../shared/dom.js';
import { createListbox, type Row, type RowGroup } from './listbox.js';
import { clockTime, dayKey, dayTitle, sentWords, STATE_WORDS } from './words.js';

export interface Timeline {
  element: HTMLElement;
  show(snapshots: SnapshotSummary[], now: Date): void;
  /** Selects a snapshot by name (the newest when it is gone); gives the one selected. */
  select(name: string | null): SnapshotSummary | null;
  selected(): SnapshotSummary | null;
  focus(): void;
}

export function createTimeline(onSelect: (snapshot: SnapshotSummary) => void): Timeline {
  let snapshots: SnapshotSummary[] = [];
  const listbox = createListbox<SnapshotSummary>({
    label: 'Snapshots, newest first',
    onSelect,
  });
  const empty = h('p', { class: 'empty-note', hidden: true }, 'There are no snapshots yet.');
  const element = h('div', { class: 'timeline' }, listbox.element, empty);

  function row(s: SnapshotSummary, sameMinute: boolean): Row<SnapshotSummary> {
    const time = clockTime(s.time, sameMinute);
    const sent = sentWords(s.files, s.bytesSent);
    const state = STATE_WORDS[s.state];
    const problems = s.problems.length > 0 ? s.problems.join(' ') : null;
    return {
      key: s.name,
      item: s,
      label: [time, state, sent, problems].filter(Boolean).join(', '),
      className: `state-${s.state}`,
      content: [
        h(
          'div',
          { class: 'snapshot-line' },
          h('span', { class: 'snapshot-time' }, time),
          h('span', { class: `badge state-badge state-${s.state}` }, state),
        ),
        sent ? h('div', { class: 'snapshot-sent' }, sent) : null,
        ...s.problems.map((p) => h('div', { class: 'snapshot-problem' }, p)),
      ].filter((n): n is HTMLDivElement => n !== null),
    };
  }

  function show(list: SnapshotSummary[], now: Date): void {
    snapshots = list;
    const groups: RowGroup<SnapshotSummary>[] = [];
    const minutes = new Map<string, number>();
    for (const s of list) {
      const key = clockTime(s.time) + dayKey(new Date(s.time));
      minutes.set(key, (minutes.get(key) ?? 0) + 1);
    }
    for (const s of list) {
      const day = dayTitle(new Date(s.time), now);
      let g = groups.at(-1);
      if (g === undefined || g.title !== day) {
        g = { title: day, rows: [] };
        groups.push(g);
      }
      const sameMinute = (minutes.get(clockTime(s.time) + dayKey(new Date(s.time))) ?? 0) > 1;
      g.rows.push(row(s, sameMinute));
    }
    listbox.setRows(groups);
    empty.hidden = list.length > 0;
  }

  function select(name: string | null): SnapshotSummary | null {
    const target = snapshots.find((s) => s.name === name) ?? snapshots[0] ?? null;
    if (target === null) return null;
    listbox.select(target.name, { silent: true });
    return target;
  }

  return {
    element,
    show,
    select,
    selected: () => snapshots.find((s) => s.name === listbox.selectedKey()) ?? null,
    focus: () => listbox.focus(),
  };
}
