/** The settings window: loads the profile, wires the pages, validates, saves and reloads. */
import type { FieldError, Profile } from '../../core/settings/schema.js';
import type { LoadedSettings } from '../../electron/ipc/contract.js';
import { settingsApi } from '../shared/api.js';
import { button, h } from '../shared/dom.js';
import { showFieldErrors } from '../shared/field-errors.js';
import { createWindowFrame } from '../shared/window-frame.js';
import { createAdvancedPage } from './advanced-page.js';
import { createDestinationPage } from './destination-page.js';
import { createExcludesGroup } from './excludes-group.js';
import { createFileManagersGroup } from './file-managers-group.js';
import { createKeepPage } from './keep-page.js';
import { createNotificationsPage } from './notifications-page.js';
import type { Part, PartContext } from './part.js';
import { createProfileChooser } from './profile-chooser.js';
import { draftProfile } from './profile-draft.js';
import { createSchedulePage } from './schedule-page.js';
import { createSourcesGroup } from './sources-group.js';

/** Check the whole profile with the engine's schema this long after the last keystroke. */
const VALIDATE_DELAY_MS = 250;
const TITLE = 'Snaptray Settings';

const api = settingsApi();
const root = document.getElementById('app');
if (root) void start(root);

async function start(app: HTMLElement): Promise<void> {
  app.setAttribute('aria-busy', 'true');
  const loaded = await api.loadSettings();
  app.removeAttribute('aria-busy');
  if (!loaded.ok) {
    app.replaceChildren(
      h(
        'div',
        { class: 'load-failed' },
        h('h1', {}, TITLE),
        h('p', { class: 'message bad', role: 'alert' }, loaded.message),
        button('Try again', () => void start(app)),
      ),
    );
    return;
  }
  buildWindow(app, loaded.value);
}

