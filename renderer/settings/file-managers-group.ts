/**
 * "Restore Previous Versions…" in the file managers' menus. Not a profile setting: the switch
 * installs or removes the entries at once, for the user, and always shows what is on disk.
 */
import type { FileManagerStatus, SettingsWindowApi } from '../../electron/ipc/contract.js';
import { group, h, list, toggleField } from '../shared/dom.js';

export interface FileManagersGroup {
  element: HTMLElement;
  /** Reads the entries on disk again and shows them. */
  refresh(): Promise<void>;
}

export function createFileManagersGroup(api: SettingsWindowApi): FileManagersGroup {
  const toggle = toggleField({
    label: 'Restore Previous Versions in the file manager',
    field: 'fileManagers',
    hint: 'Right-click a file or folder in Nautilus, Dolphin or Nemo to open its earlier versions here.',
  });
  const found = h('p', { class: 'hint file-managers-found' });
  toggle.wrapper.querySelector('.row-text')?.append(found);
  const entries = h('ul', { class: 'file-manager-entries', 'aria-label': 'Installed entries' });
  const entriesRow = h('div', { class: 'row file-manager-files', hidden: true }, entries);
  const status = h('p', { class: 'status', role: 'status' });
  toggle.input.disabled = true;

  const element = group(
    {
      id: 'file-managers',
      title: 'File managers',
      description: 'Applies at once, for your account and every profile; Save is not needed.',
    },
    list(toggle.wrapper, entriesRow),
    status,
  );

  toggle.input.addEventListener('change', () => void turn(toggle.input.checked));

  async function turn(on: boolean): Promise<void> {
    toggle.input.disabled = true;
    status.textContent = on ? 'Installing…' : 'Removing…';
    const result = await api.setFileManagers(on);
    if (!result.ok) {
      status.textContent = result.message;
      status.classList.add('bad');
      await refresh();
      return;
    }
    show(result.value.status);
    status.textContent = result.value.message;
    status.classList.toggle('bad', result.value.failed);
  }

  function show(value: FileManagerStatus): void {
    toggle.input.checked = value.installed;
    // Removing stays possible whatever the problem; installing needs none.
    toggle.input.disabled = !value.installed && value.problem !== null;
    found.textContent =
      value.problem !== null && !value.installed
        ? `Cannot be turned on: ${value.problem}`
        : value.found.length > 0
          ? `Found on this computer: ${value.found.join(', ')}.`
          : 'None of Nautilus, Dolphin or Nemo was found on this computer.';
    const shown = value.entries.filter((e) => e.state !== 'absent');
    entries.replaceChildren(
      ...shown.map((e) =>
        h(
          'li',
          { 'data-state': e.state },
          e.state === 'installed' ? `${e.what}: ` : `Not Snaptray's, left alone: `,
          h('code', {}, e.path),
        ),
      ),
    );
    entriesRow.hidden = shown.length === 0;
  }

  async function refresh(): Promise<void> {
    const loaded = await api.loadFileManagers();
    if (!loaded.ok) {
      status.textContent = loaded.message;
      return;
    }
    show(loaded.value);
  }

  return { element, refresh };
}
