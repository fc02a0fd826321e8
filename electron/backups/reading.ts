/**
 * Reading what the window shows, over the one connection (connection.ts): the destination is
 * listed once (one `rsync --list-only`), and that one listing gives both the chosen prefix's
 * snapshots and every other prefix on it for the chooser. Requests after it reuse the snapshots
 * until the window reloads or chooses another profile or prefix. Failures are values.
 */
import { formatDestination } from '../../core/destination/address.js';
import { householdOf } from '../../core/destination/household.js';
import { readMarker } from '../../core/destination/initialise.js';
import { listDestination } from '../../core/destination/ops.js';
import type { OpenDestination } from '../../core/destination/session.js';
import { snapshotsOf, type Snapshot } from '../../core/destination/snapshot.js';
import type { RestoreFailure } from '../../core/restore/result.js';
import type { BackupsResult, MachineView } from '../ipc/backups-contract.js';
import type { DestinationHolder, RequestKind } from './connection.js';
import { machineViews } from './machines.js';
import type { Shown, ViewSelection } from './selection.js';
import { breaksConnection, unavailable, WAITS_FOR_BACKUP_MESSAGE } from './views.js';

type Answer<T> = BackupsResult<T>;

/** What one listing gave: the chosen prefix's snapshots and the household around it. */
export interface Listed {
  snapshots: Snapshot[];
  machines: MachineView[];
  /** The chosen prefix is another machine's: read it, never change it. */
  readOnly: boolean;
  diskKeepsModes: boolean;
}

export type ReadBody<T> = (
  opened: OpenDestination,
  shown: Shown,
  listed: Listed,
  warnings: string[],
) => Promise<Answer<T>>;

export interface Reader {
  /**
   * Runs `body` over the one connection, with the chosen prefix's snapshots (listed again on
   * `refresh`); a long one (restore, check) waits while a backup of the profile runs.
   */
  withSnapshots<T>(refresh: boolean, body: ReadBody<T>, kind?: RequestKind): Promise<Answer<T>>;
  /** A restore or check: `withSnapshots` as a long request. */
  longWithSnapshots<T>(refresh: boolean, body: ReadBody<T>): Promise<Answer<T>>;
  /** A failure as the window's answer; a broken connection is closed for the next request. */
  failed<T>(failure: RestoreFailure): Answer<T>;
}

export function createReader(deps: {
  holder: DestinationHolder;
  selection: ViewSelection;
  /** This account's identity, which says which prefixes are this machine's own. */
  identity: () => Promise<string | null>;
  now: () => Date;
  busyRetryMs: number;
}): Reader {
  /** The snapshots the window last saw, by the destination and prefix they were listed for. */
  let known: { key: string; listed: Listed } | null = null;

  function keyOf(s: Shown): string {
    return JSON.stringify([s.dest, s.profile.ssh, s.prefix, s.name]);
  }

  function failed<T>(failure: RestoreFailure): Answer<T> {
    if (breaksConnection(failure)) void deps.holder.close();
    return unavailable<T>(failure, deps.busyRetryMs);
  }

  async function withSnapshots<T>(
    refresh: boolean,
    body: ReadBody<T>,
    kind: RequestKind = 'read',
  ): Promise<Answer<T>> {
    const shown = await deps.selection.shown();
    if (!shown.ok) return shown;
    const s = shown.value;
    const key = keyOf(s);
    const used = await deps.holder.use(
      s.dest,
      s.profile.ssh,
      async (opened) => {
        let warnings: string[] = [];
        if (refresh || known?.key !== key) {
          const listing = await listDestination(opened.ctx);
          if (!listing.ok) return failed<T>(listing.failure);
          if (!listing.value.hasMarker) {
            return {
              ok: false,
              reason: 'unreachable',
              message:
                `${formatDestination(s.dest)} is not a Snaptray destination (it has no ` +
                '.snaptray-destination marker). If it is on a disk, the disk may not be mounted.',
            } satisfies Answer<T>;
          }
          const set = snapshotsOf(s.prefix, listing.value);
          const household = householdOf(listing.value, deps.now());
          const machines = machineViews(household, {
            identity: await deps.identity(),
            prefixes: s.prefixes,
          });
          const machine = machines.find((m) => m.prefix === s.prefix);
          const { keepsModes } = readMarker(listing.value.marker);
          known = {
            key,
            listed: {
              snapshots: set.snapshots,
              machines,
              // A prefix with nothing on it yet is the profile's own only when it is the profile's.
              readOnly: machine === undefined ? s.prefix !== s.profile.prefix : !machine.own,
              diskKeepsModes: keepsModes,
            },
          };
          warnings = [
            ...set.warnings,
            ...household.warnings.filter((w) => !set.warnings.includes(w)),
          ];
        }
        const listed = known?.listed;
        if (listed === undefined) throw new Error('the listing was not kept');
        return body(opened, s, listed, warnings);
      },
      kind,
    );
    if (used.ok) return used.value;
    if (used.busy) {
      return {
        ok: false,
        reason: 'busy',
        message: WAITS_FOR_BACKUP_MESSAGE,
        retryInMs: deps.busyRetryMs,
      };
    }
    return failed<T>(used.failure);
  }

  return {
    withSnapshots,
    longWithSnapshots: (refresh, body) => withSnapshots(refresh, body, 'long'),
    failed,
  };
}

export function snapshotIn(snapshots: readonly Snapshot[], name: string): Snapshot | null {
  return snapshots.find((s) => s.name === name) ?? null;
}

export function noSnapshot<T>(name: string): Answer<T> {
  return {
    ok: false,
    reason: 'not-found',
    message: `The snapshot ${name} is no longer on the destination (pruned since the list was read?). Reload the list.`,
  };
}
