/**
 * The tray menu as a pure function of the app state and `now`. Linux trays draw the exported
 * menu themselves, so the whole menu is rebuilt and set again on every change.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { formatBytes, formatCount } from '../../core/format.js';
import { boundText, describeTime, plainText } from '../../core/notification-text.js';
import type { IconState, RunView, TrayAction, TrayState } from './tray-state.js';

export interface TrayView {
  icon: IconState;
  tooltip: string;
  /** Each clickable item's `id` is its `TrayAction`; the controller attaches the clicks. */
  items: MenuItemConstructorOptions[];
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = 86_400_000;
/** Menu lines stay readable in a tray menu. */
const LINE_MAX = 120;

export function trayMenu(state: TrayState, now: Date): TrayView {
  const status = statusLine(state, now);
  const items: MenuItemConstructorOptions[] = [info(status)];
  if (state.settingsProblem !== null) items.push(info(state.settingsProblem));
  if (state.lastFailure !== null) {
    const word = state.lastFailure.skipped ? 'Skipped' : 'Last backup failed';
    items.push(
      info(`${word} (${describeDay(state.lastFailure.at, now)}): ${state.lastFailure.reason}`),
    );
  }
  if (state.overdue && state.run === null) items.push(info(overdueLine(state, now)));
  const next = nextLine(state, now);
  if (next !== null) items.push(info(next));
  if (next !== null && state.waitReason !== null) items.push(info(state.waitReason));
  items.push({ type: 'separator' });
  items.push(action('backup-now', 'Back Up Now', state.setUp && state.run === null));
  if (state.run !== null) {
    items.push(action('stop', 'Stop Backup', !state.run.stopping));
  }
  items.push({
    label: 'Pause',
    type: 'submenu',
    submenu: [
      action('pause-hour', 'For 1 Hour', true),
      action('pause-tomorrow', 'Until Tomorrow', true),
      action('pause-indefinitely', 'Until I Resume', true),
    ],
  });
  if (state.pause.paused) items.push(action('resume', 'Resume Backups', true));
  items.push({ type: 'separator' });
  items.push(action('browse', 'Browse Backups…', state.setUp));
  items.push(action('settings', 'Settings…', true));
  items.push(action('show-log', 'Show Log', state.logPath !== null));
  items.push({
    id: 'autostart',
    label: 'Start at Login',
    type: 'checkbox',
    checked: state.autostart,
  });
  items.push({ type: 'separator' });
  items.push(action('quit', 'Quit', true));
  return { icon: iconState(state), tooltip: `Snaptray — ${status}`, items };
}

/** The most pressing state wins: a run, then a pause, then a failure, then overdue. */
export function iconState(state: TrayState): IconState {
  if (state.run !== null) return 'running';
  if (state.pause.paused) return 'paused';
  if (state.settingsProblem !== null) return 'error';
  if (state.lastFailure !== null && !state.lastFailure.skipped) return 'error';
  if (state.overdue) return 'overdue';
  return 'idle';
}

export function statusLine(state: TrayState, now: Date): string {
  if (state.run !== null) return runLine(state.run);
  if (!state.setUp) return 'Not set up';
  if (state.pause.paused) {
    return state.pause.until === null
      ? 'Paused until you resume'
      : `Paused until ${describeTime(state.pause.until, now)}`;
  }
  const last = state.lastBackup;
  if (last === null) return 'No backup yet';
  const parts: string[] = [];
  if (last.files !== null)
    parts.push(`${formatCount(last.files)} ${last.files === 1 ? 'file' : 'files'}`);
  if (last.bytesSent !== null) parts.push(`${formatBytes(last.bytesSent)} sent`);
  const when = `${describeDay(last.endedAt, now)} ${clock(last.endedAt)}`;
  const errors = last.partial ? ' (with errors)' : '';
  return parts.length > 0 ? `${when} — ${parts.join(', ')}${errors}` : `${when}${errors}`;
}

/** "Backing up… 42% — 12 MB/s, 3 min left"; "~42%" while the percent is an estimate. */
export function runLine(run: RunView): string {
  if (run.stopping) return 'Stopping the backup…';
  if (run.source === 'other') return 'Backing up… (started from the command line)';
  const p = run.progress;
  if (p === null) return 'Backing up…';
  const head =
    p.percent !== null
      ? `Backing up… ${p.estimated === true ? '~' : ''}${p.percent}%`
      : 'Backing up…';
  const details: string[] = [];
  if (p.bytesPerSecond !== null) details.push(`${formatBytes(p.bytesPerSecond)}/s`);
  if (p.etaSeconds !== null && p.percent !== null) details.push(timeLeft(p.etaSeconds));
  if (details.length === 0 && p.bytes > 0) details.push(`${formatBytes(p.bytes)} so far`);
  return details.length > 0 ? `${head} — ${details.join(', ')}` : head;
}

function nextLine(state: TrayState, now: Date): string | null {
  if (!state.setUp || state.run !== null) return null;
  if (state.pause.paused) return state.pause.until === null ? null : 'Next backup: after the pause';
  if (state.next === null) return null;
  const when =
    state.next.getTime() <= now.getTime()
      ? 'now'
      : `${describeDay(state.next, now)} ${clock(state.next)}`;
  return `Next backup: ${when}`;
}

function overdueLine(state: TrayState, now: Date): string {
  if (state.lastBackup === null) return 'No backup has succeeded yet';
  const since = state.overdueSince ?? state.lastBackup.endedAt;
  const days = Math.max(0, Math.floor((now.getTime() - since.getTime()) / DAY));
  return `No backup for ${formatCount(days)} ${days === 1 ? 'day' : 'days'}`;
}

function timeLeft(seconds: number): string {
  if (seconds < 60) return `${seconds} s left`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min left`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

/** "Today", "Yesterday", "Tomorrow" or "Mon 2 Nov", in local calendar days. */
function describeDay(at: Date, now: Date): string {
  const days = Math.round(
    (Date.UTC(at.getFullYear(), at.getMonth(), at.getDate()) -
      Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())) /
      DAY,
  );
  if (days === 0) return 'Today';
  if (days === -1) return 'Yesterday';
  if (days === 1) return 'Tomorrow';
  const year = at.getFullYear() === now.getFullYear() ? '' : ` ${at.getFullYear()}`;
  return `${WEEKDAYS[at.getDay()] ?? ''} ${at.getDate()} ${MONTHS[at.getMonth()] ?? ''}${year}`;
}

function clock(at: Date): string {
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}

/** A disabled line of text: plain (no control characters) and bounded. */
function info(text: string): MenuItemConstructorOptions {
  return { label: boundText(plainText(text), LINE_MAX, false), enabled: false };
}

function action(id: TrayAction, label: string, enabled: boolean): MenuItemConstructorOptions {
  return { id, label, enabled };
}
