/**
 * Restoring, from the click to the result: what the restore would do (a dry run of the very same
 * engine call) in a confirmation that lists the files kept aside, then the restore with its
 * progress and Cancel under the page, then the result: what was restored, kept aside or skipped.
 * The app decides, not this page: "Restore to…" restores only into the folder chosen in the app's
 * own dialog, and an in-place restore that replaces files here or writes where programs or keys
 * are kept is confirmed in the app's own dialog, which then takes this page's confirmation's place.
 */
import type {
  BackupsEvent,
  BackupsResult,
  BackupsWindowApi,
  ConflictChoice,
  DamagedFile,
  RestorePlan,
  RestoreReport,
  RestoreRequest,
} from '../../electron/ipc/contract.js';
import { button, h, uniqueId } from '../shared/dom.js';
import { formatBytes } from '../shared/format.js';
import type { Ask, Problem } from './requests.js';
import { duration, plural, shown } from './words.js';

/** A restore as the window's parts ask for it: into a folder is restoreTo's business. */
export type RestoreAsked = Omit<RestoreRequest, 'into'>;

export interface RestoreFlow {
  /** Asks the app for a folder, then restores into it. */
  restoreTo(request: RestoreAsked, what: string, bytes?: number | null): Promise<void>;
  /**
   * Shows what the restore does, asks, and restores each path to its original place. `bytes`:
   * the size to restore when it is known (one file), for a true percent while rsync counts files
   * as it finds them.
   */
  restore(request: RestoreAsked, what: string, bytes?: number | null): Promise<void>;
  /**
   * Restores the good copy Verify found for a damaged file of the snapshot it verified, to its
   * original place, with the same confirmation and result as any restore.
   */
  restoreGoodCopy(verified: string, damaged: DamagedFile, what: string): Promise<void>;
  /** Progress events from the main process. */
  onEvent(event: BackupsEvent): void;
}

export interface RestoreFlowContext {
  api: BackupsWindowApi;
  ask: Ask;
  /** The bar under the page: progress, Cancel, and the last outcome in words. */
  bar: HTMLElement;
  /** A restore starts (true) or ends (false): the window disables other restores meanwhile. */
  running(busy: boolean): void;
  /** A restore changed files here: lists showing them may be stale. */
  done(report: RestoreReport): void;
}

