/**
 * "Open this version": one file of a snapshot copied into a private folder (mode 0700, one per
 * copy, so names never collide) and made read-only (0400), for the desktop's own application to
 * open. The copy is made by the restore engine itself, restoring into that folder.
 */
import { isUtf8 } from 'node:buffer';
import { chmod, lstat, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DestinationContext } from '../core/destination/ops.js';
import type { Snapshot } from '../core/destination/snapshot.js';
import { baseName } from '../core/restore/paths.js';
import { pathBytes } from '../core/restore/remote-names.js';
import { restorePaths } from '../core/restore/restore.js';
import type { Result } from '../core/restore/result.js';
import { ensurePrivateDir } from '../core/state/paths.js';

export interface VersionCopy {
  snapshot: string;
  /** The file as it was backed up. */
  path: string;
  prefix: string;
  now: Date;
  /** The private folder the copies go in (under the runtime folder). */
  into: string;
}

/** Copies one version read-only; gives the copy's path. */
export async function copyVersion(
  ctx: DestinationContext,
  snapshots: readonly Snapshot[],
  copy: VersionCopy,
): Promise<Result<string>> {
  const dir = await ensurePrivateDir(copy.into);
  if (dir.kind === 'refused')
    return { ok: false, failure: { kind: 'refused', message: dir.message } };
  const folder = await mkdtemp(join(copy.into, 'v-'));
  const restored = await restorePaths(ctx, snapshots, {
    paths: [copy.path],
    from: { snapshot: copy.snapshot },
    to: folder,
    missingOnly: false,
    dryRun: false,
    // Owners are never restored into a private copy.
    asRoot: false,
    now: copy.now,
    watched: false,
    prefix: copy.prefix,
  });
  const name = pathBytes(baseName(copy.path));
  const copied = Buffer.concat([Buffer.from(`${folder}/`), name]);
  const info = restored.ok ? await lstat(copied).catch(() => null) : null;
  if (!restored.ok || info === null || !info.isFile()) {
    await rm(folder, { recursive: true, force: true });
    if (!restored.ok) return restored;
    return {
      ok: false,
      failure: {
        kind: 'refused',
        message: 'Only a file can be opened: restore a folder or a link instead.',
      },
    };
  }
  // The desktop is handed a path as text: a name that is not UTF-8 gets U+FFFD for its bad bytes.
  const file = join(folder, name.toString('utf8'));
  if (!isUtf8(name)) await rename(copied, file);
  await chmod(file, 0o400);
  return { ok: true, value: file };
}
