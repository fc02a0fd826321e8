/**
 * Browsing the chosen prefix's snapshots: the timeline (with the household for the chooser),
 * folders, what changed, a file's versions, and opening one version as a read-only copy. Another
 * machine's snapshots are browsed exactly as this machine's own: reading changes nothing.
 */
import { formatDestination } from '../../core/destination/address.js';
import { isComplete } from '../../core/destination/snapshot.js';
import { listFolder } from '../../core/restore/browse.js';
import { completeSnapshots } from '../../core/restore/choose.js';
import { compareWithHere } from '../../core/restore/compare.js';
import { diffSnapshots, type Diff } from '../../core/restore/diff.js';
import { joinPath } from '../../core/restore/paths.js';
import { fileVersions } from '../../core/restore/versions.js';
import { readHistory } from '../../core/state/history.js';
import type { EntryView, FolderView, OpenedVersion } from '../ipc/backups-contract.js';
import type { BackupsHandlers } from '../ipc/contract.js';
import { HISTORY_RUNS } from './history.js';
import { copyVersion, kindOfCopy, notOpenedMessage } from './open-version.js';
import { sourcesOf } from './profile.js';
import { noSnapshot, snapshotIn, type Reader } from './reading.js';
import {
  copyRequest,
  folderRequest,
  invalid,
  snapshotPathRequest,
  versionsRequest,
} from './requests.js';
import type { Shown } from './selection.js';
import { byTypeThenName, changesIn, summarizeSnapshot } from './views.js';

export type BrowsingHandlers = Pick<
  BackupsHandlers,
  | 'loadTimeline'
  | 'listFolder'
  | 'folderChanges'
  | 'fileVersions'
  | 'openVersion'
  | 'compareVersion'
  | 'showCopyInFolder'
>;

export interface Browsing {
  handlers: BrowsingHandlers;
  /** The copies openVersion made: the only files showCopyInFolder shows. */
  forgetCopies(): void;
}

