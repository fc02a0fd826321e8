/**
 * What the Snapshots page shows: which profile (when the settings file holds more than one), and
 * which machine on its destination. Every prefix on the destination is a machine of the household;
 * another machine's are marked read-only, and one that has had no good backup for longer than its
 * schedule allows is marked overdue, with how long it has been.
 */
import type { MachineView, ProfileChoices } from '../../electron/ipc/contract.js';
import { h, uniqueId } from '../shared/dom.js';
import { createListbox } from './listbox.js';
import { plural, shown } from './words.js';

export interface Chooser {
  /** The profile picker, above the page. */
  profileBar: HTMLElement;
  /** The machines on the destination, above the timeline. */
  machines: HTMLElement;
  showProfiles(choices: ProfileChoices): void;
  showMachines(machines: MachineView[], prefix: string): void;
}

export function createChooser(opts: {
  onProfile: (profile: string) => void;
  onMachine: (machine: MachineView) => void;
}): Chooser {
  const selectId = uniqueId('profile');
  const select = h('select', { id: selectId });
  select.addEventListener('change', () => opts.onProfile(select.value));
  const profileBar = h(
    'div',
    { class: 'profile-bar', hidden: true },
    h('label', { for: selectId }, 'Profile'),
    select,
  );
  const listbox = createListbox<MachineView>({
    label: 'Machines on this destination',
    onSelect: (m) => opts.onMachine(m),
  });
  const machines = h(
    'section',
    { class: 'machines', 'aria-labelledby': 'machines-title', hidden: true },
    h('h3', { id: 'machines-title', class: 'machines-title' }, 'Machines'),
    listbox.element,
  );

  function showProfiles(choices: ProfileChoices): void {
    select.replaceChildren(
      ...choices.profiles.map((p) =>
        h('option', { value: p.key, selected: p.key === choices.profile }, shown(p.label)),
      ),
    );
    select.value = choices.profile;
    profileBar.hidden = choices.profiles.length < 2;
  }

  function showMachines(list: MachineView[], prefix: string): void {
    listbox.setRows([{ title: '', rows: list.map((m) => machineRow(m)) }]);
    listbox.select(prefix, { silent: true });
    // One machine alone, and it is the one shown: nothing to choose.
    machines.hidden = list.length === 0 || (list.length === 1 && list[0]?.prefix === prefix);
  }

  return { profileBar, machines, showProfiles, showMachines };
}

function machineRow(m: MachineView) {
  const who = whoWords(m);
  const since = sinceWords(m);
  const badges = [
    m.own
      ? h('span', { class: 'badge own-badge' }, 'this machine')
      : h('span', { class: 'badge read-only-badge' }, 'read-only'),
    m.overdue ? h('span', { class: 'badge overdue-badge' }, 'overdue') : null,
  ];
  return {
    key: m.prefix,
    item: m,
    label: [shown(m.prefix), who, m.own ? 'this machine' : 'read-only', since]
      .filter(Boolean)
      .join(', '),
    className: m.overdue ? 'machine overdue' : 'machine',
    content: [
      h(
        'div',
        { class: 'machine-line' },
        h('span', { class: 'machine-prefix' }, shown(m.prefix)),
        ...badges,
      ),
      who !== '' ? h('div', { class: 'machine-who' }, who) : null,
      h('div', { class: m.overdue ? 'machine-since overdue-note' : 'machine-since' }, since),
    ].filter((n): n is HTMLDivElement => n !== null),
  };
}

/** "laptop, ann" from the owner file; text from the destination, control characters shown. */
function whoWords(m: MachineView): string {
  return [m.host, m.user]
    .filter((s): s is string => s !== null)
    .map(shown)
    .join(', ');
}

/** How long since the last good backup, and whether that is longer than its schedule allows. */
export function sinceWords(m: MachineView): string {
  if (m.lastGood === null) {
    return m.overdue ? 'Overdue: no good backup yet' : 'No good backup yet';
  }
  const ago =
    m.daysSinceGood === null || m.daysSinceGood === 0
      ? 'today'
      : `${plural(m.daysSinceGood, 'day')} ago`;
  return m.overdue ? `Overdue: last good backup ${ago}` : `Last good backup ${ago}`;
}
