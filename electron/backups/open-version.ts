/**
 * "Open this version": one file of a snapshot copied into a private folder (mode 0700, one per
 * copy, so names never collide) and made read-only (0400), for the desktop's own application to
 * open. The copy is made by the restore engine itself, restoring into that folder. Only a copy of
 * a kind the desktop shows without running it is handed over (file-kind.ts).
 */
import { isUtf8 } from 'node:buffer';
import { chmod, lstat, mkdtemp, open, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DestinationContext } from '../../core/destination/ops.js';
import type { Snapshot } from '../../core/destination/snapshot.js';
import { baseName } from '../../core/restore/paths.js';
import { pathBytes } from '../../core/restore/remote-names.js';
import { restorePaths } from '../../core/restore/restore.js';
import type { Result } from '../../core/restore/result.js';
import { ensurePrivateDir } from '../../core/state/paths.js';
import { classifyFile, HEAD_BYTES, type FileKind } from './file-kind.js';

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

/** What kind of file a copy is, by its name and its first bytes. */
export async function kindOfCopy(file: string): Promise<FileKind> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
    return classifyFile(basename(file), head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** Why a copy was not handed to the desktop, and what to do instead. */
export function notOpenedMessage(file: string, kind: Extract<FileKind, { open: false }>): string {
  return (
    `${basename(file)} was not opened: it is ${kind.type}, and ${kind.why}. Snaptray opens ` +
    'only documents, images, audio, video and plain text. Show in Files shows the read-only ' +
    'copy, for you to choose what opens it.'
  );
}
