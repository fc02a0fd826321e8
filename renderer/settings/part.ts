/** What each part of the settings window offers the window that holds it. */
import type { SettingsWindowApi } from '../../electron/ipc/contract.js';
import type { FieldError, Profile } from '../../core/settings/schema.js';

export interface Part {
  element: HTMLElement;
  /** Puts a profile's values into the controls. */
  show(profile: Profile): void;
  /**
   * The controls' values, as the profile fields they edit (numbers as typed, for the schema to
   * judge). A part returns only its own fields; the window lays them over the saved profile.
   */
  collect(): Record<string, unknown>;
  /** Problems only the window can see, such as a host left empty. */
  problems?(): FieldError[];
}

export interface PartContext {
  api: SettingsWindowApi;
  /** Call on every edit. */
  changed(): void;
  /** The whole profile as edited so far. */
  draft(): Record<string, unknown>;
}
