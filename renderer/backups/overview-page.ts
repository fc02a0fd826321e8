/**
 * The Overview page: the profile shown as the tray knows it, live. Its state in words, the last
 * good backup, the next one, Back Up Now or Stop, and what went wrong with what to do about it.
 * On a desktop without a tray (stock GNOME) this is the only place to see it. Another machine's
 * backups (read-only) are only described: they are made on that machine.
 */
import type {
  BackupStatus,
  BackupsEvent,
  BackupsResult,
  BackupsWindowApi,
  MachineView,
} from '../../electron/ipc/contract.js';
import { button, h } from '../shared/dom.js';
import { formatBytes, formatCount } from '../shared/format.js';
import { progressWords, runWords, whenInText, whenWords } from './status-words.js';

export interface ShownMachine {
  /** Another machine's prefix is shown: nothing here may back it up. */
  readOnly: boolean;
  prefix: string;
  /** The prefix shown, as the destination's listing describes it. */
  machine: MachineView | null;
}

export interface OverviewPage {
  element: HTMLElement;
  /** Reads the state of this profile, and follows its changes from then on. */
  load(profile: string): Promise<void>;
  onEvent(event: BackupsEvent): void;
  /** What the timeline read: whose snapshots are shown. */
  setShown(shown: ShownMachine): void;
  /** Says the same state again as of now (times such as "Today 14:02" after midnight). */
  redraw(): void;
}

interface Problem {
  title: string;
  message: string;
  actions: HTMLButtonElement[];
}

