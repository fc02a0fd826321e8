/**
 * What the Backups window may send, as schemas: every payload is checked here before any engine
 * function sees it. Paths are absolute and written without "." or ".." parts, as the engine's
 * path text (core/restore/paths.ts) writes them.
 */
import { z } from 'zod';
import { normalPath } from '../../core/restore/paths.js';
import type { BackupsResult } from '../ipc/backups-contract.js';

const snapshotName = z.string().min(1).max(255);

const backedUpPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => {
    const checked = normalPath(p, '/');
    return p.startsWith('/') && checked.ok && checked.path === p;
  }, 'must be an absolute path, written without "." or ".." parts');

/** A run is named by its start time, as the history records it. */
const runId = z.string().min(1).max(64);

export const folderRequest = z.object({ snapshot: snapshotName, path: backedUpPath.nullable() });
export const versionsRequest = z.object({ path: backedUpPath });
export const searchRequest = z.object({ query: z.string().min(1).max(255) });
export const snapshotPathRequest = z.object({ snapshot: snapshotName, path: backedUpPath });
const restorePaths = z.array(backedUpPath).min(1).max(1000);
/** A chosen folder's token, as restore-authority.ts mints it; never a path. */
const folderToken = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);
const conflicts = z.enum(['replace', 'keep-both']).optional();
export const restoreRequest = z.object({
  snapshot: snapshotName,
  paths: restorePaths,
  into: folderToken.nullable(),
  missingOnly: z.boolean(),
  conflicts,
});
export const goodCopyRequest = z.object({
  verified: snapshotName,
  path: backedUpPath,
  into: folderToken.nullable(),
  conflicts,
});
export const restoreFolderRequest = z.object({ snapshot: snapshotName, paths: restorePaths });
export const copyRequest = z.object({ file: z.string().min(1).max(8192) });
export const verifyRequest = z.object({ snapshot: snapshotName });
export const runLogRequest = z.object({ run: runId, query: z.string().max(200) });
export const runRequest = z.object({ run: runId });

/** The answer to a payload that did not pass its schema. */
export function invalid<T>(what: string): BackupsResult<T> {
  return {
    ok: false,
    reason: 'invalid',
    message: `The window asked for ${what} in a form the app does not take.`,
  };
}
