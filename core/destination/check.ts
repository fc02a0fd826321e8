/**
 * `snaptray check`: each thing a backup needs from the destination, tested in order and reported
 * in words. Later steps are skipped (not run) once one fails.
 */
import { access, constants, stat } from 'node:fs/promises';
import type { Destination } from './address.js';
import { formatDestination } from './address.js';
import { checkRsync } from './check-rsync.js';
import { readMarker } from './initialise.js';
import { localNonFolder } from './not-a-folder.js';
import { listDestination } from './ops.js';
import { decideOwnership, prefixOwner, type Me } from './ownership.js';
import { judgeDisk, probeDestination } from './probe.js';
import { openDestination, type SessionEnvironment } from './session.js';
import { householdOf } from './household.js';
import { otherMachinesHint } from './household-hint.js';
import { isComplete, snapshotsOf } from './snapshot.js';
import { describeOwnership, storedOwnership } from './stored-ownership.js';
import type { FailureKind } from '../errors.js';
import type { Profile } from '../settings/schema.js';

export type CheckStepName =
  | 'folder'
  | 'reachable'
  | 'host-key'
  | 'authentication'
  | 'rsync'
  | 'marker'
  | 'owner'
  | 'writable'
  | 'hard-links'
  | 'ownership';

export interface CheckStep {
  step: CheckStepName;
  ok: boolean;
  message: string;
  /** Why it failed, for the window to offer the right action. */
  kind?: FailureKind;
  /** Where the rsync step found rsync when ssh commands do not: the value for --rsync-path. */
  suggestedRsyncPath?: string;
}

const CONNECTION_STEP: Partial<Record<FailureKind, CheckStepName>> = {
  'host-key-unknown': 'host-key',
  'host-key-changed': 'host-key',
  'auth-refused': 'authentication',
  'ssh-key-missing': 'authentication',
  'ssh-key-too-open': 'authentication',
  'ssh-key-unreadable': 'authentication',
};

/** What the check knows of the profile beyond the connection: whose prefix, and how it stores. */
export interface CheckContext {
  prefix?: string;
  /** The owner the profile runs as; with `prefix`, the check says whether it holds the prefix. */
  me?: Me;
  /** Said with the owner step: how this account's identity is bound, when that needs saying. */
  identityNote?: string | null;
  /** Why this account has no identity to act as (another account's file): the owner step fails. */
  identityProblem?: string;
  fakeSuper?: boolean;
}

export async function checkDestination(
  env: SessionEnvironment,
  dest: Destination,
  ssh: Profile['ssh'],
  signal?: AbortSignal,
  profile: CheckContext = {},
): Promise<CheckStep[]> {
  const steps: CheckStep[] = [];
  const ok = (step: CheckStepName, message: string) => steps.push({ step, ok: true, message });
  const bad = (step: CheckStepName, message: string, kind?: FailureKind) =>
    steps.push({ step, ok: false, message, ...(kind ? { kind } : {}) });

  if (dest.kind === 'local') {
    const folder = await stat(dest.path).catch(() => null);
    const nonFolder = folder?.isDirectory() === true ? null : await localNonFolder(dest.path);
    if (nonFolder !== null) {
      bad('folder', nonFolder.message, nonFolder.kind);
      return steps;
    }
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
    if (step !== 'reachable') ok('reachable', hostAnswered(dest));
    if (step === 'authentication') ok('host-key', 'The host key is known and matches.');
    bad(step, opened.failure.message, opened.failure.kind);
    return steps;
  }
  const { ctx, close } = opened.value;
  try {
    if (dest.kind === 'ssh') {
      ok('reachable', hostAnswered(dest));
      ok('host-key', 'The host key is known and matches.');
      ok('authentication', 'Logged in with the key.');
    }
    const rsync = await checkRsync(ctx, dest.kind === 'ssh' ? ssh.rsyncPath : null, signal);
    steps.push(rsync);
    if (!rsync.ok) return steps;

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
    if (profile.identityProblem !== undefined) {
      bad('owner', profile.identityProblem, 'settings');
      return steps;
    }
    if (profile.prefix !== undefined && profile.me !== undefined) {
      const set = snapshotsOf(profile.prefix, listing.value);
      const decision = decideOwnership(
        prefixOwner(set.claim, set.snapshots),
        profile.me,
        profile.prefix,
      );
      if (decision.kind === 'refuse') {
        bad('owner', decision.message, 'prefix-owned');
        return steps;
      }
      const note = profile.identityNote ? ` ${profile.identityNote}` : '';
      // A free prefix on a destination that holds others: most likely a new machine's name.
      const hint = set.snapshots.some(isComplete)
        ? null
        : otherMachinesHint(householdOf(listing.value, new Date()), profile.prefix);
      ok(
        'owner',
        (decision.kind === 'ours'
          ? `The prefix "${profile.prefix}" belongs to this profile.`
          : `The prefix "${profile.prefix}" is free: the first backup claims it for this profile.`) +
          note +
          (hint !== null ? `\n${hint}` : ''),
      );
    }
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
    if (probe.value.cleanedUp) ok('writable', 'Test files were written and removed.');
    else if (probe.value.why?.kind === 'delete-refused') {
      // A key that may not delete (rrsync -no-del) can back up; only the test folder stays.
      ok(
        'writable',
        `Test files were written. The key may not delete, so their folder ${probe.value.leftover ?? ''} ` +
          'stays: remove it with your pruning key or on the router; backups do not need it.',
      );
    } else {
      bad(
        'writable',
        `Test files were written, but their folder ${probe.value.leftover ?? ''} could not be ` +
          `removed (${probe.value.why?.message ?? 'no reason given'}). Remove it on the ` +
          'destination (rm -r it there) or with a key that may delete; backups do not need it.',
        'refused',
      );
    }
    const verdict = judgeDisk(probe.value);
    if (!verdict.fullCopies) ok('hard-links', verdict.message);
    else if (!verdict.unusable && readMarker(listing.value.marker).allowFullCopies) {
      ok('hard-links', `${verdict.message} (Allowed when this destination was set up.)`);
    } else bad('hard-links', verdict.message, 'full-copies');
    const account = await opened.value.account();
    const keepsModes = probe.value.permissions;
    const stored = storedOwnership(
      dest,
      account,
      profile.fakeSuper === true,
      process.getuid?.() ?? 1000,
      keepsModes,
    );
    ok('ownership', describeOwnership(stored, dest, account, keepsModes));
    return steps;
  } finally {
    await close();
  }
}

/** The "reachable" step's words, the same whichever later step fails. */
function hostAnswered(dest: Destination): string {
  return dest.kind === 'ssh'
    ? `${dest.host} answered on the ssh port.`
    : `${formatDestination(dest)} answered.`;
}
