/**
 * Whether a snapshot keeps its files' owners and groups: only a receiving rsync running as root
 * can set them, or one that stores them in extended attributes (`--fake-super`). A router account
 * that is not root stores every file as itself, without a word; restore then must not hand files
 * to that account's id (core/restore reads this from the manifest). A disk that keeps no modes
 * (NTFS mounted without "permissions") keeps no owners either: every file there shows mode 777 and
 * one owner, whoever writes it.
 */
import type { Destination } from './address.js';

/** PERSISTED in the manifest as `ownership`. */
export type StoredOwnership = 'kept' | 'fake-super' | 'not-kept';

/**
 * PERSISTED in the manifest as `modes`: whether files keep their permission bits. Manifests from
 * before the field have none; the destination's marker then says what its disk keeps.
 */
export type StoredModes = 'kept' | 'not-kept';

export function storedOwnership(
  dest: Destination,
  remoteUser: string | null,
  fakeSuper: boolean,
  localUid: number,
  diskKeepsModes = true,
): StoredOwnership {
  if (!diskKeepsModes) return 'not-kept';
  if (fakeSuper) return 'fake-super';
  if (dest.kind === 'local') return localUid === 0 ? 'kept' : 'not-kept';
  return remoteUser === 'root' ? 'kept' : 'not-kept';
}

export function storedModes(diskKeepsModes: boolean): StoredModes {
  return diskKeepsModes ? 'kept' : 'not-kept';
}

export function describeOwnership(
  ownership: StoredOwnership,
  dest: Destination,
  remoteUser: string | null,
  diskKeepsModes = true,
): string {
  if (!diskKeepsModes) {
    return (
      'The disk keeps no file modes or owners (every file on it shows mode 777 and one owner), ' +
      'so snapshots do not keep them: restores give files private modes (folders 700, files ' +
      '600) and to whoever restores them.'
    );
  }
  switch (ownership) {
    case 'kept':
      return dest.kind === 'local'
        ? 'Owners and groups are kept (backing up as root).'
        : 'Owners and groups are kept (the destination account is root).';
    case 'fake-super':
      return 'Owners, groups and special files are kept in extended attributes (fakeSuper).';
    case 'not-kept':
      return dest.kind === 'local'
        ? 'Files are stored as you: owners and groups are not kept. That is fine for your own files; a whole-system backup needs root.'
        : `Files are stored as the destination account "${remoteUser ?? 'unknown'}": owners and ` +
            'groups are not kept, and restores give files to whoever restores them. For a ' +
            'whole-system backup, log in to the router as root or turn on fakeSuper.';
  }
}
