import { formatBytes, formatCount, formatDuration } from './format.js';
import { safeName } from './terminal-text.js';

/**
 * Desktop notification texts. They reach notify-send through node-notifier and a shell, and some
 * notification daemons read a little markup in the body: so every text is plain (control and
 * bidi characters shown escaped, terminal-text.ts), bounded, and the body has `&`, `<` and `>`
 * escaped.
 */

export type Urgency = 'low' | 'normal' | 'critical';

export interface NotificationText {
  summary: string;
  body: string;
  urgency: Urgency;
}

export type NotificationEvent =
  | { kind: 'started'; destination: string }
  | {
      kind: 'finished';
      snapshot: string;
      files: number;
      bytesSent: number;
      durationMs: number;
      /** Said after the numbers: what went wrong around an otherwise good snapshot. */
      warnings?: readonly string[];
    }
  | { kind: 'partial'; snapshot: string; failedFiles: number }
  | { kind: 'failed'; reason: string }
  | { kind: 'skipped'; reason: string; retryAt: Date; now: Date }
  | { kind: 'delayed'; reason: string; until: Date | null; now: Date }
  | { kind: 'overdue'; lastSuccessAt: Date | null; now: Date }
  /**
   * Another machine on the destination is overdue. Host and prefix are text from the destination;
   * `lastGoodAt` null: it never made a good snapshot.
   */
  | {
      kind: 'machine-overdue';
      host: string | null;
      prefix: string;
      lastGoodAt: Date | null;
      /** The owner's schedule, in hours, as its manifests record it (null: not recorded). */
      scheduleHours: number | null;
      now: Date;
    }
  | {
      kind: 'restored';
      outcome: 'ok' | 'partial' | 'cancelled';
      snapshot: string;
      /** Files written. */
      restored: number;
      /** Current files that differed, renamed beside themselves first. */
      keptAside: number;
      /** Items that could not be restored. */
      skipped: number;
      durationMs: number;
    };

export const SUMMARY_MAX = 80;
export const BODY_MAX = 300;
const ELLIPSIS = '…';
const DAY = 86_400_000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Line breaks and tabs (including U+2028/U+2029) read as word breaks. */
const BREAKS = /\r\n|[\t\n\v\f\r\u0085\u2028\u2029]/g;
const MARKUP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

export function notificationText(event: NotificationEvent): NotificationText {
  const raw = describeEvent(event);
  return {
    summary: boundText(plainText(raw.summary), SUMMARY_MAX, false),
    body: boundText(plainText(raw.body), BODY_MAX, true),
    urgency: raw.urgency,
  };
}

/** The text with line breaks as spaces and every other control or bidi character escaped. */
export function plainText(text: string): string {
  return safeName(text.replace(BREAKS, ' '));
}

/**
 * At most `max` characters (code points, so no surrogate pair is cut), ending in an ellipsis when
 * shortened; with `escapeMarkup`, `&<>` become entities and those count towards `max` too.
 */
export function boundText(text: string, max: number, escapeMarkup: boolean): string {
  const pieces = Array.from(text, (char) => (escapeMarkup ? (MARKUP[char] ?? char) : char));
  const full = pieces.join('');
  if (full.length <= max) return full;
  let kept = '';
  for (const piece of pieces) {
    if (kept.length + piece.length + ELLIPSIS.length > max) break;
    kept += piece;
  }
  return kept.trimEnd() + ELLIPSIS;
}

/** A time near `now` in words: "14:30", "tomorrow at 08:00" or "Mon 2 Nov at 03:00". */
export function describeTime(at: Date, now: Date): string {
  const clock = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  const days = calendarDaysBetween(now, at);
  if (days === 0) return clock;
  if (days === 1) return `tomorrow at ${clock}`;
  if (days === -1) return `yesterday at ${clock}`;
  const date = `${WEEKDAYS[at.getDay()] ?? ''} ${at.getDate()} ${MONTHS[at.getMonth()] ?? ''}`;
  const year = at.getFullYear() === now.getFullYear() ? '' : ` ${at.getFullYear()}`;
  return `${date}${year} at ${clock}`;
}

