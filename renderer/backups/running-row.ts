/**
 * The backup that runs now, as the top row of the timeline: its progress (percent, files and
 * bytes as far as rsync has told them) and Stop. Gone when the run ends; the window then reads
 * the timeline again, which shows the new snapshot in its place.
 */
import type { BackupStatus, BackupsWindowApi } from '../../electron/ipc/contract.js';
import { button, h } from '../shared/dom.js';
import { progressWords, runWords, whenInText } from './status-words.js';

export interface RunningRow {
  element: HTMLElement;
  /** The state of the profile shown; null when it is not known. */
  show(status: BackupStatus | null): void;
  /** Another machine's snapshots are shown: this machine's backup is not theirs. */
  setReadOnly(readOnly: boolean): void;
}

export function createRunningRow(api: BackupsWindowApi): RunningRow {
  const title = h('span', { class: 'running-title' });
  const details = h('span', { class: 'running-details' });
  const progress = h('progress', { max: 100, 'aria-label': 'Backup progress' });
  let status: BackupStatus | null = null;
  let readOnly = false;
  let asking = false;
  const stop = button(
    'Stop',
    () => {
      if (status === null) return;
      asking = true;
      render();
      void api.stopBackup({ profile: status.profile }).finally(() => {
        asking = false;
        render();
      });
    },
    { 'aria-label': 'Stop the backup' },
  );
  const element = h(
    'div',
    { class: 'running-row', role: 'group', 'aria-label': 'The backup running now', hidden: true },
    h('div', { class: 'running-text' }, h('div', { class: 'running-line' }, title), details),
    progress,
    stop,
  );

  function render(): void {
    const run = status?.run ?? null;
    element.hidden = run === null || readOnly;
    if (run === null) return;
    title.textContent = runWords(run);
    const words = progressWords(run.progress);
    details.textContent = words !== '' ? words : `Started ${whenInText(run.startedAt, new Date())}`;
    const percent = run.progress?.percent ?? null;
    if (percent === null) progress.removeAttribute('value');
    else progress.value = percent;
    progress.hidden = run.stopping;
    stop.textContent = run.stopping ? 'Stopping…' : 'Stop';
    stop.disabled = asking || run.stopping;
  }

  return {
    element,
    show(next) {
      status = next;
      render();
    },
    setReadOnly(next) {
      readOnly = next;
      render();
    },
  };
}
