/**
 * Desktop notifications through notify-send, with the engine's plain texts: node-notifier's
 * backend for plain ones; notify-send itself, waiting for the click, for one with an action.
 */
import { execFile, spawn } from 'node:child_process';
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
  /**
   * What a click on the notification does, where the desktop supports actions (its server lists
   * "actions"); elsewhere the notification is sent without it, as every other one.
   */
  onClick?: NotifyClick;
}

export interface NotifyClick {
  /** Said by desktops that show the default action as a button or a tooltip. */
  label: string;
  run: () => void;
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
 * At most this many notify-send wait for a click at once: each lives until its notification is
 * closed, and a critical one (a failure) stays until the user closes it. Beyond it a notification
 * goes without its action.
 */
export const MAX_WAITING = 3;
/** The action a click on the notification's body invokes (Desktop Notifications spec). */
const DEFAULT_ACTION = 'default';
/** A question to the bus that takes longer than this counts as "no": nothing waits on it. */
const ASK_TIMEOUT_MS = 3_000;

/**
 * Notifications through notify-send. One with `onClick` goes to notify-send directly with
 * `--action` when the server supports actions and notify-send can wait for one (libnotify 0.7.9
 * and later): notify-send runs detached, prints the action's name when it is invoked, and its
 * exit is reaped here. Every other notification goes as before, through node-notifier.
 */
export function createNotifySendSink(): NotifySink {
  const plain = nodeNotifierSink();
  let waiting = 0;
  let notifySendActs: Promise<boolean> | null = null;
  return async (request) => {
    const click = request.onClick;
    if (click !== undefined && waiting < MAX_WAITING) {
      notifySendActs ??= notifySendHasActions();
      if ((await notifySendActs) && (await serverHasActions())) {
        waiting += 1;
        const sent = await sendWithAction(request, click, () => (waiting -= 1));
        if (sent) return;
      }
    }
    await plain(request);
  };
}

/** Starts notify-send, waiting for the click; false when it could not start. */
function sendWithAction(
  request: NotifyRequest,
  click: NotifyClick,
  ended: () => void,
): Promise<boolean> {
  const args = [
    '--app-name=Snaptray',
    `--urgency=${request.urgency}`,
    ...(request.icon === null ? [] : [`--icon=${request.icon}`]),
    `--action=${DEFAULT_ACTION}=${click.label}`,
    '--',
    // notify-send reads C escapes in the body only (g_strcompress), not in the summary.
    request.summary,
    keepBackslashes(request.body),
  ];
  return new Promise((resolve) => {
    // Its own process group: a signal to the app's group does not reach it, nor it the app.
    const child = spawn('notify-send', args, {
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    let said = '';
    // A program that fails to start reports both 'error' and 'close': it ended once.
    let over = false;
    const end = () => {
      if (over) return;
      over = true;
      ended();
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (said += chunk));
    child.once('spawn', () => resolve(true));
    child.once('error', () => {
      end();
      resolve(false);
    });
    child.once('close', () => {
      end();
      if (!said.split('\n').includes(DEFAULT_ACTION)) return;
      try {
        click.run();
      } catch {
        // A click that fails to open a window must not take the app down.
      }
    });
    // The app may quit while the notification waits.
    child.unref();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
  });
}

/** notify-send of libnotify 0.7.9 and later has --action; older ones would print an error. */
async function notifySendHasActions(): Promise<boolean> {
  const help = await ask('notify-send', ['--help']);
  return help !== null && help.includes('--action');
}

/** Whether the notification server lists "actions" among its capabilities (GetCapabilities). */
async function serverHasActions(): Promise<boolean> {
  const answer =
    (await ask('gdbus', [
      'call',
      '--session',
      '--dest=org.freedesktop.Notifications',
      '--object-path=/org/freedesktop/Notifications',
      '--method=org.freedesktop.Notifications.GetCapabilities',
    ])) ??
    (await ask('dbus-send', [
      '--session',
      '--print-reply',
      '--dest=org.freedesktop.Notifications',
      '/org/freedesktop/Notifications',
      'org.freedesktop.Notifications.GetCapabilities',
    ]));
  // gdbus: (['actions', 'body'],); dbus-send: string "actions".
  return answer !== null && /['"]actions['"]/.test(answer);
}

/** A program's output, or null when it is missing, fails or takes too long. */
function ask(program: string, args: readonly string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: ASK_TIMEOUT_MS }, (error, stdout) =>
      resolve(error === null ? stdout : null),
    );
  });
}

/**
 * node-notifier's notify-send backend. It runs notify-send through a shell with escaping: the
 * texts from `notificationText` are plain and bounded, so escaping has little to do.
 */
function nodeNotifierSink(): NotifySink {
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
