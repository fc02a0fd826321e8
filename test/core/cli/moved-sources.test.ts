/**
 * A source folder renamed between two backups (Photos → Pictures, the settings edited) is linked
 * against its old place in the previous snapshot, locally and over a real sshd; a new source that
 * nothing can be linked against is said to be stored in full; `adopt --map` names an old place.
 */
import { readdir, rename, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeCliHome, runCli, writeSettingsFile, type CliHome } from '../../support/cli.js';
import { profileSsh, startSshd, type Sshd } from '../../support/sshd.js';
import { inode, linkCount, makeTempDir, readTree, writeTree } from '../../support/tree.js';

const OLD = new Date('2021-06-01T12:00:00Z');
const PHOTOS = 12;
const PHOTO_BYTES = 150_000;

let sshd: Sshd;
let home: CliHome;
let root: string;
let destDir: string;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd.stop();
});

beforeEach(async () => {
  home = await makeCliHome();
  root = await makeTempDir('st-moved-');
  destDir = await makeTempDir('st-router-');
  const files: Record<string, Buffer | string> = { 'Photos/.thumbs/cache.tmp': 'scratch' };
  for (let i = 0; i < PHOTOS; i++) {
    files[`Photos/${2019 + (i % 3)}/img-${i}.jpg`] = Buffer.alloc(PHOTO_BYTES, i + 1);
  }
  await writeTree(root, files);
  for (const rel of Object.keys(files)) await utimes(join(root, rel), OLD, OLD);
});

type Where = 'local' | 'ssh';

function destination(where: Where): string {
  return where === 'local' ? destDir : `${sshd.user}@127.0.0.1:${destDir}`;
}

async function settings(where: Where, sources: string[]): Promise<void> {
  await writeSettingsFile(join(home.configDir, 'Snaptray', 'config.json'), {
    default: {
      sources,
      destination: destination(where),
      prefix: 'laptop',
      excludes: ['*.tmp'],
      ...(where === 'ssh' ? { ssh: profileSsh(sshd) } : {}),
    },
  });
}

async function snapshots(): Promise<string[]> {
  return (await readdir(destDir)).filter((n) => /^laptop-[\d-]+$/.test(n)).sort();
}

describe.each<Where>(['local', 'ssh'])('a source folder renamed (%s)', (where) => {
  it('is linked against its old place: only the new file is sent', async () => {
    // The router's folder is set up once, by the same account (init over ssh is covered elsewhere).
    const init = await runCli(['init', '--dest', destDir], home);
    expect(init.code, init.stderr).toBe(0);
    await settings(where, [join(root, 'Photos')]);
    const first = await runCli(['backup', '--json'], home);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json).toMatchObject({ files: PHOTOS, bytesSent: PHOTOS * PHOTO_BYTES });

    // The user renames the folder, adds a photo, and edits the settings to match.
    await rename(join(root, 'Photos'), join(root, 'Pictures'));
    await writeFile(join(root, 'Pictures', '2021', 'new.jpg'), Buffer.alloc(4_000, 9));
    await settings(where, [join(root, 'Pictures')]);
    const second = await runCli(['backup', '--json'], home);
    expect(second.code, second.stderr).toBe(0);
    const [s1, s2] = await snapshots();
    expect(second.json).toMatchObject({
      outcome: 'ok',
      snapshot: s2,
      files: 1,
      bytesSent: 4_000,
      totalFiles: PHOTOS + 1,
      totalBytes: PHOTOS * PHOTO_BYTES + 4_000,
      movedSources: [
        { source: join(root, 'Pictures'), linkedAgainst: [join(root, 'Photos')], base: s1 },
      ],
      warnings: [],
    });
    // Every old photo is the very file of the first snapshot; the excluded scratch file stayed out.
    for (let i = 0; i < PHOTOS; i++) {
      const rel = `${2019 + (i % 3)}/img-${i}.jpg`;
      const now = join(destDir, s2!, root, 'Pictures', rel);
      expect(await linkCount(now)).toBe(2);
      expect(await inode(now)).toBe(await inode(join(destDir, s1!, root, 'Photos', rel)));
    }
    expect(await linkCount(join(destDir, s2!, root, 'Pictures', '2021', 'new.jpg'))).toBe(1);
    const stored = await readTree(join(destDir, s2!, root));
    expect([...stored.keys()].filter((k) => k.endsWith('.tmp'))).toEqual([]);
    expect(stored.size).toBe(PHOTOS + 1);
    console.log(
      `renamed source (${where}): ${String(second.json?.bytesSent)} of ${String(second.json?.totalBytes)} bytes sent`,
    );
  }, 1_200_000);
});

