/** Desktop notifications through node-notifier (notify-send), with the engine's plain texts. */
import { createRequire } from 'node:module';
import type { Profile } from '../../core/settings/schema.js';
import {
  boundText,
  notificationText,
  SUMMARY_MAX,
  type NotificationEvent,
} from '../../core/notification-text.js';

export type Notifications = Profile['notifications'];

/** One notification as it is handed to notify-send. */
export interface NotifyRequest {
  summary: string;
  body: string;
  urgency: 'low' | 'normal' | 'critical';
  icon: string | null;
}

export type NotifySink = (request: NotifyRequest) => Promise<void>;

/** Which switch of `profile.notifications` turns each kind of event off. */
export function switchFor(kind: NotificationEvent['kind']): keyof Notifications {
  switch (kind) {
    case 'started':
    case 'finished':
    case 'partial':
    case 'failed':
    case 'skipped':
    case 'overdue':
      return kind;
    case 'delayed':
      return 'skipped';
    case 'machine-overdue':
      return 'otherMachinesOverdue';
    case 'restored':
      // The user started it from the Backups window; it ends as a backup's "finished" does.
      return 'finished';
  }
}

/**
 * The request for `event`, or null when the user switched that kind off. `profile` names the
 * profile in the summary ("photos: Backup failed") when the tray follows several.
 */
export function notificationFor(
  event: NotificationEvent,
  switches: Notifications,
  icon: string | null,
  profile: string | null = null,
): NotifyRequest | null {
  if (!switches[switchFor(event.kind)]) return null;
  const text = notificationText(event);
  // Profile names are letters, digits, ".", "_" and "-" (settings/schema.ts): plain already.
  const summary =
    profile === null ? text.summary : boundText(`${profile}: ${text.summary}`, SUMMARY_MAX, false);
  return { summary, body: text.body, urgency: text.urgency, icon };
}

interface NotifySendModule {
  NotifySend: new (options?: { suppressOsdCheck?: boolean }) => {
    notify(options: Record<string, unknown>, callback: (error: Error | null) => void): void;
  };
}

/**
 * node-notifier's notify-send backend. It runs notify-send through a shell with escaping: the
 * texts from `notificationText` are plain and bounded, so escaping has little to do.
 */
export function createNotifySendSink(): NotifySink {
  // node-notifier is CommonJS with no ESM entry.
  const require = createRequire(import.meta.url);
  const { NotifySend } = require('node-notifier') as NotifySendModule;
  const notifier = new NotifySend();
  return (request) =>
    new Promise<void>((resolve) => {
      const options: Record<string, unknown> = {
        title: keepBackslashes(request.summary),
        message: keepBackslashes(request.body),
        urgency: request.urgency,
        'app-name': 'Snaptray',
      };
      if (request.icon !== null) options.icon = request.icon;
      // A failed notification must never take the app down: there is the menu still.
      notifier.notify(options, () => resolve());
    });
}

/** notify-send reads C escapes in its texts (g_strcompress): a lone backslash would vanish. */
function keepBackslashes(text: string): string {
  return text.replace(/\\/g, '\\\\');
}
