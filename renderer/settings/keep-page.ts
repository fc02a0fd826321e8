/** How long snapshots are kept, and which of the destination's snapshots that keeps today. */
import type { Profile } from '../../core/settings/schema.js';
import type { RetentionPreviewEntry } from '../../electron/ipc/contract.js';
import {
  button,
  group,
  h,
  list,
  readNumber,
  showNumber,
  textField,
  toggleField,
} from '../shared/dom.js';
import { formatTime } from '../shared/format.js';
import type { Part, PartContext } from './part.js';

const ACTION_WORDS: Record<RetentionPreviewEntry['action'], string> = {
  keep: 'Keep',
  delete: 'Delete',
  leave: 'Leave alone',
};

export function createKeepPage(ctx: PartContext): Part {
  const keepAll = textField({
    label: 'Keep every snapshot for',
    field: 'retention.keepAllHours',
    numeric: true,
    unit: 'hours',
  });
  const daily = textField({
    label: 'Then one a day for',
    field: 'retention.dailyDays',
    numeric: true,
    unit: 'days',
  });
  const weekly = textField({
    label: 'Then one a week for',
    field: 'retention.weeklyWeeks',
    numeric: true,
    unit: 'weeks',
  });
  const monthly = textField({
    label: 'Then one a month for',
    field: 'retention.monthlyMonths',
    numeric: true,
    unit: 'months',
  });
  const maxAge = textField({
    label: 'Delete anything older than',
    field: 'retention.maxAgeDays',
    numeric: true,
    unit: 'days',
    hint: 'Empty: never delete by age alone.',
  });
  const makeRoom = toggleField({
    label: 'When the destination is full, delete the oldest snapshots and try again',
    field: 'retention.makeRoom',
    hint: 'Only this computer’s snapshots; the newest stay, as many as set below.',
  });
  const makeRoomKeep = textField({
    label: 'Keep at least',
    field: 'retention.makeRoomKeep',
    numeric: true,
    unit: 'snapshots',
  });
  makeRoomKeep.wrapper.classList.add('nested');
  const status = h('p', { class: 'status', role: 'status' });
  const table = h('table', { class: 'preview-table', hidden: true });
  const previewButton = button('Preview on the destination', () => void runPreview());
  const element = h(
    'div',
    { class: 'page-body', id: 'retention' },
    group(
      {
        title: 'Which snapshots to keep',
        description:
          'Old snapshots are pruned after each successful backup. The newest snapshot is always kept.',
      },
      list(keepAll.wrapper, daily.wrapper, weekly.wrapper, monthly.wrapper, maxAge.wrapper),
    ),
    group({ title: 'A full destination' }, list(makeRoom.wrapper, makeRoomKeep.wrapper)),
    group(
      {},
      h(
        'div',
        { class: 'preview card', 'aria-labelledby': 'retention-preview-title' },
        h('h4', { id: 'retention-preview-title' }, 'What this policy keeps'),
        h('div', { class: 'actions' }, previewButton, status),
        table,
      ),
    ),
  );
  for (const input of element.querySelectorAll('input')) {
    input.addEventListener('input', () => {
      update();
      ctx.changed();
    });
  }

  function update(): void {
    makeRoomKeep.input.disabled = !makeRoom.input.checked;
  }

  async function runPreview(): Promise<void> {
    previewButton.disabled = true;
    status.textContent = 'Reading the snapshots on the destination…';
    try {
      const result = await ctx.api.previewRetention(ctx.draft());
      if (!result.ok) {
        status.textContent = result.message;
        table.hidden = true;
        return;
      }
      show(result.value.snapshots);
    } finally {
      previewButton.disabled = false;
    }
  }

  function show(entries: RetentionPreviewEntry[]): void {
    const deleted = entries.filter((e) => e.action === 'delete').length;
    status.textContent =
      entries.length === 0
        ? 'There are no snapshots of this computer on the destination yet.'
        : `${entries.length} snapshots; this policy would delete ${deleted} of them now.`;
    table.hidden = entries.length === 0;
    table.replaceChildren(
      h('caption', { class: 'visually-hidden' }, 'Snapshots on the destination'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Snapshot'),
          h('th', { scope: 'col' }, 'Taken'),
          h('th', { scope: 'col' }, 'Action'),
          h('th', { scope: 'col' }, 'Why'),
        ),
      ),
      h(
        'tbody',
        {},
        ...[...entries]
          .reverse()
          .map((e) =>
            h(
              'tr',
              { class: `action-${e.action}`, 'data-snapshot': e.name },
              h('td', { class: 'path name' }, e.name),
              h('td', {}, formatTime(e.time)),
              h('td', { 'data-action': e.action }, ACTION_WORDS[e.action]),
              h('td', {}, e.reason),
            ),
          ),
      ),
    );
  }

  return {
    element,
    show(profile: Profile) {
      showNumber(keepAll.input, profile.retention.keepAllHours);
      showNumber(daily.input, profile.retention.dailyDays);
      showNumber(weekly.input, profile.retention.weeklyWeeks);
      showNumber(monthly.input, profile.retention.monthlyMonths);
      showNumber(maxAge.input, profile.retention.maxAgeDays);
      makeRoom.input.checked = profile.retention.makeRoom;
      showNumber(makeRoomKeep.input, profile.retention.makeRoomKeep);
      update();
      table.hidden = true;
      status.textContent = '';
    },
    collect() {
      return {
        retention: {
          keepAllHours: readNumber(keepAll.input),
          dailyDays: readNumber(daily.input),
          weeklyWeeks: readNumber(weekly.input),
          monthlyMonths: readNumber(monthly.input),
          maxAgeDays: readNumber(maxAge.input, true),
          makeRoom: makeRoom.input.checked,
          makeRoomKeep: readNumber(makeRoomKeep.input),
        },
      };
    },
  };
}
