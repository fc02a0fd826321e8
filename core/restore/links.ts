/**
 * Which symbolic links here a restore may write through. A link that a snapshot holds at the same
 * place may have come from a restore of it: where it points was chosen by whatever made that
 * snapshot, not by the user here, so a restore never writes through it (it would put files
 * wherever the link leads, `~/.ssh` or `/etc`). A link no snapshot holds is the user's own, made
 * here (`~/Documents` → `/data`), and is followed.
 */
import { realpath } from 'node:fs/promises';
import type { DestinationContext } from '../destination/ops.js';
import type { Snapshot } from '../destination/snapshot.js';
import { locatePaths } from './locate.js';
import { baseName, joinPath, parentOf } from './paths.js';
import { pathBytes, pathText } from './remote-names.js';
import type { Result } from './result.js';

/** For each of `links` that some snapshot holds as a link, the newest such snapshot's name. */
export async function linksFromSnapshots(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  links: readonly string[],
  signal?: AbortSignal,
): Promise<Result<Map<string, string>>> {
  const held = new Map<string, string>();
  const unique = [...new Set(links)];
  if (unique.length === 0) return { ok: true, value: held };
  // A link reached through another one lies elsewhere too: a snapshot may hold it at either place.
  const places = new Map(
    await Promise.all(unique.map(async (l) => [l, await placesOf(l)] as const)),
  );
  const located = await locatePaths(
    ctx,
    snapshots,
    [...new Set([...places.values()].flat())],
    signal,
  );
  if (!located.ok) return located;
  for (const link of unique) {
    for (const place of places.get(link) ?? []) {
      const holding = located.value.get(place);
      const newest = snapshots.filter((s) => holding?.get(s.name)?.type === 'symlink').at(-1);
      if (newest !== undefined) held.set(link, newest.name);
    }
  }
  return { ok: true, value: held };
}

/** The link's path as named, and as it lies in its real folder. */
async function placesOf(link: string): Promise<string[]> {
  const folder = await realpath(pathBytes(parentOf(link)), { encoding: 'buffer' }).catch(
    () => null,
  );
  if (folder === null) return [link];
  const real = joinPath(pathText(folder), baseName(link));
  return real === link ? [link] : [link, real];
}
