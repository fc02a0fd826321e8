/**
 * "Restore Previous Versions…" in the file managers' menus: the text of each entry, which starts
 * the app with `--browse PATH`. The selected path reaches the app as one argument in each: an
 * argument array in Python and in the script, a field code the file manager fills in itself in
 * the desktop entries. Nothing here touches the disk (install.ts does).
 */
import { quoteExecArgument } from '../desktop-exec.js';
import { shellQuote } from '../cli/shell-words.js';

/** The app's option that opens the Backups window at a file (electron/browse-request.ts). */
export const BROWSE_OPTION = '--browse';

/**
 * The comment line that marks a file as Snaptray's own: `integrate --remove` deletes only files
 * holding it. PERSISTED: files installed by earlier versions carry it.
 */
export const MARKER = 'Snaptray file-manager entry: made by "snaptray integrate --file-managers"';

export const MENU_LABEL = 'Restore Previous Versions…';
const TIP = "Open Snaptray's Backups window at this file's earlier versions";

export type EntryKind =
  'nautilus-extension' | 'nautilus-script' | 'dolphin-service-menu' | 'nemo-action';

export interface EntryText {
  kind: EntryKind;
  text: string;
  /** Whether the file manager runs or trusts the file only when it is executable. */
  executable: boolean;
}

/** Why an app command cannot go into an entry, in words; null when it can. */
export function commandProblem(command: readonly string[]): string | null {
  const program = command[0];
  if (program === undefined || !program.startsWith('/')) {
    return 'The program that starts the app must be named by its absolute path.';
  }
  if (command.some((word) => /[\n\r\0]/.test(word))) {
    return 'The path of the program that starts the app holds a line break, which a desktop entry cannot hold.';
  }
  if (command.some((word) => word.includes('%'))) {
    // Nemo replaces its own %-codes anywhere in Exec and knows no escape for them.
    return 'The path of the program that starts the app holds "%", which Nemo would read as a field code.';
  }
  return null;
}

/**
 * A nautilus-python extension for both APIs: nautilus-python 4 (Nautilus 43 and later, Debian
 * 12) calls get_file_items(files); 1.x–3.x call get_file_items(window, files). The app starts
 * from an argument array, never through a shell.
 */
export function nautilusExtension(command: readonly string[]): EntryText {
  const words = command.map(pythonString).join(', ');
  const text = `# ${MARKER}; "--remove" deletes it.
"""Snaptray: "${MENU_LABEL}" in the menu of one local file or folder."""
import subprocess

from gi.repository import GObject, Nautilus

COMMAND = [${words}]


def _local_path(file_info):
    location = file_info.get_location()
    return None if location is None else location.get_path()


class SnaptrayRestoreVersions(GObject.GObject, Nautilus.MenuProvider):
    def get_file_items(self, *args):
        # nautilus-python 4 passes (files); earlier versions pass (window, files).
        files = args[-1]
        if len(files) != 1:
            return []
        path = _local_path(files[0])
        if path is None:
            return []
        item = Nautilus.MenuItem(
            name="Snaptray::RestorePreviousVersions",
            label=${pythonString(MENU_LABEL)},
            tip=${pythonString(TIP)},
        )
        item.connect("activate", self._activate, path)
        return [item]

    def _activate(self, _item, path):
        subprocess.Popen(
            COMMAND + [${pythonString(BROWSE_OPTION)}, path],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
`;
  return { kind: 'nautilus-extension', text, executable: false };
}

/**
 * A Nautilus script, where nautilus-python is missing. Nautilus runs it in the folder it shows,
 * with the selected names as arguments (exact, whatever they hold); from a remote folder it passes
 * none and only NAUTILUS_SCRIPT_SELECTED_FILE_PATHS, one path a line.
 */
export function nautilusScript(command: readonly string[]): EntryText {
  const text = `#!/bin/sh
# ${MARKER}; "--remove" deletes it.
# Opens Snaptray's Backups window at the first selected file's earlier versions.
set -eu
if [ "$#" -eq 0 ]; then
  set -f
  IFS='
'
  # Split on line breaks only, without expanding patterns.
  set -- \${NAUTILUS_SCRIPT_SELECTED_FILE_PATHS-}
fi
[ "$#" -gt 0 ] || exit 0
file=$1
case $file in
  /*) ;;
  *)
    # The trailing "x" keeps line breaks at the end of the folder's name that $(...) would drop.
    here=$(pwd && echo x)
    file=\${here%?x}/$file
    ;;
esac
exec ${command.map(shellQuote).join(' ')} ${BROWSE_OPTION} "$file"
`;
  return { kind: 'nautilus-script', text, executable: true };
}

/**
 * A Dolphin (KDE) service menu. KIO expands %f per the Desktop Entry spec into one argument and
 * runs the program without a shell; menus outside the system folders must be executable.
 */
export function dolphinServiceMenu(command: readonly string[]): EntryText {
  const exec = [...command.map(quoteExecArgument), BROWSE_OPTION, '%f'].join(' ');
  const text = [
    `# ${MARKER}; "--remove" deletes it.`,
    '[Desktop Entry]',
    'Type=Service',
    'X-KDE-ServiceTypes=KonqPopupMenu/Plugin',
    'MimeType=all/all;',
    'X-KDE-Protocols=file',
    'X-KDE-MaxNumberOfUrls=1',
    'Actions=snaptrayRestorePreviousVersions;',
    '',
    '[Desktop Action snaptrayRestorePreviousVersions]',
    `Name=${MENU_LABEL}`,
    'Icon=snaptray',
    `Exec=${exec}`,
    '',
  ].join('\n');
  return { kind: 'dolphin-service-menu', text, executable: true };
}

/**
 * A Nemo action. Nemo pastes the selection into Exec as text and splits the result the way
 * GLib's g_shell_parse_argv does (no shell, but quotes count), so a path holding a quote or a
 * line break would not survive; a file URI (%U, percent-encoded) in double quotes always does,
 * and the app takes `--browse file:///…` as the path it names.
 */
export function nemoAction(command: readonly string[]): EntryText {
  const exec = [...command.map(glibShellQuote), BROWSE_OPTION, '%U'].join(' ');
  const text = [
    `# ${MARKER}; "--remove" deletes it.`,
    '[Nemo Action]',
    `Name=${MENU_LABEL}`,
    `Comment=${TIP}`,
    'Icon-Name=snaptray',
    // Key-file string escaping: a backslash is written twice.
    `Exec=${exec.replace(/\\/g, '\\\\')}`,
    'Selection=s',
    'Extensions=any;',
    'Quote=double',
    '',
  ].join('\n');
  return { kind: 'nemo-action', text, executable: false };
}

/** A Python string literal: JSON's string syntax is Python's too. */
function pythonString(value: string): string {
  return JSON.stringify(value);
}

/** One word as g_shell_parse_argv reads it back: in single quotes, a quote as '\''. */
function glibShellQuote(word: string): string {
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
