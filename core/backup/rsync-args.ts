/** rsync command lines, as argument arrays. Pure: everything comes in as parameters. */
import type { Profile } from '../settings/schema.js';

export interface PushJob {
  /** Absolute source paths; stored with their full paths (--relative). */
  sources: readonly string[];
  excludes: readonly string[];
  /** Destination-side absolute paths of the bases, newest first, at most 20. */
  linkDests: readonly string[];
  /** The new snapshot's folder as rsync names it (`/dest/snap/` or `host:/dest/snap/`). */
  target: string;
  options: Profile['rsync'];
  /** rsync's `-e` value for ssh destinations, null for local ones. */
  rsyncShell: string | null;
  /** rsync's path on the destination when it is not on the PATH there (ssh only). */
  rsyncPath?: string | null;
  /** False for a push of one folder's contents into its place (moved-sources.ts). */
  relative?: boolean;
  /**
   * Only the files in this NUL-separated list (paths relative to the one source, "/"), compared
   * by content, and only where the snapshot already holds them: the files Verify found differing
   * (recheck.ts). Nothing is created, so what the excludes left out stays out.
   */
  recheckList?: string;
}

export interface Command {
  file: string;
  args: string[];
}

/** The rsync that pushes a new snapshot, under nice and ionice unless the profile says otherwise. */
export function buildPushCommand(job: PushJob): Command {
  if (job.linkDests.length > 20) throw new RangeError('rsync takes at most 20 --link-dest folders');
  const args = [
    '-aH',
    '--numeric-ids',
    ...(job.relative === false ? [] : ['--relative']),
    '--itemize-changes',
    '--info=progress2',
    '--stats',
  ];
  if (job.recheckList !== undefined) {
    args.push('--checksum', '--existing', '--no-implied-dirs');
    args.push('--from0', `--files-from=${job.recheckList}`);
  }
  if (job.options.acls) args.push('--acls');
  if (job.options.xattrs) args.push('--xattrs');
  if (job.options.oneFileSystem) args.push('--one-file-system');
  if (job.options.compress) args.push('--compress');
  if (job.options.bandwidthLimit !== null) args.push(`--bwlimit=${job.options.bandwidthLimit}`);
  if (job.options.fakeSuper) {
    // Owners, groups and special files kept in xattrs by the receiving side.
    args.push(job.rsyncShell !== null ? '-M--fake-super' : '--fake-super');
  }
  if (job.rsyncShell !== null) args.push('-e', job.rsyncShell);
  if (job.rsyncShell !== null && job.rsyncPath) args.push(`--rsync-path=${job.rsyncPath}`);
  for (const base of job.linkDests) args.push(`--link-dest=${base}`);
  for (const pattern of job.excludes) args.push(`--exclude=${pattern}`);
  args.push(...job.sources, job.target);
  return job.options.gentle
    ? { file: 'nice', args: ['-n', '10', 'ionice', '-c3', 'rsync', ...args] }
    : { file: 'rsync', args };
}

/** Anchored excludes for Snaptray's own folders when they lie inside a source. */
export function automaticExcludes(
  sources: readonly string[],
  ownFolders: readonly string[],
): string[] {
  const inside = (folder: string, source: string) =>
    source === '/' ||
    folder === source ||
    folder.startsWith(source.endsWith('/') ? source : `${source}/`);
  return ownFolders
    .filter((folder) => sources.some((source) => inside(folder, source)))
    .map((folder) => `${literalPattern(folder.replace(/\/+$/, ''))}/`);
}

/** A path as an rsync pattern that matches only itself (wildcard characters escaped). */
export function literalPattern(path: string): string {
  return /[*?[]/.test(path) ? path.replace(/[*?[\\]/g, (c) => `\\${c}`) : path;
}
