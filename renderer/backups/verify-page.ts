/**
 * Verify Backups: compares a snapshot's files with the files here, by content, wherever size and
 * modification time say they should be the same; a difference means damage on one side. Progress
 * while it runs, and a result in words with what to do: for each damaged file, the intact copy
 * another snapshot holds, to restore, or that every snapshot with that version shares the damage.
 */
import type {
  BackupsEvent,
  BackupsWindowApi,
  DamagedFile,
  SnapshotSummary,
  VerifyReport,
} from '../../electron/ipc/contract.js';
import { button, group, h, uniqueId } from '../shared/dom.js';
import type { Ask } from './requests.js';
import type { RestoreFlow } from './restore-flow.js';
import { duration, plural, shown, STATE_WORDS } from './words.js';
import { formatTime } from '../shared/format.js';

export interface VerifyPage {
  element: HTMLElement;
  /** The snapshots to offer, newest first, and the one to preselect. */
  setSnapshots(snapshots: SnapshotSummary[], selected: string | null): void;
  onEvent(event: BackupsEvent): void;
  /** A restore runs: verifying waits. */
  setRunning(running: boolean): void;
}

const PHASES = {
  listing: 'Listing the snapshot…',
  comparing: 'Comparing sizes and times with the files here…',
  checking: 'Comparing contents…',
};

export function createVerifyPage(
  api: BackupsWindowApi,
  ask: Ask,
  restore: Pick<RestoreFlow, 'restoreGoodCopy'>,
): VerifyPage {
  const selectId = uniqueId('verify-snapshot');
  const select = h('select', { id: selectId });
  const start = button('Verify Backups', () => void run(), { class: 'primary' });
  const cancel = button('Cancel', () => void api.cancelOperation(), { hidden: true });
  const progress = h('progress', { max: 100, hidden: true, 'aria-label': 'Verify progress' });
  const status = h('p', { class: 'status', role: 'status' });
  const result = h('div', { class: 'verify-result', 'aria-live': 'polite' });
  let verifying = false;
  let restoring = false;
  let times = new Map<string, string>();

  const element = h(
    'div',
    { class: 'page-body' },
    group(
      {
        title: 'Verify Backups',
        description:
          'Reads a snapshot’s files and compares their contents with the files on this computer, ' +
          'wherever size and modification time say they are the same. A file that differs anyway ' +
          'was damaged, in the snapshot or here.',
      },
      h(
        'div',
        { class: 'card verify-card' },
        h(
          'div',
          { class: 'row-text' },
          h('label', { for: selectId }, 'Snapshot to verify'),
          select,
        ),
        h('div', { class: 'actions' }, start, cancel),
        progress,
        status,
      ),
    ),
    result,
  );

  function setSnapshots(snapshots: SnapshotSummary[], selected: string | null): void {
    times = new Map(snapshots.map((s) => [s.name, s.time]));
    const keep = select.value;
    select.replaceChildren(
      ...snapshots.map((s) =>
        h(
          'option',
          { value: s.name },
          `${formatTime(s.time)} — ${STATE_WORDS[s.state]} (${s.name})`,
        ),
      ),
    );
    const wanted = [keep, selected].find((n) => n && snapshots.some((s) => s.name === n));
    if (wanted) select.value = wanted;
    start.disabled = snapshots.length === 0 || verifying || restoring;
  }

  function setRunning(value: boolean): void {
    restoring = value;
    start.disabled = value || verifying || select.options.length === 0;
    for (const b of result.querySelectorAll<HTMLButtonElement>('button[data-restore]')) {
      b.disabled = value;
    }
  }

  /** A snapshot in words: its time, and its name. */
  function snapshotWords(name: string): string {
    const time = times.get(name);
    return time === undefined ? name : `${formatTime(time)} (${name})`;
  }

  /** What to do about one damaged file: restore the intact copy, or why there is none. */
  function damagedItem(verified: string, d: DamagedFile, compared: boolean): HTMLElement {
    const shared =
      d.sharedBy.length > 1
        ? `The damaged copy is one file shared by ${plural(d.sharedBy.length, 'snapshot')}: ` +
          `${d.sharedBy.map(snapshotWords).join(', ')}.`
        : `The damaged copy is only in ${snapshotWords(d.sharedBy[0] ?? verified)}.`;
    const good = d.goodCopy;
    if (good === null) {
      return h(
        'li',
        { class: 'damaged-file no-good-copy' },
        h('span', { class: 'path' }, shown(d.path)),
        h(
          'p',
          {},
          `${shared} No other snapshot holds an intact copy of this version: the damage is in ` +
            `every snapshot sharing this copy. ${
              compared
                ? 'The next backup compares the file by content and stores it as it is here, ' +
                  'instead of linking this copy again.'
                : 'If the file here is right, open and save it (or run touch on it) and back up ' +
                  'again: the next snapshot then stores a fresh copy.'
            }`,
        ),
      );
    }
    const action = button(
      'Restore Good Copy…',
      () =>
        void restore.restoreGoodCopy(verified, d, `the good copy of “${shown(baseName(d.path))}”`),
      {
        'data-restore': 'true',
        'aria-label': `Restore the good copy of ${shown(d.path)} from ${good.snapshot}`,
      },
    );
    action.disabled = restoring;
    return h(
      'li',
      { class: 'damaged-file' },
      h('span', { class: 'path' }, shown(d.path)),
      h(
        'p',
        {},
        `${shared} An intact copy of the same version, with the same content as the file here, ` +
          `is in ${snapshotWords(good.snapshot)}.`,
      ),
      action,
    );
  }

  async function run(): Promise<void> {
    const snapshot = select.value;
    if (snapshot === '' || verifying) return;
    verifying = true;
    start.disabled = true;
    cancel.hidden = false;
    progress.hidden = false;
    progress.removeAttribute('value');
    result.replaceChildren();
    status.textContent = 'Starting…';
    try {
      const report = await ask(
        () => api.verify({ snapshot }),
        (p) =>
          (status.textContent =
            p.reason === 'busy' ? p.message : `The check did not run. ${p.message}`),
      );
      if (report === null) return;
      status.textContent = `Done in ${duration(report.durationMs)}.`;
      result.replaceChildren(
        describe(report, (d) => damagedItem(report.snapshot, d, report.comparedByNextBackup)),
      );
    } finally {
      verifying = false;
      start.disabled = restoring;
      cancel.hidden = true;
      progress.hidden = true;
    }
  }

  function onEvent(event: BackupsEvent): void {
    if (event.type !== 'verify-progress' || !verifying) return;
    if (event.total > 0) {
      progress.max = event.total;
      progress.value = event.done;
      status.textContent = `Comparing contents: ${event.done.toLocaleString('en')} of ${plural(event.total, 'file')}…`;
    } else {
      progress.removeAttribute('value');
      status.textContent = PHASES[event.phase];
    }
  }

  return { element, setSnapshots, onEvent, setRunning };
}

