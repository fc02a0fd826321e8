import { describe, expect, it } from 'vitest';
import {
  automaticExcludes,
  buildPushCommand,
  literalPattern,
} from '../../../core/backup/rsync-args.js';
import { defaultProfile } from '../../../core/settings/schema.js';

const options = defaultProfile().rsync;

describe('buildPushCommand', () => {
  it('pushes with full paths, absolute link-dest bases and excludes, under nice and ionice', () => {
    const cmd = buildPushCommand({
      sources: ['/home/ben', '/etc'],
      excludes: ['/home/ben/.cache/', '*.tmp'],
      linkDests: ['/mnt/b/pc-2026-11-25-030000', '/mnt/b/pc-2026-11-24-030000'],
      target: 'me@nas:/mnt/b/pc-2026-11-26-030000/',
      options,
      rsyncShell: 'ssh -F /run/user/1000/snaptray/r1/ssh_config',
    });
    expect(cmd).toEqual({
      file: 'nice',
      args: [
        '-n',
        '10',
        'ionice',
        '-c3',
        'rsync',
        '-aH',
        '--numeric-ids',
        '--relative',
        '--itemize-changes',
        '--info=progress2',
        '--stats',
        '-e',
        'ssh -F /run/user/1000/snaptray/r1/ssh_config',
        '--link-dest=/mnt/b/pc-2026-11-25-030000',
        '--link-dest=/mnt/b/pc-2026-11-24-030000',
        '--exclude=/home/ben/.cache/',
        '--exclude=*.tmp',
        '/home/ben',
        '/etc',
        'me@nas:/mnt/b/pc-2026-11-26-030000/',
      ],
    });
  });

  it('maps the profile options and refuses more than 20 bases', () => {
    const cmd = buildPushCommand({
      sources: ['/'],
      excludes: [],
      linkDests: [],
      target: '/b/x/',
      rsyncShell: null,
      options: {
        ...options,
        acls: true,
        xattrs: true,
        oneFileSystem: true,
        compress: true,
        bandwidthLimit: 500,
        gentle: false,
      },
    });
    expect(cmd.file).toBe('rsync');
    expect(cmd.args).toEqual(
      expect.arrayContaining([
        '--acls',
        '--xattrs',
        '--one-file-system',
        '--compress',
        '--bwlimit=500',
      ]),
    );
    expect(() =>
      buildPushCommand({
        sources: ['/'],
        excludes: [],
        linkDests: Array(21).fill('/b/x'),
        target: '/b/y/',
        rsyncShell: null,
        options,
      }),
    ).toThrow(/20/);
  });
});

describe('automaticExcludes', () => {
  it("excludes Snaptray's own folders only when a source contains them, as literal patterns", () => {
    expect(
      automaticExcludes(
        ['/home/ben'],
        ['/home/ben/.local/state/snaptray', '/run/user/1000/snaptray', '/home/benny'],
      ),
    ).toEqual(['/home/ben/.local/state/snaptray/']);
    expect(automaticExcludes(['/'], ['/media/usb/[backup]*'])).toEqual([
      '/media/usb/\\[backup]\\*/',
    ]);
    expect(literalPattern('/plain/path')).toBe('/plain/path');
  });
});
