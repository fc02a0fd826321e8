/**
 * What the settings window asks of the main process, as plain functions over the engine. Every
 * payload arrives as `unknown` and is validated here; every outcome, good or bad, is a value.
 * Changes that let something run or send the backups elsewhere (changes.ts), and a new
 * trusted host key, wait for the user's yes in the app's own dialog: the page only asks.
 * No `electron` import: the window tests run these very functions under plain Node.
 */
import { rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { z } from 'zod';
import { checkDestination, type CheckStep } from '../../core/destination/check.js';
import { parseDestination, type Destination } from '../../core/destination/address.js';
import { listDestination } from '../../core/destination/ops.js';
import { makeRunFolder } from '../../core/destination/run-folder.js';
import { keyPath, type UnknownKey } from '../../core/settings/unknown-keys.js';
import { openDestination } from '../../core/destination/session.js';
import { places, sessionEnvironment } from '../../core/environment.js';
import { EXCLUDE_PRESETS } from '../../core/backup/exclude-presets.js';
import { previewExcludes } from '../../core/backup/exclude-preview.js';
import { resolveSshHost, scanHostKey, trustHostKey } from '../../core/ssh/host-keys.js';
import { initialiseDestination } from '../../core/destination/initialise.js';
import type { Spawn } from '../../core/process.js';
import { previewRetention } from '../../core/backup/retention-preview.js';
import { ownFileExcludes } from '../../core/backup/own-files.js';
import {
  defaultProfile,
  defaultSettings,
  excludePattern,
  fieldErrors,
  profileSchema,
  type FieldError,
  type Profile,
  type Settings,
} from '../../core/settings/schema.js';
import {
  describeErrors,
  loadSettings,
  saveSettings,
  settingsFileExists,
  type SettingsBackend,
} from '../../core/settings/store.js';
import { defaultPrefix } from '../../core/destination/snapshot-name.js';
import { claimFor, decideOwnership, meFor, prefixOwner } from '../../core/destination/ownership.js';
import { loadIdentity } from '../../core/settings/identity.js';
import { adoptPrefix } from '../../core/destination/adopt.js';
import { profileStateDir } from '../../core/state/paths.js';
import { takeProfileLock } from '../../core/state/profile-lock.js';
import { appVersion } from '../../core/version.js';
import { snapshotsOf } from '../../core/destination/snapshot.js';
import { parseSshCommand } from '../../core/ssh/command-line.js';
import { ensurePrivateDir } from '../../core/state/paths.js';
import type { AppDialogs } from '../shared/dialogs.js';
import { fileManagerStatus, setFileManagerEntries, type FileManagerDeps } from './file-managers.js';
import { guardedChanges, SAVE_DECLINED, saveQuestion, trustQuestion } from './changes.js';
import {
  addProfile,
  duplicateProfile,
  profileEntries,
  removeProfile,
  removeQuestion,
  renameProfile,
  type ProfileChange,
} from './profile-changes.js';
import type {
  SettingsHandlers,
  ApiResult,
  ConnectionReport,
  ExcludePreviewResult,
  LoadedSettings,
} from '../ipc/contract.js';

export interface SettingsApiDeps {
  env: NodeJS.ProcessEnv;
  spawn: Spawn;
  /** electron-store in the app, conf in tests: both over the same file and schema. */
  openBackend: (path: string) => Promise<SettingsBackend>;
  now: () => Date;
  hostname: string;
  /** The account's name and id (default: this process's): the default prefix depends on them. */
  user?: string;
  uid?: number;
  /** The profile the window edits first (default: `default`, or the file's first). */
  profileName?: string;
  /** The app's own dialogs over the settings window. */
  dialogs: AppDialogs;
  /**
   * What starts this app again (tray/autostart.ts launchCommand): the file-manager entries run
   * it with `--browse PATH`. Without it the window says the entries cannot be installed.
   */
  launchCommand?: readonly string[];
  /** Where nautilus-python's loader may be (default: the distributions' places). */
  nautilusPythonRoots?: readonly string[];
}

export type SettingsApi = Omit<SettingsHandlers, 'pick'>;

/** How many excluded entries a preview lists at most. */
const PREVIEW_LIMIT = 200;

const trustRequestSchema = z.object({
  host: z
    .string()
    .min(1)
    .refine((s) => !s.startsWith('-'), 'must not start with "-"'),
  port: z.number().int().min(1).max(65535),
  fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/=]+$/, 'must be a SHA256 fingerprint'),
});

const previewRequestSchema = z.object({
  sources: z.array(z.string()),
  excludes: z.array(z.string()),
  destination: z.string().optional(),
  oneFileSystem: z.boolean().optional(),
});