function describe(r: VerifyReport, damagedItem: (d: DamagedFile) => HTMLElement): HTMLElement {
  if (r.outcome === 'cancelled') {
    return h('div', { class: 'card' }, h('p', {}, 'Stopped before every file was compared.'));
  }
  const parts: Node[] = [];
  if (r.eligible === 0) {
    parts.push(
      h('h3', {}, 'Nothing to compare'),
      h(
        'p',
        {},
        `No file on this computer has the same size and modification time as its copy in ${r.snapshot}, ` +
          'so there was nothing to compare by content. Verify a newer snapshot.',
      ),
    );
  } else if (r.mismatched.length === 0) {
    parts.push(
      h('h3', { class: 'good' }, 'Your backup is fine'),
      h(
        'p',
        {},
        `${plural(r.checked, 'file')} in ${r.snapshot} that ${r.checked === 1 ? 'is' : 'are'} ` +
          'unchanged here were compared by content: all identical.',
      ),
    );
  } else {
    parts.push(
      h(
        'h3',
        { class: 'bad' },
        `${plural(r.mismatched.length, 'file differs', 'files differ')} in content`,
      ),
      h(
        'p',
        {},
        `Of ${plural(r.checked, 'file')} compared, ${r.mismatched.length === 1 ? 'this one has' : 'these have'} ` +
          'the same size and modification time here and in the snapshot, but not the same content:',
      ),
      h(
        'ul',
        { class: 'path-list mismatched', 'aria-label': 'Files that differ' },
        ...r.mismatched.map((p) => h('li', { class: 'path' }, shown(p))),
      ),
    );
    // Where the engine looked for intact copies, each file says what to do about it.
    const damaged = r.mismatched
      .map((p) => r.damaged.find((d) => d.path === p))
      .filter((d) => d !== undefined);
    if (damaged.length > 0) {
      parts.push(
        h('h4', {}, 'What to do'),
        h(
          'ul',
          { class: 'damaged-files', 'aria-label': 'Damaged files' },
          ...damaged.map(damagedItem),
        ),
      );
    }
    if (damaged.length < r.mismatched.length) {
      parts.push(
        h(
          'p',
          {},
          'One of the two copies was damaged (a failing disk, or a program that wrote the file and ' +
            'put its old time back). ' +
            (r.comparedByNextBackup
              ? 'The next backup compares these files by content and stores them as they are ' +
                'here, instead of linking the snapshot’s copy again. If a file here is the damaged ' +
                'one, restore an older version of it from the Snapshots page before then; the ' +
                'earlier snapshots keep their copies either way.'
              : 'If the file here is right, change its modification time (open and save it, or ' +
                'run touch on it) and back up again: the next snapshot then stores a fresh copy. ' +
                'If the file here is the damaged one, restore an older version of it from the ' +
                'Snapshots page.'),
        ),
      );
    }
  }
  if (r.unchecked.length > 0) {
    parts.push(
      h('h4', {}, `${plural(r.unchecked.length, 'file')} could not be compared`),
      h(
        'ul',
        { class: 'path-list' },
        ...r.unchecked.map((u) =>
          h(
            'li',
            {},
            h('span', { class: 'path' }, shown(u.path)),
            h('span', { class: 'path-note' }, u.why),
          ),
        ),
      ),
    );
  }
  parts.push(h('p', { class: 'hint' }, `Compared: ${r.paths.map(shown).join(', ')}.`));
  return h(
    'div',
    { class: `card verify-outcome${r.mismatched.length > 0 ? ' alarm' : ''}` },
    ...parts,
  );
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
