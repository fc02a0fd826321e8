/** When backups run, how hard they may work the computer, and when to warn that none has run. */
import type { Profile } from '../../core/settings/schema.js';
import {
  group,
  h,
  list,
  radioRow,
  readNumber,
  showNumber,
  textField,
  toggleField,
  uniqueId,
} from '../shared/dom.js';
import type { Part, PartContext } from './part.js';

export function createSchedulePage(ctx: PartContext): Part {
  const name = uniqueId('mode');
  const everyHours = textField({
    label: 'Every',
    field: 'schedule.everyHours',
    numeric: true,
    unit: 'hours',
  });
  const dailyAt = textField({ label: 'At', field: 'schedule.dailyAt', type: 'time' });
  const interval = radioRow(name, 'interval', 'Every few hours');
  const daily = radioRow(name, 'daily', 'Once a day');
  const catchUp = toggleField({
    label: 'Catch up on a missed backup',
    field: 'schedule.catchUp',
    hint: 'If the computer was off at the planned time, back up soon after it starts.',
  });
  const waitForAC = toggleField({
    label: 'Wait for AC power',
    field: 'schedule.waitForAC',
    hint: 'On battery, the backup waits until the charger is plugged in.',
  });
  const skipUnreachable = toggleField({
    label: 'Skip when the destination is unreachable',
    field: 'schedule.skipWhenUnreachable',
    hint: 'Away from home, try again later instead of reporting a failure.',
  });
  const overdue = textField({
    label: 'Warn when there has been no backup for',
    field: 'overdueDays',
    numeric: true,
    unit: 'days',
  });
  const gentle = toggleField({
    label: 'Run gently',
    field: 'rsync.gentle',
    hint: 'Lowers rsync’s CPU and disk priority (nice, ionice) so the computer stays responsive.',
  });
  const compress = toggleField({
    label: 'Compress over the network',
    field: 'rsync.compress',
    hint: 'Helps on slow links; costs the router CPU time.',
  });
  const bandwidth = textField({
    label: 'Bandwidth limit',
    field: 'rsync.bandwidthLimit',
    numeric: true,
    unit: 'KiB/s',
    hint: 'Empty means no limit.',
  });
  everyHours.wrapper.classList.add('nested');
  dailyAt.wrapper.classList.add('nested');

  const element = h(
    'div',
    { class: 'page-body', id: 'schedule' },
    group(
      {
        title: 'When to back up',
        description: 'Backups run in the background while Snaptray is in the tray.',
      },
      list(interval.wrapper, everyHours.wrapper, daily.wrapper, dailyAt.wrapper),
      list(catchUp.wrapper, waitForAC.wrapper, skipUnreachable.wrapper),
    ),
    group(
      { title: 'While a backup runs' },
      list(gentle.wrapper, compress.wrapper, bandwidth.wrapper),
    ),
    group({ title: 'Reminders' }, list(overdue.wrapper)),
  );
  for (const input of element.querySelectorAll('input')) {
    input.addEventListener('input', () => {
      update();
      ctx.changed();
    });
  }

  function update(): void {
    everyHours.input.disabled = !interval.input.checked;
    dailyAt.input.disabled = !daily.input.checked;
  }

  return {
    element,
    show(profile: Profile) {
      interval.input.checked = profile.schedule.mode === 'interval';
      daily.input.checked = profile.schedule.mode === 'daily';
      showNumber(everyHours.input, profile.schedule.everyHours);
      dailyAt.input.value = profile.schedule.dailyAt;
      catchUp.input.checked = profile.schedule.catchUp;
      waitForAC.input.checked = profile.schedule.waitForAC;
      skipUnreachable.input.checked = profile.schedule.skipWhenUnreachable;
      showNumber(overdue.input, profile.overdueDays);
      gentle.input.checked = profile.rsync.gentle;
      compress.input.checked = profile.rsync.compress;
      showNumber(bandwidth.input, profile.rsync.bandwidthLimit);
      update();
    },
    collect() {
      return {
        schedule: {
          mode: daily.input.checked ? 'daily' : 'interval',
          everyHours: readNumber(everyHours.input),
          dailyAt: dailyAt.input.value,
          catchUp: catchUp.input.checked,
          waitForAC: waitForAC.input.checked,
          skipWhenUnreachable: skipUnreachable.input.checked,
        },
        overdueDays: readNumber(overdue.input),
        rsync: {
          gentle: gentle.input.checked,
          compress: compress.input.checked,
          bandwidthLimit: readNumber(bandwidth.input, true),
        },
      };
    },
  };
}
