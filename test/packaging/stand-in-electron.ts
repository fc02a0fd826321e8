/** A stand-in for an unpacked Electron folder: the real binary comes from GitHub, out of reach. */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What the stand-in prints when started as the app (no ELECTRON_RUN_AS_NODE). */
export const TRAY_MARKER = 'tray-started';

/**
 * Writes DIR/electron: like Electron, it runs `node "$@"` when ELECTRON_RUN_AS_NODE=1; otherwise
 * it prints TRAY_MARKER and, one per line, its arguments, as the tray app would receive them.
 */
export async function writeStandInElectron(dir: string): Promise<string> {
  await mkdir(join(dir, 'resources'), { recursive: true });
  const script = [
    '#!/bin/sh',
    'if [ "${ELECTRON_RUN_AS_NODE-}" = 1 ]; then',
    `  exec '${process.execPath}' "$@"`,
    'fi',
    `echo ${TRAY_MARKER}`,
    'for arg in "$@"; do printf "arg:%s\\n" "$arg"; done',
    '',
  ].join('\n');
  const electron = join(dir, 'electron');
  await writeFile(electron, script);
  await chmod(electron, 0o755);
  await writeFile(join(dir, 'version'), 'v45.5.0');
  return electron;
}

/** The environment of a cron job or an ssh session: no display of any kind. */
export function headlessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
  delete out.DISPLAY;
  delete out.WAYLAND_DISPLAY;
  delete out.ELECTRON_RUN_AS_NODE;
  return out;
}
