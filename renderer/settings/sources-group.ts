/** The folders to back up, and whether to stay on their file system. */
import type { Profile } from '../../core/settings/schema.js';
import { button, errorSlot, group, h, list, toggleField } from '../shared/dom.js';
import type { Part, PartContext } from './part.js';

export function createSourcesGroup(ctx: PartContext): Part {
  const rows = h('ul', { class: 'list rows', 'aria-label': 'Folders to back up' });
  const empty = h('p', { class: 'row empty' }, 'No folders yet: nothing would be backed up.');
  const add = button('Add folder…', () => void addFolder());
  const listError = errorSlot('sources');
  let sources: string[] = [];

  const oneFs = toggleField({
    label: 'Stay on one file system',
    field: 'rsync.oneFileSystem',
    hint: 'Skips disks mounted inside these folders.',
  });
  oneFs.input.addEventListener('input', () => ctx.changed());

  const element = group(
    {
      id: 'sources',
      title: 'Folders',
      description:
        'The folders to back up. Each is stored with its full path inside every snapshot.',
    },
    rows,
    empty,
    listError,
    h('div', { class: 'actions' }, add),
    list(oneFs.wrapper),
  );

  function render(): void {
    rows.replaceChildren(
      ...sources.map((path, index) =>
        h(
          'li',
          { class: 'row item' },
          h('span', { class: 'path', 'data-field': `sources.${index}` }, path),
          button(
            'Remove',
            () => {
              sources.splice(index, 1);
              render();
              ctx.changed();
            },
            { 'aria-label': `Remove ${path}`, class: 'flat' },
          ),
          errorSlot(`sources.${index}`),
        ),
      ),
    );
    rows.hidden = sources.length === 0;
    empty.hidden = sources.length > 0;
  }

  async function addFolder(): Promise<void> {
    const path = await ctx.api.pick({ kind: 'folder', title: 'Choose a folder to back up' });
    if (path === null || sources.includes(path)) return;
    sources.push(path);
    render();
    ctx.changed();
  }

  return {
    element,
    show(profile: Profile) {
      sources = [...profile.sources];
      render();
      oneFs.input.checked = profile.rsync.oneFileSystem;
    },
    collect() {
      return {
        sources: [...sources],
        rsync: { oneFileSystem: oneFs.input.checked },
      };
    },
  };
}
