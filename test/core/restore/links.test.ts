/**
 * Links a restore brought from a snapshot never steer a later restore, on a local destination and
 * over ssh, with real backups and real rsync: `proj/lib` was a folder in the first snapshot and is
 * a link to a folder outside in the second. Restored, the link comes back as a link; restoring
 * the old folder's file (or the whole old folder) never writes through it, and the file the link
 * leads to keeps its bytes. A link of the user's own on the way is still followed.
 */
import { lstat, mkdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDestination } from '../../../core/destination/ops.js';
import { snapshotsOf, type Snapshot } from '../../../core/destination/snapshot.js';
import { restorePaths, type RestoreRequest } from '../../../core/restore/restore.js';
import { makeCliHome, runCli } from '../../support/cli.js';
import { openTestDestination, type TestDestination } from '../../support/destination.js';
import { cliFlags, startSshd, type Sshd } from '../../support/sshd.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd.stop();
});

function request(over: Partial<RestoreRequest>): RestoreRequest {
  return {
    paths: [],
    from: { before: null },
    to: null,
    missingOnly: false,
    dryRun: false,
    asRoot: true,
    now: new Date(2026, 10, 29, 10, 15, 0),
    watched: false,
    prefix: 'l',
    ...over,
  };
}

describe.each(['local', 'ssh'] as const)('links from snapshots, %s destination', (mode) => {
  let src: string;
  let outside: string;
  let secret: Buffer;
  let dest: TestDestination;
  let snapshots: Snapshot[];

  beforeAll(async () => {
    const home = await makeCliHome();
    src = await makeTempDir('st-src-');
    outside = await makeTempDir('st-outside-');
    secret = randomBytes(4096);
    await writeFile(join(outside, 'secret.txt'), secret);
    const destDir = await makeTempDir('st-dest-');
    await writeTree(src, { 'proj/top.txt': 'top', 'proj/lib/secret.txt': 'from the snapshot' });
    const where = mode === 'local' ? destDir : `${sshd.user}@127.0.0.1:${destDir}`;
    const flags = mode === 'local' ? [] : cliFlags(sshd);
    const backup = async () => {
      const r = await runCli(
        ['backup', '--dest', where, '--prefix', 'l', '--source', src, '--json', ...flags],
        home,
      );
      expect(r.code, r.stderr).toBe(0);
    };
    expect((await runCli(['init', '--dest', where, ...flags], home)).code).toBe(0);
    await backup();
    await rm(join(src, 'proj/lib'), { recursive: true });
    await symlink(outside, join(src, 'proj/lib'));
    await backup();
    dest = await openTestDestination(mode === 'local' ? destDir : { server: sshd, path: destDir });
    const listing = await listDestination(dest.ctx);
    if (!listing.ok) throw new Error(listing.failure.message);
    snapshots = snapshotsOf('l', listing.value).snapshots;
    expect(snapshots).toHaveLength(2);
  });
  afterAll(async () => {
    await dest.close();
  });

  it('restores a link as a link, and never writes through it afterwards', async () => {
    const proj = join(src, 'proj');
    const lib = join(proj, 'lib');
    await rm(proj, { recursive: true });
    const whole = await restorePaths(dest.ctx, snapshots, request({ paths: [proj] }));
    expect(whole).toMatchObject({ ok: true, value: { outcome: 'ok', skipped: [] } });
    expect(await readlink(lib)).toBe(outside);

    // The old snapshot's file, by itself: the link on its way came from a snapshot.
    const first = snapshots[0]!.name;
    const one = await restorePaths(
      dest.ctx,
      snapshots,
      request({ paths: [join(lib, 'secret.txt')], from: { snapshot: first } }),
    );
    expect(await readFile(join(outside, 'secret.txt'))).toEqual(secret);
    expect(one).toEqual({
      ok: false,
      failure: {
        kind: 'refused',
        message:
          `${lib} is a symbolic link here to ${outside}, and the snapshot ${snapshots[1]!.name} ` +
          'holds a link in its place: it may have come from a restore, and a restore never ' +
          'writes through a link it may have made. Restore elsewhere with --to DIR; if you ' +
          'made that link yourself, name the folder it leads to with --to.',
      },
    });

    // The old folder by itself, and the old tree whole: rsync will not write through the link.
    const folder = await restorePaths(
      dest.ctx,
      snapshots,
      request({ paths: [lib], from: { snapshot: first } }),
    );
    expect(folder).toMatchObject({ ok: false, failure: { kind: 'refused' } });
    const tree = await restorePaths(
      dest.ctx,
      snapshots,
      request({ paths: [proj], from: { snapshot: first } }),
    );
    expect(tree).toMatchObject({ ok: true, value: { outcome: 'partial' } });
    expect(tree.ok && tree.value.skipped).toEqual([
      {
        path: lib,
        why:
          `it is a symbolic link here to ${outside}; the snapshot ${snapshots[1]!.name} holds a ` +
          'link in its place, so it may have come from a restore, and a restore neither replaces ' +
          'it nor writes through it; restore elsewhere with --to',
      },
      {
        path: join(lib, 'secret.txt'),
        why:
          `a folder on its way, ${lib}, is a symbolic link here to ${outside}; the snapshot ` +
          `${snapshots[1]!.name} holds a link in its place, so it may have come from a restore, ` +
          'and a restore neither replaces it nor writes through it; restore elsewhere with --to',
      },
    ]);
    expect(await readlink(lib)).toBe(outside);
    expect(await readFile(join(outside, 'secret.txt'))).toEqual(secret);

    // Into a folder of the user's choosing, the old file comes back.
    const chosen = await makeTempDir('st-chosen-');
    const elsewhere = await restorePaths(
      dest.ctx,
      snapshots,
      request({ paths: [join(lib, 'secret.txt')], from: { snapshot: first }, to: chosen }),
    );
    expect(elsewhere).toMatchObject({ ok: true, value: { outcome: 'ok', restored: 1 } });
    expect(await readFile(join(chosen, 'secret.txt'), 'utf8')).toBe('from the snapshot');
  });

  it('follows a link of the user’s own above what it restores', async () => {
    // proj/top.txt's folder moved to another disk, a link left in its place, made here.
    const proj = join(src, 'proj');
    const moved = join(await makeTempDir('st-moved-'), 'proj');
    await rm(proj, { recursive: true, force: true });
    await mkdir(moved);
    await symlink(moved, proj);
    const top = await restorePaths(
      dest.ctx,
      snapshots,
      request({ paths: [join(proj, 'top.txt')] }),
    );
    expect(top).toMatchObject({ ok: true, value: { outcome: 'ok', restored: 1 } });
    expect((await lstat(proj)).isSymbolicLink()).toBe(true);
    expect(await readFile(join(moved, 'top.txt'), 'utf8')).toBe('top');
    await rm(proj);
    await rename(moved, proj);
  });
});
