/**
 * The Backups window: one at a time, locked down like the settings window. It tells the handlers
 * when it is shown or hidden (the connection is closed a minute after it was hidden or closed)
 * and carries their events to the page.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserWindow, WebContents } from 'electron';
import { BACKUPS_EVENT_CHANNEL, type BackupsEvent } from '../ipc/contract.js';
import { createLockedDownWindow, rendererPage } from '../settings/window.js';

export interface BackupsPaths {
  preload: string;
  page: string;
}

export function backupsPaths(appPath: string): BackupsPaths {
  return {
    preload: join(appPath, 'dist', 'electron', 'preload.cjs'),
    page: rendererPage(appPath, 'backups'),
  };
}

export interface BackupsWindow {
  /** Opens the window, or brings the open one to the front. */
  show(): void;
  /** Sends an event to the open window's page. */
  send(event: BackupsEvent): void;
  /** The open window's contents, for the IPC sender check. */
  contents(): WebContents | null;
  /** The open window, as the parent of dialogs. */
  browserWindow(): BrowserWindow | null;
  pageUrl: string;
}

export function createBackupsWindow(
  paths: BackupsPaths,
  icon: string,
  onVisible: (visible: boolean) => void,
): BackupsWindow {
  let window: BrowserWindow | null = null;
  const pageUrl = pathToFileURL(paths.page).href;

  function show(): void {
    if (window !== null && !window.isDestroyed()) {
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
      onVisible(true);
      return;
    }
    const created = createLockedDownWindow({
      title: 'Snaptray Backups',
      width: 1100,
      height: 760,
      minWidth: 820,
      minHeight: 520,
      icon,
      preload: paths.preload,
    });
    window = created;
    created.on('show', () => onVisible(true));
    created.on('restore', () => onVisible(true));
    created.on('hide', () => onVisible(false));
    created.on('minimize', () => onVisible(false));
    created.on('closed', () => {
      if (window === created) window = null;
      onVisible(false);
    });
    onVisible(true);
    void created.loadFile(paths.page);
  }

  function send(event: BackupsEvent): void {
    if (window !== null && !window.isDestroyed()) {
      window.webContents.send(BACKUPS_EVENT_CHANNEL, event);
    }
  }

  function contents(): WebContents | null {
    return window !== null && !window.isDestroyed() ? window.webContents : null;
  }

  function browserWindow(): BrowserWindow | null {
    return window !== null && !window.isDestroyed() ? window : null;
  }

  return { show, send, contents, browserWindow, pageUrl };
}
