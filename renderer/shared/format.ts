/**
 * Numbers and times in the words the windows show. Every date and time goes through here, in one
 * format: the user's locale (the browser's, which Electron takes from the desktop), its own order
 * of day and month and its own clock (24 h where the locale says so).
 */

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'];

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return bytes === 1 ? '1 byte' : `${bytes} bytes`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

export function formatCount(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** `undefined`: the locale the window runs in. */
const LOCALE = undefined;
const DATE_TIME = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });
const DATE = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium' });
const CLOCK = new Intl.DateTimeFormat(LOCALE, { timeStyle: 'short' });
const CLOCK_SECONDS = new Intl.DateTimeFormat(LOCALE, { timeStyle: 'medium' });
const WEEKDAY = new Intl.DateTimeFormat(LOCALE, { weekday: 'long' });
const DAY = new Intl.DateTimeFormat(LOCALE, { weekday: 'long', day: 'numeric', month: 'long' });
const MONTH = new Intl.DateTimeFormat(LOCALE, { month: 'long', year: 'numeric' });

function asDate(time: string | Date): Date | null {
  const t = typeof time === 'string' ? new Date(time) : time;
  return Number.isNaN(t.getTime()) ? null : t;
}

/** A date and time: "6 Dec 2026, 00:42" (en-GB), "Dec 6, 2026, 12:42 AM" (en-US). */
export function formatTime(time: string | Date): string {
  const t = asDate(time);
  return t === null ? String(time) : DATE_TIME.format(t);
}

/** A date: "6 Dec 2026". */
export function formatDate(time: Date): string {
  return DATE.format(time);
}

/** A time of day: "00:42", or "00:42:04" with seconds. */
export function formatClock(time: Date, seconds = false): string {
  return (seconds ? CLOCK_SECONDS : CLOCK).format(time);
}

/** A month: "November 2026". */
export function formatMonth(time: Date): string {
  return MONTH.format(time);
}

/** Local calendar days from `time` to `now`: 0 today, 1 yesterday (daylight saving aside). */
export function daysAgo(time: Date, now: Date): number {
  const day = (d: Date) => Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  return Math.round((day(now) - day(time)) / 86_400_000);
}

/** Within the last week a day is named by its weekday. */
export const WEEK_DAYS = 7;

/** A day as a heading: "Today", "Yesterday", "Friday 4 December". */
export function formatDay(time: Date, now: Date): string {
  const days = daysAgo(time, now);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return DAY.format(time);
}

/**
 * When something happened, as near times are said: "Today 00:42", "Yesterday 18:03", "Friday
 * 14:02" within the week, then the date and time ("20 Nov 2026, 00:00"). Times ahead of `now`
 * (a clock set wrong) get their date too.
 */
export function formatWhen(time: string | Date, now: Date, seconds = false): string {
  const t = asDate(time);
  if (t === null) return String(time);
  const days = daysAgo(t, now);
  const clock = formatClock(t, seconds);
  if (days === 0) return `Today ${clock}`;
  if (days === 1) return `Yesterday ${clock}`;
  if (days > 1 && days < WEEK_DAYS) return `${WEEKDAY.format(t)} ${clock}`;
  return seconds ? `${DATE.format(t)}, ${clock}` : DATE_TIME.format(t);
}
