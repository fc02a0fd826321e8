/** The main process, as the preload exposes it: each window's page gets its own window's API. */
import type { BackupsWindowApi, SettingsWindowApi } from '../../electron/ipc/contract.js';

declare global {
  interface Window {
    snaptray: SettingsWindowApi | BackupsWindowApi;
  }
}

export function settingsApi(): SettingsWindowApi {
  return window.snaptray as SettingsWindowApi;
}

export function backupsApi(): BackupsWindowApi {
  return window.snaptray as BackupsWindowApi;
}
