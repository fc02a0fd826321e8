/**
 * The Backups window: the snapshots of a profile, or of another machine on its destination
 * (read-only), on a timeline, browsing one snapshot folder
 * by folder, versions and restores; the history of runs with their logs; and Verify Backups.
 */
import type { MachineView, SnapshotSummary, Timeline } from '../../electron/ipc/contract.js';
import { backupsApi } from '../shared/api.js';
import { button, h } from '../shared/dom.js';
import { createWindowFrame } from '../shared/window-frame.js';
import { createBrowser, type Item, type Place } from './browser.js';
import { createChooser } from './chooser.js';
import { createDetails } from './details.js';
import { createHistoryPage } from './history-page.js';
import { createOverviewPage } from './overview-page.js';
import { createAsk, type Problem } from './requests.js';
import { createRestoreFlow } from './restore-flow.js';
import { createRunningRow } from './running-row.js';
import { createSearch } from './search.js';
import { createTimeline } from './timeline.js';
import { createVerifyPage } from './verify-page.js';

const TITLE = 'Snaptray Backups';
/** How often the window looks whether the day changed. */
const DAY_CHECK_MS = 60_000;

const api = backupsApi();
const ask = createAsk(api);
const root = document.getElementById('app');
if (root) build(root);

function build(app: HTMLElement): void {
  let snapshots: SnapshotSummary[] = [];
  let loading = 0;

  const statePanel = h('div', { class: 'state-panel', hidden: true });
  // Busy is said here, once for the whole window; what is shown stays browsable (requests.ts).
  const busyText = h('p', {});
  const busyNotice = h(
    'div',
    { class: 'banner busy-notice', role: 'status', hidden: true },
    busyText,
    button('Try Now', () => ask.tryNow(), { class: 'flat' }),
  );
  ask.onBusy((p) => (p === null ? (busyNotice.hidden = true) : showProblem(p)));
  const destinationLine = h('p', { class: 'destination-line' });
  const readOnlyNote = h(
    'p',
    { class: 'read-only-note', hidden: true },
    h('span', { class: 'badge read-only-badge' }, 'read-only'),
    ' Another machine’s backups: browse them and restore to a folder you choose. Nothing here changes them.',
  );
  const chooser = createChooser({
    onProfile: (profile) => void choose(profile, null),
    onMachine: (m: MachineView) => void choose(null, m.prefix),
  });
  let profile: string | null = null;
  const reload = button('Reload', () => void loadTimeline(), {
    class: 'flat',
    'aria-label': 'Read the snapshots again',
    title: 'Read the snapshots again (F5)',
  });
  const timeline = createTimeline((s) => {
    search.close();
    void browser.showSnapshot(s);
  });
  const runningRow = createRunningRow(api);
  const overview = createOverviewPage({
    api,
    onStatus: (status, ended) => {
      runningRow.show(status);
      // The run's snapshot takes the running row's place.
      if (ended) {
        void loadTimeline();
        void history.load();
      }
    },
  });
  const actionBar = h('footer', { class: 'actionbar' });
  const restore = createRestoreFlow({
    api,
    ask,
    bar: actionBar,
    running: (busy) => {
      details.setRunning(busy);
      verify.setRunning(busy);
    },
    done: () => {
      void browser.reload();
      void history.load();
    },
  });
  const details = createDetails({
    api,
    ask,
    restore,
    timeOf: (name) => snapshots.find((s) => s.name === name)?.time ?? null,
    previousOf: (name) => {
      const i = snapshots.findIndex((s) => s.name === name);
      const older = snapshots
        .slice(i + 1)
        .find((s) => s.state === 'ok' || s.state === 'partial' || s.state === 'legacy');
      return older?.name ?? null;
    },
  });
  const browser = createBrowser({
    api,
    ask,
    onSelection: (item: Item | null, place: Place) => details.show(item, place),
    onSeveral: (items: Item[], place: Place) => details.showSeveral(items, place),
    onUnreachable: (problem) => showProblem(problem),
  });
  const search = createSearch({
    api,
    ask,
    onOpen: (open) => {
      browser.element.hidden = open;
    },
    onChoose: async (match, name) => {
      const shown = timeline.select(name);
      if (shown === null || shown.name !== name) {
        destinationLine.textContent = `${name} is no longer on the destination: reload the list.`;
        return;
      }
      await browser.showSnapshot(shown);
      if (!(await browser.reveal(match.path))) {
        destinationLine.textContent = `${match.path} is not in the snapshot shown.`;
      }
    },
  });
  const history = createHistoryPage(api);
  const verify = createVerifyPage(api, ask, restore);

  const snapshotsPage = h(
    'div',
    { class: 'snapshots-page' },
    chooser.profileBar,
    statePanel,
    h(
      'div',
      { class: 'snapshots-layout' },
      h(
        'section',
        { class: 'timeline-pane', 'aria-labelledby': 'timeline-title' },
        chooser.machines,
        h('div', { class: 'pane-head' }, h('h3', { id: 'timeline-title' }, 'Timeline'), reload),
        destinationLine,
        readOnlyNote,
        runningRow.element,
        timeline.element,
      ),
      h(
        'div',
        { class: 'browse-pane' },
        search.field,
        search.results,
        browser.element,
        details.element,
      ),
    ),
  );

  const frame = createWindowFrame({
    title: TITLE,
    sidebarLabel: 'Backups pages',
    wideContent: true,
    pages: [
      { id: 'overview', title: 'Overview', icon: 'destination', element: overview.element },
      {
        id: 'snapshots',
        title: 'Snapshots',
        icon: 'clock',
        element: snapshotsPage,
        layout: 'fill',
      },
      {
        id: 'history',
        title: 'History',
        icon: 'history',
        element: history.element,
        layout: 'fill',
      },
      { id: 'verify', title: 'Verify', icon: 'verify', element: verify.element },
    ],
    banner: busyNotice,
    actionBar,
    onPageShown: (id) => {
      if (id === 'history') void history.load();
    },
  });
  app.replaceChildren(frame.element);
  document.title = TITLE;

  function showProblem(problem: Problem): void {
    if (problem.reason === 'busy') {
      busyText.textContent = problem.message;
      busyNotice.hidden = false;
      return;
    }
    const titles: Record<Problem['reason'], string> = {
      unreachable: 'The destination cannot be reached',
      busy: 'Busy: the backup is running',
      'not-set-up': 'Snaptray is not set up yet',
      'not-found': 'The snapshots could not be read',
      invalid: 'The snapshots could not be read',
      refused: 'The snapshots could not be read',
      declined: 'The snapshots could not be read',
      failed: 'The snapshots could not be read',
    };
    const action =
      problem.reason === 'not-set-up'
        ? null
        : button('Retry', () => void loadTimeline(), { class: 'primary' });
    statePanel.replaceChildren(
      h(
        'div',
        { class: `state-card state-${problem.reason}`, role: 'alert' },
        h('h3', {}, titles[problem.reason]),
        h('p', {}, problem.message),
        problem.reason === 'not-set-up'
          ? h('p', { class: 'hint' }, 'Choose Settings… in the Snaptray menu to set it up.')
          : null,
        action,
      ),
    );
    statePanel.hidden = false;
    snapshotsPage.classList.add('has-problem');
    action?.focus();
  }

  function clearProblem(): void {
    statePanel.hidden = true;
    statePanel.replaceChildren();
    snapshotsPage.classList.remove('has-problem');
  }

  /** Shows another profile (its own prefix), or another machine of the profile shown. */
  async function choose(nextProfile: string | null, prefix: string | null): Promise<void> {
    const chosen = nextProfile ?? profile;
    if (chosen === null) return;
    const done = await api.chooseView({ profile: chosen, prefix });
    if (!done.ok) {
      showProblem(done);
      return;
    }
    profile = chosen;
    void overview.load(chosen);
    search.reset();
    timeline.show([], new Date());
    await loadTimeline();
    if (nextProfile !== null) void history.load();
  }

  async function loadProfiles(): Promise<void> {
    const choices = await api.listProfiles();
    if (!choices.ok) return;
    profile = choices.value.profile;
    chooser.showProfiles(choices.value);
    void overview.load(profile);
  }

  async function loadTimeline(): Promise<void> {
    const mine = ++loading;
    const current = () => mine === loading;
    const selected = timeline.selected()?.name ?? null;
    clearProblem();
    snapshotsPage.setAttribute('aria-busy', 'true');
    destinationLine.textContent = 'Reading the snapshots…';
    try {
      const t: Timeline | null = await ask(() => api.loadTimeline(), showProblem, current);
      if (t === null) {
        if (current()) destinationLine.textContent = '';
        return;
      }
      clearProblem();
      snapshots = t.snapshots;
      destinationLine.textContent = `${t.prefix} on ${t.destination}`;
      chooser.showMachines(t.machines, t.prefix);
      readOnlyNote.hidden = !t.readOnly;
      snapshotsPage.classList.toggle('read-only', t.readOnly);
      details.setReadOnly(t.readOnly);
      runningRow.setReadOnly(t.readOnly);
      overview.setShown({
        readOnly: t.readOnly,
        prefix: t.prefix,
        machine: t.machines.find((m) => m.prefix === t.prefix) ?? null,
      });
      timeline.show(t.snapshots, new Date());
      const shown = timeline.select(selected);
      verify.setSnapshots(t.snapshots, shown?.name ?? null);
      if (shown !== null) await browser.showSnapshot(shown);
    } finally {
      if (current()) snapshotsPage.removeAttribute('aria-busy');
    }
  }

  /**
   * Goes where the app opened the window for: History, of a profile, at a run; or a file's
   * versions in the newest snapshot (after the snapshots are read).
   */
  async function followOpenRequest(timelineRead: Promise<void>): Promise<void> {
    const request = await api.takeOpenRequest();
    if (request === null) return;
    if (request.page === 'snapshots') {
      frame.showPage('snapshots');
      await timelineRead;
      if (!(await browser.reveal(request.path))) {
        destinationLine.textContent = `${request.path} is not in the snapshot shown.`;
      }
      return;
    }
    if (request.profile !== null && request.profile !== profile) {
      await choose(request.profile, null);
    }
    frame.showPage('history', { focus: true });
    if (request.run !== null) await history.showRun(request.run);
  }

  api.onBackupsEvent((event) => {
    if (event.type === 'open-request') {
      void followOpenRequest(browser.place() === null ? loadTimeline() : Promise.resolve());
    }
    restore.onEvent(event);
    verify.onEvent(event);
    overview.onEvent(event);
  });
  // "Today" and "Yesterday" move on at midnight, also for a window left open overnight or a
  // laptop that slept through it: checked each minute, and said again when the day changed.
  let today = new Date().toDateString();
  window.setInterval(() => {
    const now = new Date();
    if (now.toDateString() === today) return;
    today = now.toDateString();
    timeline.redate(now);
    overview.redraw();
  }, DAY_CHECK_MS);
  window.addEventListener('keydown', (event) => {
    if (
      event.key === 'F5' ||
      ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'r')
    ) {
      event.preventDefault();
      void loadTimeline();
    }
  });
  void loadProfiles().then(() => {
    const timelineRead = loadTimeline();
    return Promise.all([timelineRead, followOpenRequest(timelineRead)]);
  });
}