export function createRestoreFlow(ctx: RestoreFlowContext): RestoreFlow {
  const progress = h('progress', { max: 100, class: 'restore-progress', hidden: true });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const cancel = button('Cancel', () => void ctx.api.cancelOperation(), { hidden: true });
  progress.setAttribute('aria-label', 'Restore progress');
  ctx.bar.append(h('div', { class: 'operation' }, status, progress), cancel);
  // The bar shows once there is something to say: a restore's progress and its outcome.
  ctx.bar.hidden = true;
  let running = false;

  function say(text: string): void {
    status.textContent = text;
    ctx.bar.hidden = text === '' && !running;
  }

  function problem(p: Problem): void {
    if (p.reason === 'declined') say('Nothing was restored.');
    else say(p.reason === 'busy' ? p.message : `Nothing was restored. ${p.message}`);
  }

  async function restoreTo(
    request: RestoreAsked,
    what: string,
    bytes: number | null = null,
  ): Promise<void> {
    if (running) return;
    const chosen = await ctx.api.chooseRestoreFolder({
      snapshot: request.snapshot,
      paths: request.paths,
    });
    if (chosen === null) return;
    await run({ ...request, into: chosen.token }, chosen.folder, what, bytes);
  }

  let expected: number | null = null;

  function restore(request: RestoreAsked, what: string, bytes: number | null = null) {
    return run({ ...request, into: null }, null, what, bytes);
  }

  function restoreGoodCopy(verified: string, damaged: DamagedFile, what: string) {
    const good = damaged.goodCopy;
    if (good === null) return Promise.resolve();
    const request = { snapshot: good.snapshot, paths: [good.path], into: null, missingOnly: false };
    return run(request, null, what, null, (asked) =>
      ctx.api.restoreGoodCopy({
        verified,
        path: damaged.path,
        into: null,
        ...(asked.conflicts ? { conflicts: asked.conflicts } : {}),
      }),
    );
  }

  /**
   * `folder`: the folder `request.into` stands for, as the app's dialog gave it; `perform`: the
   * call that restores what the plan showed (the plain restore unless told).
   */
  async function run(
    request: RestoreRequest,
    folder: string | null,
    what: string,
    bytes: number | null,
    perform: (asked: RestoreRequest) => Promise<BackupsResult<RestoreReport>> = (asked) =>
      ctx.api.restore(asked),
  ): Promise<void> {
    if (running) return;
    expected = bytes !== null && bytes > 0 ? bytes : null;
    say('Looking at what the restore would change…');
    let asked = request;
    let plan = await ctx.ask(() => ctx.api.planRestore(asked), problem);
    if (plan === null) return;
    say('');
    // Where a file here differs, the window asks Keep Both or Replace even when the app asks too.
    const offerBoth = offersKeepBoth(request, plan);
    if (offerBoth || !plan.appAsks) {
      const answer = await confirm(request, folder, plan, what, offerBoth);
      if (answer === null) {
        say('Nothing was restored.');
        return;
      }
      if (answer !== 'restore') asked = { ...request, conflicts: answer };
      if (answer === 'keep-both') {
        say('Looking at what the restore would change…');
        plan = await ctx.ask(() => ctx.api.planRestore(asked), problem);
        if (plan === null) return;
      }
    }
    const appAsks = plan.appAsks;
    running = true;
    ctx.running(true);
    progress.hidden = false;
    progress.removeAttribute('value');
    cancel.hidden = false;
    // The app's own dialog asks first; the progress follows the answer.
    say(appAsks ? 'Waiting for your answer in Snaptray’s dialog…' : `Restoring ${what}…`);
    let report: RestoreReport | null = null;
    try {
      report = await ctx.ask(() => perform(asked), problem);
    } finally {
      running = false;
      ctx.running(false);
      progress.hidden = true;
      cancel.hidden = true;
    }
    if (report === null) return;
    say(summary(report));
    ctx.done(report);
    await showResult(report, what, (path, status) => void showInFiles(path, status));
  }

  /** The file manager shows where the restore put something; the dialog says when it cannot. */
  async function showInFiles(path: string, status: HTMLElement): Promise<void> {
    const shownInFiles = await ctx.api.showRestored({ path });
    status.textContent = shownInFiles.ok ? '' : shownInFiles.message;
  }

  function onEvent(event: BackupsEvent): void {
    if (event.type !== 'restore-progress' || !running) return;
    if (event.phase === 'locating') {
      say('Finding the files in the snapshot…');
      return;
    }
    // The files are all there; the folders' times are set in a second pass that sends no data.
    if (event.phase === 'folder-times') {
      progress.value = 100;
      say('Setting the times of the folders…');
      return;
    }
    // rsync's own percent covers only the files it has found so far; a known size gives a true one.
    const percent =
      event.percent ??
      (expected !== null ? Math.min(99, Math.floor((event.bytes * 100) / expected)) : null);
    if (percent === null) progress.removeAttribute('value');
    else progress.value = percent;
    const details: string[] = [];
    if (percent !== null) details.push(`${percent}%`);
    else if (event.bytes > 0) details.push(`${formatBytes(event.bytes)} so far`);
    if (event.bytesPerSecond !== null) details.push(`${formatBytes(event.bytesPerSecond)}/s`);
    if (event.etaSeconds !== null && percent !== null) {
      details.push(`${duration(event.etaSeconds * 1000)} left`);
    }
    say(`Restoring… ${details.join(', ')}`);
  }

  return { restoreTo, restore, restoreGoodCopy, onEvent };
}

function summary(r: RestoreReport): string {
  const head =
    r.outcome === 'cancelled'
      ? `Restore stopped after ${plural(r.restored, 'file')}.`
      : `Restored ${plural(r.restored, 'file')} from ${r.snapshot}.`;
  const more: string[] = [];
  const beside = r.placed.filter((p) => p.keptBoth).length;
  if (beside > 0) {
    more.push(
      `${plural(beside, 'item')} written beside the current ${beside === 1 ? 'one' : 'ones'}, which ${beside === 1 ? 'is' : 'are'} as ${beside === 1 ? 'it was' : 'they were'}`,
    );
  }
  if (r.keptAside.length > 0) more.push(`${plural(r.keptAside.length, 'current file')} kept aside`);
  if (r.leftAsIs.length > 0) {
    more.push(
      `${plural(r.leftAsIs.length, 'file')} here left as ${r.leftAsIs.length === 1 ? 'it is' : 'they are'}`,
    );
  }
  if (r.skipped.length > 0) more.push(`${plural(r.skipped.length, 'item')} not restored`);
  return more.length > 0 ? `${head} ${more.join(', ')}.` : head;
}

