/**
 * The tray menu as a pure function of the app state and `now`. Linux trays draw the exported
 * menu themselves, so the whole menu is rebuilt and set again on every change.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { formatBytes, formatCount } from '../../core/format.js';
import { boundText, describeTime, plainText } from '../../core/notification-text.js';
import {
  initialProfileState,
  profileItemId,
  type AppState,
  type IconState,
  type ProfileAction,
  type ProfileState,
  type RunView,
  type TrayAction,
  type TrayState,
} from './tray-state.js';

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

/** A single profile's flat menu: its lines, its actions and the app's. */
export function trayMenu(state: TrayState, now: Date): TrayView {
  const status = statusLine(state, now);
  const items: MenuItemConstructorOptions[] = [info(status)];
  if (state.settingsProblem !== null) items.push(info(state.settingsProblem));
  items.push(...detailLines(state, now, (a) => a));
  items.push({ type: 'separator' });
  const actions = profileActions(state, (a) => a);
  if (actions.length > 0) items.push(...actions, { type: 'separator' });
  items.push(...appItems(state.setUp, state.autostart));
  const own = iconState(state);
  // Settings that cannot be used matter more than a quiet or late profile.
  const icon =
    state.settingsProblem !== null && (own === 'idle' || own === 'overdue') ? 'error' : own;
  return { icon, tooltip: `Snaptray — ${status}`, items };
}

/**
 * The whole tray. One profile keeps the flat menu; several get a section each (a status line
 * naming the profile, its details, its own Back Up Now / Stop / Pause), then Back Up All Now.
 */
export function appMenu(app: AppState, now: Date): TrayView {
  if (app.profiles.length <= 1) {
    const only = app.profiles[0]?.state ?? initialProfileState();
    return trayMenu(
      { ...only, settingsProblem: app.settingsProblem, autostart: app.autostart },
      now,
    );
  }
  const items: MenuItemConstructorOptions[] = [];
  if (app.settingsProblem !== null) items.push(info(app.settingsProblem), { type: 'separator' });
  for (const { name, label, state } of app.profiles) {
    const id = (a: ProfileAction) => profileItemId(a, name);
    items.push(info(`${label ?? name} — ${statusLine(state, now)}`));
    const last = state.lastBackup;
    if (last !== null && (state.run !== null || state.pause.paused)) {
      items.push(info(`Last backup: ${lastBackupLine(last, now)}`));
    }
    items.push(...detailLines(state, now, id));
    items.push(...profileActions(state, id));
    items.push({ type: 'separator' });
  }
  const startable = app.profiles.some((p) => p.state.setUp && p.state.run === null);
  items.push(action('backup-all', 'Back Up All Now', startable));
  items.push({ type: 'separator' });
  const setUp = app.profiles.some((p) => p.state.setUp);
  items.push(...appItems(setUp, app.autostart));
  const ranked = app.profiles
    .map((p) => ({ ...p, icon: iconState(p.state) }))
    .sort((a, b) => PRECEDENCE.indexOf(a.icon) - PRECEDENCE.indexOf(b.icon));
  const icons = ranked.map((p) => p.icon);
  if (app.settingsProblem !== null) icons.push('error');
  const icon = PRECEDENCE.find((i) => icons.includes(i)) ?? 'idle';
  const tooltip = [
    'Snaptray',
    ...ranked.map((p) =>
      boundText(
        plainText(`${p.label ?? p.name}: ${tooltipLine(p.state, p.icon, now)}`),
        LINE_MAX,
        false,
      ),
    ),
  ].join('\n');
  return { icon, tooltip, items };
}

/** Across profiles the most pressing state shows: a run, a failure, overdue, a pause, idle. */
const PRECEDENCE: readonly IconState[] = ['running', 'error', 'overdue', 'paused', 'idle'];

/** One profile's icon. Its own pause quiets its own failure and overdue warning. */
export function iconState(state: ProfileState): IconState {
  if (state.run !== null) return 'running';
  if (state.pause.paused) return 'paused';
  if (state.lastFailure !== null && !state.lastFailure.skipped) return 'error';
  if (state.overdue) return 'overdue';
  return 'idle';
}

function tooltipLine(state: ProfileState, icon: IconState, now: Date): string {
  switch (icon) {
    case 'error':
      return `Last backup failed (${describeDay(state.lastFailure?.at ?? now, now)})`;
    case 'overdue':
      return overdueLine(state, now);
    case 'running':
    case 'paused':
    case 'idle':
      return statusLine(state, now);
  }
}

