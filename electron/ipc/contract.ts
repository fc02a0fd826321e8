/**
 * The one contract between the windows and the main process. The preload exposes each window's
 * API as `window.snaptray` (the settings window's, or the Backups window's); the main process
 * registers one handler per invoke channel and answers a channel only for the window it belongs
 * to. The renderer may only `import type` from here.
 */
import type { CheckStep } from '../../core/destination/check.js';
import type { FieldError, Profile } from '../../core/settings/schema.js';
import type { ExcludePreset } from '../../core/backup/exclude-presets.js';
import type { ExcludePreview } from '../../core/backup/exclude-preview.js';
import type { HostKeyOffer } from '../../core/ssh/host-keys.js';
import type { RetentionPreviewEntry } from '../../core/backup/retention-preview.js';
import type { SshCommandFields } from '../../core/ssh/command-line.js';
import type { BackupsEvent, BackupsWindowApi } from './backups-contract.js';

/**
 * Errors come back as values: the window shows `message`, and each field error beside its field.
 * `declined`: the user answered Cancel in the app's own dialog, and nothing changed.
 */
export type ApiResult<T> =
  { ok: true; value: T } | { ok: false; message: string; fields?: FieldError[]; declined?: true };

/** One profile in the window's chooser. */
export interface ProfileEntry {
  /** Its key in the settings file: never changes (state folder, lock, owner claim, `--profile`). */
  key: string;
  /** The name it shows: its display name, or its key. */
  name: string;
  /** The prefix it backs up under (its saved one, or the default its key gives). */
  prefix: string;
}

export interface LoadedSettings {
  /** The profile the window edits, with every field filled in. */
  profile: Profile;
  /** That profile's key. */
  selected: string;
  /** Every profile of the file, in its order (on first run, the one the window creates). */
  profiles: ProfileEntry[];
  /** Where the settings file lives, for the window to show. */
  path: string;
  /** False on first run: nothing has been saved yet. */
  exists: boolean;
  /** Pattern sets the window offers to add with one click. */
  presets: ExcludePreset[];
  /**
   * Keys in the file that Snaptray does not know (a typo, or a newer version's setting): ignored,
   * and dropped when the window saves. `path` is dotted, `suggestion` the nearest known key.
   */
  unknownKeys: Array<{ path: string; suggestion: string | null }>;
}

export type { ExcludePreset } from '../../core/backup/exclude-presets.js';

export type { HostKeyOffer } from '../../core/ssh/host-keys.js';

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

export type { ExcludedEntry, ExcludePreview } from '../../core/backup/exclude-preview.js';

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

export type { RetentionPreviewEntry } from '../../core/backup/retention-preview.js';

export interface RetentionPreview {
  snapshots: RetentionPreviewEntry[];
}

export type { SshCommandFields } from '../../core/ssh/command-line.js';

export interface PickRequest {
  kind: 'folder' | 'file';
  title: string;
  /** Where the dialog opens. */
  defaultPath?: string;
}

/** One place where a file manager reads Snaptray's "Restore Previous Versions…" entry. */
export interface FileManagerEntryView {
  fileManager: 'Nautilus' | 'Dolphin' | 'Nemo';
  /** In words: "Nautilus script", "Dolphin service menu", … */
  what: string;
  path: string;
  /** `not-ours`: a file of the user's own is at that path; Snaptray leaves it alone. */
  state: 'installed' | 'absent' | 'not-ours';
}

/** The file-manager entries as they are on disk now. */
export interface FileManagerStatus {
  /** True while at least one of Snaptray's own entries is installed. */
  installed: boolean;
  entries: FileManagerEntryView[];
  /** The file managers whose programs were found on this computer (on PATH). */
  found: Array<FileManagerEntryView['fileManager']>;
  /** The command the entries start the app with (then `--browse PATH`). */
  command: string[];
  /** Why the entries cannot be installed now, in words; null when they can. */
  problem: string | null;
}

/** What turning the switch on or off did, in words, and the truth on disk afterwards. */
export interface FileManagerChange {
  status: FileManagerStatus;
  message: string;
  /** True when it could not do what was asked (nothing found, a file in the way, a write failed). */
  failed: boolean;
}

