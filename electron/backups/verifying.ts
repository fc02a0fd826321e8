/**
 * Verify Backups: compares a snapshot's files with the files here by checksum, every file,
 * cancellable; for each damaged one, the intact copy elsewhere, kept for restoreGoodCopy.
 */
import { verifySnapshot } from '../../core/restore/verify.js';
import { addRecheck } from '../../core/state/recheck.js';
import type { BackupsEvent } from '../ipc/backups-contract.js';
import type { BackupsHandlers } from '../ipc/contract.js';
import type { Operation } from './operation.js';
import type { FoundCopies } from './restoring.js';
import { noSnapshot, snapshotIn, type Reader } from './reading.js';
import { invalid, verifyRequest } from './requests.js';

export function createVerifyHandler(deps: {
  reader: Reader;
  operation: Operation;
  send: (event: BackupsEvent) => void;
  /** Where each verify's damaged files are kept, for restoreGoodCopy. */
  found: FoundCopies;
  /** The chosen profile's state folder: the files that differ are noted there. */
  stateDir: () => string;
}): BackupsHandlers['verify'] {
  return async (input) => {
    const request = verifyRequest.safeParse(input);
    if (!request.success) return invalid('a check');
    const { snapshot: name } = request.data;
    return deps.operation.exclusive((signal) =>
      deps.reader.longWithSnapshots(false, async (opened, shown, { snapshots, readOnly }) => {
        const snapshot = snapshotIn(snapshots, name);
        if (snapshot === null) return noSnapshot(name);
        const started = Date.now();
        const result = await verifySnapshot(opened.ctx, snapshot, {
          samplePercent: 100,
          snapshots,
          signal,
          onEvent: (event) => {
            deps.send(
              event.type === 'phase'
                ? { type: 'verify-progress', phase: event.phase, done: 0, total: 0 }
                : {
                    type: 'verify-progress',
                    phase: 'checking',
                    done: event.done,
                    total: event.total,
                  },
            );
          },
        });
        if (!result.ok) return deps.reader.failed(result.failure);
        deps.found.set(name, result.value.damaged);
        // The next backup of the profile compares them by content rather than linking this copy
        // again; another machine's snapshots are not this profile's to mend.
        const { mismatched } = result.value;
        const own = !readOnly && shown.prefix === shown.profile.prefix;
        let comparedByNextBackup = false;
        if (own && mismatched.length > 0) {
          comparedByNextBackup = await addRecheck(deps.stateDir(), mismatched).then(
            () => true,
            () => false,
          );
        }
        return {
          ok: true,
          value: { ...result.value, durationMs: Date.now() - started, comparedByNextBackup },
        };
      }),
    );
  };
}