function buildWindow(app: HTMLElement, initial: LoadedSettings): void {
  let saved: Profile = initial.profile;
  let fileExists = initial.exists;
  let baseline = '';
  let validateTimer: number | undefined;
  let validation = 0;

  const ctx: PartContext = { api, changed, draft };
  const destination = createDestinationPage(ctx);
  const sources = createSourcesGroup(ctx);
  const excludes = createExcludesGroup(ctx, initial.presets);
  const schedule = createSchedulePage(ctx);
  const keep = createKeepPage(ctx);
  const notifications = createNotificationsPage(ctx);
  const advanced = createAdvancedPage(ctx);
  const parts: Part[] = [destination, sources, excludes, schedule, keep, notifications, advanced];
  // Not part of the profile (its switch applies at once): beside the parts, not among them.
  const fileManagers = createFileManagersGroup(api);
  advanced.element.append(fileManagers.element);
  void fileManagers.refresh();

  const banner = h('div', { class: 'banner', role: 'alert', hidden: true });
  const unknownNote = h('div', {
    class: 'banner unknown-settings',
    role: 'note',
    'aria-label': 'Settings Snaptray does not know',
    hidden: true,
  });
  const status = h('p', { class: 'status', role: 'status' });
  const summary = h('ul', {
    class: 'error-summary',
    'aria-label': 'Settings to fix',
    hidden: true,
  });
  const revert = button('Revert', () => {
    show(saved);
    status.textContent = 'Your edits were undone.';
  });
  const save = button('Save', () => void saveNow(), { class: 'primary' });
  const chooser = createProfileChooser({
    api,
    loaded(loaded, said) {
      saved = loaded.profile;
      describeFile(loaded);
      show(saved);
      banner.hidden = true;
      status.textContent = said;
    },
    failed(message) {
      status.textContent = message;
    },
  });
  const frame = createWindowFrame({
    title: TITLE,
    sidebarLabel: 'Settings pages',
    sidebarTop: chooser.element,
    pages: [
      {
        id: 'destination',
        title: 'Destination',
        icon: 'destination',
        element: destination.element,
      },
      {
        id: 'what',
        title: 'What to back up',
        icon: 'folder',
        element: h('div', { class: 'page-body' }, sources.element, excludes.element),
      },
      { id: 'schedule', title: 'Schedule', icon: 'clock', element: schedule.element },
      { id: 'keep', title: 'Keep', icon: 'archive', element: keep.element },
      { id: 'notifications', title: 'Notifications', icon: 'bell', element: notifications.element },
      { id: 'advanced', title: 'Advanced', icon: 'sliders', element: advanced.element },
    ],
    banner: h('div', {}, unknownNote, banner),
    actionBar: h(
      'footer',
      { class: 'actionbar' },
      h('div', { class: 'save-status' }, status, summary),
      revert,
      save,
    ),
  });
  app.replaceChildren(frame.element);

  function draft(): Record<string, unknown> {
    return draftProfile(saved, ...parts.map((p) => p.collect()));
  }

  /** True when the controls differ from the profile last loaded or saved. */
  function isEdited(): boolean {
    return JSON.stringify(draft()) !== baseline;
  }

  function show(profile: Profile): void {
    for (const p of parts) p.show(profile);
    baseline = JSON.stringify(draft());
    showErrors([]);
    updateEdited();
    excludes.draftChanged(draft());
  }

  function describeFile(loaded: LoadedSettings): void {
    fileExists = loaded.exists;
    chooser.show(loaded);
    advanced.describeFile(loaded);
    describeUnknownKeys(loaded.unknownKeys);
  }

  /** A typo such as keepAllHour would otherwise leave the default in force without a word. */
  function describeUnknownKeys(keys: LoadedSettings['unknownKeys']): void {
    unknownNote.hidden = keys.length === 0;
    unknownNote.replaceChildren(
      h(
        'p',
        {},
        keys.length === 1
          ? 'The settings file has a setting Snaptray does not know. It is ignored, and saving here keeps it in the file:'
          : 'The settings file has settings Snaptray does not know. They are ignored, and saving here keeps them in the file:',
      ),
      h(
        'ul',
        {},
        ...keys.map((k) =>
          h(
            'li',
            {},
            h('code', {}, k.path),
            k.suggestion === null ? '' : ` (did you mean ${k.suggestion}?)`,
          ),
        ),
      ),
    );
  }

  function updateEdited(): void {
    const edited = isEdited();
    revert.disabled = !edited;
    // Nothing to save when the file holds what the window shows; on first run there is no file.
    save.disabled = !edited && fileExists;
    chooser.lock(edited);
    document.title = edited ? `${TITLE} (unsaved)` : TITLE;
  }

  function changed(): void {
    // The last message was about the last action; an edit makes it stale.
    status.textContent = '';
    updateEdited();
    const current = draft();
    excludes.draftChanged(current);
    window.clearTimeout(validateTimer);
    validateTimer = window.setTimeout(() => void validate(current), VALIDATE_DELAY_MS);
  }

  function localProblems(): FieldError[] {
    return parts.flatMap((p) => p.problems?.() ?? []);
  }

  async function validate(current: Record<string, unknown>): Promise<FieldError[]> {
    validation += 1;
    const mine = validation;
    const result = await api.validateSettings(current);
    const errors = [...localProblems(), ...(result.ok ? [] : (result.fields ?? []))];
    if (mine === validation) showErrors(errors);
    return errors;
  }

  function showErrors(errors: FieldError[]): void {
    const unplaced = showFieldErrors(frame.element, errors);
    summary.replaceChildren(...unplaced.map((e) => h('li', {}, `${e.path}: ${e.message}`)));
    summary.hidden = unplaced.length === 0;
    const pages = new Set<string>();
    for (const slot of frame.element.querySelectorAll<HTMLElement>('[data-error-for]')) {
      const page = slot.hidden ? null : frame.pageOf(slot);
      if (page) pages.add(page);
    }
    frame.markPages(pages, 'Has settings to fix');
  }

  async function saveNow(): Promise<void> {
    if (save.disabled) return;
    window.clearTimeout(validateTimer);
    const current = draft();
    const problems = localProblems();
    if (problems.length > 0) {
      showErrors(problems);
      status.textContent = 'Nothing was saved: fix the fields marked in red.';
      focusFirstError();
      return;
    }
    save.disabled = true;
    status.textContent = 'Saving…';
    const result = await api.saveSettings(current);
    if (!result.ok) {
      updateEdited();
      validation += 1;
      showErrors(result.fields ?? []);
      status.textContent = result.fields?.length
        ? 'Nothing was saved: fix the fields marked in red.'
        : result.declined === true
          ? result.message
          : `Nothing was saved. ${result.message}`;
      focusFirstError();
      return;
    }
    saved = result.value.profile;
    describeFile(result.value);
    show(saved);
    banner.hidden = true;
    status.textContent = 'Saved.';
  }

  function focusFirstError(): void {
    const first = frame.element.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (!first) return;
    const page = frame.pageOf(first);
    if (page) frame.showPage(page);
    first.focus();
  }

  async function reloadFromFile(): Promise<void> {
    const loaded = await api.loadSettings();
    if (!loaded.ok) {
      status.textContent = `The settings file changed but cannot be read: ${loaded.message}`;
      return;
    }
    describeUnknownKeys(loaded.value.unknownKeys);
    chooser.show(loaded.value);
    // Our own save changes the file too: nothing to do when it holds what the window shows.
    if (JSON.stringify(loaded.value.profile) === JSON.stringify(saved)) return;
    if (!isEdited()) {
      saved = loaded.value.profile;
      describeFile(loaded.value);
      show(saved);
      status.textContent = 'The settings file changed on disk; the window now shows it.';
      return;
    }
    const pending = loaded.value;
    banner.replaceChildren(
      h(
        'p',
        {},
        'The settings file changed outside this window, and you have unsaved edits here. Which do you want to keep?',
      ),
      button('Load the new settings', () => {
        saved = pending.profile;
        describeFile(pending);
        show(saved);
        banner.hidden = true;
        status.textContent = 'Loaded the settings from the file; your edits were dropped.';
      }),
      button('Keep my edits', () => {
        // Saving now overwrites the file with the window's version.
        saved = pending.profile;
        describeFile(pending);
        banner.hidden = true;
        updateEdited();
        status.textContent = 'Kept your edits. Saving will replace the file’s new version.';
      }),
    );
    banner.hidden = false;
    banner.querySelector('button')?.focus();
  }

  api.onSettingsChanged(() => void reloadFromFile());
  window.addEventListener('beforeunload', (event) => {
    if (!isEdited()) return;
    // The main process turns this into "Discard unsaved changes?".
    event.preventDefault();
    event.returnValue = 'You have unsaved changes.';
  });
  window.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
      event.preventDefault();
      void saveNow();
    }
  });

  describeFile(initial);
  show(saved);
  if (!fileExists) status.textContent = 'Not saved yet: Save creates the settings file.';
}
