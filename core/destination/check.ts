/**
 * `snaptray check`: each thing a backup needs from the destination, tested in order and reported
 * in words. Later steps are skipped (not run) once one fails.
 */
import { access, constants, stat } from 'node:fs/promises';
import type { Destination } from './address.js';
import { formatDestination, rsyncLocation } from './address.js';
import { listDestination, probeDestination } from './ops.js';
import { openDestination, type SessionEnvironment } from './session.js';
import type { FailureKind } from '../errors.js';
import type { Profile } from '../settings/schema.js';

export type CheckStepName =
  | 'folder'
  | 'reachable'
  | 'host-key'
  | 'authentication'
  | 'rsync'
  | 'marker'
  | 'writable'
  | 'hard-links';

export interface CheckStep {
  step: CheckStepName;
  ok: boolean;
  message: string;
  /** Why it failed, for the window to offer the right action. */
  kind?: FailureKind;
}

const CONNECTION_STEP: Partial<Record<FailureKind, CheckStepName>> = {
  'host-key-unknown': 'host-key',
  'host-key-changed': 'host-key',
  'auth-refused': 'authentication',
};

export async function checkDestination(
  env: SessionEnvironment,
  dest: Destination,
  ssh: Profile['ssh'],
  signal?: AbortSignal,
): Promise<CheckStep[]> {
  const steps: CheckStep[] = [];
  const ok = (step: CheckStepName, message: string) => steps.push({ step, ok: true, message });
  const bad = (step: CheckStepName, message: string, kind?: FailureKind) =>
    steps.push({ step, ok: false, message, ...(kind ? { kind } : {}) });

  if (dest.kind === 'local') {
    const folder = await stat(dest.path).catch(() => null);
    if (!folder?.isDirectory()) {
      bad(
        'folder',
        `${dest.path} does not exist. Check the path, and that the disk is mounted.`,
        'destination-missing',
      );
      return steps;
    }
    ok('folder', `${dest.path} exists.`);
  }
  const opened = await openDestination(env, dest, ssh, signal);
  if (!opened.ok) {
    const step = CONNECTION_STEP[opened.failure.kind] ?? 'reachable';
    if (step !== 'reachable') ok('reachable', `${formatDestination(dest)} answered.`);
    if (step === 'authentication') ok('host-key', 'The host key is known and matches.');
    bad(step, opened.failure.message, opened.failure.kind);
    return steps;
  }
  const { ctx, close } = opened.value;
  try {
    if (dest.kind === 'ssh') {
      ok('reachable', `${dest.host} answered on the ssh port.`);
      ok('host-key', 'The host key is known and matches.');
      ok('authentication', 'Logged in with the key.');
    }
    const proto = await ctx.spawn({
      file: 'rsync',
      args: [
        ...ctx.rsyncShellArgs,
        '--debug=proto',
        '--list-only',
        `${rsyncLocation(dest, dest.path)}/.`,
      ],
      signal,
    });
    const version = /remote=(\d+)/.exec(proto.stdout + proto.stderr)?.[1];
    if (dest.kind === 'ssh' && version === undefined) {
      const missing = /not found|No such file/i.test(proto.stderr);
      bad(
        'rsync',
        missing
          ? 'rsync is not installed on the destination (install it, e.g. "opkg install rsync" on Entware).'
          : `rsync on the destination did not answer: ${proto.stderr.trim().split('\n').slice(-1)[0] ?? ''}`,
        'remote-rsync-missing',
      );
      return steps;
    }
    ok(
      'rsync',
      dest.kind === 'ssh'
        ? `rsync answers on the destination (protocol ${version}).`
        : 'rsync is installed.',
    );

    const listing = await listDestination(ctx);
    if (!listing.ok) {
      bad('marker', listing.failure.message, listing.failure.kind);
      return steps;
    }
    if (!listing.value.hasMarker) {
      bad(
        'marker',
        'The folder has no .snaptray-destination marker: it is not set up yet, or the disk is not ' +
          'mounted and this is only the empty mount point. Initialise it only if it is the right ' +
          'folder on a mounted disk.',
        'not-initialised',
      );
      return steps;
    }
    ok('marker', 'The destination marker is there.');
    if (dest.kind === 'local') {
      const writable = await access(dest.path, constants.W_OK).then(
        () => true,
        () => false,
      );
      if (!writable) {
        bad('writable', `${dest.path} is not writable for this user.`, 'refused');
        return steps;
      }
    }
    const probe = await probeDestination(ctx);
    if (!probe.ok) {
      bad('writable', probe.failure.message, probe.failure.kind);
      return steps;
    }
    ok(
      'writable',
      probe.value.cleanedUp ? 'A test file was written and removed.' : probe.value.message,
    );
    if (probe.value.hardLinks) ok('hard-links', probe.value.message);
    else bad('hard-links', probe.value.message);
    return steps;
  } finally {
    await close();
  }
}
