/**
 * The settings window's only door to the main process: `window.snaptray`, one method per invoke
 * channel of the contract. Nothing of ipcRenderer itself reaches the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createSnaptrayApi } from './ipc-contract.js';

const api = createSnaptrayApi(
  (channel, ...args) => ipcRenderer.invoke(channel, ...args),
  (channel, listener) => {
    // The event object would hand the page a reference to ipcRenderer: call without it.
    const forward = () => listener();
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
);

contextBridge.exposeInMainWorld('snaptray', api);
