/**
 * `--browse [PATH]` on the app's command line: open the Backups window, at PATH's versions when a
 * path is given. A file manager's "Restore Previous Versions…" passes an absolute path, or (Nemo)
 * a file URI. A second launch hands the request to the running app (start-app.ts).
 */
import { fileURLToPath } from 'node:url';

/** Asks for the Backups window, on the first launch or on a second one. */
export const BROWSE_FLAG = '--browse';

export type BrowseRequest =
  /** No --browse: a plain start, or a second launch that shows the settings window. */
  | { kind: 'none' }
  /** A bare --browse: the Backups window as it is. */
  | { kind: 'window' }
  | { kind: 'path'; path: string }
  /** --browse with a value that is refused; the message says why and what to give instead. */
  | { kind: 'refused'; message: string };

/** What a command line asks for; the first --browse counts. */
export function browseRequest(argv: readonly string[]): BrowseRequest {
  const at = argv.findIndex((arg) => arg === BROWSE_FLAG || arg.startsWith(`${BROWSE_FLAG}=`));
  if (at < 0) return { kind: 'none' };
  const word = argv[at] ?? '';
  const value = word === BROWSE_FLAG ? argv[at + 1] : word.slice(BROWSE_FLAG.length + 1);
  if (value === undefined) return { kind: 'window' };
  return browsePath(value);
}

function browsePath(value: string): BrowseRequest {
  const refused = (why: string): BrowseRequest => ({
    kind: 'refused',
    message: `${BROWSE_FLAG} "${value}" ${why}`,
  });
  if (value.startsWith('-')) {
    return refused(
      'starts with "-" and could be read as an option; it is refused. Give the file\'s absolute path.',
    );
  }
  if (value.startsWith('file:')) {
    try {
      return { kind: 'path', path: fileURLToPath(value) };
    } catch {
      return refused('is not a file on this computer: only local files have versions in Snaptray.');
    }
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) {
    return refused('is not a file on this computer: only local files have versions in Snaptray.');
  }
  if (!value.startsWith('/')) {
    return refused('is not an absolute path: give the whole path of the file, starting with "/".');
  }
  return { kind: 'path', path: value };
}

/**
 * What a second launch hands over (Electron's requestSingleInstanceLock additionalData): its own
 * reading of its command line, since the argv Electron passes on may have Chromium's switches
 * inserted between an option and its value (electron/electron#20322).
 */
export interface Handover {
  browse: BrowseRequest;
}

/** The handed-over request when `data` is one (it comes from another process: checked). */
export function handedOver(data: unknown): BrowseRequest | null {
  if (typeof data !== 'object' || data === null) return null;
  const browse = (data as { browse?: unknown }).browse;
  if (typeof browse !== 'object' || browse === null) return null;
  const request = browse as Record<string, unknown>;
  switch (request.kind) {
    case 'none':
    case 'window':
      return { kind: request.kind };
    case 'path':
      // Checked again as a command line value: the same rules whichever way it came.
      return typeof request.path === 'string' ? browsePath(request.path) : null;
    case 'refused':
      return typeof request.message === 'string'
        ? { kind: 'refused', message: request.message }
        : null;
    default:
      return null;
  }
}
