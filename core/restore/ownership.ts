/**
 * Whose files restored files become. A router account that is not root stores every file as
 * itself, silently: restoring such a snapshot as root with owners would hand `/etc` and setuid
 * programs to that account's uid. So owners and groups are restored only from a snapshot stored
 * keeping them (root on the far side: "kept"), or keeping them in extended attributes
 * (`--fake-super`: "fake-super"), and only by root; otherwise files belong to whoever restores.
 * Root restoring without owners also drops setuid and setgid bits, as cp does: a user's setuid
 * program must not come back as a setuid program of root's.
 */
import type { Snapshot } from '../destination/snapshot.js';
import type { StoredOwnership } from '../destination/stored-ownership.js';

/** How a snapshot was stored; a manifest without the field, or a value unknown here: not kept. */
export function ownershipOf(s: Snapshot): StoredOwnership {
  const stored = s.manifest?.ownership;
  return stored === 'kept' || stored === 'fake-super' ? stored : 'not-kept';
}

export interface OwnershipChoice {
  /** rsync options for the pull. */
  args: string[];
  /** Whether owners and groups are restored as stored. */
  restoresOwners: boolean;
  /** Said to the user when the snapshot keeps owners but this restore cannot (not root). */
  note: string | null;
}

/**
 * The options for pulling from a snapshot stored `stored`, by root or not, from an ssh or a local
 * destination. With fake-super, the sending side reads owners and modes back from the extended
 * attributes: over ssh `-M--fake-super` (the far side sends); locally rsync's own two sides run
 * here, so `--fake-super` for the sender and `-M--super` (root) or `-M--no-super` for the
 * receiver, which must write real owners, not attributes.
 */
export function ownershipArgs(
  stored: StoredOwnership,
  asRoot: boolean,
  destKind: 'local' | 'ssh',
): OwnershipChoice {
  const fakeSuper =
    stored !== 'fake-super'
      ? []
      : destKind === 'ssh'
        ? ['-M--fake-super']
        : ['--fake-super', asRoot ? '-M--super' : '-M--no-super'];
  if (asRoot && stored !== 'not-kept') {
    return {
      args: ['--owner', '--group', '--numeric-ids', ...fakeSuper],
      restoresOwners: true,
      note: null,
    };
  }
  return {
    args: ['--no-owner', '--no-group', ...(asRoot ? ['--chmod=ug-s'] : []), ...fakeSuper],
    restoresOwners: false,
    note:
      stored === 'not-kept' || asRoot
        ? null
        : 'This snapshot keeps owners and groups, but only root can restore them: the restored files belong to you.',
  };
}
