/**
 * Runs in the page before the window's own scripts: builds `window.snaptray` with the preload's
 * own function, over a binding to the real handlers instead of Electron's IPC.
 */
import { createSnaptrayApi } from '../../electron/ipc-contract.js';

interface BridgeWindow {
  snaptray: unknown;
  /** Bound by page.exposeFunction to the handlers in Node. */
  __snaptrayInvoke(channel: string, ...args: unknown[]): Promise<unknown>;
  /** The test's stand-in for webContents.send(channel). */
  __snaptrayEmit(channel: string): void;
}

const page = window as unknown as BridgeWindow;
const listeners = new Map<string, Set<() => void>>();

page.snaptray = createSnaptrayApi(
  (channel, ...args) => page.__snaptrayInvoke(channel, ...args),
  (channel, listener) => {
    const set = listeners.get(channel) ?? new Set();
    set.add(listener);
    listeners.set(channel, set);
    return () => {
      set.delete(listener);
    };
  },
);
page.__snaptrayEmit = (channel) => {
  for (const listener of listeners.get(channel) ?? []) listener();
};
