/** The Backups window's words for states, outcomes, durations and names (times: shared/format.ts). */
import type {
  Change,
  EntryType,
  RunSource,
  RunSummary,
  SnapshotSummary,
} from '../../electron/ipc/contract.js';
import { formatBytes, formatCount } from '../shared/format.js';

export const STATE_WORDS: Record<SnapshotSummary['state'], string> = {
  ok: 'ok',
  partial: 'partial',
  legacy: 'ok (old script)',
  unfinished: 'unfinished',
  unknown: 'unknown',
};

/**
 * The states a snapshot's row carries a badge for: something is missing from it. A snapshot
 * whose manifest cannot be read ("unknown") holds its files as well as any: its row says so in
 * plain words instead.
 */
export const PROBLEM_STATES: ReadonlySet<SnapshotSummary['state']> = new Set([
  'partial',
  'unfinished',
]);

export const OUTCOME_WORDS: Record<RunSummary['outcome'], string> = {
  ok: 'Succeeded',
  partial: 'Completed with errors',
  failed: 'Failed',
  cancelled: 'Stopped',
  locked: 'Not run: another backup was running',
  paused: 'Not run: paused',
};

export const SOURCE_WORDS: Record<RunSource, string> = {
  tray: 'Tray',
  cli: 'Command line',
  unknown: 'Unknown',
};

export const CHANGE_WORDS: Record<Change, string> = {
  added: 'new',
  changed: 'changed',
  deleted: 'deleted',
  inside: 'changes inside',
};

export const TYPE_WORDS: Record<EntryType, string> = {
  file: 'file',
  dir: 'folder',
  symlink: 'link',
  other: 'special file',
};

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "12 files, 35.0 MB sent" for a snapshot or a run; null when nothing is known. */
export function sentWords(files: number | null, bytes: number | null): string | null {
  const parts: string[] = [];
  if (files !== null) parts.push(formatCount(files, 'file', 'files'));
  if (bytes !== null) parts.push(`${formatBytes(bytes)} sent`);
  return parts.length > 0 ? parts.join(', ') : null;
}

// eslint-disable-next-line no-control-regex -- making control characters visible is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;

/**
 * A name or path as text to show: control characters written as rsync writes them (`\#012` for
 * a line break), so a name never breaks the line it is shown on. Everything else is literal.
 */
export function shown(text: string): string {
  return text.replace(CONTROL, (c) => `\\#${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return formatCount(n, one, many);
}
