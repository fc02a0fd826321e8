/**
 * "Compare with Current": one version of a text file beside the file here, in a dialog as wide as
 * the window allows. Side by side when there is room, unified (as `diff -u` shows it) otherwise;
 * the user can switch. The version is the old side (−), the file here the new one (+).
 */
import type { ComparedHunk, ComparedLine, VersionComparison } from '../../electron/ipc/contract.js';
import { button, h, uniqueId } from '../shared/dom.js';
import { plural, shown } from './words.js';

/** From this window width on, the two sides stand next to each other. */
const SIDE_BY_SIDE_REM = 60;

export type ComparisonLayout = 'side-by-side' | 'unified';

/** The layout for a window this wide (CSS pixels). */
export function layoutFor(width: number): ComparisonLayout {
  const rem = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  return width >= SIDE_BY_SIDE_REM * rem ? 'side-by-side' : 'unified';
}

/**
 * Shows the comparison in a dialog. `which`: the version in words ("the version modified …");
 * `name`: the file's name.
 */
export function showComparison(c: VersionComparison, name: string, which: string): void {
  const titleId = uniqueId('compare-title');
  const body = h('div', { class: 'comparison-body' });
  const close = button('Close', () => dialog.close(), { class: 'primary' });
  const dialog = h(
    'dialog',
    { class: 'modal comparison-dialog', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, `${shown(name)}: ${which} and the file here`),
    h('p', { class: 'comparison-summary' }, summary(c)),
    body,
    h('div', { class: 'dialog-actions' }, close),
  );
  if (c.here === 'differs') {
    const switchId = uniqueId('side-by-side');
    const sideBySide = h('input', {
      id: switchId,
      type: 'checkbox',
      role: 'switch',
      class: 'switch',
    });
    sideBySide.checked = layoutFor(window.innerWidth) === 'side-by-side';
    const draw = () =>
      body.replaceChildren(sideBySide.checked ? sideBySideTable(c) : unifiedTable(c));
    sideBySide.addEventListener('change', draw);
    body.before(
      h(
        'div',
        { class: 'comparison-layout' },
        h('label', { for: switchId }, 'Side by side'),
        sideBySide,
      ),
    );
    draw();
  }
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  dialog.showModal();
  close.focus();
}

function summary(c: VersionComparison): string {
  if (c.here === 'missing') {
    return (
      `There is no file here at ${shown(c.path)} to compare with: it was deleted or moved. ` +
      'Restore this version to bring it back.'
    );
  }
  if (c.here === 'same') {
    return `The file here has the same text as this version (${plural(c.oldLineCount, 'line')}).`;
  }
  let removed = 0;
  let added = 0;
  for (const line of c.hunks.flatMap((hunk) => hunk.lines)) {
    if (line.kind === 'removed') removed++;
    if (line.kind === 'added') added++;
  }
  return (
    `${plural(removed, 'line')} only in ${c.snapshot} (−), ${plural(added, 'line')} only here (+); ` +
    `${plural(c.oldLineCount, 'line')} in the version, ${plural(c.newLineCount, 'line')} here.`
  );
}

const SIGN: Record<ComparedLine['kind'], string> = { same: ' ', removed: '−', added: '+' };
const KIND_WORDS: Record<ComparedLine['kind'], string> = {
  same: 'in both',
  removed: 'only in the version',
  added: 'only here',
};

function hunkHeader(hunk: ComparedHunk): string {
  return `@@ −${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`;
}

/** A line's text as shown: control characters visible, and diff's note on a last line. */
function lineText(line: ComparedLine): string {
  return shown(line.text) + (line.noNewline ? '  (no newline at the end)' : '');
}