/** A list of paths, each as literal text, each with its action when one is given. */
function pathList(
  label: string,
  items: Array<{ path: string; note: string | null; action?: HTMLElement }>,
): HTMLElement {
  return h(
    'ul',
    { class: 'path-list', 'aria-label': label },
    ...items.map((i) =>
      i.action
        ? h(
            'li',
            { class: 'with-action' },
            h(
              'div',
              { class: 'path-text' },
              h('span', { class: 'path' }, shown(i.path)),
              i.note !== null ? h('span', { class: 'path-note' }, i.note) : null,
            ),
            i.action,
          )
        : h(
            'li',
            {},
            h('span', { class: 'path' }, shown(i.path)),
            i.note !== null ? h('span', { class: 'path-note' }, i.note) : null,
          ),
    ),
  );
}

function modal(
  title: string,
  ...body: Array<Node | null>
): {
  dialog: HTMLDialogElement;
  actions: HTMLElement;
} {
  const titleId = uniqueId('dialog-title');
  const actions = h('div', { class: 'dialog-actions' });
  const dialog = h(
    'dialog',
    { class: 'modal', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, title),
    h('div', { class: 'dialog-body' }, ...body),
    actions,
  );
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  return { dialog, actions };
}

/**
 * Whether the window offers Keep Both: in place, where a file here differs. Into a chosen folder
 * the restore writes under the snapshot's names, keeping aside what is there.
 */
function offersKeepBoth(request: RestoreRequest, plan: RestorePlan): boolean {
  return !request.missingOnly && request.into === null && plan.keptAside.length > 0;
}

/** The answer to the window's confirmation: Restore, Keep Both or Replace; null for Cancel. */
type Confirmed = 'restore' | ConflictChoice | null;

function confirm(
  request: RestoreRequest,
  folder: string | null,
  plan: RestorePlan,
  what: string,
  offerBoth: boolean,
): Promise<Confirmed> {
  const where = folder === null ? 'to its original place' : `into ${shown(folder)}`;
  const lines: Array<Node | null> = [
    h(
      'p',
      {},
      request.missingOnly
        ? `Bring back what ${plan.snapshot} holds of ${what} but this computer does not: ` +
            `${plural(plan.restored, 'file')}. Files here stay as they are.`
        : `Restore ${what} from ${plan.snapshot} ${where}: ${plural(plan.restored, 'file')} to write.`,
    ),
  ];
  const differ = plan.keptAside.length;
  if (offerBoth) {
    lines.push(
      h(
        'p',
        { class: 'kept-aside-note' },
        `${plural(differ, 'file')} here ${differ === 1 ? 'differs' : 'differ'} from the snapshot’s:`,
      ),
      pathList(
        'Files here that differ',
        plan.keptAside.map((k) => ({ path: k.path, note: null })),
      ),
      h(
        'dl',
        { class: 'conflict-choices' },
        h('dt', {}, 'Keep Both'),
        h(
          'dd',
          {},
          `The ${differ === 1 ? 'file here stays' : 'files here stay'} as ${differ === 1 ? 'it is' : 'they are'}; ` +
            'the snapshot’s version is written beside it under a new name, ' +
            'NAME (restored from DATE TIME).',
        ),
        h('dt', {}, 'Replace'),
        h(
          'dd',
          {},
          'The snapshot’s version takes its place; the file here is kept aside first, renamed ' +
            'NAME.before-restore-(date and time of the restore).',
        ),
      ),
    );
  } else if (differ > 0) {
    lines.push(
      h(
        'p',
        { class: 'kept-aside-note' },
        `${plural(differ, 'file')} here ${differ === 1 ? 'differs' : 'differ'} from the snapshot and will be kept aside first, renamed:`,
      ),
      pathList(
        'Files that will be kept aside',
        // The time in the name is the restore's own, not this preview's.
        plan.keptAside.map((k) => ({
          path: k.path,
          note: `→ ${shown(baseOf(k.path))}.before-restore-(date and time of the restore)`,
        })),
      ),
    );
  } else if (!request.missingOnly) {
    lines.push(
      h('p', { class: 'hint' }, 'No file here is replaced: nothing needs to be kept aside.'),
    );
  }
  if (plan.skipped.length > 0) {
    lines.push(
      h('p', {}, 'These will not be restored:'),
      pathList(
        'Items that will not be restored',
        plan.skipped.map((s) => ({ path: s.path, note: s.why })),
      ),
    );
  }
  for (const w of plan.warnings) lines.push(h('p', { class: 'field-warning' }, w));
  const title = request.missingOnly
    ? 'Restore missing files?'
    : offerBoth
      ? 'Keep both, or replace?'
      : 'Restore?';
  const { dialog, actions } = modal(title, ...lines);
  return new Promise((resolve) => {
    const answer = (label: string, value: Confirmed, primary: boolean, describe?: string) =>
      button(
        label,
        () => {
          resolve(value);
          dialog.close();
        },
        {
          ...(primary ? { class: 'primary' } : {}),
          ...(describe ? { 'aria-description': describe } : {}),
        },
      );
    const no = button('Cancel', () => dialog.close());
    dialog.addEventListener('close', () => resolve(null));
    const choices = offerBoth
      ? [
          answer('Replace', 'replace', false, 'The file here is kept aside, renamed'),
          answer('Keep Both', 'keep-both', true, 'The file here stays as it is'),
        ]
      : [answer(request.missingOnly ? 'Restore Missing Files' : 'Restore', 'restore', true)];
    actions.append(no, ...choices);
    dialog.showModal();
    choices.at(-1)?.focus();
  });
}

