/** The settings window: loads the profile, wires the sections, validates, saves and reloads. */
import type { FieldError, Profile } from '../core/settings/schema.js';
import type { LoadedSettings } from '../electron/ipc-contract.js';
import { snaptray } from './api.js';
import { createDestinationSection } from './destination-section.js';
import { button, h } from './dom.js';
import { createExcludesSection } from './excludes-section.js';
import { showFieldErrors } from './field-errors.js';
import { createHooksSection, createNotificationsSection } from './hooks-section.js';
import { createRetentionSection } from './retention-section.js';
import { createScheduleSection } from './schedule-section.js';
import type { Section, SectionContext } from './section.js';
import { createSourcesSection } from './sources-section.js';

/** Check the whole profile with the engine's schema this long after the last keystroke. */
const VALIDATE_DELAY_MS = 250;

const api = snaptray();
const root = document.getElementById('app');
if (root) void start(root);

async function start(app: HTMLElement): Promise<void> {
  app.setAttribute('aria-busy', 'true');
  const loaded = await api.loadSettings();
  app.removeAttribute('aria-busy');
  if (!loaded.ok) {
    app.replaceChildren(
      h('h1', {}, 'Snaptray settings'),
      h('p', { class: 'message bad', role: 'alert' }, loaded.message),
      button('Try again', () => void start(app)),
    );
    return;
  }
  buildWindow(app, loaded.value);
}

function buildWindow(app: HTMLElement, initial: LoadedSettings): void {
  let saved: Profile = initial.profile;
  let baseline = '';
  let validateTimer: number | undefined;
  let validation = 0;

  const ctx: SectionContext = { api, changed, draft };
  const destination = createDestinationSection(ctx);
  const excludes = createExcludesSection(ctx, initial.presets);
  const sections: Section[] = [
    destination,
    createSourcesSection(ctx),
    excludes,
    createScheduleSection(ctx),
    createRetentionSection(ctx),
    createHooksSection(ctx),
    createNotificationsSection(ctx),
  ];

  const where = h('p', { class: 'where' });
  const banner = h('div', { class: 'banner', role: 'alert', hidden: true });
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
  const form = h('main', { class: 'sections' }, ...sections.map((s) => s.element));
  const nav = h(
    'nav',
    { 'aria-label': 'Sections' },
    h(
      'ul',
      {},
      ...sections.map((s) =>
        h(
          'li',
          {},
          h('a', { href: `#${s.element.id}` }, s.element.querySelector('h2')?.textContent ?? ''),
        ),
      ),
    ),
  );
  app.replaceChildren(
    h('header', {}, h('h1', {}, 'Snaptray settings'), where),
    banner,
    h('div', { class: 'layout' }, nav, form),
    h(
      'footer',
      { class: 'savebar' },
      h('div', { class: 'save-status' }, status, summary),
      revert,
      save,
    ),
  );

  function draft(): Record<string, unknown> {
    return Object.assign({}, ...sections.map((s) => s.collect())) as Record<string, unknown>;
  }

  function isDirty(): boolean {
    return JSON.stringify(draft()) !== baseline;
  }

  function show(profile: Profile): void {
    for (const s of sections) s.show(profile);
    baseline = JSON.stringify(draft());
    showErrors([]);
    updateDirty();
    excludes.draftChanged(draft());
  }

  function describeWhere(loaded: LoadedSettings): void {
    where.textContent = loaded.exists
      ? `Saved in ${loaded.path}`
      : `Not saved yet; saving creates ${loaded.path}`;
  }

  function updateDirty(): void {
    const dirty = isDirty();
    revert.disabled = !dirty;
    document.title = dirty ? 'Snaptray settings (unsaved)' : 'Snaptray settings';
  }

  function changed(): void {
    updateDirty();
    const current = draft();
    excludes.draftChanged(current);
    window.clearTimeout(validateTimer);
    validateTimer = window.setTimeout(() => void validate(current), VALIDATE_DELAY_MS);
  }

  function localProblems(): FieldError[] {
    return sections.flatMap((s) => s.problems?.() ?? []);
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
    const unplaced = showFieldErrors(form, errors);
    summary.replaceChildren(...unplaced.map((e) => h('li', {}, `${e.path}: ${e.message}`)));
    summary.hidden = unplaced.length === 0;
  }

  async function saveNow(): Promise<void> {
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
    save.disabled = false;
    if (!result.ok) {
      validation += 1;
      showErrors(result.fields ?? []);
      status.textContent = result.fields?.length
        ? 'Nothing was saved: fix the fields marked in red.'
        : `Nothing was saved. ${result.message}`;
      focusFirstError();
      return;
    }
    saved = result.value.profile;
    describeWhere(result.value);
    show(saved);
    banner.hidden = true;
    status.textContent = 'Saved.';
  }

  function focusFirstError(): void {
    form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }

  async function reloadFromFile(): Promise<void> {
    const loaded = await api.loadSettings();
    if (!loaded.ok) {
      status.textContent = `The settings file changed but cannot be read: ${loaded.message}`;
      return;
    }
    // Our own save changes the file too: nothing to do when it holds what the window shows.
    if (JSON.stringify(loaded.value.profile) === JSON.stringify(saved)) return;
    if (!isDirty()) {
      saved = loaded.value.profile;
      describeWhere(loaded.value);
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
        describeWhere(pending);
        show(saved);
        banner.hidden = true;
        status.textContent = 'Loaded the settings from the file; your edits were dropped.';
      }),
      button('Keep my edits', () => {
        // Saving now overwrites the file with the window's version.
        saved = pending.profile;
        banner.hidden = true;
        updateDirty();
        status.textContent = 'Kept your edits. Saving will replace the file’s new version.';
      }),
    );
    banner.hidden = false;
    banner.querySelector('button')?.focus();
  }

  api.onSettingsChanged(() => void reloadFromFile());
  window.addEventListener('beforeunload', (event) => {
    if (!isDirty()) return;
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

  describeWhere(initial);
  show(saved);
}