/** As `diff -u` shows it: one column of lines, each marked −, + or blank. */
function unifiedTable(c: VersionComparison): HTMLElement {
  return h(
    'table',
    { class: 'diff diff-unified' },
    h(
      'caption',
      { class: 'visually-hidden' },
      `${shown(c.path)}: the version in ${c.snapshot} (−) and the file here (+)`,
    ),
    h(
      'thead',
      { class: 'visually-hidden' },
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Line in the version'),
        h('th', { scope: 'col' }, 'Line here'),
        h('th', { scope: 'col' }, 'Where'),
        h('th', { scope: 'col' }, 'Text'),
      ),
    ),
    ...c.hunks.map((hunk) =>
      h(
        'tbody',
        {},
        h('tr', { class: 'diff-hunk' }, h('td', { colspan: 4 }, hunkHeader(hunk))),
        ...hunk.lines.map((line) =>
          h(
            'tr',
            { class: `diff-line diff-${line.kind}` },
            h('td', { class: 'diff-num' }, line.old === null ? '' : String(line.old)),
            h('td', { class: 'diff-num' }, line.new === null ? '' : String(line.new)),
            h(
              'td',
              { class: 'diff-sign' },
              h('span', { 'aria-hidden': 'true' }, SIGN[line.kind]),
              h('span', { class: 'visually-hidden' }, KIND_WORDS[line.kind]),
            ),
            h('td', { class: 'diff-text' }, lineText(line)),
          ),
        ),
      ),
    ),
  );
}

/** The version on the left, the file here on the right, changed lines paired row by row. */
function sideBySideTable(c: VersionComparison): HTMLElement {
  return h(
    'table',
    { class: 'diff diff-side-by-side' },
    h(
      'caption',
      { class: 'visually-hidden' },
      `${shown(c.path)}: the version in ${c.snapshot} on the left, the file here on the right`,
    ),
    h(
      'colgroup',
      {},
      h('col', { class: 'diff-num-col' }),
      h('col', {}),
      h('col', { class: 'diff-num-col' }),
      h('col', {}),
    ),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', colspan: 2 }, `In ${c.snapshot}`),
        h('th', { scope: 'col', colspan: 2 }, 'Here'),
      ),
    ),
    ...c.hunks.map((hunk) =>
      h(
        'tbody',
        {},
        h('tr', { class: 'diff-hunk' }, h('td', { colspan: 4 }, hunkHeader(hunk))),
        ...pairs(hunk.lines).map(([left, right]) =>
          h('tr', { class: 'diff-line' }, ...side(left, 'old'), ...side(right, 'new')),
        ),
      ),
    ),
  );
}

function side(line: ComparedLine | null, which: 'old' | 'new'): HTMLElement[] {
  if (line === null) {
    return [h('td', { class: 'diff-num diff-empty' }), h('td', { class: 'diff-text diff-empty' })];
  }
  const number = line[which];
  return [
    h('td', { class: `diff-num diff-${line.kind}` }, number === null ? '' : String(number)),
    h(
      'td',
      { class: `diff-text diff-${line.kind}` },
      line.kind === 'same'
        ? null
        : h('span', { class: 'visually-hidden' }, `${KIND_WORDS[line.kind]}: `),
      lineText(line),
    ),
  ];
}

/**
 * Rows of the two sides: a line in both fills both; a run of removed lines and the run of added
 * lines after it share rows, the shorter run padded with empty cells.
 */
export function pairs(
  lines: readonly ComparedLine[],
): Array<[ComparedLine | null, ComparedLine | null]> {
  const rows: Array<[ComparedLine | null, ComparedLine | null]> = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.kind === 'same') {
      rows.push([line, line]);
      i++;
      continue;
    }
    const removed: ComparedLine[] = [];
    const added: ComparedLine[] = [];
    while (i < lines.length && lines[i]!.kind === 'removed') removed.push(lines[i++]!);
    while (i < lines.length && lines[i]!.kind === 'added') added.push(lines[i++]!);
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      rows.push([removed[k] ?? null, added[k] ?? null]);
    }
  }
  return rows;
}
