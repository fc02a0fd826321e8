/**
 * Where a restore from the Backups window may write, decided in the main process: into a folder
 * the user chose in the app's own folder dialog for that very restore (the window holds only a
 * token for it, never a path it made up), or to each path's original place. In place, the app
 * asks first, in its own dialog, whenever the restore would replace a file here or write where
 * programs are started from, or keys and settings are kept: a page gone bad cannot bring back an
 * old authorized_keys or a removed autostart entry without the user's yes.
 */
import { randomBytes } from 'node:crypto';
import { plural } from '../../core/format.js';
import { baseName, below, isWithin } from '../../core/restore/paths.js';
import { safeName } from '../../core/terminal-text.js';
import { listLines, type Question } from '../shared/dialogs.js';
import type { ChosenFolder, RestoreFolderRequest, RestoreReport } from '../ipc/backups-contract.js';

/** How many chosen folders are remembered at once; choosing more forgets the oldest. */
const GRANTS_KEPT = 8;

export interface FolderGrants {
  /** Remembers a folder the user chose for this restore, under a new unguessable token. */
  grant(folder: string, restore: RestoreFolderRequest): ChosenFolder;
  /** The folder a token stands for, when it was given for this very restore; else null. */
  folderFor(token: string, restore: RestoreFolderRequest): string | null;
  /** The restore ran: its token is used up. */
  spend(token: string): void;
  clear(): void;
}

export function createFolderGrants(): FolderGrants {
  const grants = new Map<string, { folder: string; restore: string }>();
  const key = (r: RestoreFolderRequest) => JSON.stringify([r.snapshot, r.paths]);
  return {
    grant(folder, restore) {
      const token = randomBytes(18).toString('base64url');
      grants.set(token, { folder, restore: key(restore) });
      for (const old of [...grants.keys()].slice(0, Math.max(0, grants.size - GRANTS_KEPT))) {
        grants.delete(old);
      }
      return { token, folder };
    },
    folderFor(token, restore) {
      const grant = grants.get(token);
      return grant !== undefined && grant.restore === key(restore) ? grant.folder : null;
    },
    spend(token) {
      grants.delete(token);
    },
    clear() {
      grants.clear();
    },
  };
}

export const FOLDER_NOT_CHOSEN =
  'Nothing was restored: the folder to restore into was not chosen for this restore in the ' +
  'app’s folder dialog (or was used already). Choose Restore to… again.';

export const RESTORE_DECLINED = 'Nothing was restored: you did not confirm it.';

/** Where this account keeps what the restore guard needs to know. */
export interface GuardedPlaces {
  /** The home folder; null when unknown (everything is then guarded). */
  home: string | null;
  /** Snaptray's own settings folder (settings, trusted host keys). */
  settingsDir: string;
}

/**
 * Why writing `path` in place needs the user's yes in the app's dialog, in words; null when it
 * does not. Anything hidden below the home folder (settings, keys, start-up files), ~/bin, the
 * home folder itself or places outside it, and Snaptray's own settings.
 */
export function guardedBecause(path: string, places: GuardedPlaces): string | null {
  if (isWithin(path, places.settingsDir) || isWithin(places.settingsDir, path)) {
    return 'Snaptray’s own settings: hooks, destination, trusted host keys';
  }
  const home = places.home;
  if (home === null || home === '/' || !isWithin(path, home)) {
    return 'outside your home folder: system files, or another account’s';
  }
  if (path === home) return 'your whole home folder';
  const parts = below(path, home).split('/');
  if (parts.some((part) => part.startsWith('.'))) {
    return 'a hidden file or folder: settings, keys or programs started at login';
  }
  if (parts[0] === 'bin') return 'your own commands (~/bin)';
  return null;
}

/** What an in-place restore would do that needs the user's yes: files it replaces, places it writes. */
export interface InPlaceConcerns {
  replaces: string[];
  guarded: Array<{ path: string; why: string }>;
}

