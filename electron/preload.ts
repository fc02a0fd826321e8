/**
 * A window's only door to the main process: `window.snaptray`, one method per invoke channel of
 * that window's part of the contract. Nothing of ipcRenderer itself reaches the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createWindowApi, windowOfPage } from './ipc/contract.js';

/** The page this preload runs beside (the electron/ build has no DOM types). */
const page = (globalThis as unknown as { location: { href: string } }).location.href;

const api = createWindowApi(
  windowOfPage(page),
  (channel, ...args) => ipcRenderer.invoke(channel, ...args),
  (channel, listener) => {
    // The event object would hand the page a reference to ipcRenderer: pass only the payload.
    const forward = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
);

contextBridge.exposeInMainWorld('snaptray', api);
