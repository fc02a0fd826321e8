/**
 * Snaptray's own files, which no snapshot may hold: the identity (restored onto a new machine, it
 * would make that machine the old one's owner), the locks, the state folder (history, logs, pause,
 * its lock) and temporary files. The settings file and the trusted host keys are backed up: they are
 * worth restoring.
 *
 * Two kinds of rsync patterns, added to every backup and to `diff --now`: this account's real
 * folders (XDG_* honoured), anchored, wherever a source holds them; and the usual layout of every
 * home, unanchored, so that they match at any depth: /root, /home/*, and a home copied into a folder
 * that is backed up. Other accounts' XDG_* settings cannot be known; their usual layout is covered.
 */
import { automaticExcludes } from './rsync-args.js';

export interface OwnPlaces {
  /** `$XDG_CONFIG_HOME/Snaptray` */
  configDir: string;
  /** `$XDG_STATE_HOME/snaptray` */
  stateRoot: string;
  /** `$XDG_RUNTIME_DIR/snaptray`, or `/tmp/snaptray-<uid>` */
  runtimeDir: string;
}

/** What the settings folder holds that is not the settings, relative to it. */
const IN_CONFIG = [
  'identity.json',
  // Ours (identity.json.<pid>.<random>.tmp), and the settings file's as conf writes it.
  '*.tmp',
  '*.tmp-*',
  'locks/',
];

/** Every account's files where nothing overrides the usual folders. */
export const EVERY_HOME: readonly string[] = [
  ...IN_CONFIG.map((p) => `.config/Snaptray/${p}`),
  '.local/state/snaptray/',
  '/run/user/*/snaptray/',
  '/tmp/snaptray-*/',
];

/**
 * The patterns that keep Snaptray's own files out of a snapshot of `sources`; `also` names more
 * folders to leave out when a source holds them (a local destination).
 */
export function ownFileExcludes(
  sources: readonly string[],
  places: OwnPlaces,
  also: readonly string[] = [],
): string[] {
  const config = automaticExcludes(sources, [places.configDir]).map((folder) =>
    IN_CONFIG.map((p) => `${folder}${p}`),
  );
  return [
    ...automaticExcludes(sources, [places.stateRoot, places.runtimeDir, ...also]),
    ...config.flat(),
    ...EVERY_HOME,
  ];
}
