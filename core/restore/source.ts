/**
 * Which snapshot a restore reads from: the one named, or the newest complete one (before a time)
 * that holds every path, preferring an ok one that holds the same versions (choose.ts). One rsync
 * call finds which snapshots hold the paths; a path none holds is an error naming the nearest
 * folder that one does.
 */
import type { DestinationContext } from '../destination/ops.js';
import type { Snapshot } from '../destination/snapshot.js';
import { completeSnapshots, preferredSnapshot, snapshotNamed } from './choose.js';
import { locatePaths, missingPath, type Holdings } from './locate.js';
import { displayPath } from './remote-names.js';
import type { RestoreRequest } from './restore.js';
import { notFound, type Result } from './result.js';

export async function restoreSource(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  paths: string[],
  req: Pick<RestoreRequest, 'from' | 'prefix' | 'signal'>,
): Promise<Result<{ snapshot: Snapshot; holdings: Holdings }>> {
  const complete = completeSnapshots(snapshots);
  if ('snapshot' in req.from) {
    const named = snapshotNamed(snapshots, req.prefix, req.from.snapshot);
    if (!named.ok) return named;
    const searched = complete.includes(named.value) ? complete : [...complete, named.value];
    const located = await locatePaths(ctx, searched, paths, req.signal);
    if (!located.ok) return located;
    for (const path of paths) {
      const held = located.value.get(path);
      if (held?.has(named.value.name)) continue;
      const others = complete.filter((s) => held?.has(s.name));
      if (others.length === 0) {
        return missingPath(ctx, [named.value], path, named.value.name, req.signal);
      }
      return notFound(
        `"${displayPath(path)}" is not in ${named.value.name}. It is in ${others.length} other ` +
          `snapshot${others.length === 1 ? '' : 's'}, the newest ${others.at(-1)?.name ?? ''}: ` +
          'leave out --snapshot to restore from the newest one holding it.',
      );
    }
    return { ok: true, value: { snapshot: named.value, holdings: located.value } };
  }
  const before = req.from.before;
  const candidates =
    before === null
      ? complete
      : complete.filter((s) => s.sequenceTime.getTime() < before.getTime());
  const where =
    before === null
      ? `the ${candidates.length} complete snapshots of "${req.prefix}"`
      : `the ${candidates.length} complete snapshots of "${req.prefix}" before ${before.toLocaleString('en-GB')}`;
  if (candidates.length === 0) {
    return notFound(
      before === null
        ? `The prefix "${req.prefix}" has no complete snapshot to restore from.`
        : `No complete snapshot of "${req.prefix}" was taken before ${before.toLocaleString('en-GB')}.`,
    );
  }
  const located = await locatePaths(ctx, candidates, paths, req.signal);
  if (!located.ok) return located;
  const holdings = located.value;
  for (const path of paths) {
    if ((holdings.get(path)?.size ?? 0) === 0) {
      return missingPath(ctx, candidates, path, where, req.signal);
    }
  }
  const holding = candidates.filter((s) => paths.every((p) => holdings.get(p)?.has(s.name)));
  const snapshot = preferredSnapshot(holding, (name) =>
    paths.map((p) => holdings.get(p)?.get(name)),
  );
  if (snapshot === null) {
    return notFound(
      `No one snapshot holds all of ${paths.map((p) => displayPath(p)).join(', ')}: restore them ` +
        'one at a time.',
    );
  }
  return { ok: true, value: { snapshot, holdings } };
}