/**
 * The failure, overdue, disk and next-backup lines under a profile's status line. A failure is
 * an item that opens History at that run; its reason follows as a line of its own.
 */
function detailLines(
  state: ProfileState,
  now: Date,
  id: (action: ProfileAction) => string,
): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = [];
  const failure = state.lastFailure;
  if (failure !== null && failure.skipped) {
    items.push(info(`Skipped (${describeDay(failure.at, now)}): ${failure.reason}`));
  } else if (failure !== null) {
    const when = `${describeDay(failure.at, now)} ${clock(failure.at)}`;
    items.push(item(id('show-failure'), `Backup failed ${when} — Show Details…`, true));
    items.push(info(failure.reason));
  }
  if (state.overdue && state.run === null) items.push(info(overdueLine(state, now)));
  if (state.waitingForDisk !== null && state.run === null && !state.pause.paused) {
    items.push(info(`Waiting for the disk of ${state.waitingForDisk} to be plugged in`));
  }
  const next = nextLine(state, now);
  if (next !== null) items.push(info(next));
  if (next !== null && state.waitReason !== null) items.push(info(state.waitReason));
  return items;
}

/** Back Up Now, Stop and Pause (or Resume while paused); none before the profile is set up. */
function profileActions(
  state: ProfileState,
  id: (action: ProfileAction) => string,
): MenuItemConstructorOptions[] {
  if (!state.setUp) return [];
  const items: MenuItemConstructorOptions[] = [];
  items.push(item(id('backup-now'), 'Back Up Now', state.run === null));
  if (state.run !== null) items.push(item(id('stop'), 'Stop Backup', !state.run.stopping));
  if (state.pause.paused) {
    items.push(item(id('resume'), 'Resume Backups', true));
  } else {
    items.push({
      label: 'Pause',
      type: 'submenu',
      submenu: [
        item(id('pause-hour'), 'For 1 Hour', true),
        item(id('pause-tomorrow'), 'Until Tomorrow', true),
        item(id('pause-indefinitely'), 'Until I Resume', true),
      ],
    });
  }
  return items;
}

/** Before anything is set up, the one thing to do is to set it up. */
function appItems(setUp: boolean, autostart: boolean): MenuItemConstructorOptions[] {
  return [
    ...(setUp
      ? [
          action('browse', 'Restore Files…', true),
          action('history', 'Backup History…', true),
          action('settings', 'Settings…', true),
        ]
      : [action('settings', 'Set Up Backups…', true)]),
    { id: 'autostart', label: 'Start at Login', type: 'checkbox', checked: autostart },
    { type: 'separator' },
    action('quit', 'Quit Snaptray', true),
  ];
}

export function statusLine(state: ProfileState, now: Date): string {
  if (state.run !== null) return runLine(state.run);
  if (!state.setUp) return 'Not set up';
  if (state.pause.paused) {
    return state.pause.until === null
      ? 'Paused until you resume'
      : `Paused until ${describeTime(state.pause.until, now)}`;
  }
  const last = state.lastBackup;
  if (last === null) return 'No backup yet';
  return `Last backup: ${lastBackupLine(last, now)}`;
}

/** "Today 03:00 — 1,204 files, 35.0 MB sent". */
function lastBackupLine(last: NonNullable<ProfileState['lastBackup']>, now: Date): string {
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
  if (run.waitingFor !== undefined) return `Waiting for "${run.waitingFor}" to finish…`;
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

function nextLine(state: ProfileState, now: Date): string | null {
  if (!state.setUp || state.run !== null) return null;
  if (state.pause.paused) return state.pause.until === null ? null : 'Next backup: after the pause';
  if (state.next === null) return null;
  const when =
    state.next.getTime() <= now.getTime()
      ? 'now'
      : `${describeDay(state.next, now)} ${clock(state.next)}`;
  // Overdue or after a failure, what comes is another try, not the usual backup.
  const retry = state.overdue || (state.lastFailure !== null && !state.lastFailure.skipped);
  return `${retry ? 'Next attempt' : 'Next backup'}: ${when}`;
}

function overdueLine(state: ProfileState, now: Date): string {
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
  return item(id, label, enabled);
}

function item(id: string, label: string, enabled: boolean): MenuItemConstructorOptions {
  return { id, label, enabled };
}