export function createBrowsing(deps: {
  reader: Reader;
  /** The chosen profile's state folder (its history). */
  stateDir: () => string;
  now: () => Date;
  /** Where copies opened for viewing go. */
  openedDir: string;
  openPath: (path: string) => Promise<string>;
  showItemInFolder: (path: string) => void;
}): Browsing {
  const { reader } = deps;
  const copies = new Set<string>();

  /** Where browsing starts: the profile's folders apply only to its own prefix. */
  const profileOf = (s: Shown) => (s.prefix === s.profile.prefix ? s.profile : null);

  const handlers: BrowsingHandlers = {
    async loadTimeline() {
      return reader.withSnapshots(true, async (_opened, s, listed, warnings) => {
        const runWarnings = new Map<string, string[]>();
        if (s.prefix === s.profile.prefix) {
          for (const entry of await readHistory(deps.stateDir(), { last: HISTORY_RUNS })) {
            // A one-off to another destination may have made a snapshot of the same name.
            const elsewhere =
              entry.oneOff !== undefined && entry.oneOff.destination !== s.profile.destination;
            if (entry.snapshot !== null && !elsewhere)
              runWarnings.set(entry.snapshot, entry.warnings);
          }
        }
        return {
          ok: true,
          value: {
            destination: formatDestination(s.dest),
            prefix: s.prefix,
            profile: s.name,
            machines: listed.machines,
            readOnly: listed.readOnly,
            snapshots: [...listed.snapshots]
              .reverse()
              .map((snap) =>
                summarizeSnapshot(
                  snap,
                  sourcesOf(snap, profileOf(s)),
                  runWarnings.get(snap.name) ?? [],
                ),
              ),
            warnings,
          },
        };
      });
    },

    async listFolder(input) {
      const request = folderRequest.safeParse(input);
      if (!request.success) return invalid('a folder');
      const { snapshot: name, path } = request.data;
      return reader.withSnapshots<FolderView>(false, async (opened, s, { snapshots }) => {
        const snapshot = snapshotIn(snapshots, name);
        if (snapshot === null) return noSnapshot(name);
        const sources = sourcesOf(snapshot, profileOf(s));
        if (path === null && sources.length > 0) {
          const entries: EntryView[] = sources.map((source) => ({
            name: source,
            path: source,
            type: 'dir',
            size: null,
            mtime: null,
          }));
          return { ok: true, value: { snapshot: name, path: null, entries } };
        }
        const folder = await listFolder(opened.ctx, snapshot, path ?? '/');
        if (!folder.ok) return reader.failed(folder.failure);
        const base = folder.value.path;
        const entries: EntryView[] = folder.value.entries.map((e) => ({
          name: e.name,
          path: folder.value.type === 'dir' ? joinPath(base, e.name) : base,
          type: e.type,
          size: e.type === 'dir' ? null : e.size,
          mtime: e.mtime.toISOString(),
        }));
        entries.sort(byTypeThenName);
        return { ok: true, value: { snapshot: name, path: base, entries } };
      });
    },

    async folderChanges(input) {
      const request = folderRequest.safeParse(input);
      if (!request.success) return invalid('the changes of a folder');
      const { snapshot: name, path } = request.data;
      return reader.withSnapshots(false, async (opened, s, { snapshots }) => {
        const snapshot = snapshotIn(snapshots, name);
        if (snapshot === null) return noSnapshot(name);
        // The one before it in the prefix's order (runs, not clocks: sequence.ts).
        const previous =
          snapshots.slice(0, snapshots.indexOf(snapshot)).filter(isComplete).at(-1) ?? null;
        if (previous === null) {
          return { ok: true, value: { snapshot: name, path, previous: null, changes: [] } };
        }
        const sources = sourcesOf(snapshot, profileOf(s));
        const folders = path !== null ? [path] : sources.length > 0 ? sources : ['/'];
        const diffs: Diff[] = [];
        for (const folder of folders) {
          const diff = await diffSnapshots(opened.ctx, previous, snapshot, folder);
          if (!diff.ok) return reader.failed(diff.failure);
          diffs.push(diff.value);
        }
        const folder = path ?? (sources.length > 0 ? null : '/');
        return {
          ok: true,
          value: {
            snapshot: name,
            path,
            previous: previous.name,
            changes: changesIn(folder, diffs),
          },
        };
      });
    },

    async fileVersions(input) {
      const request = versionsRequest.safeParse(input);
      if (!request.success) return invalid('the versions of a file');
      const { path } = request.data;
      return reader.withSnapshots(false, async (opened, s, { snapshots }) => {
        const found = await fileVersions(opened.ctx, completeSnapshots(snapshots), path, {
          prefix: s.prefix,
        });
        if (!found.ok) return reader.failed(found.failure);
        return {
          ok: true,
          value: {
            path,
            searched: found.value.searched,
            versions: found.value.versions
              .map((v) => ({
                snapshot: v.snapshot,
                time: v.time.toISOString(),
                type: v.type,
                size: v.size,
                mtime: v.mtime.toISOString(),
                snapshots: [...v.snapshots],
              }))
              .reverse(),
          },
        };
      });
    },

    async openVersion(input) {
      const request = snapshotPathRequest.safeParse(input);
      if (!request.success) return invalid('a version to open');
      const { snapshot: name, path } = request.data;
      return reader.withSnapshots<OpenedVersion>(false, async (opened, s, { snapshots }) => {
        if (snapshotIn(snapshots, name) === null) return noSnapshot(name);
        const copied = await copyVersion(opened.ctx, snapshots, {
          snapshot: name,
          path,
          prefix: s.prefix,
          now: deps.now(),
          into: deps.openedDir,
        });
        if (!copied.ok) return reader.failed(copied.failure);
        const file = copied.value;
        copies.add(file);
        const kind = await kindOfCopy(file);
        if (!kind.open) {
          return {
            ok: true,
            value: { opened: false, file, message: notOpenedMessage(file, kind) },
          };
        }
        const error = await deps.openPath(file);
        if (error !== '') {
          return {
            ok: false,
            reason: 'failed',
            message: `The copy in ${file} could not be opened: ${error}`,
          };
        }
        return { ok: true, value: { opened: true, file } };
      });
    },

    async compareVersion(input) {
      const request = snapshotPathRequest.safeParse(input);
      if (!request.success) return invalid('a version to compare');
      const { snapshot: name, path } = request.data;
      return reader.withSnapshots(false, async (opened, s, { snapshots }) => {
        if (snapshotIn(snapshots, name) === null) return noSnapshot(name);
        const compared = await compareWithHere(opened.ctx, snapshots, {
          path,
          snapshot: name,
          prefix: s.prefix,
        });
        if (!compared.ok) return reader.failed(compared.failure);
        return { ok: true, value: compared.value };
      });
    },

    async showCopyInFolder(input) {
      const request = copyRequest.safeParse(input);
      if (!request.success) return invalid('a copy to show');
      if (!copies.has(request.data.file)) {
        return {
          ok: false,
          reason: 'refused',
          message: 'Only a copy this window opened can be shown in Files; open the version again.',
        };
      }
      deps.showItemInFolder(request.data.file);
      return { ok: true, value: null };
    },
  };

  return { handlers, forgetCopies: () => copies.clear() };
}
