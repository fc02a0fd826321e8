/**
 * The timeline: this profile's snapshots, newest first, each by when it was taken ("Today 00:42",
 * its name in the tooltip), what its run sent, and what is wrong with it, if anything. The last
 * week's snapshots are grouped by day, older ones by month; a date field jumps to a day.
 */
import type { SnapshotSummary } from '../../electron/ipc/contract.js';
import { h, uniqueId } from '../shared/dom.js';
import {
  daysAgo,
  formatClock,
  formatDate,
  formatDay,
  formatMonth,
  formatWhen,
  WEEK_DAYS,
} from '../shared/format.js';
import { createListbox, type Row, type RowGroup } from './listbox.js';
import { PROBLEM_STATES, sentWords, STATE_WORDS } from './words.js';

export interface Timeline {
  element: HTMLElement;
  show(snapshots: SnapshotSummary[], now: Date): void;
  /** Words the same snapshots again as of `now` ("Today" becomes "Yesterday" after midnight). */
  redate(now: Date): void;
  /** Selects a snapshot by name (the newest when it is gone); gives the one selected. */
  select(name: string | null): SnapshotSummary | null;
  selected(): SnapshotSummary | null;
  focus(): void;
}

/** A local calendar day as the value of a date field: "2026-12-06". */
function dateValue(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** The local day a date field's value names, from its start to the next day's. */
function dayRange(value: string): [number, number] | null {
  const m = /^(\d{4,})-(\d\d)-(\d\d)$/.exec(value);
  if (m === null) return null;
  const start = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const end = new Date(start.getFullYear(), start.getMonth(), start.getDate() + 1);
  return [start.getTime(), end.getTime()];
}

/**
 * The snapshot to show for a day: the newest taken that day, else the one nearest to it in time
 * (`snapshots` newest first).
 */
export function nearestSnapshot(
  snapshots: readonly SnapshotSummary[],
  value: string,
): SnapshotSummary | null {
  const range = dayRange(value);
  if (range === null) return null;
  const [start, end] = range;
  let best: SnapshotSummary | null = null;
  let bestDistance = Infinity;
  for (const s of snapshots) {
    const t = new Date(s.time).getTime();
    const distance = t < start ? start - t : t >= end ? t - end + 1 : 0;
    if (distance < bestDistance) {
      best = s;
      bestDistance = distance;
    }
  }
  return best;
}

/** A problem as its row says it: the row is the snapshot, so "this snapshot" rather than its name. */
function aboutThis(problem: string, name: string): string {
  const text = problem.replaceAll(name, 'this snapshot');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function createTimeline(onSelect: (snapshot: SnapshotSummary) => void): Timeline {
  let snapshots: SnapshotSummary[] = [];
  let shownAt = new Date();
  const listbox = createListbox<SnapshotSummary>({
    label: 'Snapshots, newest first',
    onSelect,
  });
  const empty = h('p', { class: 'empty-note', hidden: true }, 'There are no snapshots yet.');
  const jumpId = uniqueId('jump');
  const jumpField = h('input', { type: 'date', id: jumpId, class: 'jump-date' });
  const jumpNote = h('p', { class: 'jump-note hint', role: 'status' });
  const jump = h(
    'div',
    { class: 'timeline-jump', hidden: true },
    h('label', { for: jumpId }, 'Go to date'),
    jumpField,
    jumpNote,
  );
  jumpField.addEventListener('change', () => jumpTo(jumpField.value));
  const list = h('div', { class: 'timeline' }, listbox.element, empty);
  const element = h('div', { class: 'timeline-box' }, jump, list);

  function row(s: SnapshotSummary, now: Date, sameMinute: boolean): Row<SnapshotSummary> {
    const when = formatWhen(s.time, now, sameMinute);
    const sent =
      s.state === 'legacy' ? 'made by the old router script' : sentWords(s.files, s.bytesSent);
    const state = STATE_WORDS[s.state];
    const badge = PROBLEM_STATES.has(s.state);
    // An unreadable manifest is a fact about the record, not about the files: told, not alarmed.
    const problemClass = s.state === 'unknown' ? 'snapshot-note' : 'snapshot-problem';
    const problems = s.problems.map((p) => aboutThis(p, s.name));
    return {
      key: s.name,
      item: s,
      label: [when, state, sent, ...problems].filter(Boolean).join(', '),
      className: `state-${s.state}`,
      content: [
        h(
          'div',
          { class: 'snapshot-row', title: s.name },
          h(
            'div',
            { class: 'snapshot-line' },
            h('span', { class: 'snapshot-time' }, when),
            badge ? h('span', { class: `badge state-badge state-${s.state}` }, state) : null,
          ),
          sent ? h('div', { class: 'snapshot-sent' }, sent) : null,
          ...problems.map((p) => h('div', { class: problemClass }, p)),
        ),
      ],
    };
  }

  /** The last week by day, older snapshots by month. */
  function groupTitle(time: Date, now: Date): string {
    return daysAgo(time, now) < WEEK_DAYS ? formatDay(time, now) : formatMonth(time);
  }

  function show(list: SnapshotSummary[], now: Date): void {
    snapshots = list;
    shownAt = now;
    const groups: RowGroup<SnapshotSummary>[] = [];
    const minuteOf = (s: SnapshotSummary) => {
      const t = new Date(s.time);
      return `${formatDate(t)} ${formatClock(t)}`;
    };
    const minutes = new Map<string, number>();
    for (const s of list) minutes.set(minuteOf(s), (minutes.get(minuteOf(s)) ?? 0) + 1);
    for (const s of list) {
      const title = groupTitle(new Date(s.time), now);
      let g = groups.at(-1);
      if (g === undefined || g.title !== title) {
        g = { title, rows: [] };
        groups.push(g);
      }
      g.rows.push(row(s, now, (minutes.get(minuteOf(s)) ?? 0) > 1));
    }
    listbox.setRows(groups);
    empty.hidden = list.length > 0;
    // A date to go to once there is more than one day or month to go between.
    jump.hidden = groups.length < 2;
    jumpNote.textContent = '';
    const newest = list[0];
    const oldest = list.at(-1);
    if (newest !== undefined && oldest !== undefined) {
      jumpField.max = dateValue(new Date(newest.time));
      jumpField.min = dateValue(new Date(oldest.time));
    }
  }

  function jumpTo(value: string): void {
    const target = nearestSnapshot(snapshots, value);
    if (target === null) return;
    const sameDay = dateValue(new Date(target.time)) === value;
    jumpNote.textContent = sameDay
      ? ''
      : `No snapshot that day: the nearest is ${formatWhen(target.time, shownAt)}.`;
    listbox.select(target.name);
    list.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'center' });
  }

  function select(name: string | null): SnapshotSummary | null {
    const target = snapshots.find((s) => s.name === name) ?? snapshots[0] ?? null;
    if (target === null) return null;
    listbox.select(target.name, { silent: true });
    return target;
  }

  function redate(now: Date): void {
    const selected = listbox.selectedKey();
    const hadFocus = list.contains(document.activeElement);
    const scrolled = list.scrollTop;
    show(snapshots, now);
    if (selected !== null) listbox.select(selected, { silent: true });
    list.scrollTop = scrolled;
    if (hadFocus) listbox.focus();
  }

  return {
    element,
    show,
    redate,
    select,
    selected: () => snapshots.find((s) => s.name === listbox.selectedKey()) ?? null,
    focus: () => listbox.focus(),
  };
}
