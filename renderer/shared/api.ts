/** The main process, as the preload exposes it. */
import type { SnaptrayApi } from '../../electron/ipc-contract.js';

declare global {
  interface Window {
    snaptray: SnaptrayApi;
  }
}

export function snaptray(): SnaptrayApi {
  return window.snaptray;
}
