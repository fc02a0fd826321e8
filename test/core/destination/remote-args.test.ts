/**
 * Remote paths spelled so that the far side reads exactly them, whatever the local rsync does with
 * its arguments: tried with real rsync against the dropbear + BusyBox router, in every style, on
 * folders whose names the far shell or rsync would otherwise split or expand, each beside the
 * folder a wrong reading would reach.
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  argStyleOf,
  remoteName,
  remoteOptionValue,
  type RemoteArgStyle,
} from '../../../core/destination/remote-args.js';
import { startRouter, type Router } from '../../support/router.js';
import { rsyncShell, runProgram } from '../../support/run-program.js';
import { makeTempDir } from '../../support/tree.js';

const V35 = 'rsync  version 3.5.0  protocol version 32\nCapabilities: optional secluded-args\n';
const V323 = 'rsync  version 3.2.3  protocol version 31\n';
const V313 = 'rsync  version 3.1.3  protocol version 31\n';
const V309 = 'rsync  version 3.0.9  protocol version 30\n';

describe('the style of the local rsync', () => {
  it.each<[string, string, NodeJS.ProcessEnv, RemoteArgStyle]>([
    ['3.5.0', V35, {}, { names: 'wildcards', options: 'escaped' }],
    [
      '3.5.0, RSYNC_OLD_ARGS=1',
      V35,
      { RSYNC_OLD_ARGS: '1' },
      { names: 'shell', options: 'escaped' },
    ],
    ['3.5.0, RSYNC_OLD_ARGS=2', V35, { RSYNC_OLD_ARGS: '2' }, { names: 'shell', options: 'shell' }],
    [
      '3.5.0, RSYNC_OLD_ARGS=0',
      V35,
      { RSYNC_OLD_ARGS: '0', RSYNC_PROTECT_ARGS: '1' },
      { names: 'wildcards', options: 'escaped' },
    ],
    [
      '3.5.0, RSYNC_OLD_ARGS empty',
      V35,
      { RSYNC_OLD_ARGS: '' },
      { names: 'wildcards', options: 'escaped' },
    ],
    [
      '3.5.0, RSYNC_PROTECT_ARGS=1',
      V35,
      { RSYNC_PROTECT_ARGS: '1' },
      { names: 'secluded', options: 'escaped' },
    ],
    [
      '3.5.0, RSYNC_PROTECT_ARGS=0',
      V35,
      { RSYNC_PROTECT_ARGS: '0' },
      { names: 'wildcards', options: 'escaped' },
    ],
    [
      '3.5.0 built with secluded args',
      V35.replace('optional', 'default'),
      {},
      { names: 'secluded', options: 'escaped' },
    ],
    ['3.2.3 (Debian 11)', V323, {}, { names: 'shell', options: 'shell' }],
    [
      '3.2.3 ignores RSYNC_OLD_ARGS',
      V323,
      { RSYNC_OLD_ARGS: '0' },
      { names: 'shell', options: 'shell' },
    ],
    [
      '3.1.3, RSYNC_PROTECT_ARGS=1',
      V313,
      { RSYNC_PROTECT_ARGS: '1' },
      { names: 'secluded', options: 'escaped' },
    ],
    [
      '3.0.9 ignores RSYNC_PROTECT_ARGS',
      V309,
      { RSYNC_PROTECT_ARGS: '1' },
      { names: 'shell', options: 'shell' },
    ],
  ])('%s', (_, version, env, style) => {
    expect(argStyleOf(version, env)).toEqual(style);
  });

  it('spells one path for each style', () => {
    const path = '/mnt/my backups [1]/a\\b*';
    expect(remoteName(path, { names: 'wildcards', options: 'escaped' }, 'target')).toBe(
      '/mnt/my backups \\[1\\]/a\\b\\*',
    );
    expect(remoteName(path, { names: 'shell', options: 'shell' }, 'source')).toBe(
      '/mnt/my\\ backups\\ \\[1\\]/a\\\\b\\*',
    );
    expect(remoteName(path, { names: 'secluded', options: 'escaped' }, 'source')).toBe(
      '/mnt/my backups \\[1\\]/a\\\\b\\*',
    );
    expect(remoteName(path, { names: 'secluded', options: 'escaped' }, 'target')).toBe(path);
    expect(remoteOptionValue(path, { names: 'shell', options: 'escaped' })).toBe(path);
  });
});

describe('paths on a router, through real rsync in every style', () => {
  let router: Router;
  let dest: string;
  let src: string;
  beforeAll(async () => {
    router = await startRouter();
    dest = await router.makeRouterFolder('names-');
    src = await makeTempDir('st-names-src-');
    await writeFile(join(src, 'f'), 'the file');
  });
  afterAll(async () => {
    await router.stop();
  });

  // A folder and what the far shell or rsync would reach instead if it were not escaped.
  const NAMES: Array<[string, string]> = [
    ['my backups [1]', 'my backups 1'],
    ['star*?', 'starXY'],
    ['it\'s $HOME "q" {a,b} ~#!;&|<>()`', 'it'],
    ['back\\slash [x]', 'backslash x'],
  ];
  const STYLES: Array<[string, string, NodeJS.ProcessEnv]> = [
    ['modern', 'm', {}],
    ['RSYNC_OLD_ARGS=1', 'o1', { RSYNC_OLD_ARGS: '1' }],
    ['RSYNC_OLD_ARGS=2', 'o2', { RSYNC_OLD_ARGS: '2' }],
    ['RSYNC_PROTECT_ARGS=1', 'p', { RSYNC_PROTECT_ARGS: '1' }],
  ];

  it.each(STYLES)(
    '%s: lists, writes into and hard-links against exactly the folder named',
    async (_, tag, extra) => {
      const env = { ...process.env, RSYNC_OLD_ARGS: '', RSYNC_PROTECT_ARGS: '', ...extra };
      const version = await runProgram('rsync', ['--version'], { env });
      const style = argStyleOf(version.stdout, extra);
      const at = (path: string, role: 'source' | 'target') =>
        `${router.user}@127.0.0.1:${remoteName(path, style, role)}`;
      const shell = rsyncShell(router);
      for (const [name, decoy] of NAMES) {
        const folder = join(dest, `${name} ${tag}`);
        const wrong = join(dest, `${decoy} ${tag}`);
        for (const [path, file] of [
          [folder, 'right'],
          [wrong, 'wrong'],
        ] as const) {
          await mkdir(join(path, 'base'), { recursive: true });
          await writeFile(join(path, file), file);
          await runProgram('cp', ['-p', join(src, 'f'), join(path, 'base', 'f')]);
          await runProgram('chown', ['-R', `${router.uid}:${router.gid}`, path]);
        }
        const listed = await runProgram(
          'rsync',
          ['--list-only', '-e', shell, `${at(folder, 'source')}/`],
          { env },
        );
        expect(listed.code, `${name}: ${listed.stderr}`).toBe(0);
        expect(listed.stdout).toMatch(/ right\n/);
        expect(listed.stdout).not.toMatch(/ wrong\n/);

        const pushed = await runProgram(
          'rsync',
          [
            '-a',
            '-e',
            shell,
            `--link-dest=${remoteOptionValue(join(folder, 'base'), style)}`,
            `${src}/`,
            `${at(join(folder, 'new'), 'target')}/`,
          ],
          { env },
        );
        expect(pushed.code, `${name}: ${pushed.stderr}`).toBe(0);
        expect((await stat(join(folder, 'new', 'f'))).nlink).toBe(2);
        expect(await readdir(wrong)).toEqual(['base', 'wrong']);
      }
    },
    60_000,
  );
});
