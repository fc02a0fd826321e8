/**
 * The tray's state of each profile, for the Backups window's Overview page and running row: on
 * a desktop without a tray (stock GNOME) the window is the only place to see it. The tray app
 * is the source (tray-app.ts); the window asks it through this narrow interface, so that this
 * folder never imports the tray.
 */
import { z } from 'zod';
import type { BackupStatus, BackupsResult, StatusRequest } from '../ipc/backups-contract.js';
import type { BackupsHandlers } from '../ipc/contract.js';
import { invalid } from './requests.js';

export interface BackupStatusSource {
  /** The profile's state now; null when the tray follows no profile of that key. */
  current(profile: string): BackupStatus | null;
  /** Called on every change of any profile's state; returns an unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** Back Up Now; resolves once the run has started (not when it ends). */
  backUpNow(profile: string): Promise<void>;
  /** Stops the profile's run (a CLI run too); resolves when it has stopped. */
  stop(profile: string): Promise<void>;
  resume(profile: string): Promise<void>;
  openSettings(): void;
}

export type StatusHandlers = Pick<
  BackupsHandlers,
  'loadStatus' | 'backUpNow' | 'stopBackup' | 'resumeBackups' | 'openSettings'
>;

const statusRequest = z.object({ profile: z.string().min(1).max(64) });

const NO_SOURCE: BackupsResult<never> = {
  ok: false,
  reason: 'failed',
  message: 'The state of the backups is not known here: the Snaptray tray app is not running.',
};

/**
 * The window's status handlers over `source`, for the profile the window shows; every change of
 * that profile's state is sent to the window as a `status` event. Returns an unsubscribe too.
 */
export function createStatusHandlers(deps: {
  source: BackupStatusSource | undefined;
  /** The profile the window shows. */
  profileName: () => string;
  send: (event: { type: 'status'; status: BackupStatus }) => void;
}): { handlers: StatusHandlers; dispose: () => void } {
  const { source } = deps;
  /** The last state sent, as text: the tray redraws more often than a profile changes. */
  let lastSent = '';
  const dispose =
    source?.subscribe(() => {
      const status = source.current(deps.profileName());
      if (status === null) return;
      const text = JSON.stringify(status);
      if (text === lastSent) return;
      lastSent = text;
      deps.send({ type: 'status', status });
    }) ?? (() => undefined);

  function notFollowed(profile: string): BackupsResult<never> {
    return {
      ok: false,
      reason: 'not-set-up',
      message: `The profile "${profile}" has no destination or no folders to back up yet: open Settings to set it up.`,
    };
  }

  /** Runs an action of the tray for a profile the window names, once the payload passed. */
  async function act(
    input: unknown,
    action: (s: BackupStatusSource, profile: string) => Promise<void>,
  ): Promise<BackupsResult<null>> {
    const request = statusRequest.safeParse(input);
    if (!request.success) return invalid('a profile');
    if (source === undefined) return NO_SOURCE;
    const { profile } = request.data satisfies StatusRequest;
    if (source.current(profile) === null) return notFollowed(profile);
    await action(source, profile);
    return { ok: true, value: null };
  }

  const handlers: StatusHandlers = {
    async loadStatus() {
      if (source === undefined) return NO_SOURCE;
      const profile = deps.profileName();
      const status = source.current(profile);
      return status === null ? notFollowed(profile) : { ok: true, value: status };
    },
    backUpNow: (input) => act(input, (s, p) => s.backUpNow(p)),
    stopBackup: (input) => act(input, (s, p) => s.stop(p)),
    resumeBackups: (input) => act(input, (s, p) => s.resume(p)),
    async openSettings() {
      source?.openSettings();
    },
  };
  return { handlers, dispose };
}
