/**
 * The household as the Backups window's chooser shows it: every prefix on the destination, from
 * the listing the window reads anyway (core/destination/household.ts), each marked this machine's
 * own or another's. Pure: the identity and `now` are given.
 */
import type { Household, Machine } from '../../core/destination/household.js';
import type { MachineView } from '../ipc/backups-contract.js';
import { isOwn, type Owners } from '../shared/own-prefix.js';

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
