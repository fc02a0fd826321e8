/**
 * Whether a backup from the command line is the profile's own or a one-off: flags that name
 * another destination, prefix or sources than the settings file holds make a one-off, which the
 * history keeps but the profile's schedule, status and tray do not count.
 */
import { resolve } from 'node:path';
import { formatDestination, parseDestination } from '../destination/address.js';
import type { Profile } from '../settings/schema.js';
import type { OneOffTarget } from '../state/history.js';

/**
 * `saved` is the profile as the settings file holds it (null when the file has no such profile),
 * `run` the profile the run uses, and `savedPrefix` the prefix the saved profile's snapshots carry
 * (its own, or the default one when it names none). A flag that fills in what the settings leave
 * empty does not make a one-off: such a profile has no other backups.
 */
export function oneOffTarget(
  saved: Profile | null,
  savedPrefix: string,
  run: Profile,
): OneOffTarget | null {
  if (saved === null) return null;
  const otherDestination =
    saved.destination !== '' && !sameDestination(saved.destination, run.destination);
  const otherSources = saved.sources.length > 0 && !sameSources(saved.sources, run.sources);
  const otherPrefix =
    (saved.prefix !== '' || saved.destination !== '') && savedPrefix !== run.prefix;
  if (!otherDestination && !otherSources && !otherPrefix) return null;
  return { destination: run.destination, prefix: run.prefix, sources: [...run.sources] };
}

export function sameDestination(a: string, b: string): boolean {
  const pa = parseDestination(a);
  const pb = parseDestination(b);
  if (!pa.ok || !pb.ok) return a === b;
  return formatDestination(pa.value) === formatDestination(pb.value);
}

function sameSources(a: readonly string[], b: readonly string[]): boolean {
  const set = (list: readonly string[]) => [...new Set(list.map((p) => resolve(p)))].sort();
  return JSON.stringify(set(a)) === JSON.stringify(set(b));
}
