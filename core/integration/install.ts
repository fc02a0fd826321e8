/**
 * Installing and removing the file managers' "Restore Previous Versions…" entries for the current
 * user. A file is replaced or deleted only when it carries the marker (entries.ts): a file of the
 * user's own at one of these paths is left as it is, and the outcome says so.
 */
import {
  access,
  chmod,
  mkdir,
  readFile,
  readdir,
  rename,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import {
  MARKER,
  dolphinServiceMenu,
  nautilusExtension,
  nautilusScript,
  nemoAction,
  type EntryKind,
  type EntryText,
} from './file-manager-entries.js';

export type FileManager = 'Nautilus' | 'Dolphin' | 'Nemo';

export interface EntryPlace {
  fileManager: FileManager;
  kind: EntryKind;
  path: string;
}

export type EntryOutcome =
  | 'installed'
  | 'unchanged'
  | 'removed'
  | 'absent'
  /** A file without the marker is at the path: it is the user's, and left alone. */
  | 'not-ours';

export interface EntryResult extends EntryPlace {
  outcome: EntryOutcome;
}

/** Where the file managers read per-user entries: under XDG_DATA_HOME (~/.local/share). */
export function dataHome(env: NodeJS.ProcessEnv, home: string): string {
  const data = env.XDG_DATA_HOME;
  return data !== undefined && isAbsolute(data) ? data : join(home, '.local', 'share');
}

export function entryPlaces(data: string): Record<EntryKind, EntryPlace> {
  return {
    'nautilus-extension': {
      fileManager: 'Nautilus',
      kind: 'nautilus-extension',
      path: join(data, 'nautilus-python', 'extensions', 'snaptray-restore-versions.py'),
    },
    // The script's file name is its label in Nautilus's Scripts menu.
    'nautilus-script': {
      fileManager: 'Nautilus',
      kind: 'nautilus-script',
      path: join(data, 'nautilus', 'scripts', 'Restore Previous Versions (Snaptray)'),
    },
    'dolphin-service-menu': {
      fileManager: 'Dolphin',
      kind: 'dolphin-service-menu',
      path: join(data, 'kio', 'servicemenus', 'snaptray-restore-versions.desktop'),
    },
    'nemo-action': {
      fileManager: 'Nemo',
      kind: 'nemo-action',
      path: join(data, 'nemo', 'actions', 'snaptray-restore-versions.nemo_action'),
    },
  };
}

/** Where distributions put nautilus-python's loader (python3-nautilus, nautilus-python). */
export const NAUTILUS_PYTHON_ROOTS = ['/usr/lib', '/usr/lib64', '/usr/local/lib'];

/**
 * The nautilus-python loader, when installed: `<root>/[<triplet>/]nautilus/extensions-*
 * /libnautilus-python.so`. Without it Nautilus ignores Python extensions.
 */
export async function findNautilusPython(
  roots: readonly string[] = NAUTILUS_PYTHON_ROOTS,
): Promise<string | null> {
  for (const root of roots) {
    const parents = [root, ...(await subfolders(root)).map((name) => join(root, name))];
    for (const parent of parents) {
      const nautilus = join(parent, 'nautilus');
      for (const folder of await subfolders(nautilus)) {
        if (!folder.startsWith('extensions-')) continue;
        const library = join(nautilus, folder, 'libnautilus-python.so');
        if (await exists(library)) return library;
      }
    }
  }
  return null;
}

/** The entries to install: the Nautilus extension where nautilus-python is, else the script. */
export function entriesFor(command: readonly string[], nautilusPython: boolean): EntryText[] {
  return [
    nautilusPython ? nautilusExtension(command) : nautilusScript(command),
    dolphinServiceMenu(command),
    nemoAction(command),
  ];
}

/**
 * Writes each entry (replacing only an earlier one of ours) and takes away our entry of the other
 * Nautilus kind, so that Nautilus never shows the item twice.
 */
export async function installEntries(
  data: string,
  entries: readonly EntryText[],
): Promise<EntryResult[]> {
  const places = entryPlaces(data);
  const results: EntryResult[] = [];
  for (const entry of entries) {
    const place = places[entry.kind];
    results.push({ ...place, outcome: await writeEntry(place.path, entry) });
  }
  const installed = new Set(entries.map((e) => e.kind));
  for (const kind of ['nautilus-extension', 'nautilus-script'] as const) {
    if (installed.has(kind)) continue;
    const outcome = await removeEntry(places[kind].path);
    if (outcome === 'removed') results.push({ ...places[kind], outcome });
  }
  return results;
}

export async function removeEntries(data: string): Promise<EntryResult[]> {
  const results: EntryResult[] = [];
  for (const place of Object.values(entryPlaces(data))) {
    results.push({ ...place, outcome: await removeEntry(place.path) });
  }
  return results;
}

async function writeEntry(path: string, entry: EntryText): Promise<EntryOutcome> {
  const mode = entry.executable ? 0o755 : 0o644;
  const old = await readOrNull(path);
  if (old !== null && !isOurs(old)) return 'not-ours';
  await mkdir(join(path, '..'), { recursive: true });
  if (old === entry.text) {
    await chmod(path, mode);
    return 'unchanged';
  }
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, entry.text, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
  return 'installed';
}

async function removeEntry(path: string): Promise<EntryOutcome> {
  const old = await readOrNull(path);
  if (old === null) return 'absent';
  if (!isOurs(old)) return 'not-ours';
  await unlink(path);
  return 'removed';
}

/** Ours: a comment line that holds the marker. */
export function isOurs(text: string): boolean {
  return text.split('\n').some((line) => line.startsWith('#') && line.includes(MARKER));
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function subfolders(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
