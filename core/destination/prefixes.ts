/**
 * Which prefixes a destination holds, from its top level alone: owner files, manifests and the
 * names of the folders. A folder is a snapshot of the prefix P exactly when
 * `parseSnapshotName(P, name)` accepts it, so a prefix may itself hold dashes and end in digits
 * (`pc-2024`, `box-2026-01-02`): the name is tried at every dash, never cut at the first one.
 * Each snapshot-shaped folder lands in exactly one prefix; should a name read as a snapshot of
 * more than one, the prefix with an owner file wins, then one with manifests, then the longest.
 */
import {
  MANIFEST_SUFFIX,
  OWNER_SUFFIX,
  parseSnapshotName,
  prefixProblem,
} from './snapshot-name.js';
import type { DestinationListing } from './snapshot.js';

export interface PrefixFolders {
  prefix: string;
  /** The folders that are this prefix's snapshots, in listing order. */
  directories: string[];
  /** Whether `<prefix>.snaptray-owner.json` is there. */
  ownerFile: boolean;
}

/** Every prefix that has an owner file or at least one snapshot folder, by name. */
export function prefixesOf(listing: DestinationListing): PrefixFolders[] {
  const owned = new Set<string>();
  const withManifests = new Set<string>();
  for (const file of listing.manifests.keys()) {
    if (file.endsWith(OWNER_SUFFIX)) {
      const prefix = file.slice(0, -OWNER_SUFFIX.length);
      if (prefixProblem(prefix) === null) owned.add(prefix);
    } else if (file.endsWith(MANIFEST_SUFFIX)) {
      for (const prefix of readings(file.slice(0, -MANIFEST_SUFFIX.length))) {
        withManifests.add(prefix);
      }
    }
  }
  const rank = (p: string) => (owned.has(p) ? 2 : withManifests.has(p) ? 1 : 0);
  const found = new Map<string, string[]>([...owned].map((p) => [p, []]));
  for (const name of listing.directories) {
    const best = readings(name).sort((a, b) => rank(b) - rank(a) || b.length - a.length)[0];
    if (best === undefined) continue;
    const folders = found.get(best);
    if (folders === undefined) found.set(best, [name]);
    else folders.push(name);
  }
  return [...found]
    .map(([prefix, directories]) => ({ prefix, directories, ownerFile: owned.has(prefix) }))
    .sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
}

// What follows a prefix in a snapshot's name: only cuts before such a tail are worth asking.
const DATE_TAIL = /^-\d{4}-\d{2}-\d{2}(?:-\d{6})?$/;

/** The prefixes of which `name` is a snapshot: it is cut at each dash and asked. */
export function readings(name: string): string[] {
  const prefixes: string[] = [];
  for (let i = name.indexOf('-'); i > 0; i = name.indexOf('-', i + 1)) {
    const prefix = name.slice(0, i);
    if (
      DATE_TAIL.test(name.slice(i)) &&
      prefixProblem(prefix) === null &&
      parseSnapshotName(prefix, name) !== null
    ) {
      prefixes.push(prefix);
    }
  }
  return prefixes;
}

/** The listing cut down to one prefix's folders, so that no folder counts for two prefixes. */
export function listingOf(listing: DestinationListing, folders: PrefixFolders): DestinationListing {
  return { ...listing, directories: folders.directories };
}
