/** What every Snaptray window must be, checked on the fake electron module's record of it. */
import { join } from 'node:path';
import { expect } from 'vitest';
import { fake, type FakeBrowserWindow } from './fake-electron.js';

/**
 * The window loads `page` from the app with the preload, isolated and sandboxed, and refuses to
 * navigate away or open new windows.
 */
export function expectLockedDown(window: FakeBrowserWindow, page: string): void {
  expect(window.options.webPreferences).toMatchObject({
    preload: join(fake.appPath, 'dist', 'electron', 'preload.cjs'),
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    webSecurity: true,
  });
  expect(window.loaded).toBe(join(fake.appPath, 'dist', 'renderer', page));
  let prevented = 0;
  window.webContents.emit('will-navigate', { preventDefault: () => prevented++ }, 'https://x/');
  expect(prevented).toBe(1);
  expect(window.webContents.openHandler?.({ url: 'https://x/' })).toEqual({ action: 'deny' });
}
