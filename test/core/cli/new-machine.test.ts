/**
 * A lost laptop brought back on a new machine, over a real sshd with real rsync: the old machine
 * backs up a home (nested folders, modes, symbolic and hard links, old times); a new account (a
 * settings folder and identity of its own, another host name and machine id in namespaces of its
 * own) restores it under another name with `restore --prefix OLD --into NEW`, adopts the prefix,
 * and its next backup of the new home sends only what changed.
 */
import { chmod, link, lstat, readlink, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeCliHome,
  runCli,
  runCliOn,
  writeSettingsFile,
  type CliHome,
} from '../../support/cli.js';
import { cliFlags, profileSsh, startSshd, type Sshd } from '../../support/sshd.js';
import {
  folderTimes,
  inode,
  makeTempDir,
  readTree,
  stampFolders,
  writeTree,
} from '../../support/tree.js';

const OLD_TIME = new Date('2022-03-04T05:06:07Z');

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd.stop();
});

/** A home as people have them: nested folders, private ones, scripts, links, old times. */
async function realisticHome(home: string): Promise<void> {
  await writeTree(home, {
    '.bashrc': 'export EDITOR=vi\n',
    '.ssh/id_ed25519': 'private key\n',
    '.ssh/config': 'Host router\n',
    'Documents/taxes/2021.pdf': Buffer.alloc(180_000, 1),
    'Documents/taxes/2022.pdf': Buffer.alloc(190_000, 2),
    'Documents/notes.txt': 'remember the milk\n',
    'Photos/2021/summer/beach.jpg': Buffer.alloc(250_000, 3),
    'Photos/2021/summer/hill.jpg': Buffer.alloc(240_000, 4),
    'Music/album/track1.ogg': Buffer.alloc(300_000, 5),
    'bin/backup-helper.sh': '#!/bin/sh\necho hi\n',
  });
  await chmod(join(home, '.ssh'), 0o700);
  await chmod(join(home, '.ssh/id_ed25519'), 0o600);
  await chmod(join(home, 'bin/backup-helper.sh'), 0o755);
  await chmod(join(home, 'Documents/taxes'), 0o750);
  await symlink('Documents/notes.txt', join(home, 'notes-link'));
  await symlink('../Photos/2021', join(home, 'Music/photos-of-2021'));
  await link(join(home, 'Music/album/track1.ogg'), join(home, 'Music/album/favourite.ogg'));
  const files = [...(await readTree(home)).keys()];
  for (const rel of files) await utimes(join(home, rel), OLD_TIME, OLD_TIME);
  await stampFolders(home, OLD_TIME);
}

/** Mode, size, time and link target of every entry below `root`, by relative path. */
async function entries(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const visit = async (rel: string) => {
    const path = rel === '.' ? root : join(root, rel);
    const info = await lstat(path);
    const target = info.isSymbolicLink() ? await readlink(path) : '';
    const time = info.isSymbolicLink() ? '' : String(Math.floor(info.mtimeMs / 1000));
    out.set(rel, `${info.mode.toString(8)} ${info.isFile() ? info.size : ''} ${time} ${target}`);
    if (info.isDirectory()) {
      const { readdir } = await import('node:fs/promises');
      for (const name of (await readdir(path)).sort()) {
        await visit(rel === '.' ? name : `${rel}/${name}`);
      }
    }
  };
  await visit('.');
  return out;
}

