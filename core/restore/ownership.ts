/**
 * Whose files restored files become. A router account that is not root stores every file as
 * itself, silently: restoring such a snapshot as root with owners would hand `/etc` and setuid
 * programs to that account's uid. So owners and groups are restored only from a snapshot stored
 * keeping them (root on the far side: "kept"), or keeping them in extended attributes
 * (`--fake-super`: "fake-super"), and only by root; otherwise files belong to whoever restores.
 * Root restoring without owners also drops setuid and setgid bits, as cp does: a user's setuid
 * program must not come back as a setuid program of root's. From a disk that keeps no modes
 * (every file there shows 777 and one owner) neither modes nor owners are restored: new files get
 * private modes and an existing file keeps its own, so `/etc/shadow` never comes back as 777.
 */
import type { Snapshot } from '../destination/snapshot.js';
import type { StoredModes, StoredOwnership } from '../destination/stored-ownership.js';

/** How a snapshot was stored; a manifest without the field, or a value unknown here: not kept. */
export function ownershipOf(s: Snapshot): StoredOwnership {
  const stored = s.manifest?.ownership;
  return stored === 'kept' || stored === 'fake-super' ? stored : 'not-kept';
}

/**
 * Whether a snapshot's files kept their modes: as its manifest says, or, in a manifest from before
 * the field, as the destination's marker says of its disk (`diskKeepsModes`).
 */
export function modesOf(s: Snapshot, diskKeepsModes: boolean): StoredModes {
  const stored = s.manifest?.modes;
  if (stored === 'kept' || stored === 'not-kept') return stored;
  // A value a later version adds is not known here: take the careful reading.
  if (stored !== undefined) return 'not-kept';
  return diskKeepsModes ? 'kept' : 'not-kept';
}

/** The modes a restore gives new folders and files when the snapshot kept none. */
export const PRIVATE_MODES = '--chmod=D700,F600';

export interface OwnershipChoice {
  /** rsync options for the pull. */
  args: string[];
  /** Whether owners and groups are restored as stored. */
  restoresOwners: boolean;
  /** Whether modes are restored as stored (not from a disk that keeps none). */
  restoresModes: boolean;
  /**
   * Said to the user when the snapshot keeps owners but this restore cannot (not root), or when it
   * kept no modes.
   */
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
  modes: StoredModes = 'kept',
): OwnershipChoice {
  if (modes === 'not-kept') {
    // --no-perms: a new file gets the --chmod mode (less the umask), an existing one keeps its own.
    return {
      args: ['--no-perms', '--no-owner', '--no-group', PRIVATE_MODES],
      restoresOwners: false,
      restoresModes: false,
      note:
        'This snapshot is on a disk that kept no permissions (every file there shows mode 777 and ' +
        'one owner), so none were restored: new files and folders get private modes (files 600, ' +
        'folders 700) and belong to whoever restores them, and a file that was here keeps its ' +
        'own mode. Widen them where needed.',
    };
  }
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
      restoresModes: true,
      note: null,
    };
  }
  return {
    args: ['--no-owner', '--no-group', ...(asRoot ? ['--chmod=ug-s'] : []), ...fakeSuper],
    restoresOwners: false,
    restoresModes: true,
    note:
      stored === 'not-kept' || asRoot
        ? null
        : 'This snapshot keeps owners and groups, but only root can restore them: the restored files belong to you.',
  };
}
