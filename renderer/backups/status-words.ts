/** The tray's state of a profile in the Backups window's words: times, progress, the state. */
import type { BackupStatus } from '../../electron/ipc/contract.js';
import { daysAgo, formatBytes, formatClock, formatCount, formatWhen } from '../shared/format.js';

/**
 * When, as the rest of the window says it ("Today 14:02", "Yesterday 22:10", "Friday 09:15",
 * "20 Nov 2026, 03:00"), and "Tomorrow 03:00" for the next backup.
 */
export function whenWords(iso: string, now: Date): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return daysAgo(at, now) === -1 ? `Tomorrow ${formatClock(at)}` : formatWhen(at, now);
}

/** The same within a sentence: "today 14:02", "tomorrow 03:00". */
export function whenInText(iso: string, now: Date): string {
  return whenWords(iso, now).replace(/^(Today|Tomorrow|Yesterday)\b/, (day) => day.toLowerCase());
}

/** "42% · 120 files · 35.0 MB · 12.0 MB/s · 3 min left", as far as each is known. */
export function progressWords(progress: NonNullable<BackupStatus['run']>['progress']): string {
  if (progress === null) return '';
  const parts: string[] = [];
  if (progress.percent !== null) {
    parts.push(`${progress.estimated ? 'about ' : ''}${progress.percent}%`);
  }
  if (progress.files !== null) parts.push(formatCount(progress.files, 'file', 'files'));
  parts.push(formatBytes(progress.bytes));
  if (progress.bytesPerSecond !== null) parts.push(`${formatBytes(progress.bytesPerSecond)}/s`);
  if (progress.etaSeconds !== null && progress.percent !== null) {
    parts.push(timeLeft(progress.etaSeconds));
  }
  return parts.join(' · ');
}

function timeLeft(seconds: number): string {
  if (seconds < 60) return `${seconds} s left`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min left`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

/** What a running backup is doing, in words. */
export function runWords(run: NonNullable<BackupStatus['run']>): string {
  if (run.stopping) return 'Stopping the backup…';
  if (run.waitingFor !== null) return `Waiting for “${run.waitingFor}” to finish…`;
  if (run.source === 'other') return 'Backing up (started from the command line)…';
  return 'Backing up…';
}
