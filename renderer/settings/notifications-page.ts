/** Which desktop notifications to show. */
import type { Profile } from '../../core/settings/schema.js';
import { group, list, toggleField } from '../shared/dom.js';
import type { Part, PartContext } from './part.js';

type NotificationKind = keyof Profile['notifications'];

const NOTIFICATION_LABELS: Record<NotificationKind, string> = {
  started: 'A backup starts',
  finished: 'A backup finishes',
  partial: 'A backup completes with errors',
  failed: 'A backup fails',
  skipped: 'A backup is skipped or delayed',
  overdue: 'Backups are overdue',
  otherMachinesOverdue: 'Another machine on the destination is overdue (checked after each backup)',
};

export function createNotificationsPage(ctx: PartContext): Part {
  const switches = (Object.keys(NOTIFICATION_LABELS) as NotificationKind[]).map((kind) => ({
    kind,
    field: toggleField({ label: NOTIFICATION_LABELS[kind], field: `notifications.${kind}` }),
  }));
  const element = group(
    {
      id: 'notifications',
      title: 'Desktop notifications',
      description: 'Show a notification when:',
    },
    list(...switches.map((s) => s.field.wrapper)),
  );
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
