/** rsync exclude patterns, presets, and a preview of what they leave out, computed by rsync. */
import type { Profile } from '../../core/settings/schema.js';
import type {
  ExcludePreview,
  ExcludePreset,
  ExcludePreviewRequest,
} from '../../electron/ipc/contract.js';
import { button, errorSlot, group, h, uniqueId, warningSlot } from '../shared/dom.js';
import { showFieldWarnings } from '../shared/field-errors.js';
import { formatBytes, formatCount } from '../shared/format.js';
import type { Part, PartContext } from './part.js';

/** Wait this long after the last edit before asking rsync again. */
const PREVIEW_DELAY_MS = 300;

export function createExcludesGroup(
  ctx: PartContext,
  presets: readonly ExcludePreset[],
): Part & { draftChanged(draft: Record<string, unknown>): void } {
  // A preset's pattern that matches nothing here is harmless (no such folder on this computer);
  // only a pattern the user wrote gets the warning, as it may be a typing mistake.
  const presetPatterns = new Set(presets.flatMap((p) => p.patterns));
  const rows = h('ul', { class: 'list rows', 'aria-label': 'Exclude patterns' });
  const add = button('Add pattern', () => {
    patterns.push('');
    render();
    focusRow(patterns.length - 1);
    ctx.changed();
  });
  const presetList = h('ul', { class: 'list rows', 'aria-label': 'Presets' });
  const previewStatus = h('p', { class: 'status', role: 'status' });
  const totals = h('p', { class: 'totals' });
  const table = h('table', { class: 'preview-table' });
  const more = h('p', { class: 'hint' });
  const preview = h(
    'div',
    { class: 'preview card', 'aria-labelledby': 'excludes-preview-title' },
    h('h4', { id: 'excludes-preview-title' }, 'What these patterns leave out'),
    previewStatus,
    totals,
    table,
    more,
  );
  const element = h(
    'div',
    { id: 'excludes', class: 'stack' },
    group(
      {
        title: 'Leave out',
        description:
          'rsync patterns for what not to back up, one per row: "*.tmp" anywhere, "/home/you/Downloads/" for one folder (a trailing "/" matches folders only), "cache/" for every folder named cache.',
      },
      rows,
      h('div', { class: 'actions' }, add),
    ),
    group(
      {
        title: 'Presets',
        description: 'Patterns for things that need no backup, added with one click.',
      },
      presetList,
    ),
    group({}, preview),
  );

  let patterns: string[] = [];
  let lastKey = '';
  let timer: number | undefined;
  let requestNumber = 0;
  let unmatched: string[] = [];

  function render(): void {
    rows.replaceChildren(...patterns.map((pattern, index) => row(pattern, index)));
    rows.hidden = patterns.length === 0;
    renderPresets();
    showWarnings();
  }

  function row(pattern: string, index: number): HTMLLIElement {
    const error = errorSlot(`excludes.${index}`);
    const warning = warningSlot(`excludes.${index}`);
    // A textarea keeps a pasted line break, so the schema can refuse it visibly.
    const input = h('textarea', {
      rows: 1,
      class: 'pattern',
      spellcheck: 'false',
      'data-field': `excludes.${index}`,
      'aria-label': `Exclude pattern ${index + 1}`,
      'aria-describedby': `${error.id} ${warning.id}`,
    });
    input.value = pattern;
    input.addEventListener('input', () => {
      patterns[index] = input.value;
      renderPresets();
      ctx.changed();
    });
    input.addEventListener('keydown', (event) => {
      // Enter starts the next pattern, as in a list; a pasted line break still shows as an error.
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        patterns.splice(index + 1, 0, '');
        render();
        focusRow(index + 1);
        ctx.changed();
      }
    });
    const remove = button(
      'Remove',
      () => {
        patterns.splice(index, 1);
        render();
        ctx.changed();
      },
      { 'aria-label': `Remove exclude pattern ${index + 1}`, class: 'flat' },
    );
    return h('li', { class: 'row item' }, input, remove, error, warning);
  }

  function focusRow(index: number): void {
    rows.querySelectorAll('textarea')[index]?.focus();
  }

  function renderPresets(): void {
    presetList.replaceChildren(
      ...presets.map((preset) => {
        const missing = preset.patterns.filter((p) => !patterns.includes(p));
        const descriptionId = uniqueId('preset');
        const added = missing.length === 0;
        const addPreset = button(
          added ? 'Added' : 'Add',
          () => {
            patterns = [...patterns.filter((p) => p !== ''), ...missing];
            render();
            ctx.changed();
          },
          {
            disabled: added,
            'aria-label': added ? `${preset.label}: added` : `Add ${preset.label}`,
            'aria-describedby': descriptionId,
            'data-preset': preset.id,
          },
        );
        return h(
          'li',
          { class: 'row preset' },
          h(
            'div',
            { class: 'row-text' },
            h('span', { class: 'row-title' }, preset.label),
            h(
              'p',
              { class: 'hint', id: descriptionId },
              preset.patterns.length <= 3
                ? `${preset.description} Adds ${preset.patterns.join(', ')}`
                : `${preset.description} Adds ${preset.patterns.length} patterns.`,
            ),
          ),
          addPreset,
        );
      }),
    );
  }

  function showWarnings(): void {
    const warnings = new Map<string, string>();
    patterns.forEach((pattern, index) => {
      if (unmatched.includes(pattern) && !presetPatterns.has(pattern)) {
        warnings.set(`excludes.${index}`, 'Matches nothing in the sources right now.');
      }
    });
    showFieldWarnings(rows, warnings);
  }

  function schedulePreview(draft: Record<string, unknown>): void {
    const request = {
      sources: stringList(draft.sources),
      excludes: patterns.filter((p) => p.trim() !== '' && !/[\r\n]/.test(p)),
      destination: typeof draft.destination === 'string' ? draft.destination : '',
      oneFileSystem: isRecord(draft.rsync) && draft.rsync.oneFileSystem === true,
    };
    const key = JSON.stringify(request);
    if (key === lastKey) return;
    lastKey = key;
    window.clearTimeout(timer);
    previewStatus.textContent = 'Waiting for you to stop typing…';
    timer = window.setTimeout(() => void runPreview(request), PREVIEW_DELAY_MS);
  }

  async function runPreview(request: ExcludePreviewRequest): Promise<void> {
    requestNumber += 1;
    const mine = requestNumber;
    preview.setAttribute('aria-busy', 'true');
    previewStatus.textContent = 'rsync is looking through the sources…';
    const result = await ctx.api.previewExcludes(request);
    // A newer edit has asked again; its answer is the one to show.
    if (mine !== requestNumber || ('cancelled' in result && result.cancelled)) return;
    preview.removeAttribute('aria-busy');
    if (!result.ok) {
      previewStatus.textContent = 'message' in result ? result.message : '';
      totals.textContent = '';
      table.replaceChildren();
      more.textContent = '';
      unmatched = [];
      showWarnings();
      return;
    }
    showPreview(result.value);
  }

  function showPreview(value: ExcludePreview): void {
    previewStatus.textContent = 'Computed by rsync from the sources as they are now.';
    const leftOut = value.excluded.reduce((sum, e) => sum + e.bytes, 0);
    totals.replaceChildren(
      h(
        'strong',
        { 'data-bytes': value.includedBytes, 'data-files': value.includedFiles },
        `To back up: ${formatBytes(value.includedBytes)}`,
      ),
      ` in ${formatCount(value.includedFiles, 'file', 'files')}. `,
      value.excluded.length === 0
        ? 'Nothing is left out.'
        : `Left out: ${formatBytes(leftOut)}${value.truncated ? ' or more' : ''}.`,
    );
    table.replaceChildren(
      h('caption', { class: 'visually-hidden' }, 'Excluded files and folders'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Left out'),
          h('th', { scope: 'col', class: 'num' }, 'Size'),
          h('th', { scope: 'col', class: 'num' }, 'Files'),
          h('th', { scope: 'col' }, 'Pattern'),
        ),
      ),
      h(
        'tbody',
        {},
        ...value.excluded.map((entry) =>
          h(
            'tr',
            {},
            h('td', { class: 'path' }, entry.kind === 'folder' ? `${entry.path}/` : entry.path),
            h('td', { class: 'num' }, formatBytes(entry.bytes)),
            h('td', { class: 'num' }, entry.files.toLocaleString('en')),
            h('td', {}, h('code', {}, entry.pattern)),
          ),
        ),
      ),
    );
    table.hidden = value.excluded.length === 0;
    more.textContent = value.truncated ? 'More items are left out than are listed here.' : '';
    unmatched = value.unmatched;
    showWarnings();
  }

  return {
    element,
    show(profile: Profile) {
      patterns = [...profile.excludes];
      render();
    },
    collect() {
      return { excludes: [...patterns] };
    },
    draftChanged: schedulePreview,
  };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
