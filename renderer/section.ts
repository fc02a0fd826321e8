/** What each part of the window offers the page that holds it. */
import type { SnaptrayApi } from '../electron/ipc-contract.js';
import type { FieldError, Profile } from '../core/settings/schema.js';

export interface Section {
  element: HTMLElement;
  /** Puts a profile's values into the controls. */
  show(profile: Profile): void;
  /** The controls' values, as profile fields (numbers as typed, for the schema to judge). */
  collect(): Record<string, unknown>;
  /** Problems only the window can see, such as a host left empty. */
  problems?(): FieldError[];
}

export interface SectionContext {
  api: SnaptrayApi;
  /** Call on every edit. */
  changed(): void;
  /** The whole profile as edited so far. */
  draft(): Record<string, unknown>;
}
