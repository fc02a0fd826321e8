/**
 * The one contract between the settings window and the main process. The preload exposes
 * `SnaptrayApi` as `window.snaptray`; the main process registers one handler per invoke
 * channel. The renderer may only `import type` from here.
 */
import type { CheckStep } from '../core/check.js';
import type { FieldError, Profile } from '../core/settings/schema.js';
import type { SnapshotState } from '../core/snapshot.js';

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
}

/** A host key that ssh does not know yet, offered to the user to trust. */
export interface HostKeyOffer {
  host: string;
  port: number;
  /** Such as `ssh-ed25519`. */
  keyType: string;
  /** `SHA256:…`, as `ssh-keygen -l` prints it. */
  fingerprint: string;
}

export interface ConnectionReport {
  steps: CheckStep[];
  /** Present when the host key is unknown: what the user is asked to trust. */
  hostKey?: HostKeyOffer;
  /** True when the destination answers but has no marker yet, so it can be initialised. */
  canInitialise: boolean;
}

export interface TrustRequest {
  host: string;
  port: number;
  /** The fingerprint the user saw; the key is scanned again and written only if it matches. */
  fingerprint: string;
}

export interface ExcludedEntry {
  /** Absolute path on this machine. */
  path: string;
  kind: 'file' | 'folder';
  bytes: number;
  files: number;
  /** The pattern that left it out. */
  pattern: string;
}

export interface ExcludePreview {
  excluded: ExcludedEntry[];
  /** True when more entries were excluded than are listed. */
  truncated: boolean;
  /** What rsync will back up with these patterns. */
  includedFiles: number;
  includedBytes: number;
  /** Patterns that match nothing in the sources (a warning, not an error). */
  unmatched: string[];
}

export interface ExcludePreviewRequest {
  sources: string[];
  excludes: string[];
}

/** A newer preview request cancels the one before it. */
export type ExcludePreviewResult = ApiResult<ExcludePreview> | { ok: false; cancelled: true };

export interface RetentionPreviewEntry {
  name: string;
  /** ISO 8601. */
  time: string;
  state: SnapshotState;
  action: 'keep' | 'delete' | 'leave';
  /** In words: "newest of its week", "older than 30 days", "another machine's prefix"... */
  reason: string;
}

export interface RetentionPreview {
  snapshots: RetentionPreviewEntry[];
}

/** The fields a pasted `ssh -i KEY -p PORT user@host` fills in. */
export interface SshCommandFields {
  user: string | null;
  host: string;
  port: number | null;
  identityFile: string | null;
}

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