export function createSettingsApi(deps: SettingsApiDeps): SettingsApi {
  const p = places(deps.env);
  /** The key of the profile the window edits; the chooser changes it. */
  let profileName = deps.profileName ?? 'default';
  const user = deps.user ?? userInfo().username;
  const uid = deps.uid ?? process.getuid?.() ?? 1000;
  const names = { hostname: deps.hostname, uid };
  const home = deps.env.HOME && deps.env.HOME.startsWith('/') ? deps.env.HOME : null;
  const session = sessionEnvironment(p, deps.spawn);
  let backend: Promise<SettingsBackend> | null = null;
  let previewController: AbortController | null = null;
  const fileManagers: FileManagerDeps = {
    env: deps.env,
    home,
    launchCommand: deps.launchCommand,
    ...(deps.nautilusPythonRoots ? { nautilusPythonRoots: deps.nautilusPythonRoots } : {}),
  };

  function openBackendOnce(): Promise<SettingsBackend> {
    backend ??= deps.openBackend(p.configFile).catch((e: unknown) => {
      backend = null;
      throw e;
    });
    return backend;
  }

  /** The whole settings file, or why it cannot be used; a missing file is the defaults. */
  async function readSettings(): Promise<
    | { ok: true; settings: Settings; exists: boolean; unknown: UnknownKey[] }
    | { ok: false; message: string }
  > {
    const exists = settingsFileExists(p.configFile);
    if (!exists) return { ok: true, settings: defaultSettings(), exists, unknown: [] };
    try {
      const loaded = loadSettings(await openBackendOnce());
      if (!loaded.ok) return { ok: false, message: describeErrors(p.configFile, loaded.errors) };
      return { ok: true, settings: loaded.settings, exists, unknown: loaded.unknown };
    } catch (e) {
      return {
        ok: false,
        message: `The settings file ${p.configFile} cannot be read: ${(e as Error).message}`,
      };
    }
  }

  function loaded(
    settings: Settings,
    exists: boolean,
    unknown: readonly UnknownKey[] = [],
  ): LoadedSettings {
    // A profile removed elsewhere (the CLI, another window): edit the file's first one instead.
    const keys = Object.keys(settings.profiles);
    if (exists && !keys.includes(profileName) && keys[0] !== undefined) profileName = keys[0];
    const stored = exists ? settings.profiles[profileName] : undefined;
    const profile = stored ? structuredClone(stored) : newProfile();
    // The prefix defaults to the host name; showing it means saving keeps it across a rename.
    if (profile.prefix === '') profile.prefix = defaultPrefix(deps.hostname, profileName, uid);
    const profiles = profileEntries(settings, names);
    if (!profiles.some((e) => e.key === profileName)) {
      profiles.push({ key: profileName, name: profileName, prefix: profile.prefix });
    }
    return {
      profile,
      selected: profileName,
      profiles,
      path: p.configFile,
      exists,
      presets: EXCLUDE_PRESETS.map((preset) => ({ ...preset, patterns: [...preset.patterns] })),
      unknownKeys: unknown.map((k) => ({ path: keyPath(k), suggestion: k.suggestion })),
    };
  }

  function newProfile(): Profile {
    const profile = defaultProfile();
    if (home) profile.sources = [home];
    return profile;
  }

  /** Open, list, and close a destination around `body`. */
  async function withDestination<T>(
    profile: Profile,
    dest: Destination,
    body: (
      opened: Extract<Awaited<ReturnType<typeof openDestination>>, { ok: true }>['value'],
    ) => Promise<ApiResult<T>>,
  ): Promise<ApiResult<T>> {
    const opened = await openDestination(session, dest, profile.ssh);
    if (!opened.ok) return { ok: false, message: opened.failure.message };
    try {
      return await body(opened.value);
    } finally {
      await opened.value.close();
    }
  }

  async function connectionReport(profile: Profile, dest: Destination): Promise<ConnectionReport> {
    const identity = await loadIdentity(p.configDir, deps.now());
    const steps = await checkDestination(session, dest, profile.ssh, undefined, {
      prefix: profile.prefix,
      ...(identity.ok
        ? {
            me: meFor(identity, profileName, deps.hostname, user),
            identityNote: [identity.news, identity.note].filter(Boolean).join(' '),
          }
        : { identityProblem: identity.message }),
      fakeSuper: profile.rsync.fakeSuper,
    });
    const report: ConnectionReport = {
      steps,
      canInitialise: steps.some((s) => s.step === 'marker' && s.kind === 'not-initialised'),
      canAdopt: steps.some((s) => s.step === 'owner' && s.kind === 'prefix-owned'),
    };
    const unknownKey = steps.find((s) => s.kind === 'host-key-unknown');
    if (unknownKey && dest.kind === 'ssh') {
      // ssh looks the key up under the HostName and Port its config resolves the host to.
      const target = await resolveSshHost(
        deps.spawn,
        dest.host.replace(/^\[(.*)\]$/, '$1'),
        profile.ssh.port,
        profile.ssh.configFile ?? p.defaultSshConfig,
      );
      const scanned = await scanHostKey(deps.spawn, target.host, target.port);
      if (scanned.ok) {
        const { host: keyHost, port, keyType, fingerprint } = scanned.value;
        report.hostKey = { host: keyHost, port, keyType, fingerprint };
      } else {
        appendMessage(unknownKey, `Its key could not be read: ${scanned.failure.message}`);
      }
    }
    return report;
  }

  /** Reads the file, applies `change` and writes what it returns; selects the profile it names. */
  async function changeProfiles(
    change: (settings: Settings) => ProfileChange | Promise<ProfileChange>,
  ): Promise<ApiResult<LoadedSettings>> {
    const read = await readSettings();
    if (!read.ok) return unreadableBeforeSave(read.message);
    const changed = await change(read.settings);
    if (!changed.ok) return changed;
    try {
      const saved = saveSettings(await openBackendOnce(), changed.settings);
      if (!saved.ok) return { ok: false, message: describeErrors(p.configFile, saved.errors) };
      profileName = changed.selected;
      return { ok: true, value: loaded(saved.settings, true, saved.unknown) };
    } catch (e) {
      return {
        ok: false,
        message: `The settings could not be written to ${p.configFile}: ${(e as Error).message}`,
      };
    }
  }

  return {
    async loadSettings() {
      const read = await readSettings();
      if (!read.ok) return { ok: false, message: read.message };
      return { ok: true, value: loaded(read.settings, read.exists, read.unknown) };
    },

    async validateSettings(input) {
      return validateProfile(input);
    },

    async saveSettings(input) {
      const valid = validateProfile(input);
      if (!valid.ok) return valid;
      const before = await readSettings();
      if (!before.ok) return unreadableBeforeSave(before.message);
      const stored = before.exists ? before.settings.profiles[profileName] : undefined;
      const changes = guardedChanges(stored ?? newProfile(), valid.value);
      if (changes.length > 0 && !(await deps.dialogs.ask(saveQuestion(changes, p.configFile)))) {
        return { ok: false, message: SAVE_DECLINED, declined: true };
      }
      // Read again: the file may have changed while the question was open.
      const read = await readSettings();
      if (!read.ok) return unreadableBeforeSave(read.message);
      const next: Settings = {
        ...read.settings,
        profiles: { ...read.settings.profiles, [profileName]: valid.value },
      };
      try {
        const target = await openBackendOnce();
        const saved = saveSettings(target, next);
        if (!saved.ok) {
          const fields = profileFields(saved.errors, profileName);
          return { ok: false, message: describeErrors(p.configFile, saved.errors), fields };
        }
        return { ok: true, value: loaded(saved.settings, true, saved.unknown) };
      } catch (e) {
        return {
          ok: false,
          message: `The settings could not be written to ${p.configFile}: ${(e as Error).message}`,
        };
      }
    },

    async testConnection(input) {
      const valid = validateWithDestination(input);
      if (!valid.ok) return valid;
      return { ok: true, value: await connectionReport(valid.value.profile, valid.value.dest) };
    },

    async trustHostKey(input) {
      const request = trustRequestSchema.safeParse(input);
      if (!request.success) {
        return { ok: false, message: 'The host key request is not valid.' };
      }
      let declined = false;
      const trusted = await trustHostKey(deps.spawn, p.appKnownHosts, request.data, {
        confirm: async (offer) => {
          declined = !(await deps.dialogs.ask(trustQuestion(offer, p.appKnownHosts)));
          return !declined;
        },
      });
      if (!trusted.ok) {
        return declined
          ? { ok: false, message: trusted.failure.message, declined: true }
          : { ok: false, message: trusted.failure.message };
      }
      return { ok: true, value: trusted.value };
    },

    async initialiseDestination(input) {
      const valid = validateWithDestination(input);
      if (!valid.ok) return valid;
      const { profile, dest } = valid.value;
      const done = await withDestination(profile, dest, async ({ ctx }) => {
        const listing = await listDestination(ctx);
        if (!listing.ok) return { ok: false, message: listing.failure.message };
        const result = await initialiseDestination(ctx, listing.value, deps.now(), deps.hostname);
        if (!result.ok) return { ok: false, message: result.failure.message };
        return { ok: true, value: null };
      });
      if (!done.ok) return done;
      return { ok: true, value: await connectionReport(profile, dest) };
    },

    async adoptPrefix(input) {
      const valid = validateWithDestination(input);
      if (!valid.ok) return valid;
      const { profile, dest } = valid.value;
      const identity = await loadIdentity(p.configDir, deps.now());
      if (!identity.ok) return { ok: false, message: identity.message };
      const me = meFor(identity, profileName, deps.hostname, user);
      // Like a backup, under the profile's lock: never while a run of this profile writes.
      const taken = await takeProfileLock(
        {
          stateDir: profileStateDir(p.stateRoot, profileName),
          configDir: p.configDir,
          profile: profileName,
        },
        'tray',
        'take the prefix over',
        deps.now(),
      );
      if (!taken.ok) return { ok: false, message: taken.failure.message };
      try {
        const done = await withDestination(profile, dest, async ({ ctx }) => {
          const listing = await listDestination(ctx);
          if (!listing.ok) return { ok: false, message: listing.failure.message };
          const result = await adoptPrefix(
            ctx,
            listing.value,
            profile.prefix,
            me,
            deps.now(),
            appVersion(),
          );
          return result.ok
            ? { ok: true, value: null }
            : { ok: false, message: result.failure.message };
        });
        if (!done.ok) return done;
      } finally {
        await taken.lock.release();
      }
      return { ok: true, value: await connectionReport(profile, dest) };
    },

    async previewExcludes(input): Promise<ExcludePreviewResult> {
      previewController?.abort();
      const controller = new AbortController();
      previewController = controller;
      const request = previewRequestSchema.safeParse(input);
      if (!request.success) return { ok: false, message: 'The preview request is not valid.' };
      const sources = request.data.sources.filter((s) => s.startsWith('/') && !/[\n\0]/.test(s));
      if (sources.length === 0) {
        return {
          ok: false,
          message: 'Add a folder to back up to see what the patterns leave out.',
        };
      }
      // Patterns that the schema would refuse are shown as errors beside their field instead.
      const excludes = request.data.excludes.filter((s) => excludePattern.safeParse(s).success);
      const dest = request.data.destination ? parseDestination(request.data.destination) : null;
      const own = dest?.ok && dest.value.kind === 'local' ? [dest.value.path] : [];
      const dir = await ensurePrivateDir(p.runtimeDir);
      if (dir.kind === 'refused') return { ok: false, message: dir.message };
      // Named for this process, so that if the app is killed the next run removes it.
      const scratchDir = await makeRunFolder(p.runtimeDir);
      try {
        const preview = await previewExcludes(
          deps.spawn,
          {
            sources,
            excludes,
            automatic: ownFileExcludes(sources, p, own),
            oneFileSystem: request.data.oneFileSystem ?? false,
          },
          { scratchDir, signal: controller.signal, limit: PREVIEW_LIMIT },
        );
        if (controller.signal.aborted) return { ok: false, cancelled: true };
        if (!preview.ok) return { ok: false, message: preview.failure.message };
        return { ok: true, value: preview.value };
      } finally {
        if (previewController === controller) previewController = null;
        await rm(scratchDir, { recursive: true, force: true });
      }
    },

    async previewRetention(input) {
      const valid = validateWithDestination(input);
      if (!valid.ok) return valid;
      const { profile, dest } = valid.value;
      return withDestination(profile, dest, async ({ ctx }) => {
        const listing = await listDestination(ctx);
        if (!listing.ok) return { ok: false, message: listing.failure.message };
        if (!listing.value.hasMarker) {
          return {
            ok: false,
            message:
              'The destination has no .snaptray-destination marker yet: test the connection and ' +
              'initialise it first.',
          };
        }
        const identity = await loadIdentity(p.configDir, deps.now());
        if (!identity.ok) return { ok: false, message: identity.message };
        const me = meFor(identity, profileName, deps.hostname, user);
        const set = snapshotsOf(profile.prefix, listing.value);
        const decision = decideOwnership(prefixOwner(set.claim, set.snapshots), me, profile.prefix);
        // A prefix the first backup will claim is previewed as this profile's.
        const claim =
          decision.kind === 'ours'
            ? decision.claim
            : decision.kind === 'claim'
              ? claimFor(me, profile.prefix, deps.now(), 'preview')
              : null;
        const why = decision.kind === 'refuse' ? decision.message : undefined;
        return {
          ok: true,
          value: {
            snapshots: previewRetention(set.snapshots, profile.retention, deps.now(), claim, why),
          },
        };
      });
    },

    async selectProfile(key) {
      const read = await readSettings();
      if (!read.ok) return { ok: false, message: read.message };
      const known = read.exists ? Object.keys(read.settings.profiles) : ['default'];
      if (typeof key !== 'string' || !known.includes(key)) {
        return { ok: false, message: 'That profile is not in the settings file (any more).' };
      }
      profileName = key;
      return { ok: true, value: loaded(read.settings, read.exists, read.unknown) };
    },

    async addProfile(name) {
      return changeProfiles((settings) => addProfile(settings, name, newProfile(), names));
    },

    async renameProfile(request) {
      return changeProfiles((settings) => renameProfile(settings, request));
    },

    async duplicateProfile(key) {
      return changeProfiles((settings) => duplicateProfile(settings, key, names));
    },

    async removeProfile(key) {
      const read = await readSettings();
      if (!read.ok) return unreadableBeforeSave(read.message);
      const removable = removeProfile(read.settings, key);
      if (!removable.ok) return removable;
      if (typeof key !== 'string')
        return { ok: false, message: 'The profile request is not valid.' };
      const question = removeQuestion(key, read.settings.profiles[key]!, names, {
        configFile: p.configFile,
        stateDir: profileStateDir(p.stateRoot, key),
      });
      if (!(await deps.dialogs.ask(question))) {
        return {
          ok: false,
          message: 'Nothing was removed: you did not confirm it.',
          declined: true,
        };
      }
      // Read again: the file may have changed while the question was open.
      return changeProfiles((settings) => removeProfile(settings, key));
    },

    async loadFileManagers() {
      return { ok: true, value: await fileManagerStatus(fileManagers) };
    },

    async setFileManagers(on) {
      if (typeof on !== 'boolean') {
        return { ok: false, message: 'The file-manager request is not valid.' };
      }
      return { ok: true, value: await setFileManagerEntries(fileManagers, on) };
    },

    async parseSshCommand(input) {
      if (typeof input !== 'string') return { ok: false, message: 'Paste an ssh command line.' };
      const parsed = parseSshCommand(input, home ?? undefined);
      if (!parsed.ok) return { ok: false, message: parsed.message };
      return { ok: true, value: parsed.value };
    },
  };
}

