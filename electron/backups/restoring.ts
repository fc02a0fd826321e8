/**
 * Restoring from the chosen prefix: "Restore to…" writes only into a folder the user chose in the
 * app's dialog for that restore; in place, the app asks first when it matters (restore-authority.ts)
 * and always when the snapshot is another machine's, naming that machine and each path. The page
 * cannot answer these questions: a restore the app asked about runs only after the user's yes.
 */
import type { NotificationEvent } from '../../core/notification-text.js';
import { restorePaths, type ConflictChoice } from '../../core/restore/restore.js';
import type { DamagedFile } from '../../core/restore/verify.js';
import type { Profile } from '../../core/settings/schema.js';
import type { AppDialogs } from '../shared/dialogs.js';
import { notificationFor, type NotifySink } from '../shared/notifier.js';
import type {
  BackupsEvent,
  BackupsResult,
  RestorePlan,
  RestoreReport,
} from '../ipc/backups-contract.js';
import type { BackupsHandlers } from '../ipc/contract.js';
import type { Operation } from './operation.js';
import { noSnapshot, snapshotIn, type Reader } from './reading.js';
import { goodCopyRequest, invalid, restoreFolderRequest, restoreRequest } from './requests.js';
import {
  createFolderGrants,
  FOLDER_NOT_CHOSEN,
  inPlaceConcerns,
  inPlaceQuestion,
  needsConfirmation,
  otherMachineQuestion,
  RESTORE_DECLINED,
  restoredWhat,
  type GuardedPlaces,
  type OtherMachine,
} from './restore-authority.js';
import { forwardRestoreEvent, restoreReport } from './views.js';

type Answer<T> = BackupsResult<T>;

export type RestoringHandlers = Pick<
  BackupsHandlers,
  'planRestore' | 'restore' | 'chooseRestoreFolder' | 'restoreGoodCopy'
>;

export interface Restoring {
  handlers: RestoringHandlers;
  /** Forgets every chosen folder (the window closed). */
  forgetFolders(): void;
}

interface Request {
  snapshot: string;
  paths: string[];
  into: string | null;
  missingOnly: boolean;
  conflicts?: ConflictChoice | undefined;
}

/**
 * What the last verify of each snapshot found of its damaged files (verifying.ts fills it): the
 * only good copies restoreGoodCopy restores.
 */
export type FoundCopies = Map<string, readonly DamagedFile[]>;

/** What the engine did or would do, and whose snapshot it was: another machine's, or null. */
interface Ran {
  report: RestoreReport;
  other: OtherMachine | null;
}

