/** Commands run around each backup, and which desktop notifications to show. */
import type { Profile } from '../core/settings/schema.js';
import { checkboxField, h, readNumber, section, showNumber, textField } from './dom.js';
import type { Section, SectionContext } from './section.js';

type NotificationKind = keyof Profile['notifications'];

const NOTIFICATION_LABELS: Record<NotificationKind, string> = {
  started: 'A backup starts',
  finished: 'A backup finishes',
  partial: 'A backup completes with errors',
  failed: 'A backup fails',
  skipped: 'A backup is skipped or delayed',
  overdue: 'Backups are overdue',
};

export function createHooksSection(ctx: SectionContext): Section {
  const element = section(
    'hooks',
    'Hooks',
    'Shell commands run on this computer. They see SNAPTRAY_PROFILE, SNAPTRAY_SNAPSHOT, SNAPTRAY_STATUS, SNAPTRAY_EXIT_CODE and SNAPTRAY_DEST.',
  );
  const pre = textField({
    label: 'Before a backup',
    field: 'hooks.pre',
    hint: 'If it fails, the backup does not run.',
  });
  const after = textField({ label: 'After a successful backup', field: 'hooks.after' });
  const fail = textField({ label: 'After a failed backup', field: 'hooks.fail' });
  const timeout = textField({
    label: 'Stop a command after',
    field: 'hooks.timeoutSeconds',
    numeric: true,
    unit: 'seconds',
  });
  element.append(pre.wrapper, after.wrapper, fail.wrapper, timeout.wrapper);
  for (const input of element.querySelectorAll('input')) {
    input.addEventListener('input', () => ctx.changed());
  }
  return {
    element,
    show(profile: Profile) {
      pre.input.value = profile.hooks.pre;
      after.input.value = profile.hooks.after;
      fail.input.value = profile.hooks.fail;
      showNumber(timeout.input, profile.hooks.timeoutSeconds);
    },
    collect() {
      return {
        hooks: {
          pre: pre.input.value,
          after: after.input.value,
          fail: fail.input.value,
          timeoutSeconds: readNumber(timeout.input),
        },
      };
    },
  };
}

export function createNotificationsSection(ctx: SectionContext): Section {
  const element = section('notifications', 'Notifications', 'Show a desktop notification when:');
  const switches = (Object.keys(NOTIFICATION_LABELS) as NotificationKind[]).map((kind) => ({
    kind,
    field: checkboxField({
      label: NOTIFICATION_LABELS[kind],
      field: `notifications.${kind}`,
      asSwitch: true,
    }),
  }));
  element.append(h('div', { class: 'switches' }, ...switches.map((s) => s.field.wrapper)));
  for (const { field } of switches) field.input.addEventListener('input', () => ctx.changed());
  return {
    element,
    show(profile: Profile) {
      for (const { kind, field } of switches) field.input.checked = profile.notifications[kind];
    },
    collect() {
      return {
        notifications: Object.fromEntries(switches.map((s) => [s.kind, s.field.input.checked])),
      };
    },
  };
}
