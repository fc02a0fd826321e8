/** Progress of a restore or a verify on a terminal, as backups show theirs; silent otherwise. */
import type { RestoreEvent } from '../restore/restore.js';
import type { VerifyEvent } from '../restore/verify.js';
import { progressLine } from './progress-bar.js';

export function createRestoreReporter(stream: NodeJS.WriteStream): (event: RestoreEvent) => void {
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
        clear();
        return;
      case 'snapshot':
        clear();
        stream.write(`From ${event.name}\n`);
        return;
      case 'warning':
        // Printed with the result, once (Output.warnings).
        return;
    }
  };
}

export function createVerifyReporter(stream: NodeJS.WriteStream): (event: VerifyEvent) => void {
  if (!stream.isTTY) return () => undefined;
  return (event) => {
    switch (event.type) {
      case 'phase':
        stream.write(`\r\x1b[2K${PHASE_WORDS[event.phase]}`);
        return;
      case 'checked':
        stream.write(
          `\r\x1b[2KComparing checksums: ${event.done.toLocaleString('en-US')} of ${event.total.toLocaleString('en-US')} files`,
        );
        if (event.done === event.total) stream.write('\r\x1b[2K');
        return;
    }
  };
}

const PHASE_WORDS: Record<Extract<VerifyEvent, { type: 'phase' }>['phase'], string> = {
  listing: 'Listing the snapshot…',
  comparing: 'Comparing sizes and times with the files here…',
  checking: 'Comparing checksums…',
};
