/**
 * The selected item, or the folder shown when nothing is selected: what it is, its restore
 * actions, and for a file its versions across the snapshots, each of which can be opened
 * (a read-only copy, in the desktop's own application) or restored.
 */
import type { BackupsWindowApi, VersionView } from '../../electron/ipc/contract.js';
import { button, h } from '../shared/dom.js';
import { formatBytes } from '../shared/format.js';
import type { Item, Place } from './browser.js';
import type { Ask } from './requests.js';
import { showComparison } from './comparison.js';
import type { RestoreFlow } from './restore-flow.js';
import { CHANGE_WORDS, plural, shown, TYPE_WORDS } from './words.js';
import { formatTime } from '../shared/format.js';

export interface DetailsContext {
  api: BackupsWindowApi;
  ask: Ask;
  restore: RestoreFlow;
  /** A snapshot's time, by name, for the versions' spans. */
  timeOf(snapshot: string): string | null;
  /** The snapshot before the one shown, which holds what was deleted in it. */
  previousOf(snapshot: string): string | null;
}

export interface Details {
  element: HTMLElement;
  show(item: Item | null, place: Place): void;
  /** Several items are selected: how many, and Restore / Restore to… for all of them at once. */
  showSeveral(items: Item[], place: Place): void;
  /** A restore runs: restore buttons wait. */
  setRunning(running: boolean): void;
  /**
   * Another machine's snapshots are shown: "Restore to…" comes first, and restoring to the
   * original place on this computer is offered only with the app's own question.
   */
  setReadOnly(readOnly: boolean): void;
}

/** Versions are looked up once the selection rests, not for every row the arrow keys pass. */
const VERSIONS_DELAY_MS = 250;
/** Names listed when several items are selected. */
const SEVERAL_LISTED = 8;