export function createRestoring(deps: {
  reader: Reader;
  operation: Operation;
  dialogs: AppDialogs;
  guarded: GuardedPlaces;
  uid: number;
  now: () => Date;
  send: (event: BackupsEvent) => void;
  notify: NotifySink;
  notificationIcon: string | null;
  /** A restore that took at least this long ends with a notification. */
  longRestoreMs: number;
  /** What verify found: the good copies restoreGoodCopy may restore. */
  found: FoundCopies;
}): Restoring {
  const grants = createFolderGrants();
  /**
   * The last restore planned, and the restore the user said yes to in the app's dialog (asked
   * again for by the window after "busy"); any restore that runs forgets both.
   */
  let planned: { key: string; ran: Ran } | null = null;
  let approved: string | null = null;

  /** The plan, or the restore itself, of a request that passed its schema and its folder check. */
  function runEngine(
    request: Request,
    to: string | null,
    dryRun: boolean,
    signal?: AbortSignal,
  ): Promise<Answer<Ran>> {
    const { snapshot, paths, missingOnly } = request;
    const conflicts = request.conflicts ?? 'replace';
    return deps.reader.withSnapshots<Ran>(false, async (opened, s, listed) => {
      const { snapshots } = listed;
      if (snapshotIn(snapshots, snapshot) === null) return noSnapshot(snapshot);
      const started = Date.now();
      const result = await restorePaths(opened.ctx, snapshots, {
        paths,
        from: { snapshot },
        to,
        missingOnly,
        conflicts,
        dryRun,
        asRoot: deps.uid === 0,
        now: deps.now(),
        watched: true,
        prefix: s.prefix,
        options: { acls: s.profile.rsync.acls, xattrs: s.profile.rsync.xattrs },
        diskKeepsModes: listed.diskKeepsModes,
        ...(signal ? { signal } : {}),
        ...(dryRun ? {} : { onEvent: (e) => forwardRestoreEvent(e, deps.send) }),
      });
      if (!result.ok) return deps.reader.failed(result.failure);
      const report = restoreReport(result.value, missingOnly, Date.now() - started);
      if (!dryRun && report.durationMs >= deps.longRestoreMs) await announce(s.profile, report);
      const machine = listed.machines.find((m) => m.prefix === s.prefix);
      const other = listed.readOnly
        ? { prefix: s.prefix, host: machine?.host ?? null, user: machine?.user ?? null }
        : null;
      return { ok: true, value: { report, other } };
    });
  }

  /** The request, checked: its folder is the one the user chose for it, or its original place. */
  function checkedRestore(
    input: unknown,
  ):
    | { ok: true; request: Request; to: string | null; key: string }
    | { ok: false; answer: Answer<never> } {
    const parsed = restoreRequest.safeParse(input);
    if (!parsed.success) return { ok: false, answer: invalid('a restore') };
    const request = parsed.data;
    const to = request.into === null ? null : grants.folderFor(request.into, request);
    if (request.into !== null && to === null) {
      return { ok: false, answer: { ok: false, reason: 'refused', message: FOLDER_NOT_CHOSEN } };
    }
    const key = JSON.stringify([
      request.snapshot,
      request.paths,
      request.into,
      request.missingOnly,
      request.conflicts ?? 'replace',
    ]);
    return { ok: true, request, to, key };
  }

  /** Whether the app asks before this restore runs, and what. */
  function questionFor(request: Request, to: string | null, ran: Ran) {
    if (to !== null) return null;
    const concerns = inPlaceConcerns(ran.report, deps.guarded);
    if (ran.other !== null) return otherMachineQuestion(request, ran.report, ran.other, concerns);
    return needsConfirmation(concerns) ? inPlaceQuestion(request, ran.report, concerns) : null;
  }

  async function planRestore(input: unknown): Promise<Answer<RestorePlan>> {
    const checked = checkedRestore(input);
    if (!checked.ok) return checked.answer;
    const plan = await runEngine(checked.request, checked.to, true);
    if (!plan.ok) return plan;
    planned = { key: checked.key, ran: plan.value };
    const appAsks = questionFor(checked.request, checked.to, plan.value) !== null;
    return { ok: true, value: { ...plan.value.report, appAsks } };
  }

  async function restore(input: unknown): Promise<Answer<RestoreReport>> {
    const checked = checkedRestore(input);
    if (!checked.ok) return checked.answer;
    const { request, to, key } = checked;
    return deps.operation.exclusive(async (signal) => {
      if (to === null && approved !== key) {
        // In place: the app asks, whatever the window did or did not show before.
        let ran = planned?.key === key ? planned.ran : null;
        planned = null;
        if (ran === null) {
          const fresh = await runEngine(request, null, true);
          if (!fresh.ok) return fresh;
          ran = fresh.value;
        }
        const question = questionFor(request, to, ran);
        if (question !== null) {
          if (!(await deps.dialogs.ask(question))) {
            return { ok: false, reason: 'declined', message: RESTORE_DECLINED };
          }
          approved = key;
        }
      }
      const result = await runEngine(request, to, false, signal);
      if (!result.ok && result.reason === 'busy') return result;
      planned = null;
      approved = null;
      if (request.into !== null) grants.spend(request.into);
      return result.ok ? { ok: true, value: result.value.report } : result;
    });
  }

  async function announce(profile: Profile, report: RestoreReport): Promise<void> {
    const event: NotificationEvent = {
      kind: 'restored',
      outcome: report.outcome,
      snapshot: report.snapshot,
      restored: report.restored,
      keptAside: report.keptAside.length,
      skipped: report.skipped.length,
      durationMs: report.durationMs,
    };
    const request = notificationFor(event, profile.notifications, deps.notificationIcon);
    if (request !== null) await deps.notify(request);
  }

  return {
    handlers: {
      planRestore,
      restore,
      async restoreGoodCopy(input) {
        const parsed = goodCopyRequest.safeParse(input);
        if (!parsed.success) return invalid('a good copy to restore');
        const { verified, path, into, conflicts } = parsed.data;
        const damaged = deps.found.get(verified)?.find((d) => d.path === path);
        if (damaged === undefined) {
          return {
            ok: false,
            reason: 'not-found',
            message: `Verify ${verified} again: its last check did not find ${path} damaged.`,
          };
        }
        if (damaged.goodCopy === null) {
          return {
            ok: false,
            reason: 'not-found',
            message:
              `No snapshot holds an intact copy of ${path}: ${damaged.sharedBy.join(', ')} ` +
              'share the damaged one.',
          };
        }
        // Exactly a restore of that copy, asked about as any restore is.
        return restore({
          snapshot: damaged.goodCopy.snapshot,
          paths: [damaged.goodCopy.path],
          into,
          missingOnly: false,
          ...(conflicts === undefined ? {} : { conflicts }),
        });
      },
      async chooseRestoreFolder(input) {
        const request = restoreFolderRequest.safeParse(input);
        if (!request.success) return null;
        const folder = await deps.dialogs.chooseFolder({
          title: `Restore ${restoredWhat(request.data.paths)} into which folder?`,
          createFolders: true,
        });
        return folder === null ? null : grants.grant(folder, request.data);
      },
    },
    forgetFolders: () => grants.clear(),
  };
}