/** Everything the settings window can ask of the main process. Payloads are validated there. */
export interface SettingsWindowApi {
  loadSettings(): Promise<ApiResult<LoadedSettings>>;
  /** Checks a whole profile with the engine's schema; `fields` names each problem. */
  validateSettings(profile: unknown): Promise<ApiResult<Profile>>;
  /**
   * Saves the profile. A change to the hooks, the destination, the ssh config or known_hosts
   * file or the rsync on the router is saved only after the user's yes in the app's own dialog,
   * which shows each change.
   */
  saveSettings(profile: unknown): Promise<ApiResult<LoadedSettings>>;
  testConnection(profile: unknown): Promise<ApiResult<ConnectionReport>>;
  /** Trusts the key after the user's yes in the app's own dialog, which shows its fingerprint. */
  trustHostKey(request: TrustRequest): Promise<ApiResult<HostKeyOffer>>;
  /** Writes the marker; only after the user confirmed this is the right folder. */
  initialiseDestination(profile: unknown): Promise<ApiResult<ConnectionReport>>;
  /** Takes the prefix over for this profile; only after the user confirmed it. */
  adoptPrefix(profile: unknown): Promise<ApiResult<ConnectionReport>>;
  previewExcludes(request: ExcludePreviewRequest): Promise<ExcludePreviewResult>;
  previewRetention(profile: unknown): Promise<ApiResult<RetentionPreview>>;
  parseSshCommand(text: string): Promise<ApiResult<SshCommandFields>>;
  /** Edits another profile from now on: every other method works on the one selected. */
  selectProfile(key: string): Promise<ApiResult<LoadedSettings>>;
  /** Adds a profile with this name and a prefix no other profile uses, and selects it. */
  addProfile(name: string): Promise<ApiResult<LoadedSettings>>;
  /** Changes the name a profile shows; its key, prefix and history stay. */
  renameProfile(request: { key: string; name: string }): Promise<ApiResult<LoadedSettings>>;
  /** Copies a profile under a new key, name and prefix, and selects the copy. */
  duplicateProfile(key: string): Promise<ApiResult<LoadedSettings>>;
  /**
   * Removes a profile from the settings file after the user's yes in the app's own dialog; its
   * snapshots, the claim on its prefix and its history stay.
   */
  removeProfile(key: string): Promise<ApiResult<LoadedSettings>>;
  /** Which "Restore Previous Versions…" entries are installed, and which file managers exist. */
  loadFileManagers(): Promise<ApiResult<FileManagerStatus>>;
  /**
   * Installs the entries (true) with the app's own launch command, or removes exactly the files
   * Snaptray made (false); applies at once, for the user, not per profile.
   */
  setFileManagers(on: boolean): Promise<ApiResult<FileManagerChange>>;
  pick(request: PickRequest): Promise<string | null>;
  /** Called when the settings file changes underneath the window; returns an unsubscribe. */
  onSettingsChanged(listener: () => void): () => void;
}

export type * from './backups-contract.js';

/** The windows, and the API each one's page gets. */
export interface WindowApis {
  settings: SettingsWindowApi;
  backups: BackupsWindowApi;
}

export type WindowName = keyof WindowApis;

/** Each window's request/response methods, one IPC channel each. */
export const WINDOW_METHODS = {
  settings: [
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
    'selectProfile',
    'addProfile',
    'renameProfile',
    'duplicateProfile',
    'removeProfile',
    'loadFileManagers',
    'setFileManagers',
    'pick',
  ],
  backups: [
    'loadTimeline',
    'listProfiles',
    'chooseView',
    'listFolder',
    'folderChanges',
    'fileVersions',
    'searchSnapshots',
    'openVersion',
    'compareVersion',
    'showCopyInFolder',
    'planRestore',
    'restore',
    'showRestored',
    'verify',
    'restoreGoodCopy',
    'cancelOperation',
    'chooseRestoreFolder',
    'loadHistory',
    'takeOpenRequest',
    'readRunLog',
    'openRunLog',
    'loadStatus',
    'backUpNow',
    'stopBackup',
    'resumeBackups',
    'openSettings',
  ],
} as const satisfies {
  settings: readonly Exclude<keyof SettingsWindowApi, 'onSettingsChanged'>[];
  backups: readonly Exclude<keyof BackupsWindowApi, 'onBackupsEvent'>[];
};

export type SettingsMethod = (typeof WINDOW_METHODS.settings)[number];
export type BackupsMethod = (typeof WINDOW_METHODS.backups)[number];
export type InvokeMethod = SettingsMethod | BackupsMethod;

/** Every invoke method of every window. */
export const INVOKE_METHODS: readonly InvokeMethod[] = [
  ...WINDOW_METHODS.settings,
  ...WINDOW_METHODS.backups,
];

export function invokeChannel(method: InvokeMethod): string {
  return `snaptray:${method}`;
}

/** The window whose page a page URL is: the Backups window's is backups.html. */
export function windowOfPage(url: string): WindowName {
  let path = '';
  try {
    path = new URL(url).pathname;
  } catch {
    return 'settings';
  }
  return path.endsWith('/backups.html') ? 'backups' : 'settings';
}

export const SETTINGS_CHANGED_CHANNEL = 'snaptray:settings-changed';
export const BACKUPS_EVENT_CHANNEL = 'snaptray:backups-event';

type Handlers<Api, M extends keyof Api> = {
  [K in M]: Api[K] extends (...args: infer A) => infer R ? (...args: A) => R : never;
};

/** The handlers the main process registers for each window: its API minus the subscription. */
export type SettingsHandlers = Handlers<SettingsWindowApi, SettingsMethod>;
export type BackupsHandlers = Handlers<BackupsWindowApi, BackupsMethod>;
export type ApiHandlers = SettingsHandlers & BackupsHandlers;

type Invoke = (channel: string, ...args: unknown[]) => Promise<unknown>;
type Subscribe = (channel: string, listener: (payload: unknown) => void) => () => void;

/**
 * Builds a window's `window.snaptray` from a transport: the preload passes ipcRenderer, the
 * window tests pass bindings to the real handlers, so both expose exactly the same object.
 */
export function createWindowApi<W extends WindowName>(
  window: W,
  invoke: Invoke,
  subscribe: Subscribe,
): WindowApis[W] {
  const methods = Object.fromEntries(
    WINDOW_METHODS[window].map((method: InvokeMethod) => [
      method,
      (...args: unknown[]) => invoke(invokeChannel(method), ...args),
    ]),
  );
  const api: SettingsWindowApi | BackupsWindowApi =
    window === 'settings'
      ? {
          ...(methods as unknown as SettingsHandlers),
          onSettingsChanged: (listener) => subscribe(SETTINGS_CHANGED_CHANNEL, () => listener()),
        }
      : {
          ...(methods as unknown as BackupsHandlers),
          onBackupsEvent: (listener) =>
            subscribe(BACKUPS_EVENT_CHANNEL, (payload) => listener(payload as BackupsEvent)),
        };
  return api as WindowApis[W];
}
