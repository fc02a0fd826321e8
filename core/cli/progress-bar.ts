/** A one-line progress display for a terminal; silent when stderr is not one. */
import type { BackupEvent } from '../backup/run.js';
import { formatBytes, formatDuration } from '../format.js';

export function progressLine(
  event: Extract<BackupEvent, { type: 'progress' }>,
  width: number,
): string {
  const p = event.progress;
  const parts: string[] = [];
  if (p.percent !== null) {
    const barWidth = Math.max(10, Math.min(30, width - 60));
    const filled = Math.round((p.percent / 100) * barWidth);
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${p.percent}%`);
  } else {
    parts.push('Scanning…');
  }
  parts.push(formatBytes(p.bytes));
  if (p.bytesPerSecond !== null) parts.push(`${formatBytes(p.bytesPerSecond)}/s`);
  if (p.percent !== null && p.etaSeconds !== null)
    parts.push(`${formatDuration(p.etaSeconds * 1000)} left`);
  return parts.join('  ').slice(0, Math.max(20, width - 1));
}

export function createProgressReporter(stream: NodeJS.WriteStream): (event: BackupEvent) => void {
  if (!stream.isTTY) return () => undefined;
  let drawn = false;
  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  return (event) => {
    switch (event.type) {
      case 'progress':
        stream.write(`\r\x1b[2K${progressLine(event, stream.columns || 80)}`);
        drawn = true;
        return;
      case 'phase':
        if (event.phase !== 'transferring') clear();
        return;
      case 'snapshot':
        clear();
        stream.write(`Snapshot ${event.name}\n`);
        return;
      case 'warning':
        clear();
        stream.write(`Warning: ${event.message}\n`);
        return;
    }
  };
}
