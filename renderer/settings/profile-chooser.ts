/**
 * The profile chooser at the top of the sidebar: which profile the pages edit, and Add…,
 * Rename…, Duplicate and Remove…. The main process makes each change (and asks in its own
 * dialog before removing one); this only asks for a name and shows what comes back.
 */
import type { ApiResult, LoadedSettings, SettingsWindowApi } from '../../electron/ipc/contract.js';
import { button, h, uniqueId } from '../shared/dom.js';

export interface ProfileChooser {
  element: HTMLElement;
  /** Lists the profiles of `loaded`, with its selected one chosen. */
  show(loaded: LoadedSettings): void;
  /** While the page has unsaved edits, switching and changing profiles waits. */
  lock(locked: boolean): void;
}

export interface ChooserContext {
  api: SettingsWindowApi;
  /** A profile change came back: show the profile it selected; `said` goes to the status line. */
  loaded(loaded: LoadedSettings, said: string): void;
  /** A change was refused or declined: say why. */
  failed(message: string): void;
}

export function createProfileChooser(ctx: ChooserContext): ProfileChooser {
  let current: LoadedSettings | null = null;
  const selectId = uniqueId('profile');
  const select = h('select', { id: selectId, class: 'profile-select' });
  select.addEventListener('change', () => {
    const key = select.value;
    void settle(ctx.api.selectProfile(key), (l) => `Showing the profile “${nameOf(l)}”.`);
  });
  const add = button(
    'Add…',
    () => void askName('Add Profile', 'Add', '', (name) => ctx.api.addProfile(name)),
    { 'aria-label': 'Add a profile' },
  );
  const rename = button(
    'Rename…',
    () =>
      void askName('Rename Profile', 'Rename', selectedName(), (name) =>
        ctx.api.renameProfile({ key: selectedKey(), name }),
      ),
    { 'aria-label': 'Rename this profile' },
  );
  const duplicate = button(
    'Duplicate',
    () =>
      void settle(
        ctx.api.duplicateProfile(selectedKey()),
        (l) => `Made the profile “${nameOf(l)}”, a copy with the prefix ${l.profile.prefix}.`,
      ),
    { 'aria-label': 'Duplicate this profile' },
  );
  const remove = button(
    'Remove…',
    () => {
      const name = selectedName();
      void settle(ctx.api.removeProfile(selectedKey()), () => `Removed the profile “${name}”.`);
    },
    { 'aria-label': 'Remove this profile' },
  );
  const lockedHint = h(
    'p',
    { class: 'hint', id: uniqueId('hint'), hidden: true },
    'Save or revert your edits to switch or change profiles.',
  );
  const keyHint = h('p', { class: 'hint profile-key', id: uniqueId('hint') });
  select.setAttribute('aria-describedby', `${keyHint.id} ${lockedHint.id}`);
  const element = h(
    'div',
    { class: 'profile-chooser', role: 'group', 'aria-label': 'Profiles' },
    h('label', { for: selectId, class: 'profile-label' }, 'Profile'),
    select,
    keyHint,
    h('div', { class: 'profile-actions' }, add, rename, duplicate, remove),
    lockedHint,
  );

  function selectedKey(): string {
    return current?.selected ?? select.value;
  }

  function selectedName(): string {
    return current === null ? '' : nameOf(current);
  }

  async function settle(
    pending: Promise<ApiResult<LoadedSettings>>,
    said: (loaded: LoadedSettings) => string,
  ): Promise<boolean> {
    const result = await pending;
    if (!result.ok) {
      if (current !== null) select.value = current.selected;
      ctx.failed(result.message);
      return false;
    }
    ctx.loaded(result.value, said(result.value));
    return true;
  }

  /** A small in-page dialog for a name; the main process checks it and may refuse it. */
  async function askName(
    title: string,
    confirm: string,
    initial: string,
    submit: (name: string) => Promise<ApiResult<LoadedSettings>>,
  ): Promise<void> {
    const titleId = uniqueId('dialog-title');
    const inputId = uniqueId('field');
    const error = h('p', {
      class: 'field-error',
      id: uniqueId('error'),
      role: 'alert',
      hidden: true,
    });
    const input = h('input', {
      id: inputId,
      type: 'text',
      value: initial,
      spellcheck: 'false',
      autocomplete: 'off',
      maxlength: 64,
      'aria-describedby': error.id,
    });
    const ok = h('button', { type: 'submit', class: 'primary' }, confirm);
    const cancel = button('Cancel', () => dialog.close());
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: titleId }, title),
      h(
        'div',
        { class: 'dialog-body' },
        h('label', { for: inputId }, 'Name'),
        input,
        h(
          'p',
          { class: 'hint' },
          'Shown here, in the tray and in notifications. A rename keeps the profile’s history, prefix and --profile key.',
        ),
        error,
      ),
      h('div', { class: 'dialog-actions' }, cancel, ok),
    );
    const dialog = h('dialog', { class: 'modal', 'aria-labelledby': titleId }, form);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      ok.disabled = true;
      void submit(input.value).then((result) => {
        ok.disabled = false;
        if (!result.ok) {
          error.textContent = result.message;
          error.hidden = false;
          input.setAttribute('aria-invalid', 'true');
          input.focus();
          return;
        }
        dialog.close();
        ctx.loaded(
          result.value,
          confirm === 'Add'
            ? `Added the profile “${nameOf(result.value)}” with the prefix ${result.value.profile.prefix}.`
            : `Renamed the profile to “${nameOf(result.value)}”.`,
        );
      });
    });
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
    input.select();
  }

  function show(loaded: LoadedSettings): void {
    current = loaded;
    select.replaceChildren(
      ...loaded.profiles.map((p) =>
        h('option', { value: p.key, selected: p.key === loaded.selected }, p.name),
      ),
    );
    select.value = loaded.selected;
    // The command line names a profile by its key, which a rename leaves as it is.
    keyHint.replaceChildren('Command line: ', h('code', {}, `--profile ${loaded.selected}`));
    remove.disabled = loaded.profiles.length < 2 || element.classList.contains('locked');
  }

  function lock(locked: boolean): void {
    element.classList.toggle('locked', locked);
    for (const control of [select, add, rename, duplicate]) control.disabled = locked;
    remove.disabled = locked || (current?.profiles.length ?? 0) < 2;
    lockedHint.hidden = !locked;
  }

  return { element, show, lock };
}

function nameOf(loaded: LoadedSettings): string {
  return loaded.profiles.find((p) => p.key === loaded.selected)?.name ?? loaded.selected;
}
