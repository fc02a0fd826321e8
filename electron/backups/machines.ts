/**
 * The household as the Backups window's chooser shows it: every prefix on the destination, from
 * the listing the window reads anyway (core/destination/household.ts), each marked this machine's
 * own or another's. Pure: the identity and `now` are given.
 */
import type { Household, Machine } from '../../core/destination/household.js';
import type { MachineView } from '../ipc/backups-contract.js';

export interface Owners {
  /** This account's identity on this machine; null when it cannot be read. */
  identity: string | null;
  /** The prefixes this settings file's profiles back up to. */
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

export function machineViews(household: Household, owners: Owners): MachineView[] {
  return household.machines.map((m) => machineView(m, owners));
}

export function machineView(m: Machine, owners: Owners): MachineView {
  return {
    prefix: m.prefix,
    host: m.host,
    user: m.user,
    profile: m.profile,
    own: isOwn(m, owners),
    legacy: m.legacy,
    snapshots: m.snapshots,
    lastGood:
      m.lastGood === null ? null : { name: m.lastGood.name, time: m.lastGood.time.toISOString() },
    overdue: m.overdue,
    daysSinceGood: m.daysSinceGood,
  };
}
