import { describe, expect, it } from 'vitest';
import { EVERY_HOME, ownFileExcludes } from '../../../core/backup/own-files.js';

const DEFAULT_PLACES = {
  configDir: '/home/ben/.config/Snaptray',
  stateRoot: '/home/ben/.local/state/snaptray',
  runtimeDir: '/run/user/1000/snaptray',
};

describe('ownFileExcludes', () => {
  it('leaves out every home’s identity, locks, state and temporary files, never the settings', () => {
    expect(EVERY_HOME).toEqual([
      '.config/Snaptray/identity.json',
      '.config/Snaptray/*.tmp',
      '.config/Snaptray/*.tmp-*',
      '.config/Snaptray/locks/',
      '.local/state/snaptray/',
      '/run/user/*/snaptray/',
      '/tmp/snaptray-*/',
    ]);
    expect(EVERY_HOME.some((p) => /config\.json$|known_hosts/.test(p))).toBe(false);
    // Nothing of this account's own inside /srv: only the patterns for every home.
    expect(ownFileExcludes(['/srv'], DEFAULT_PLACES)).toEqual(EVERY_HOME);
  });

  it('adds this account’s real folders, anchored, wherever XDG_* put them inside a source', () => {
    const places = {
      configDir: '/home/ben/dots/[cfg]/Snaptray',
      stateRoot: '/home/ben/st/snaptray',
      runtimeDir: '/run/user/1000/snaptray',
    };
    expect(ownFileExcludes(['/home/ben'], places, ['/home/ben/backups'])).toEqual([
      '/home/ben/st/snaptray/',
      '/home/ben/backups/',
      '/home/ben/dots/\\[cfg]/Snaptray/identity.json',
      '/home/ben/dots/\\[cfg]/Snaptray/*.tmp',
      '/home/ben/dots/\\[cfg]/Snaptray/*.tmp-*',
      '/home/ben/dots/\\[cfg]/Snaptray/locks/',
      ...EVERY_HOME,
    ]);
    expect(ownFileExcludes(['/'], DEFAULT_PLACES).slice(0, 6)).toEqual([
      '/home/ben/.local/state/snaptray/',
      '/run/user/1000/snaptray/',
      '/home/ben/.config/Snaptray/identity.json',
      '/home/ben/.config/Snaptray/*.tmp',
      '/home/ben/.config/Snaptray/*.tmp-*',
      '/home/ben/.config/Snaptray/locks/',
    ]);
  });
});
