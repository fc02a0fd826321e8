/**
 * Which prefixes on a destination are this machine's own, for the Backups window (another
 * machine's are read-only) and the tray (another machine's may be overdue).
 */
import type { Machine } from '../../core/destination/household.js';

export interface Owners {
  /** This account's identity on this machine; null when it cannot be read. */
  identity: string | null;
  /** The prefixes this machine's profiles back up to. */
  prefixes: ReadonlySet<string>;
}

/**
 * Whether a prefix is this machine's own: its owner (owner file, or the newest manifest before
 * there was one) is this account's identity; a prefix no owner is known for is this machine's
 * only when a profile here names it (the old script's folders of this host).
 */
export function isOwn(machine: Pick<Machine, 'prefix' | 'ownerId'>, owners: Owners): boolean {
  if (machine.ownerId !== null) return machine.ownerId === owners.identity;
  return owners.prefixes.has(machine.prefix);
}
