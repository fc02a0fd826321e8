/** The IPC handlers of the windows, each behind a check of who is asking. */
import { dialog, ipcMain } from 'electron';
import type {
  BrowserWindow,
  IpcMainInvokeEvent,
  MessageBoxOptions,
  OpenDialogOptions,
  WebContents,
} from 'electron';
import type { AppDialogs } from '../shared/dialogs.js';
import {
  WINDOW_METHODS,
  invokeChannel,
  type ApiHandlers,
  type InvokeMethod,
  type PickRequest,
  type WindowName,
} from './contract.js';

export const REFUSED_MESSAGE =
  'Refused: only the Snaptray settings window may ask this of the app.';
export const BACKUPS_REFUSED_MESSAGE =
  'Refused: only the Snaptray Backups window may ask this of the app.';

/** The request came from the app's own page, in the window that page belongs in. */
export function isTrustedSender(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  expected: WebContents | null,
  pageUrl: string,
): boolean {
  if (expected === null || event.sender !== expected) return false;
  const url = event.senderFrame?.url;
  if (typeof url !== 'string') return false;
  return withoutFragment(url) === pageUrl;
}

function withoutFragment(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    parsed.search = '';
    return parsed.href;
  } catch {
    return '';
  }
}

/** Validates what a window sends for `pick`; anything else is refused. */
export function parsePickRequest(value: unknown): PickRequest | null {
  if (typeof value !== 'object' || value === null) return null;
  const { kind, title, defaultPath } = value as Record<string, unknown>;
  if (kind !== 'folder' && kind !== 'file') return null;
  if (typeof title !== 'string' || title.length > 200) return null;
  if (
    defaultPath !== undefined &&
    (typeof defaultPath !== 'string' || !defaultPath.startsWith('/'))
  )
    return null;
  return defaultPath === undefined ? { kind, title } : { kind, title, defaultPath };
}

/**
 * A file or folder dialog over `parent`, for the settings window to fill in a field: what it
 * gives is only text in the page until it is saved, and saving asks again (settings/api.ts).
 */
export function createPick(
  parent: () => BrowserWindow | null,
): (request: PickRequest) => Promise<string | null> {
  return async (request) => {
    const parsed = parsePickRequest(request);
    if (parsed === null) return null;
    return openDialog(parent(), {
      title: parsed.title,
      properties: [parsed.kind === 'folder' ? 'openDirectory' : 'openFile', 'showHiddenFiles'],
      ...(parsed.defaultPath !== undefined ? { defaultPath: parsed.defaultPath } : {}),
    });
  };
}

async function openDialog(
  window: BrowserWindow | null,
  options: OpenDialogOptions,
): Promise<string | null> {
  const result =
    window !== null
      ? await dialog.showOpenDialog(window, options)
      : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

/**
 * The app's own dialogs over a window (shared/dialogs.ts): a question answered with its confirming
 * button or Cancel, which is the default so that Enter or Escape changes nothing, and a folder.
 */
export function createAppDialogs(parent: () => BrowserWindow | null): AppDialogs {
  return {
    async ask(question) {
      const options: MessageBoxOptions = {
        type: question.warning === true ? 'warning' : 'question',
        title: question.title,
        message: question.message,
        detail: question.detail,
        buttons: ['Cancel', question.confirm],
        defaultId: 0,
        cancelId: 0,
        noLink: true,
      };
      const window = parent();
      const answer =
        window !== null
          ? await dialog.showMessageBox(window, options)
          : await dialog.showMessageBox(options);
      return answer.response === 1;
    },
    chooseFolder(question) {
      return openDialog(parent(), {
        title: question.title,
        properties: [
          'openDirectory',
          'showHiddenFiles',
          ...(question.createFolders ? (['createDirectory'] as const) : []),
        ],
      });
    },
  };
}

/**
 * Registers one handler per invoke channel. A channel answers only its own window's page: a
 * refused sender, or another window, gets a value, never a crash.
 */
export function registerIpcHandlers(
  handlers: ApiHandlers,
  isTrusted: Record<WindowName, (event: IpcMainInvokeEvent) => boolean>,
): void {
  for (const window of Object.keys(WINDOW_METHODS) as WindowName[]) {
    for (const method of WINDOW_METHODS[window]) {
      ipcMain.handle(invokeChannel(method), (event, ...args: unknown[]) => {
        if (!isTrusted[window](event)) return refusal(method);
        const handler = handlers[method] as (...a: unknown[]) => Promise<unknown>;
        return handler(...args);
      });
    }
  }
}

function refusal(method: InvokeMethod): unknown {
  switch (method) {
    case 'pick':
    case 'chooseRestoreFolder':
      return null;
    case 'cancelOperation':
    case 'openSettings':
      return undefined;
    default:
      return (WINDOW_METHODS.backups as readonly string[]).includes(method)
        ? { ok: false, reason: 'refused', message: BACKUPS_REFUSED_MESSAGE }
        : { ok: false, message: REFUSED_MESSAGE };
  }
}
