/**
 * Words for a prefix that turns out empty on a destination that holds other machines' snapshots:
 * on a new laptop, the old one's history is right there under another prefix. The hint names a
 * few of them and the two ways on: read them with --prefix, or continue one's history (adopt).
 * Everything shown that came from the destination is escaped (terminal-text.ts).
 */
import { safeName } from '../terminal-text.js';
import type { Household, Machine } from './household.js';

/** How many machines a hint names before it points at `snaptray machines`. */
export const HINT_MACHINES = 3;

/** "ben on "univac"", "ben on "univac", profile "work"", "the old router script", or null. */
export function ownerWords(m: Machine): string | null {
  if (m.legacy) return 'the old router script';
  if (m.host === null) return null;
  const who = m.user !== null ? `${safeName(m.user)} on ` : '';
  const profile =
    m.profile !== null && m.profile !== 'default' ? `, profile "${safeName(m.profile)}"` : '';
  return `${who}"${safeName(m.host)}"${profile}`;
}

/** The other prefixes that hold a complete snapshot to read, the most recently backed up first. */
export function otherMachines(household: Household, prefix: string): Machine[] {
  const newest = (m: Machine) => m.lastGood?.sequenceTime.getTime() ?? -Infinity;
  return household.machines
    .filter((m) => m.prefix !== prefix && m.lastGood !== null)
    .sort((a, b) => newest(b) - newest(a) || (a.prefix < b.prefix ? -1 : 1));
}

/**
 * The hint for the empty prefix `prefix`, in lines, or null when the destination holds no other
 * machine's snapshots.
 */
export function otherMachinesHint(household: Household, prefix: string): string | null {
  const others = otherMachines(household, prefix);
  const first = others[0];
  if (first === undefined) return null;
  const lines = [
    `This destination holds the snapshots of ${others.length === 1 ? 'another machine' : 'other machines'}:`,
  ];
  for (const m of others.slice(0, HINT_MACHINES)) {
    const owner = ownerWords(m);
    lines.push(
      `  ${m.prefix}${owner !== null ? ` (${owner})` : ''}: newest ${m.lastGood?.name ?? ''}`,
    );
  }
  if (others.length > HINT_MACHINES) {
    lines.push(`  and ${others.length - HINT_MACHINES} more: "snaptray machines" lists them.`);
  }
  lines.push(
    `Read one with --prefix ${first.prefix}; or, if this machine takes over from it, continue ` +
      `its history with "snaptray adopt --prefix ${first.prefix}".`,
  );
  return lines.join('\n');
}
