/**
 * Runs in the page before the window's own scripts: builds `window.snaptray` with the preload's
 * own function, over a binding to the real handlers instead of Electron's IPC.
 */
import { createWindowApi, windowOfPage } from '../../electron/ipc/contract.js';

interface BridgeWindow {
  snaptray: unknown;
  /** Bound by page.exposeFunction to the handlers in Node. */
  __snaptrayInvoke(channel: string, ...args: unknown[]): Promise<unknown>;
  /** The test's stand-in for webContents.send(channel, payload). */
  __snaptrayEmit(channel: string, payload?: unknown): void;
}

const page = window as unknown as BridgeWindow;
const listeners = new Map<string, Set<(payload: unknown) => void>>();

page.snaptray = createWindowApi(
  windowOfPage(window.location.href),
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
page.__snaptrayEmit = (channel, payload) => {
  for (const listener of listeners.get(channel) ?? []) listener(payload);
};
