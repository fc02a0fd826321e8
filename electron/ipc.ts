/** The IPC handlers of the settings window, each behind a check of who is asking. */
import { dialog, ipcMain } from 'electron';
import type { BrowserWindow, IpcMainInvokeEvent, OpenDialogOptions, WebContents } from 'electron';
import {
  INVOKE_METHODS,
  invokeChannel,
  type ApiHandlers,
  type InvokeMethod,
  type PickRequest,
} from './ipc-contract.js';

export const REFUSED_MESSAGE =
  'Refused: only the Snaptray settings window may ask this of the app.';

/** The request came from the app's own settings page, in the settings window. */
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

export function createPick(parent: () => BrowserWindow | null): ApiHandlers['pick'] {
  return async (request) => {
    const parsed = parsePickRequest(request);
    if (parsed === null) return null;
    const options: OpenDialogOptions = {
      title: parsed.title,
      properties: [parsed.kind === 'folder' ? 'openDirectory' : 'openFile', 'showHiddenFiles'],
      ...(parsed.defaultPath !== undefined ? { defaultPath: parsed.defaultPath } : {}),
    };
    const window = parent();
    const result =
      window !== null
        ? await dialog.showOpenDialog(window, options)
        : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
}

/** Registers one handler per invoke channel; a refused sender gets a value, never a crash. */
export function registerIpcHandlers(
  handlers: ApiHandlers,
  isTrusted: (event: IpcMainInvokeEvent) => boolean,
): void {
  for (const method of INVOKE_METHODS) {
    ipcMain.handle(invokeChannel(method), (event, ...args: unknown[]) => {
      if (!isTrusted(event)) return refusal(method);
      const handler = handlers[method] as (...a: unknown[]) => Promise<unknown>;
      return handler(...args);
    });
  }
}

function refusal(method: InvokeMethod): unknown {
  return method === 'pick' ? null : { ok: false, message: REFUSED_MESSAGE };
}