describe('a new source with no old place', () => {
  it('is said to be stored in full, until adopt --map names where its files were', async () => {
    expect((await runCli(['init', '--dest', destDir], home)).code).toBe(0);
    await settings('local', [join(root, 'Photos')]);
    expect((await runCli(['backup', '--json'], home)).code).toBe(0);

    // The photos of 2019 move to a second disk, backed up as a source of its own.
    await rename(join(root, 'Photos', '2019'), join(root, 'Archive'));
    await settings('local', [join(root, 'Photos'), join(root, 'Archive')]);
    const full = await runCli(['backup'], home);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stderr).toContain(
      `Warning: Everything under ${join(root, 'Archive')} is stored in full, nothing of it ` +
        'hard-linked: laptop-',
    );
    expect(full.stderr).toContain('run "snaptray adopt --map OLD=NEW" to name their old place');

    // Renamed again, a new place for the same files: the map says where they were.
    await rename(join(root, 'Archive'), join(root, 'Archive2'));
    await settings('local', [join(root, 'Photos'), join(root, 'Archive2')]);
    const map = `${join(root, 'Photos', '2019')}=${join(root, 'Archive2')}`;
    const adopt = await runCli(['adopt', '--map', map, '--json'], home);
    expect(adopt.code, adopt.stderr).toBe(0);
    expect(adopt.json).toMatchObject({
      adopted: false,
      movedSources: [{ from: join(root, 'Photos', '2019'), to: join(root, 'Archive2') }],
    });
    const linked = await runCli(['backup', '--json'], home);
    expect(linked.code, linked.stderr).toBe(0);
    // The base (the second snapshot) holds them under Archive, not where the map says: nothing
    // links, the run goes on, and the warning names the place it looked for.
    expect(linked.json?.outcome).toBe('ok');
    expect(linked.json?.warnings).toEqual([
      `Everything under ${join(root, 'Archive2')} is stored in full, nothing of it hard-linked: ` +
        `its old place ${destDir}/${(await snapshots())[1]}${join(root, 'Photos', '2019')} was ` +
        'not found on the destination.',
    ]);
  }, 1_200_000);

  it('adopt --map links a folder moved out of a source that is still backed up', async () => {
    expect((await runCli(['init', '--dest', destDir], home)).code).toBe(0);
    await settings('local', [join(root, 'Photos')]);
    expect((await runCli(['backup', '--json'], home)).code).toBe(0);

    await rename(join(root, 'Photos', '2019'), join(root, 'Archive'));
    await settings('local', [join(root, 'Photos'), join(root, 'Archive')]);
    const map = `${join(root, 'Photos', '2019')}=${join(root, 'Archive')}`;
    const adopt = await runCli(['adopt', '--map', map, '--json'], home);
    expect(adopt.code, adopt.stderr).toBe(0);
    const linked = await runCli(['backup', '--json'], home);
    expect(linked.code, linked.stderr).toBe(0);
    expect(linked.json).toMatchObject({
      files: 0,
      bytesSent: 0,
      totalFiles: PHOTOS,
      warnings: [],
      movedSources: [
        { source: join(root, 'Archive'), linkedAgainst: [join(root, 'Photos', '2019')] },
      ],
    });
    const [s1, s2] = await snapshots();
    expect(await inode(join(destDir, s2!, root, 'Archive', 'img-0.jpg'))).toBe(
      await inode(join(destDir, s1!, root, 'Photos', '2019', 'img-0.jpg')),
    );
  }, 1_200_000);

  it('refuses a map that is not OLD=NEW', async () => {
    const bad = await runCli(['adopt', '--dest', destDir, '--map', '/a/b', '--json'], home);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--map "/a/b" is not OLD=NEW');
  });
});