function describeEvent(event: NotificationEvent): NotificationText {
  switch (event.kind) {
    case 'started':
      return {
        summary: 'Backup started',
        body: `Backing up to ${event.destination}.`,
        urgency: 'low',
      };
    case 'finished': {
      const warnings = event.warnings ?? [];
      const numbers =
        `Snapshot ${event.snapshot}: ${formatCount(event.files)} ${plural(event.files, 'file')}, ` +
        `${formatBytes(event.bytesSent)} sent in ${formatDuration(event.durationMs)}.`;
      if (warnings.length === 0)
        return { summary: 'Backup finished', body: numbers, urgency: 'normal' };
      const more =
        warnings.length > 1
          ? ` (and ${warnings.length - 1} more warning${warnings.length > 2 ? 's' : ''} in the log)`
          : '';
      return {
        summary: 'Backup finished with a warning',
        // The warning first: the body may be cut short.
        body: `${warnings[0] ?? ''}${more} ${numbers}`,
        urgency: 'normal',
      };
    }
    case 'partial':
      return {
        summary: 'Backup completed with errors',
        body:
          `Snapshot ${event.snapshot} is complete except for ${formatCount(event.failedFiles)} ` +
          `${plural(event.failedFiles, 'file')} that could not be copied. ` +
          'Show Log in the menu lists them.',
        urgency: 'normal',
      };
    case 'failed':
      // Critical notifications stay on screen until dismissed: a failure must not go unseen.
      return { summary: 'Backup failed', body: event.reason, urgency: 'critical' };
    case 'skipped':
      return {
        summary: 'Backup skipped',
        body: `${event.reason} Trying again ${describeWhen(event.retryAt, event.now)}.`,
        urgency: 'normal',
      };
    case 'delayed':
      return {
        summary: 'Backup delayed',
        body:
          event.until === null
            ? `${event.reason} It runs when backups are resumed.`
            : `${event.reason} It runs ${describeWhen(event.until, event.now)} at the latest.`,
        urgency: 'low',
      };
    case 'overdue':
      return describeOverdue(event.lastSuccessAt, event.now);
    case 'machine-overdue':
      return describeMachineOverdue(event);
    case 'restored':
      return describeRestore(event);
    default:
      return assertNever(event);
  }
}

function describeOverdue(lastSuccessAt: Date | null, now: Date): NotificationText {
  if (lastSuccessAt === null) {
    return {
      summary: 'No backup yet',
      body: 'No backup has succeeded on this computer yet. Choose Back Up Now in the menu.',
      urgency: 'normal',
    };
  }
  const days = Math.max(0, Math.floor((now.getTime() - lastSuccessAt.getTime()) / DAY));
  return {
    summary: `No backup for ${formatCount(days)} ${plural(days, 'day')}`,
    body:
      `The last successful backup was ${describeWhen(lastSuccessAt, now)}. ` +
      'Choose Back Up Now in the menu.',
    urgency: 'normal',
  };
}

function describeMachineOverdue(
  event: Extract<NotificationEvent, { kind: 'machine-overdue' }>,
): NotificationText {
  const host = event.host === null ? 'Another machine' : safeName(event.host);
  const which = `${host} (prefix ${safeName(event.prefix)})`;
  const schedule =
    event.scheduleHours === null
      ? ''
      : ` Its schedule asks for one every ${formatCount(event.scheduleHours)} ${plural(event.scheduleHours, 'hour')}.`;
  if (event.lastGoodAt === null) {
    return {
      summary: `${host} has no backup yet`,
      body: `${which} has not made a good backup on the destination yet.${schedule}`,
      urgency: 'normal',
    };
  }
  const days = Math.max(0, Math.floor((event.now.getTime() - event.lastGoodAt.getTime()) / DAY));
  return {
    summary: `${host}: no backup for ${formatCount(days)} ${plural(days, 'day')}`,
    body:
      `The last good backup of ${which} on the destination was ` +
      `${describeWhen(event.lastGoodAt, event.now)}, ${formatCount(days)} ${plural(days, 'day')} ago.${schedule}`,
    urgency: 'normal',
  };
}

function describeRestore(
  event: Extract<NotificationEvent, { kind: 'restored' }>,
): NotificationText {
  const parts = [
    `${formatCount(event.restored)} ${plural(event.restored, 'file')} from ${event.snapshot} ` +
      `in ${formatDuration(event.durationMs)}`,
  ];
  if (event.keptAside > 0) {
    parts.push(
      `${formatCount(event.keptAside)} current ${plural(event.keptAside, 'file')} kept aside`,
    );
  }
  if (event.skipped > 0) {
    parts.push(`${formatCount(event.skipped)} not restored; the Backups window says why`);
  }
  const body = `${parts.join('; ')}.`;
  switch (event.outcome) {
    case 'ok':
      return { summary: 'Restore finished', body: `Restored ${body}`, urgency: 'normal' };
    case 'partial':
      return {
        summary: 'Restore finished with problems',
        body: `Restored ${body}`,
        urgency: 'normal',
      };
    case 'cancelled':
      return {
        summary: 'Restore stopped',
        body: `Stopped after ${body} No file is left half-written.`,
        urgency: 'low',
      };
  }
}

/** `describeTime` inside a sentence: "at 14:30", "tomorrow at 08:00", "on Mon 2 Nov at …". */
function describeWhen(at: Date, now: Date): string {
  const text = describeTime(at, now);
  return /^\d/.test(text) ? `at ${text}` : /^(tomorrow|yesterday)/.test(text) ? text : `on ${text}`;
}

function calendarDaysBetween(from: Date, to: Date): number {
  // Local calendar dates as UTC midnights differ by whole days, whatever the clock changes.
  const fromDay = Date.UTC(from.getFullYear(), from.getMonth(), from.getDate());
  const toDay = Date.UTC(to.getFullYear(), to.getMonth(), to.getDate());
  return Math.round((toDay - fromDay) / DAY);
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function assertNever(value: never): never {
  throw new Error(`Unhandled notification kind: ${JSON.stringify(value)}`);
}
