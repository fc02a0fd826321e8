/** When backups run, and when to warn that none has run. */
import type { Profile } from '../core/settings/schema.js';
import { checkboxField, h, readNumber, section, showNumber, textField, uniqueId } from './dom.js';
import type { Section, SectionContext } from './section.js';

export function createScheduleSection(ctx: SectionContext): Section {
  const element = section(
    'schedule',
    'Schedule',
    'Backups run in the background while Snaptray is in the tray.',
  );
  const name = uniqueId('mode');
  const intervalId = uniqueId('radio');
  const dailyId = uniqueId('radio');
  const interval = h('input', { type: 'radio', name, value: 'interval', id: intervalId });
  const daily = h('input', { type: 'radio', name, value: 'daily', id: dailyId });
  const everyHours = textField({
    label: 'Every',
    field: 'schedule.everyHours',
    numeric: true,
    unit: 'hours',
  });
  const dailyAt = textField({ label: 'At', field: 'schedule.dailyAt', type: 'time' });
  const mode = h(
    'fieldset',
    { class: 'choice' },
    h('legend', {}, 'Back up'),
    h(
      'div',
      { class: 'field check' },
      interval,
      h('label', { for: intervalId }, 'Every few hours'),
    ),
    h('div', { class: 'indent' }, everyHours.wrapper),
    h('div', { class: 'field check' }, daily, h('label', { for: dailyId }, 'Once a day')),
    h('div', { class: 'indent' }, dailyAt.wrapper),
  );
  const catchUp = checkboxField({
    label: 'Catch up on a missed backup',
    field: 'schedule.catchUp',
    hint: 'If the computer was off at the planned time, back up soon after it starts.',
  });
  const waitForAC = checkboxField({
    label: 'Wait for AC power',
    field: 'schedule.waitForAC',
    hint: 'On battery, the backup waits until the charger is plugged in.',
  });
  const skipUnreachable = checkboxField({
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
  element.append(
    mode,
    catchUp.wrapper,
    waitForAC.wrapper,
    skipUnreachable.wrapper,
    overdue.wrapper,
  );
  for (const input of element.querySelectorAll('input')) {
    input.addEventListener('input', () => {
      update();
      ctx.changed();
    });
  }

  function update(): void {
    everyHours.input.disabled = !interval.checked;
    dailyAt.input.disabled = !daily.checked;
  }

  return {
    element,
    show(profile: Profile) {
      interval.checked = profile.schedule.mode === 'interval';
      daily.checked = profile.schedule.mode === 'daily';
      showNumber(everyHours.input, profile.schedule.everyHours);
      dailyAt.input.value = profile.schedule.dailyAt;
      catchUp.input.checked = profile.schedule.catchUp;
      waitForAC.input.checked = profile.schedule.waitForAC;
      skipUnreachable.input.checked = profile.schedule.skipWhenUnreachable;
      showNumber(overdue.input, profile.overdueDays);
      update();
    },
    collect() {
      return {
        schedule: {
          mode: daily.checked ? 'daily' : 'interval',
          everyHours: readNumber(everyHours.input),
          dailyAt: dailyAt.input.value,
          catchUp: catchUp.input.checked,
          waitForAC: waitForAC.input.checked,
          skipWhenUnreachable: skipUnreachable.input.checked,
        },
        overdueDays: readNumber(overdue.input),
      };
    },
  };
}