export function inPlaceConcerns(plan: RestoreReport, places: GuardedPlaces): InPlaceConcerns {
  const guarded: InPlaceConcerns['guarded'] = [];
  for (const { to } of plan.placed) {
    const why = guardedBecause(to, places);
    if (why !== null) guarded.push({ path: to, why });
  }
  return { replaces: plan.keptAside.map((k) => k.path), guarded };
}

export function needsConfirmation(concerns: InPlaceConcerns): boolean {
  return concerns.replaces.length > 0 || concerns.guarded.length > 0;
}

/** What the restore is of, in words: one item by name, more by count. */
export function restoredWhat(paths: readonly string[]): string {
  return paths.length === 1 ? `“${baseName(paths[0] ?? '')}”` : plural(paths.length, 'item');
}

/** The app's question before an in-place restore that replaces files or writes guarded places. */
export function inPlaceQuestion(
  request: { paths: readonly string[]; missingOnly: boolean },
  plan: RestoreReport,
  concerns: InPlaceConcerns,
): Question {
  const what = restoredWhat(request.paths);
  const lines: string[] = [];
  if (concerns.replaces.length > 0) {
    lines.push(
      `It replaces ${plural(concerns.replaces.length, 'file')} here with the snapshot’s ` +
        `${concerns.replaces.length === 1 ? 'copy' : 'copies'}. Each current file is kept aside ` +
        'first, renamed NAME.before-restore-(date and time of the restore):',
      ...listLines(concerns.replaces),
      '',
    );
  }
  if (concerns.guarded.length > 0) {
    lines.push(
      'It writes where a program could pick it up:',
      ...listLines(concerns.guarded.map((g) => `${g.path} (${g.why})`)),
      '',
    );
  }
  lines.push(
    request.missingOnly
      ? `${plural(plan.restored, 'file')} to bring back; files here stay as they are.`
      : `${plural(plan.restored, 'file')} to write.`,
  );
  if (plan.skipped.length > 0) {
    lines.push('', 'Not restored:', ...listLines(plan.skipped.map((s) => `${s.path}: ${s.why}`)));
  }
  if (plan.warnings.length > 0) lines.push('', ...plan.warnings);
  return {
    title: 'Restore',
    message: request.missingOnly
      ? `Bring back what ${plan.snapshot} holds of ${what} but this computer does not?`
      : `Restore ${what} from ${plan.snapshot} to its original place?`,
    detail: lines.join('\n'),
    confirm: request.missingOnly ? 'Restore Missing Files' : 'Restore',
    warning: concerns.guarded.length > 0,
  };
}

/** The machine a prefix belongs to, as the app's question names it. */
export interface OtherMachine {
  prefix: string;
  host: string | null;
  user: string | null;
}

/** The machine in words: "laptop (ann's, prefix annbox)". Text from the destination, kept plain. */
export function machineWords(m: OtherMachine): string {
  const host = m.host !== null ? safeName(m.host) : 'an unknown machine';
  const owner = m.user !== null ? `${safeName(m.user)}’s, ` : '';
  return `${host} (${owner}prefix ${m.prefix})`;
}

/**
 * The app's question before restoring another machine's snapshot to the original place on this
 * one: always asked, naming the machine and each path, since its files may not belong here at all.
 */
export function otherMachineQuestion(
  request: { paths: readonly string[]; missingOnly: boolean },
  plan: RestoreReport,
  machine: OtherMachine,
  concerns: InPlaceConcerns,
): Question {
  const asked = inPlaceQuestion(request, plan, concerns);
  const what = restoredWhat(request.paths);
  return {
    title: 'Restore from Another Machine',
    message:
      `Restore ${what} from ${machineWords(machine)} to the same place on this computer? ` +
      'It is another machine’s backup.',
    detail: [
      `From ${plan.snapshot} of ${machineWords(machine)}, to this computer at:`,
      ...listLines(request.paths),
      '',
      asked.detail,
    ].join('\n'),
    confirm: asked.confirm,
    warning: true,
  };
}