describe.each(['local', 'ssh'])('a home restored onto a new machine (%s)', (where) => {
  it('comes back whole under its new name, and the next backup sends only what changed', async () => {
    const root = await makeTempDir('st-homes-');
    const oldHome = join(root, 'ann');
    const newHome = join(root, 'ann2');
    await realisticHome(oldHome);
    const destDir = await makeTempDir('st-router-');
    const dest = where === 'local' ? destDir : `${sshd.user}@127.0.0.1:${destDir}`;

    // The old laptop backs its home up.
    const oldAccount = await makeCliHome();
    const settingsOf = (h: CliHome, source: string) =>
      writeSettingsFile(join(h.configDir, 'Snaptray', 'config.json'), {
        default: {
          sources: [source],
          destination: dest,
          prefix: 'annlaptop',
          ...(where === 'ssh' ? { ssh: profileSsh(sshd) } : {}),
        },
      });
    await settingsOf(oldAccount, oldHome);
    // The router's folder is set up once (init over ssh is covered elsewhere).
    const init = await runCli(['init', '--dest', destDir], oldAccount);
    expect(init.code, init.stderr).toBe(0);
    const first = await runCli(['backup', '--json'], oldAccount);
    expect(first.code, first.stderr).toBe(0);
    const oldSnapshot = first.json?.snapshot as string;

    // The new laptop: another account, its own identity, another host name and machine id.
    const newAccount = await makeCliHome();
    const machineId = join(await makeTempDir('st-machine-'), 'machine-id');
    await writeFile(machineId, 'fedcba9876543210fedcba9876543210\n');
    const onNew = (args: string[]) =>
      runCliOn({ host: 'newlaptop', machineId: machineId }, args, newAccount);
    const destFlags = ['--dest', dest, ...(where === 'ssh' ? cliFlags(sshd) : [])];

    const restored = await onNew([
      'restore',
      ...destFlags,
      '--prefix',
      'annlaptop',
      oldHome,
      '--into',
      newHome,
      '--json',
    ]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.json).toMatchObject({
      snapshot: oldSnapshot,
      outcome: 'ok',
      placed: [{ path: oldHome, to: newHome }],
      keptAside: [],
      skipped: [],
      error: null,
    });
    // Content, modes, file and folder times, symbolic links: as they were.
    expect(await readTree(newHome)).toEqual(await readTree(oldHome));
    expect(await entries(newHome)).toEqual(await entries(oldHome));
    expect(await folderTimes(newHome)).toEqual(await folderTimes(oldHome));
    // Hard links: still one file with two names.
    expect(await inode(join(newHome, 'Music/album/favourite.ogg'))).toBe(
      await inode(join(newHome, 'Music/album/track1.ogg')),
    );

    // Restoring again into the now full folder is refused, naming it and the way on.
    const again = await onNew([
      'restore',
      ...destFlags,
      '--prefix',
      'annlaptop',
      oldHome,
      '--into',
      newHome,
      '--json',
    ]);
    expect(again.code).toBe(1);
    expect(again.json?.error).toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(
        new RegExp(`^${newHome} is not empty \\(it holds \\d+ items: .*add --missing-only`),
      ),
    });

    // It continues the old laptop's history.
    await settingsOf(newAccount, newHome);
    const adopt = await onNew(['adopt', '--json']);
    expect(adopt.code, adopt.stderr).toBe(0);
    expect(adopt.json).toMatchObject({ adopted: true, snapshots: 1 });

    // A day's work on the new laptop: one file changed, one added.
    await writeFile(join(newHome, 'Documents/notes.txt'), 'remember the milk and eggs\n');
    await writeFile(join(newHome, 'Documents/new-letter.txt'), 'Dear Sir,\n');
    const next = await onNew(['backup', '--json']);
    expect(next.code, next.stderr).toBe(0);
    const changedBytes = 'remember the milk and eggs\n'.length + 'Dear Sir,\n'.length;
    expect(next.json).toMatchObject({
      outcome: 'ok',
      files: 2,
      bytesSent: changedBytes,
      totalFiles: 12,
      movedSources: [{ source: newHome, linkedAgainst: [oldHome], base: oldSnapshot }],
      warnings: [],
    });
    const newSnapshot = next.json?.snapshot as string;
    expect(await inode(join(destDir, newSnapshot, newHome, 'Photos/2021/summer/beach.jpg'))).toBe(
      await inode(join(destDir, oldSnapshot, oldHome, 'Photos/2021/summer/beach.jpg')),
    );
    console.log(
      `new machine (${where}): restored ${String(restored.json?.restored)} items; next backup sent ` +
        `${String(next.json?.files)} files, ${String(next.json?.bytesSent)} of ` +
        `${String(next.json?.totalBytes)} bytes (first backup: ${String(first.json?.bytesSent)})`,
    );
  }, 2_400_000);
});
