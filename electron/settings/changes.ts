/**
 * The settings whose change the app confirms in its own dialog before saving: what runs on this
 * computer or the router (hooks, the ssh config file, the rsync on the router), where the backups
 * go (the destination and its port) and which host keys are trusted (an extra known_hosts file).
 * A window's page gone bad could otherwise change them with one call; the dialog shows each
 * change, old → new, the commands in full. Pure: the question is built here, asked elsewhere.
 */
import { parseDestination } from '../../core/destination/address.js';
import type { HostKeyOffer } from '../../core/ssh/host-keys.js';
import type { Profile } from '../../core/settings/schema.js';
import type { Question } from '../shared/dialogs.js';

export interface SettingChange {
  /** The setting in the window's words. */
  label: string;
  before: string;
  after: string;
  /** Whether the setting is a command that will run. */
  runs: boolean;
}

interface Guarded {
  label: string;
  value: (p: Profile) => string | number | null;
  runs: boolean;
  /** Only while the destination is reached over ssh. */
  sshOnly?: boolean;
  /** How an empty value reads; '(none)' unless said here. */
  unset?: string;
}

const GUARDED: readonly Guarded[] = [
  { label: 'Destination', value: (p) => p.destination, runs: false },
  {
    label: 'Port',
    value: (p) => p.ssh.port,
    runs: false,
    sshOnly: true,
    unset: '(not set: 22, or the ssh config’s)',
  },
  { label: 'rsync on the router', value: (p) => p.ssh.rsyncPath, runs: true },
  { label: 'ssh config file', value: (p) => p.ssh.configFile, runs: false },
  { label: 'Extra known_hosts file', value: (p) => p.ssh.knownHostsFile, runs: false },
  { label: 'Command before a backup', value: (p) => p.hooks.pre, runs: true },
  { label: 'Command after a successful backup', value: (p) => p.hooks.after, runs: true },
  { label: 'Command after a failed backup', value: (p) => p.hooks.fail, runs: true },
];

function overSsh(destination: string): boolean {
  const parsed = parseDestination(destination);
  return parsed.ok && parsed.value.kind === 'ssh';
}

/** The guarded settings that differ between the profile saved (or the defaults) and the new one. */
export function guardedChanges(before: Profile, after: Profile): SettingChange[] {
  const changes: SettingChange[] = [];
  for (const g of GUARDED) {
    if (g.sshOnly === true && !overSsh(after.destination)) continue;
    const was = shownValue(g.value(before), g.unset);
    const now = shownValue(g.value(after), g.unset);
    if (was === now) continue;
    changes.push({ label: g.label, before: was, after: now, runs: g.runs });
  }
  return changes;
}

/**
 * A value as the dialog shows it: every character that could hide or reorder text (line breaks,
 * control characters, bidirectional overrides, zero-width characters) written as an escape, so
 * the command shown is the command that runs.
 */
export function shownValue(value: string | number | null, unset = '(none)'): string {
  if (value === null || value === '') return unset;
  return String(value).replace(
    // eslint-disable-next-line no-control-regex -- finding control characters is this pattern's job
    /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g,
    (c) => {
      if (c === '\n') return '\\n';
      if (c === '\t') return '\\t';
      return `\\u{${c.codePointAt(0)!.toString(16).padStart(4, '0')}}`;
    },
  );
}

/** The app's question before it saves guarded changes. */
export function saveQuestion(changes: readonly SettingChange[], settingsFile: string): Question {
  const runs = changes.some((c) => c.runs);
  const lines = changes.flatMap((c) => [`${c.label}:`, `  was: ${c.before}`, `  now: ${c.after}`]);
  return {
    title: 'Save Settings',
    message: runs
      ? 'Save settings that change what Snaptray runs?'
      : 'Save settings that change where Snaptray backs up or how it connects?',
    detail: [
      ...lines,
      '',
      ...(runs
        ? ['Commands run on this computer (hooks) or on the router (rsync) at every backup.']
        : []),
      `The settings are saved in ${settingsFile}.`,
    ].join('\n'),
    confirm: 'Save',
    warning: runs,
  };
}

export const SAVE_DECLINED = 'Nothing was saved: you did not confirm the changes.';

/** The app's question before it trusts a host key, with the key it scanned just now. */
export function trustQuestion(offer: HostKeyOffer, knownHostsFile: string): Question {
  const where = offer.port === 22 ? offer.host : `${offer.host} (port ${offer.port})`;
  return {
    title: 'Trust Host Key',
    message: `Trust the ${offer.keyType} key of ${shownValue(where)}?`,
    detail: [
      `Fingerprint: ${offer.fingerprint}`,
      '',
      'Compare it with the fingerprint the router itself shows. Once trusted, Snaptray connects ' +
        'to this host with this key without asking.',
      `It is written to ${knownHostsFile}; your ~/.ssh/known_hosts is not changed.`,
    ].join('\n'),
    confirm: 'Trust',
  };
}
