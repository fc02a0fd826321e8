/**
 * The settings window's switch for "Restore Previous Versions…" in the file managers: the same
 * engine functions as `snaptray integrate --file-managers [--remove]`, started with the app's own
 * launch command (the one the tray's "Start at Login" writes). Every outcome is said in words.
 */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { commandProblem } from '../../core/integration/file-manager-entries.js';
import {
  dataHome,
  entriesFor,
  entryPlaces,
  findNautilusPython,
  installEntries,
  isOurs,
  removeEntries,
  type EntryPlace,
  type EntryResult,
  type FileManager,
} from '../../core/integration/install.js';
import type {
  FileManagerChange,
  FileManagerEntryView,
  FileManagerStatus,
} from '../ipc/contract.js';

export interface FileManagerDeps {
  env: NodeJS.ProcessEnv;
  /** The user's home folder (absolute), or null when HOME is not set to one. */
  home: string | null;
  /** What starts this app again (tray/autostart.ts launchCommand); undefined when not known. */
  launchCommand: readonly string[] | undefined;
  /** Where nautilus-python's loader may be (default: the distributions' places). */
  nautilusPythonRoots?: readonly string[];
}

const FILE_MANAGERS: ReadonlyArray<{ name: FileManager; program: string }> = [
  { name: 'Nautilus', program: 'nautilus' },
  { name: 'Dolphin', program: 'dolphin' },
  { name: 'Nemo', program: 'nemo' },
];

const WHAT: Record<EntryPlace['kind'], string> = {
  'nautilus-extension': 'Nautilus extension',
  'nautilus-script': 'Nautilus script',
  'dolphin-service-menu': 'Dolphin service menu',
  'nemo-action': 'Nemo action',
};

export async function fileManagerStatus(deps: FileManagerDeps): Promise<FileManagerStatus> {
  const command = [...(deps.launchCommand ?? [])];
  const found = await foundFileManagers(deps.env);
  const entries: FileManagerEntryView[] = [];
  if (deps.home !== null) {
    for (const place of Object.values(entryPlaces(dataHome(deps.env, deps.home)))) {
      entries.push({
        fileManager: place.fileManager,
        what: WHAT[place.kind],
        path: place.path,
        state: await stateOf(place.path),
      });
    }
  }
  return {
    installed: entries.some((e) => e.state === 'installed'),
    entries,
    found,
    command,
    problem: installProblem(deps, found),
  };
}

/** Installs (on) or removes (off) the entries, then reads the truth back from disk. */
export async function setFileManagerEntries(
  deps: FileManagerDeps,
  on: boolean,
): Promise<FileManagerChange> {
  const before = await fileManagerStatus(deps);
  if (on && before.problem !== null) {
    return { status: before, message: `Nothing was installed: ${before.problem}`, failed: true };
  }
  if (deps.home === null) {
    return { status: before, message: 'Nothing was removed: HOME is not set.', failed: true };
  }
  const data = dataHome(deps.env, deps.home);
  let results: EntryResult[];
  try {
    results = on
      ? await installEntries(
          data,
          entriesFor(before.command, (await findNautilusPython(deps.nautilusPythonRoots)) !== null),
        )
      : await removeEntries(data);
  } catch (error) {
    const status = await fileManagerStatus(deps);
    const done = status.entries.filter((e) => e.state === 'installed').map((e) => e.path);
    return {
      status,
      message:
        `The entries could not be ${on ? 'installed' : 'removed'}: ${(error as Error).message}. ` +
        (done.length > 0
          ? `Installed now: ${done.join(', ')}.`
          : 'None of them is installed now.') +
        ` Check that you may write there, then turn the switch ${status.installed ? 'off and on' : 'on'} again.`,
      failed: true,
    };
  }
  return { ...described(on, results, before.found), status: await fileManagerStatus(deps) };
}

function described(
  on: boolean,
  results: readonly EntryResult[],
  found: readonly FileManager[],
): Omit<FileManagerChange, 'status'> {
  const done = results.filter((r) => r.outcome === (on ? 'installed' : 'removed'));
  const blocked = results.filter((r) => r.outcome === 'not-ours');
  const sentences: string[] = [];
  if (on) {
    const ready = results.filter((r) => r.outcome === 'installed' || r.outcome === 'unchanged');
    const names = unique(ready.map((r) => r.fileManager));
    if (names.length > 0) {
      sentences.push(
        `"Restore Previous Versions…" is in the menu of ${words(names)}` +
          (done.length === 0 ? ' (it was already installed).' : '.'),
      );
    }
    if (done.some((r) => r.kind === 'nautilus-extension') && found.includes('Nautilus')) {
      sentences.push('Nautilus loads extensions when it starts: run "nautilus -q" to restart it.');
    }
  } else {
    sentences.push(
      done.length === 0
        ? 'No entry of Snaptray was installed: nothing was removed.'
        : `Removed ${done.map((r) => WHAT[r.kind]).join(', ')}.`,
    );
  }
  for (const r of blocked) {
    sentences.push(
      `${r.path} is not Snaptray's (it lacks Snaptray's marker line), so it was left as it is` +
        (on
          ? ` and the ${WHAT[r.kind]} was not installed: move that file away and try again.`
          : '.'),
    );
  }
  return { message: sentences.join(' '), failed: on && blocked.length > 0 };
}

function installProblem(deps: FileManagerDeps, found: readonly FileManager[]): string | null {
  if (deps.home === null) {
    return 'HOME is not set to an absolute path, and the entries go under your home folder.';
  }
  if (deps.launchCommand === undefined) {
    return 'the command that starts Snaptray is not known.';
  }
  const problem = commandProblem(deps.launchCommand);
  if (problem !== null) return problem;
  if (found.length === 0) {
    return 'none of the file managers Snaptray knows (Nautilus, Dolphin, Nemo) was found on this computer.';
  }
  return null;
}

/** The file managers whose program is on PATH. */
async function foundFileManagers(env: NodeJS.ProcessEnv): Promise<FileManager[]> {
  const folders = (env.PATH ?? '').split(delimiter).filter((f) => isAbsolute(f));
  const found: FileManager[] = [];
  for (const { name, program } of FILE_MANAGERS) {
    for (const folder of folders) {
      if (await isProgram(join(folder, program))) {
        found.push(name);
        break;
      }
    }
  }
  return found;
}

async function isProgram(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function stateOf(path: string): Promise<FileManagerEntryView['state']> {
  try {
    return isOurs(await readFile(path, 'utf8')) ? 'installed' : 'not-ours';
  } catch (error) {
    // Something there that is not a readable file of ours (a folder, say) is in the way all the
    // same; nothing is there when the path or a folder on it is missing.
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'absent' : 'not-ours';
  }
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** "Nautilus", "Nautilus and Nemo", "Nautilus, Dolphin and Nemo". */
function words(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
