/** The settings window: one at a time, locked down as design.md's security list says. */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, dialog, session } from 'electron';
import type { Event, WebContents } from 'electron';
import { SETTINGS_CHANGED_CHANNEL } from '../ipc/contract.js';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface SettingsPaths {
  preload: string;
  page: string;
}

/** A window's page, as the build writes it: renderer/<name>.html becomes dist/renderer/<name>.html. */
export function rendererPage(appPath: string, name: string): string {
  return join(appPath, 'dist', 'renderer', `${name}.html`);
}

export function settingsPaths(appPath: string): SettingsPaths {
  return {
    preload: join(appPath, 'dist', 'electron', 'preload.cjs'),
    page: rendererPage(appPath, 'settings'),
  };
}

/** Denies every permission and adds the CSP header, once for the app's default session. */
export function lockDownSession(): void {
  const s = session.defaultSession;
  s.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });
}

export interface WindowOptions {
  title: string;
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  icon: string;
  preload: string;
}

/**
 * A window for one of the app's pages: sandboxed, isolated, no Node, and unable to navigate away
 * or open other windows. The caller loads its page.
 */
export function createLockedDownWindow(options: WindowOptions): BrowserWindow {
  const { preload, ...size } = options;
  const created = new BrowserWindow({
    ...size,
    show: true,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  const contents = created.webContents;
  contents.on('will-navigate', (event: Event) => event.preventDefault());
  contents.on('will-redirect', (event: Event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  return created;
}

export interface SettingsWindow {
  /** Opens the window, or brings the open one to the front. */
  show(): void;
  /** Tells an open window that the settings file changed on disk. */
  notifyChanged(): void;
  /** The open window's contents, for the IPC sender check. */
  contents(): WebContents | null;
  /** The open window, as the parent of dialogs. */
  browserWindow(): BrowserWindow | null;
  pageUrl: string;
}

export function createSettingsWindow(paths: SettingsPaths, icon: string): SettingsWindow {
  let window: BrowserWindow | null = null;
  const pageUrl = pathToFileURL(paths.page).href;

  function show(): void {
    if (window !== null && !window.isDestroyed()) {
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
      return;
    }
    const created = createLockedDownWindow({
      title: 'Snaptray Settings',
      width: 900,
      height: 720,
      minWidth: 720,
      minHeight: 480,
      icon,
      preload: paths.preload,
    });
    window = created;
    const contents = created.webContents;
    // The page sets beforeunload while edits are unsaved: closing then asks first.
    contents.on('will-prevent-unload', (event: Event) => {
      const choice = dialog.showMessageBoxSync(created, {
        type: 'question',
        buttons: ['Discard Changes', 'Keep Editing'],
        defaultId: 1,
        cancelId: 1,
        title: 'Unsaved changes',
        message: 'Discard the changes you have not saved?',
      });
      // preventDefault here lets the window close despite beforeunload.
      if (choice === 0) event.preventDefault();
    });
    created.on('closed', () => {
      if (window === created) window = null;
    });
    void created.loadFile(paths.page);
  }

  function notifyChanged(): void {
    if (window !== null && !window.isDestroyed()) window.webContents.send(SETTINGS_CHANGED_CHANNEL);
  }

  function contents(): WebContents | null {
    return window !== null && !window.isDestroyed() ? window.webContents : null;
  }

  function browserWindow(): BrowserWindow | null {
    return window !== null && !window.isDestroyed() ? window : null;
  }

  return { show, notifyChanged, contents, browserWindow, pageUrl };
}