/** The engine's schema, plus the destination's own syntax, which the schema leaves as a string. */
export function validateProfile(input: unknown): ApiResult<Profile> {
  const parsed = profileSchema.safeParse(input);
  const fields: FieldError[] = parsed.success ? [] : fieldErrors(parsed.error);
  const destination =
    input !== null && typeof input === 'object' && 'destination' in input
      ? input.destination
      : undefined;
  if (typeof destination === 'string' && destination !== '') {
    const dest = parseDestination(destination);
    if (!dest.ok && !fields.some((f) => f.path === 'destination')) {
      fields.push({ path: 'destination', message: `The destination's ${dest.message}.` });
    }
  }
  if (!parsed.success || fields.length > 0) {
    return { ok: false, message: describeFields(fields), fields };
  }
  return { ok: true, value: parsed.data };
}

function validateWithDestination(
  input: unknown,
): ApiResult<{ profile: Profile; dest: Destination }> {
  const valid = validateProfile(input);
  if (!valid.ok) return valid;
  if (valid.value.destination === '') {
    const message = 'Choose a destination first: a folder, or a router or NAS over ssh.';
    return { ok: false, message, fields: [{ path: 'destination', message }] };
  }
  const dest = parseDestination(valid.value.destination);
  if (!dest.ok) return { ok: false, message: dest.message };
  return { ok: true, value: { profile: valid.value, dest: dest.value } };
}

function unreadableBeforeSave(message: string): ApiResult<never> {
  return {
    ok: false,
    message: `${message}\nFix or remove the file before saving, so its other profiles are not lost.`,
  };
}

/** Errors about the whole file, narrowed to the edited profile's own field paths. */
function profileFields(errors: readonly FieldError[], profileName: string): FieldError[] {
  const prefix = `profiles.${profileName}.`;
  return errors
    .filter((e) => e.path.startsWith(prefix))
    .map((e) => ({ ...e, path: e.path.slice(prefix.length) }));
}

function describeFields(fields: readonly FieldError[]): string {
  const count = fields.length === 1 ? '1 setting needs' : `${fields.length} settings need`;
  return `${count} fixing: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}.`;
}

function appendMessage(step: CheckStep, extra: string): void {
  step.message = `${step.message} ${extra}`;
}
