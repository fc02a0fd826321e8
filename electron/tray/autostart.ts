/** "Start at Login": an XDG autostart entry, `~/.config/autostart/snaptray.desktop`. */
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { appImageFile, quoteExecArgument } from '../../core/desktop-exec.js';

export { quoteExecArgument };

const FILE_NAME = 'snaptray.desktop';

export function autostartFile(env: NodeJS.ProcessEnv, home: string): string {
  const config = env.XDG_CONFIG_HOME;
  const base = config !== undefined && isAbsolute(config) ? config : join(home, '.config');
  return join(base, 'autostart', FILE_NAME);
}

export type EntryResult = { ok: true; text: string } | { ok: false; message: string };

/** The desktop entry that starts `command` (the executable and its arguments) at login. */
export function desktopEntry(command: readonly string[]): EntryResult {
  if (command.length === 0 || !isAbsolute(command[0] ?? '')) {
    return { ok: false, message: 'The program path must be absolute to start at login.' };
  }
  if (command.some((arg) => /[\n\r\0]/.test(arg))) {
    return {
      ok: false,
      message: 'The program path holds a line break, which an autostart entry cannot hold.',
    };
  }
  const text = [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Snaptray',
    'Comment=Snapshot backups over ssh, from the tray',
    `Exec=${command.map(quoteExecArgument).join(' ')}`,
    'Icon=snaptray',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
  return { ok: true, text };
}

export async function isAutostartEnabled(file: string): Promise<boolean> {
  try {
    await readFile(file, 'utf8');
    return true;
  } catch {
    return false;
  }
}

/** Writes or removes the entry; the result says what went wrong in words. */
export async function setAutostart(
  file: string,
  enabled: boolean,
  command: readonly string[],
): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    if (!enabled) {
      await unlink(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      return { ok: true };
    }
    const entry = desktopEntry(command);
    if (!entry.ok) return entry;
    await mkdir(join(file, '..'), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, entry.text, { mode: 0o644 });
    await rename(temporary, file);
    return { ok: true };
  } catch (error) {
    return { ok: false, message: `${file} could not be changed: ${(error as Error).message}` };
  }
}

/** What starts this app again: an AppImage's own path, the packaged executable, or electron + app. */
export function launchCommand(
  execPath: string,
  appPath: string,
  packaged: boolean,
  env: NodeJS.ProcessEnv,
): string[] {
  const appImage = appImageFile(env);
  if (appImage !== null) return [appImage];
  return packaged ? [execPath] : [execPath, appPath];
}
