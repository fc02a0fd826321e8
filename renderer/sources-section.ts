/** The folders to back up, and how rsync copies them. */
import type { Profile } from '../core/settings/schema.js';
import {
  button,
  checkboxField,
  errorSlot,
  h,
  readNumber,
  section,
  showNumber,
  textField,
} from './dom.js';
import type { Section, SectionContext } from './section.js';

export function createSourcesSection(ctx: SectionContext): Section {
  const element = section(
    'sources',
    'Sources',
    'The folders to back up. Each is stored with its full path inside every snapshot.',
  );
  const list = h('ul', { class: 'rows', 'aria-label': 'Folders to back up' });
  const empty = h('p', { class: 'hint' }, 'No folders yet: nothing would be backed up.');
  const add = button('Add folder…', () => void addFolder());
  const listError = errorSlot('sources');
  let sources: string[] = [];

  const acls = checkboxField({ label: 'Copy ACLs', field: 'rsync.acls' });
  const xattrs = checkboxField({ label: 'Copy extended attributes', field: 'rsync.xattrs' });
  const oneFs = checkboxField({
    label: 'Stay on one file system',
    field: 'rsync.oneFileSystem',
    hint: 'Skips disks mounted inside the sources.',
  });
  const compress = checkboxField({
    label: 'Compress over the network',
    field: 'rsync.compress',
    hint: 'Helps on slow links; costs the router CPU time.',
  });
  const gentle = checkboxField({
    label: 'Run gently',
    field: 'rsync.gentle',
    hint: 'Lowers rsync’s CPU and disk priority (nice, ionice) so the computer stays responsive.',
  });
  const bandwidth = textField({
    label: 'Bandwidth limit',
    field: 'rsync.bandwidthLimit',
    numeric: true,
    unit: 'KiB/s',
    hint: 'Empty means no limit.',
  });
  const options = h(
    'fieldset',
    { class: 'options' },
    h('legend', {}, 'How files are copied'),
    acls.wrapper,
    xattrs.wrapper,
    oneFs.wrapper,
    compress.wrapper,
    gentle.wrapper,
    bandwidth.wrapper,
  );
  element.append(list, empty, listError, h('div', { class: 'actions' }, add), options);
  for (const input of options.querySelectorAll('input')) {
    input.addEventListener('input', () => ctx.changed());
  }

  function render(): void {
    list.replaceChildren(
      ...sources.map((path, index) =>
        h(
          'li',
          { class: 'row-item' },
          h('span', { class: 'path', 'data-field': `sources.${index}` }, path),
          button(
            'Remove',
            () => {
              sources.splice(index, 1);
              render();
              ctx.changed();
            },
            { 'aria-label': `Remove ${path}` },
          ),
          errorSlot(`sources.${index}`),
        ),
      ),
    );
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
      acls.input.checked = profile.rsync.acls;
      xattrs.input.checked = profile.rsync.xattrs;
      oneFs.input.checked = profile.rsync.oneFileSystem;
      compress.input.checked = profile.rsync.compress;
      gentle.input.checked = profile.rsync.gentle;
      showNumber(bandwidth.input, profile.rsync.bandwidthLimit);
    },
    collect() {
      return {
        sources: [...sources],
        rsync: {
          acls: acls.input.checked,
          xattrs: xattrs.input.checked,
          oneFileSystem: oneFs.input.checked,
          compress: compress.input.checked,
          gentle: gentle.input.checked,
          bandwidthLimit: readNumber(bandwidth.input, true),
        },
      };
    },
  };
}
