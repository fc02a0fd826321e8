/**
 * The `<prefix>-latest` symlink: set by each successful backup to the newest complete snapshot,
 * locally, over ssh and through an rrsync key; a disk without symlinks (exFAT) or a folder in its
 * place gets a warning in words. Listing, deleting and pruning never take it for a snapshot.
 */
import { mkdir, readFile, readdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestLinkName } from '../../../core/destination/snapshot-name.js';
import { pointLatestLink } from '../../../core/destination/latest-link.js';
import { deleteSnapshots, listDestination, remote } from '../../../core/destination/ops.js';
import { snapshotsOf, type Snapshot } from '../../../core/destination/snapshot.js';
import { makeCliHome, runCli, type CliHome } from '../../support/cli.js';
import { openTestDestination, type TestDestination } from '../../support/destination.js';
import { mountExfat } from '../../support/disks.js';
import { cliFlags, startSshd, type Sshd } from '../../support/sshd.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd.stop();
});

function snapshot(name: string, state: Snapshot['state'], hour: number): Snapshot {
  const time = new Date(Date.UTC(2026, 10, 29, hour));
  return {
    name,
    time,
    latestTime: time,
    generation: null,
    sequenceTime: time,
    state,
    manifest: null,
    problem: null,
  };
}

async function listed(d: TestDestination) {
  const l = await listDestination(d.ctx);
  if (!l.ok) throw new Error(l.failure.message);
  return l.value;
}

describe.each(['local', 'ssh', 'rrsync -no-del'] as const)('%s', (mode) => {
  let dir: string;
  let d: TestDestination;
  beforeAll(async () => {
    dir = await makeTempDir('st-latest-');
    if (mode === 'local') d = await openTestDestination(dir);
    else if (mode === 'ssh') d = await openTestDestination({ server: sshd, path: dir });
    else {
      const key = await sshd.addClientKey(`nodel-${Date.now()}`, {
        restrictedDir: dir,
        noDel: true,
      });
      d = await openTestDestination({ server: sshd, path: '/', key });
    }
  });
  afterAll(async () => {
    await d.close();
  });

  it('points at the newest complete snapshot, replacing the old link, and is never listed or deleted as one', async () => {
    for (const name of ['u-2026-11-28-030000', 'u-2026-11-29-030000', 'u-2026-11-30-030000']) {
      await mkdir(join(dir, name, 'home'), { recursive: true });
    }
    const first = await pointLatestLink(d.ctx, 'u', [
      snapshot('u-2026-11-28-030000', 'ok', 1),
      snapshot('u-2026-11-29-030000', 'partial', 2),
      snapshot('u-2026-11-30-030000', 'unfinished', 3),
    ]);
    expect(first).toEqual({ ok: true, target: 'u-2026-11-29-030000' });
    expect(await readlink(join(dir, latestLinkName('u')))).toBe('u-2026-11-29-030000');

    const second = await pointLatestLink(d.ctx, 'u', [snapshot('u-2026-11-30-030000', 'ok', 3)]);
    expect(second).toEqual({ ok: true, target: 'u-2026-11-30-030000' });
    expect(await readlink(join(dir, 'u-latest'))).toBe('u-2026-11-30-030000');

    // A restore by hand goes through the link, as the README shows.
    await writeFile(join(dir, 'u-2026-11-30-030000', 'home', 'f.txt'), 'through the link');
    const out = await makeTempDir('st-by-hand-');
    const base = mode === 'rrsync -no-del' ? '/' : dir;
    const pulled = await d.ctx.spawn({
      file: 'rsync',
      args: [
        ...d.ctx.rsyncShellArgs,
        '-a',
        remote(d.ctx, join(base, 'u-latest/home/f.txt')),
        `${out}/`,
      ],
    });
    expect(pulled.exitCode, pulled.stderr).toBe(0);
    expect(await readFile(join(out, 'f.txt'), 'utf8')).toBe('through the link');

    const listing = await listed(d);
    expect(listing.directories.sort()).toEqual([
      'u-2026-11-28-030000',
      'u-2026-11-29-030000',
      'u-2026-11-30-030000',
    ]);
    expect(snapshotsOf('u', listing).snapshots.map((s) => s.name)).not.toContain('u-latest');
    if (mode !== 'rrsync -no-del') {
      const deleted = await deleteSnapshots(d.ctx, ['u-2026-11-30-030000']);
      expect(deleted.ok).toBe(true);
      // The link stays, dangling until the next backup points it again; its target is untouched.
      expect((await readdir(dir)).sort()).toEqual([
        'u-2026-11-28-030000',
        'u-2026-11-29-030000',
        'u-latest',
      ]);
    }
  });

  it('leaves a folder of that name alone, with a warning', async () => {
    await writeTree(join(dir, 'v-latest'), { 'mine.txt': 'not a link' });
    const r = await pointLatestLink(d.ctx, 'v', [snapshot('v-2026-11-29-030000', 'ok', 1)]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.warning).toMatch(
      /^The link v-latest could not be pointed at v-2026-11-29-030000 \(.+\)\. The snapshot is complete; only the shortcut to the newest one is missing or out of date/,
    );
    expect(await readFile(join(dir, 'v-latest', 'mine.txt'), 'utf8')).toBe('not a link');
  });
});

describe('a disk without symbolic links', () => {
  it('gets a warning, not a failure', async () => {
    const disk = await mountExfat(16);
    const d = await openTestDestination(disk.dir);
    try {
      const r = await pointLatestLink(d.ctx, 'w', [snapshot('w-2026-11-29-030000', 'ok', 1)]);
      expect(r).toMatchObject({ ok: false });
      if (!r.ok)
        expect(r.warning).toContain(
          '(a disk without symbolic links, such as FAT or exFAT, cannot hold it)',
        );
      expect(await readdir(disk.dir)).toEqual([]);
    } finally {
      await d.close();
      await disk.unmount();
    }
  });
});

describe('each successful backup', () => {
  let home: CliHome;
  it('points the link at its snapshot; list, prune and delete pass it by', async () => {
    home = await makeCliHome();
    const src = await makeTempDir('st-src-');
    const dest = await makeTempDir('st-dest-');
    await writeFile(join(src, 'a.txt'), 'a');
    const where = `${sshd.user}@127.0.0.1:${dest}`;
    const flags = cliFlags(sshd);
    expect((await runCli(['init', '--dest', where, ...flags], home)).code).toBe(0);
    const names: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await runCli(
        ['backup', '--dest', where, '--prefix', 'b', '--source', src, '--json', ...flags],
        home,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.json?.warnings).toEqual([]);
      names.push(String(r.json?.snapshot));
      expect(await readlink(join(dest, 'b-latest'))).toBe(names.at(-1));
    }
    const list = await runCli(['list', '--dest', where, '--prefix', 'b', '--json', ...flags], home);
    expect((list.json?.snapshots as Array<{ name: string }>).map((s) => s.name)).toEqual(names);
    const del = await runCli(
      ['delete', '--dest', where, '--prefix', 'b', names[0] ?? '', '--json', ...flags],
      home,
    );
    expect(del.code, del.stderr).toBe(0);
    const prune = await runCli(
      ['prune', '--dest', where, '--prefix', 'b', '--json', ...flags],
      home,
    );
    expect(prune.code, prune.stderr).toBe(0);
    expect((await readdir(dest)).filter((n) => n.startsWith('b-')).sort()).toEqual([
      names[1],
      `${names[1]}.snaptray.json`,
      'b-latest',
    ]);
  });
});
