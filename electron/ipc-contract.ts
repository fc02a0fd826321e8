/**
 * The one contract between the settings window and the main process. The preload exposes
 * `SnaptrayApi` as `window.snaptray`; the main process registers one handler per invoke
 * channel. The renderer may only `import type` from here.
 */
import type { CheckStep } from '../core/destination/check.js';
import type { FieldError, Profile } from '../core/settings/schema.js';
import type { ExcludePreset } from '../core/backup/exclude-presets.js';
import type { ExcludePreview } from '../core/backup/exclude-preview.js';
import type { HostKeyOffer } from '../core/ssh/host-keys.js';
import type { RetentionPreviewEntry } from '../core/backup/retention-preview.js';
import type { SshCommandFields } from '../core/ssh/command-line.js';

/** Errors come back as values: the window shows `message`, and each field error beside its field. */
export type ApiResult<T> =
  { ok: true; value: T } | { ok: false; message: string; fields?: FieldError[] };

export interface LoadedSettings {
  /** The default profile, with every field filled in. */
  profile: Profile;
  /** Where the settings file lives, for the window to show. */
  path: string;
  /** False on first run: nothing has been saved yet. */
  exists: boolean;
  /** Pattern sets the window offers to add with one click. */
  presets: ExcludePreset[];
}

export type { ExcludePreset } from '../core/backup/exclude-presets.js';

export type { HostKeyOffer } from '../core/ssh/host-keys.js';

export interface ConnectionReport {
  steps: CheckStep[];
  /** Present when the host key is unknown: what the user is asked to trust. */
  hostKey?: HostKeyOffer;
  /** True when the destination answers but has no marker yet, so it can be initialised. */
  canInitialise: boolean;
  /** True when another owner holds the prefix, so the user may take it over (adopt). */
  canAdopt: boolean;
}

export interface TrustRequest {
  host: string;
  port: number;
  /** The fingerprint the user saw; the key is scanned again and written only if it matches. */
  fingerprint: string;
}

export type { ExcludedEntry, ExcludePreview } from '../core/backup/exclude-preview.js';

export interface ExcludePreviewRequest {
  sources: string[];
  excludes: string[];
  /** The destination as typed; a local one inside a source is left out automatically. */
  destination?: string;
  /** The profile's one-file-system option, which also decides what is backed up. */
  oneFileSystem?: boolean;
}

/** A newer preview request cancels the one before it. */
export type ExcludePreviewResult = ApiResult<ExcludePreview> | { ok: false; cancelled: true };

export type { RetentionPreviewEntry } from '../core/backup/retention-preview.js';

export interface RetentionPreview {
  snapshots: RetentionPreviewEntry[];
}

export type { SshCommandFields } from '../core/ssh/command-line.js';

export interface PickRequest {
  kind: 'folder' | 'file';
  title: string;
  /** Where the dialog opens. */
  defaultPath?: string;
}

/** Everything the window can ask of the main process. Payloads are validated there. */
export interface SnaptrayApi {
  loadSettings(): Promise<ApiResult<LoadedSettings>>;
  /** Checks a whole profile with the engine's schema; `fields` names each problem. */
  validateSettings(profile: unknown): Promise<ApiResult<Profile>>;
  saveSettings(profile: unknown): Promise<ApiResult<LoadedSettings>>;
  testConnection(profile: unknown): Promise<ApiResult<ConnectionReport>>;
  trustHostKey(request: TrustRequest): Promise<ApiResult<HostKeyOffer>>;
  /** Writes the marker; only after the user confirmed this is the right folder. */
  initialiseDestination(profile: unknown): Promise<ApiResult<ConnectionReport>>;
  /** Takes the prefix over for this profile; only after the user confirmed it. */
  adoptPrefix(profile: unknown): Promise<ApiResult<ConnectionReport>>;
  previewExcludes(request: ExcludePreviewRequest): Promise<ExcludePreviewResult>;
  previewRetention(profile: unknown): Promise<ApiResult<RetentionPreview>>;
  parseSshCommand(text: string): Promise<ApiResult<SshCommandFields>>;
  pick(request: PickRequest): Promise<string | null>;
  /** Called when the settings file changes underneath the window; returns an unsubscribe. */
  onSettingsChanged(listener: () => void): () => void;
}

/** Request/response methods, one IPC channel each. */
export type InvokeMethod = Exclude<keyof SnaptrayApi, 'onSettingsChanged'>;

export const INVOKE_METHODS = [
  'loadSettings',
  'validateSettings',
  'saveSettings',
  'testConnection',
  'trustHostKey',
  'initialiseDestination',
  'adoptPrefix',
  'previewExcludes',
  'previewRetention',
  'parseSshCommand',
  'pick',
] as const satisfies readonly InvokeMethod[];

export function invokeChannel(method: InvokeMethod): string {
  return `snaptray:${method}`;
}

export const SETTINGS_CHANGED_CHANNEL = 'snaptray:settings-changed';

/** The handlers the main process registers: the API minus the event subscription. */
export type ApiHandlers = {
  [M in InvokeMethod]: (...args: Parameters<SnaptrayApi[M]>) => ReturnType<SnaptrayApi[M]>;
};

/**
 * Builds `window.snaptray` from a transport: the preload passes ipcRenderer, the window tests
 * pass bindings to the real handlers, so both expose exactly the same object.
 */
export function createSnaptrayApi(
  invoke: (channel: string, ...args: unknown[]) => Promise<unknown>,
  subscribe: (channel: string, listener: () => void) => () => void,
): SnaptrayApi {
  const methods = Object.fromEntries(
    INVOKE_METHODS.map((method) => [
      method,
      (...args: unknown[]) => invoke(invokeChannel(method), ...args),
    ]),
  ) as unknown as ApiHandlers;
  return {
    ...methods,
    onSettingsChanged: (listener) => subscribe(SETTINGS_CHANGED_CHANNEL, () => listener()),
  };
}