function showResult(
  r: RestoreReport,
  what: string,
  showInFiles: (path: string, status: HTMLElement) => void,
): Promise<void> {
  const status = h('p', { class: 'status', role: 'status' });
  // Where each thing went, for the file manager to show.
  const place = (path: string, note = '', shownNote: string | null = null) => ({
    path,
    note: shownNote,
    action: button('Show in Files', () => showInFiles(path, status), {
      class: 'flat',
      'aria-label': `Show ${shown(path)}${note} in Files`,
    }),
  });
  const lines: Array<Node | null> = [h('p', {}, summary(r))];
  if (r.placed.length > 0) {
    lines.push(
      h('h3', {}, r.outcome === 'cancelled' ? 'Restored so far' : 'Restored'),
      pathList(
        'Restored',
        r.placed.map((p) =>
          p.keptBoth
            ? place(p.to, '', `beside ${shown(baseOf(p.path))}, which is as it was`)
            : place(p.to),
        ),
      ),
    );
  }
  if (r.keptAside.length > 0) {
    lines.push(
      h('h3', {}, 'Kept aside'),
      h(
        'p',
        { class: 'hint' },
        'These files here differed from the snapshot; each is now beside the restored one:',
      ),
      pathList(
        'Kept aside',
        r.keptAside.map((k) => place(k.keptAs, ' (kept aside)')),
      ),
    );
  }
  if (r.leftAsIs.length > 0) {
    lines.push(
      h('h3', {}, 'Left as they are'),
      h(
        'p',
        { class: 'hint' },
        'These files are here and differ from the snapshot; only missing files were restored:',
      ),
      pathList(
        'Left as they are',
        r.leftAsIs.map((path) => ({ path, note: null })),
      ),
    );
  }
  if (r.skipped.length > 0) {
    lines.push(
      h('h3', {}, 'Not restored'),
      pathList(
        'Not restored',
        r.skipped.map((s) => ({ path: s.path, note: s.why })),
      ),
    );
  }
  if (r.outcome === 'cancelled') {
    lines.push(h('p', { class: 'hint' }, 'No file is left half-written. Restore again to finish.'));
  }
  for (const w of r.warnings) lines.push(h('p', { class: 'field-warning' }, w));
  lines.push(status);
  const title =
    r.outcome === 'ok'
      ? `Restored ${what}`
      : r.outcome === 'partial'
        ? `Restored ${what}, with problems`
        : 'Restore stopped';
  const { dialog, actions } = modal(title, ...lines);
  return new Promise((resolve) => {
    const close = button('Close', () => dialog.close(), { class: 'primary' });
    dialog.addEventListener('close', () => resolve());
    actions.append(close);
    dialog.showModal();
    close.focus();
  });
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