export function createOverviewPage(deps: {
  api: BackupsWindowApi;
  /** The state changed; `ended`: a run of this profile has just ended. */
  onStatus: (status: BackupStatus | null, ended: boolean) => void;
}): OverviewPage {
  const { api } = deps;
  // Said when the state changes (a run starts, ends, fails); the progress is not read out.
  const title = h('h3', { class: 'overview-title', id: 'overview-title', 'aria-live': 'polite' });
  const summary = h('p', { class: 'overview-summary' });
  const progress = h('progress', { max: 100, hidden: true, 'aria-label': 'Backup progress' });
  const actions = h('div', { class: 'overview-actions' });
  const hero = h(
    'section',
    { class: 'overview-hero', 'aria-labelledby': 'overview-title' },
    title,
    summary,
    progress,
    actions,
  );
  const problemSlot = h('div', { class: 'overview-problem-slot' });
  const problemActions = h('div', { class: 'overview-actions' });
  const facts = h('div', { class: 'list overview-facts' });
  const element = h('div', { class: 'overview' }, hero, problemSlot, facts);

  let profile: string | null = null;
  let status: BackupStatus | null = null;
  /** Why there is no status (the answer of loadStatus), when there is none. */
  let unavailable: Extract<BackupsResult<unknown>, { ok: false }> | null = null;
  let shown: ShownMachine = { readOnly: false, prefix: '', machine: null };
  /** A request of a button is on its way: the buttons wait for its answer. */
  let asking = false;
  let loads = 0;

  async function load(next: string): Promise<void> {
    const mine = ++loads;
    profile = next;
    const answer = await api.loadStatus();
    if (mine !== loads) return;
    if (answer.ok && answer.value.profile !== profile) return;
    take(answer.ok ? answer.value : null, answer.ok ? null : answer);
  }

  function take(
    next: BackupStatus | null,
    why: Extract<BackupsResult<unknown>, { ok: false }> | null,
  ): void {
    const ended = status !== null && status.run !== null && (next === null || next.run === null);
    status = next;
    unavailable = why;
    render();
    deps.onStatus(status, ended);
  }

  function onEvent(event: BackupsEvent): void {
    if (event.type !== 'status' || event.status.profile !== profile) return;
    take(event.status, null);
  }

  function setShown(next: ShownMachine): void {
    shown = next;
    render();
  }

  /** Runs a button's request; a problem it answers is shown until the next state. */
  async function act(request: (profile: string) => Promise<BackupsResult<null>>): Promise<void> {
    const target = status?.profile ?? profile;
    if (target === null) return;
    asking = true;
    render();
    try {
      const answer = await request(target);
      if (!answer.ok) unavailable = answer;
    } finally {
      asking = false;
      render();
    }
  }

  // The same buttons throughout: redrawn each second while a backup runs, they keep the focus.
  const backUpButton = button('Back Up Now', () => void act((p) => api.backUpNow({ profile: p })));
  const tryAgainButton = button('Try Again', () => void act((p) => api.backUpNow({ profile: p })));
  const stopButton = button('Stop', () => void act((p) => api.stopBackup({ profile: p })));
  const resumeButton = button('Resume', () => void act((p) => api.resumeBackups({ profile: p })));
  const settingsButton = button('Open Settings…', () => void api.openSettings());
  const setUpButton = button('Set Up Backups…', () => void api.openSettings());
  stopButton.setAttribute('aria-label', 'Stop the backup');

  function render(): void {
    const now = new Date();
    progress.hidden = true;
    for (const b of [backUpButton, tryAgainButton, stopButton, resumeButton]) b.disabled = asking;
    if (shown.readOnly) return renderOtherMachine(now);
    if (status === null) {
      const notSetUp = unavailable?.reason === 'not-set-up';
      fill({
        heading: notSetUp ? 'Not set up yet' : 'The state of the backups is not known',
        text: unavailable?.message ?? 'Reading the state of the backups…',
        buttons: notSetUp ? [setUpButton] : [],
      });
      return;
    }
    const s = status;
    const problem = problemOf(s, now);
    const rows: Array<[string, string]> = [['Last backup', lastBackupWords(s, now)]];
    const next = nextWords(s, now);
    if (next !== null) rows.push(next);
    if (s.run !== null) {
      const words = progressWords(s.run.progress);
      const percent = s.run.progress?.percent ?? null;
      progress.hidden = s.run.stopping;
      if (percent === null) progress.removeAttribute('value');
      else progress.value = percent;
      stopButton.textContent = s.run.stopping ? 'Stopping…' : 'Stop';
      stopButton.disabled = asking || s.run.stopping;
      fill({
        heading: runWords(s.run),
        text: words !== '' ? words : `Started ${whenInText(s.run.startedAt, now)}.`,
        buttons: [stopButton],
        problem,
        rows,
      });
      return;
    }
    if (!s.setUp) {
      fill({
        heading: 'Not set up yet',
        text: 'Choose where to back up and which folders, then backups run on their own.',
        buttons: [setUpButton],
        problem,
      });
      return;
    }
    backUpButton.className = s.pause.paused ? '' : 'primary';
    if (s.pause.paused) {
      const until =
        s.pause.until === null ? 'until you resume' : `until ${whenInText(s.pause.until, now)}`;
      resumeButton.className = 'primary';
      fill({
        heading: 'Backups are paused',
        text: `Paused ${until}.`,
        buttons: [resumeButton, backUpButton],
        problem,
        rows,
      });
      return;
    }
    if (problem !== null) {
      // The problem is the state: in words, with what to do about it.
      tryAgainButton.className = 'primary';
      fill({
        heading: problem.title,
        text: problem.message,
        buttons: problem.actions,
        rows,
        alarm: true,
      });
      return;
    }
    if (s.lastBackup === null) {
      fill({
        heading: 'No backups yet',
        text:
          s.next === null
            ? 'Back up now to make the first snapshot.'
            : `The first backup is planned for ${whenInText(s.next, now)}.`,
        buttons: [backUpButton],
        rows,
      });
      return;
    }
    fill({
      heading: s.overdue
        ? 'Backups are overdue'
        : s.lastBackup.partial
          ? 'Backed up, with errors'
          : 'Backed up',
      text: s.overdue
        ? overdueWords(s, now)
        : `The last backup finished ${whenInText(s.lastBackup.endedAt, now)}.`,
      buttons: [backUpButton],
      rows,
      alarm: s.overdue,
    });
  }

  /** What is wrong, and what to do about it; null when nothing is. */
  function problemOf(s: BackupStatus, now: Date): Problem | null {
    if (unavailable !== null) {
      return { title: 'That did not work', message: unavailable.message, actions: [] };
    }
    if (s.settingsProblem !== null) {
      return {
        title: 'The settings cannot be used',
        message: s.settingsProblem,
        actions: [settingsButton],
      };
    }
    if (s.run !== null) return null;
    if (s.waitingForDisk !== null) {
      return {
        title: 'Waiting for the backup disk',
        message: `Nothing is mounted at ${s.waitingForDisk}: connect the backup disk, and the backup starts by itself.`,
        actions: [tryAgainButton],
      };
    }
    const failure = s.lastFailure;
    if (failure === null) return null;
    return {
      title: failure.skipped ? 'The destination could not be reached' : 'The last backup failed',
      message: `${whenWords(failure.at, now)}: ${failure.reason}`,
      actions: [tryAgainButton, settingsButton],
    };
  }

  function renderOtherMachine(now: Date): void {
    const m = shown.machine;
    const who =
      m?.host != null ? `${m.host}${m.user != null ? ` (${m.user})` : ''}` : 'that machine';
    fill({
      heading: `Another machine’s backups: ${shown.prefix}`,
      text:
        `These backups are made on ${who}; here they are read-only.` +
        (m?.overdue === true ? ' They are overdue.' : ''),
      buttons: [],
      rows: [
        ['Last backup', m?.lastGood ? whenWords(m.lastGood.time, now) : 'None'],
        ['Snapshots', m === null ? 'Unknown' : formatCount(m.snapshots, 'snapshot', 'snapshots')],
      ],
    });
  }

  function fill(view: {
    heading: string;
    text: string;
    buttons: HTMLButtonElement[];
    /** A problem beside the state (a run, a pause): shown under it with its own action. */
    problem?: Problem | null;
    rows?: Array<[string, string]>;
    alarm?: boolean;
  }): void {
    const { problem = null, rows = [] } = view;
    title.textContent = view.heading;
    summary.textContent = view.text;
    summary.hidden = view.text === '';
    hero.classList.toggle('alarm', view.alarm === true);
    keepChildren(actions, view.buttons);
    actions.hidden = view.buttons.length === 0;
    problemSlot.replaceChildren();
    if (problem !== null) {
      problemSlot.append(
        h(
          'div',
          { class: 'overview-problem', role: 'alert' },
          h('h4', {}, problem.title),
          h('p', {}, problem.message),
        ),
      );
      keepChildren(problemActions, problem.actions);
      problemSlot.firstElementChild?.append(problemActions);
    }
    facts.replaceChildren(
      ...rows.map(([label, value]) =>
        h(
          'div',
          { class: 'row overview-fact' },
          h('span', { class: 'fact-label' }, label),
          h('span', { class: 'fact-value' }, value),
        ),
      ),
    );
    facts.hidden = rows.length === 0;
  }

  render();
  return { element, load, onEvent, setShown, redraw: render };
}