export function createDetails(ctx: DetailsContext): Details {
  const element = h('section', { class: 'details', 'aria-label': 'Selected item' });
  let generation = 0;
  let timer: number | undefined;
  let running = false;
  let readOnly = false;

  function restoreButtons(): HTMLButtonElement[] {
    return [...element.querySelectorAll<HTMLButtonElement>('button[data-restore]')];
  }

  function setRunning(value: boolean): void {
    running = value;
    for (const b of restoreButtons()) b.disabled = value;
  }

  function restoreButton(label: string, onClick: () => void, attrs: Record<string, string> = {}) {
    const b = button(label, onClick, { 'data-restore': 'true', ...attrs });
    b.disabled = running;
    return b;
  }

  function show(item: Item | null, place: Place): void {
    generation++;
    window.clearTimeout(timer);
    const snapshot = place.snapshot.name;
    // The whole machine is not restored with one click.
    if (item === null && (place.path === null || place.path === '/')) {
      element.replaceChildren(
        h('p', { class: 'hint' }, 'Select a file or folder to restore it, or to see its versions.'),
      );
      return;
    }
    const path = item?.path ?? place.path ?? '/';
    const name = item?.name ?? path;
    const type = item?.type ?? 'dir';
    const change = item && 'change' in item ? item.change : null;
    // Something deleted in this snapshot is restored from the one before, which holds it.
    const from = change === 'deleted' ? (ctx.previousOf(snapshot) ?? snapshot) : snapshot;
    const what = `“${shown(name)}”`;
    const request = { snapshot: from, paths: [path], missingOnly: false };
    const size = type === 'file' ? (item?.size ?? null) : null;
    const inPlace = restoreButton(
      readOnly ? 'Restore to Original Place…' : 'Restore',
      () => void ctx.restore.restore(request, what, size),
      {
        ...(readOnly ? {} : { class: 'primary' }),
        'aria-label': `Restore ${shown(name)} to its original place`,
      },
    );
    const into = restoreButton(
      'Restore to…',
      () => void ctx.restore.restoreTo(request, what, size),
      {
        ...(readOnly ? { class: 'primary' } : {}),
        'aria-label': `Restore ${shown(name)} into another folder`,
      },
    );
    const actions = readOnly ? [into, inPlace] : [inPlace, into];
    if (type === 'dir' && !readOnly) {
      actions.push(
        restoreButton(
          'Restore missing files',
          () => void ctx.restore.restore({ ...request, missingOnly: true }, what),
          { 'aria-label': `Restore the files of ${shown(name)} that are missing here` },
        ),
      );
    }
    const openStatus = h('p', { class: 'status', role: 'status' });
    if (type === 'file') {
      actions.push(
        button('Open', () => void openCopy(from, path, openStatus), {
          'aria-label': `Open ${shown(name)} as it is in ${from}, read-only`,
        }),
      );
    }
    const facts: Array<[string, string]> = [['Kind', TYPE_WORDS[type]]];
    if (item?.size != null) facts.push(['Size', formatBytes(item.size)]);
    if (item?.mtime != null) facts.push(['Modified', formatTime(item.mtime)]);
    if (change !== null) facts.push(['In this snapshot', CHANGE_WORDS[change]]);
    facts.push(['Snapshot', from]);
    const versions = h('div', { class: 'versions' });
    element.replaceChildren(
      h(
        'div',
        { class: 'details-head' },
        h(
          'h3',
          { class: 'details-name' },
          item === null ? `This folder: ${shown(name)}` : shown(name),
        ),
        h('p', { class: 'details-path path' }, shown(path)),
        readOnly ? h('span', { class: 'badge read-only-badge' }, 'read-only') : null,
      ),
      h('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      h('div', { class: 'actions' }, ...actions),
      openStatus,
      versions,
    );
    if (type === 'file') {
      const mine = generation;
      versions.replaceChildren(
        h('p', { class: 'status', role: 'status' }, 'Looking for its versions…'),
      );
      timer = window.setTimeout(
        () => void loadVersions(path, from, versions, mine),
        VERSIONS_DELAY_MS,
      );
    }
  }

  function showSeveral(items: Item[], place: Place): void {
    generation++;
    window.clearTimeout(timer);
    const deleted = items.filter((i) => 'change' in i && i.change === 'deleted').length;
    // What was deleted in this snapshot is in the one before: a mix is restored in two goes.
    const from =
      deleted === items.length
        ? (ctx.previousOf(place.snapshot.name) ?? place.snapshot.name)
        : place.snapshot.name;
    const count = plural(items.length, 'item');
    const request = { snapshot: from, paths: items.map((i) => i.path), missingOnly: false };
    const what = `${count}`;
    const inPlace = restoreButton(
      readOnly ? 'Restore to Original Place…' : 'Restore',
      () => void ctx.restore.restore(request, what),
      {
        ...(readOnly ? {} : { class: 'primary' }),
        'aria-label': `Restore the ${count} selected to their original places`,
      },
    );
    const into = restoreButton('Restore to…', () => void ctx.restore.restoreTo(request, what), {
      ...(readOnly ? { class: 'primary' } : {}),
      'aria-label': `Restore the ${count} selected into another folder`,
    });
    const mixed = deleted > 0 && deleted < items.length;
    if (mixed) {
      inPlace.disabled = true;
      into.disabled = true;
    }
    const listed = items.slice(0, SEVERAL_LISTED);
    element.replaceChildren(
      h(
        'div',
        { class: 'details-head' },
        h('h3', { class: 'several-count' }, `${count} selected`),
        readOnly ? h('span', { class: 'badge read-only-badge' }, 'read-only') : null,
      ),
      h(
        'ul',
        { class: 'several-list', 'aria-label': 'Selected items' },
        ...listed.map((i) => h('li', { class: 'path', title: shown(i.path) }, shown(i.name))),
        items.length > listed.length
          ? h('li', { class: 'hint' }, `and ${plural(items.length - listed.length, 'more')}`)
          : null,
      ),
      h('dl', { class: 'facts' }, h('dt', {}, 'Snapshot'), h('dd', {}, from)),
      h('div', { class: 'actions' }, ...(readOnly ? [into, inPlace] : [inPlace, into])),
      h(
        'p',
        { class: 'hint', hidden: !mixed },
        'Some of these were deleted in this snapshot and come from the one before: restore those on their own.',
      ),
    );
  }

  async function loadVersions(
    path: string,
    browsed: string,
    into: HTMLElement,
    mine: number,
  ): Promise<void> {
    const current = () => mine === generation;
    const found = await ctx.ask(
      () => ctx.api.fileVersions({ path }),
      (p) =>
        into.replaceChildren(
          h('p', { class: p.reason === 'busy' ? 'busy-note' : 'message bad' }, p.message),
        ),
      current,
    );
    if (found === null || !current()) return;
    const status = h('p', { class: 'status', role: 'status' });
    const title = h(
      'h4',
      {},
      `${plural(found.versions.length, 'version')} in ${plural(found.searched, 'snapshot')}`,
    );
    into.replaceChildren(
      title,
      h(
        'table',
        { class: 'versions-table' },
        h('caption', { class: 'visually-hidden' }, `Versions of ${shown(path)}, newest first`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Modified'),
            h('th', { scope: 'col', class: 'num' }, 'Size'),
            h('th', { scope: 'col' }, 'Kept in'),
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
          ),
        ),
        h('tbody', {}, ...found.versions.map((v) => versionRow(path, v, browsed, status))),
      ),
      status,
    );
  }

  function versionRow(path: string, v: VersionView, browsed: string, status: HTMLElement) {
    const modified = formatTime(v.mtime);
    const here = v.snapshots.includes(browsed);
    const first = v.snapshots[0] ?? v.snapshot;
    const last = v.snapshots.at(-1) ?? v.snapshot;
    const span = (name: string) => {
      const t = ctx.timeOf(name);
      return t === null ? name : formatTime(t);
    };
    const when = v.snapshots.length === 1 ? span(first) : `${span(first)} – ${span(last)}`;
    const open = button('Open', () => void openVersion(path, v, status), {
      'aria-label': `Open the version modified ${modified}, read-only`,
      class: 'flat',
    });
    const compare =
      v.type === 'file'
        ? button('Compare', () => void compareVersion(path, v, status), {
            'aria-label': `Compare with Current: the version modified ${modified}`,
            title: 'Compare with Current',
            class: 'flat',
          })
        : null;
    const request = { snapshot: v.snapshot, paths: [path], missingOnly: false };
    const which = `the version of “${shown(baseName(path))}” modified ${modified}`;
    // Another machine's version goes to a folder chosen for it.
    const restore = readOnly
      ? restoreButton('Restore to…', () => void ctx.restore.restoreTo(request, which, v.size), {
          'aria-label': `Restore the version modified ${modified} into another folder`,
          class: 'flat',
        })
      : restoreButton('Restore', () => void ctx.restore.restore(request, which, v.size), {
          'aria-label': `Restore the version modified ${modified}`,
          class: 'flat',
        });
    return h(
      'tr',
      { class: here ? 'this-snapshot' : undefined, 'data-snapshot': v.snapshot },
      h(
        'td',
        { class: 'version-time' },
        modified,
        here ? h('span', { class: 'badge' }, 'this snapshot') : null,
      ),
      h('td', { class: 'num' }, formatBytes(v.size)),
      h('td', {}, plural(v.snapshots.length, 'snapshot'), h('span', { class: 'kept-when' }, when)),
      h('td', { class: 'row-actions' }, open, compare, restore),
    );
  }

  /** The version's text beside the file here; words instead for a binary, large or missing one. */
  async function compareVersion(path: string, v: VersionView, status: HTMLElement): Promise<void> {
    const which = `the version modified ${formatTime(v.mtime)}`;
    status.textContent = `Comparing ${which} with the file here…`;
    const compared = await ctx.ask(
      () => ctx.api.compareVersion({ snapshot: v.snapshot, path }),
      (p) => (status.textContent = p.message),
    );
    if (compared === null) return;
    status.textContent = '';
    showComparison(compared, baseName(path), which);
  }

  async function openVersion(path: string, v: VersionView, status: HTMLElement): Promise<void> {
    await openCopy(v.snapshot, path, status, `the version modified ${formatTime(v.mtime)}`);
  }

  async function openCopy(
    snapshot: string,
    path: string,
    status: HTMLElement,
    which = `the copy in ${snapshot}`,
  ): Promise<void> {
    status.textContent = `Copying ${which} to open it…`;
    const opened = await ctx.ask(
      () => ctx.api.openVersion({ snapshot, path }),
      (p) => (status.textContent = p.message),
    );
    if (opened === null) return;
    if (opened.opened) {
      status.textContent = `Opened a read-only copy of ${which}: ${shown(opened.file)}`;
      return;
    }
    // A kind the desktop could run is not handed to it: the file manager shows the copy instead.
    const file = opened.file;
    const showIt = button('Show in Files', () => void showInFiles(file, status), {
      'aria-label': `Show ${which} in Files, read-only`,
    });
    status.replaceChildren(h('span', { class: 'not-opened' }, opened.message), ' ', showIt);
  }

  async function showInFiles(file: string, status: HTMLElement): Promise<void> {
    const shownInFiles = await ctx.api.showCopyInFolder({ file });
    if (!shownInFiles.ok) status.textContent = shownInFiles.message;
  }

  return {
    element,
    show,
    showSeveral,
    setRunning,
    setReadOnly: (value) => {
      readOnly = value;
    },
  };
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