/** Puts these nodes in `parent`, leaving it alone when they are there already (focus stays). */
function keepChildren(parent: HTMLElement, nodes: HTMLElement[]): void {
  const current = [...parent.children];
  if (current.length === nodes.length && current.every((c, i) => c === nodes[i])) return;
  parent.replaceChildren(...nodes);
}

function lastBackupWords(s: BackupStatus, now: Date): string {
  const last = s.lastBackup;
  if (last === null) return 'None yet';
  const sent: string[] = [];
  if (last.files !== null) sent.push(formatCount(last.files, 'file', 'files'));
  if (last.bytesSent !== null) sent.push(`${formatBytes(last.bytesSent)} sent`);
  const when = whenWords(last.endedAt, now) + (last.partial ? ' (with errors)' : '');
  return sent.length > 0 ? `${when} — ${sent.join(', ')}` : when;
}

/** The next backup, or, overdue or after a failure, the next attempt. */
function nextWords(s: BackupStatus, now: Date): [string, string] | null {
  if (!s.setUp || s.run !== null) return null;
  if (s.pause.paused) {
    return s.pause.until === null ? null : ['Next backup', 'After the pause'];
  }
  if (s.waitingForDisk !== null) return ['Next backup', 'When the backup disk is connected'];
  if (s.next === null) return null;
  const retry = s.overdue || (s.lastFailure !== null && !s.lastFailure.skipped);
  const when = new Date(s.next).getTime() <= now.getTime() ? 'Now' : whenWords(s.next, now);
  const row: [string, string] = [retry ? 'Next attempt' : 'Next backup', when];
  if (s.waitReason !== null) row[1] += ` (${s.waitReason})`;
  return row;
}

function overdueWords(s: BackupStatus, now: Date): string {
  const since = s.overdueSince ?? s.lastBackup?.endedAt ?? null;
  if (since === null) return 'No backup has succeeded yet.';
  const days = Math.max(0, Math.floor((now.getTime() - new Date(since).getTime()) / 86_400_000));
  return `No backup for ${formatCount(days, 'day', 'days')}.`;
}
