/**
 * Every outcome true on real destinations: disks that keep no links (exFAT) or no modes (NTFS
 * without `permissions`), a router whose rsync tags nothing, a router account that cannot store
 * device files, a full disk with and without makeRoom, and sources that are links to folders.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  chmod,
  chown,
  lstat,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeCliHome, runCli, writeSettingsFile, type CliHome } from '../../support/cli.js';
import { mountExfat, mountNtfs, mountTmpfs, type Disk } from '../../support/disks.js';
import { startRouter, type Router } from '../../support/router.js';
import { cliFlags } from '../../support/sshd.js';
import { linkCount, makeTempDir, writeTree } from '../../support/tree.js';

let home: CliHome;
let src: string;
const disks: Disk[] = [];

beforeEach(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  await writeTree(src, { 'a.txt': 'alpha', 'sub/b.txt': 'beta' });
});
afterEach(async () => {
  while (disks.length > 0) await disks.pop()!.unmount();
});

async function disk(make: () => Promise<Disk>): Promise<string> {
  const d = await make();
  disks.push(d);
  return d.dir;
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

async function snapshots(dest: string, prefix = 't'): Promise<string[]> {
  return (await readdir(dest)).filter((n) => new RegExp(`^${prefix}-[\\d-]+$`).test(n)).sort();
}

/** A marker as an older Snaptray wrote it, without probing the disk. */
async function oldMarker(dest: string): Promise<void> {
  await writeFile(
    join(dest, '.snaptray-destination'),
    '{"format":1,"createdAt":"2026-01-01T00:00:00.000Z","createdBy":"old"}\n',
  );
}

describe('an exFAT disk', () => {
  it('is refused by init, with what it is and the fix, even with --allow-full-copies', async () => {
    const dest = await disk(() => mountExfat(32));
    for (const extra of [[], ['--allow-full-copies']]) {
      const r = await runCli(['init', '--dest', dest, '--json', ...extra], home);
      expect(r.code).toBe(1);
      expect(r.json?.error).toMatchObject({ kind: 'full-copies' });
      expect((r.json?.error as { message: string }).message).toMatch(
        /neither hard links nor symbolic links: it is most likely a FAT or exFAT disk.*ext4/,
      );
    }
    expect(await readdir(dest)).toEqual([]);
  });

  it('fails a backup the disk could not store, with no manifest and the refusal in words', async () => {
    const dest = await disk(() => mountExfat(32));
    await oldMarker(dest);
    await symlink('a.txt', join(src, 'link'));
    const r = await runCli(
      ['backup', '--dest', dest, '--source', src, '--prefix', 't', '--json'],
      home,
    );
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({
      outcome: 'failed',
      rsyncExitCode: 23,
      error: { kind: 'destination-refused' },
    });
    const message = (r.json?.error as { message: string }).message;
    expect(message).toMatch(
      /^The destination could not store everything, so no snapshot was recorded: /,
    );
    expect(message).toMatch(
      /it cannot store symbolic links \(1 item, for example \S*\/link: Function not implemented \(38\)\).*FAT or exFAT/,
    );
    const [made] = await snapshots(dest);
    expect(made).toBeDefined();
    expect(existsSync(join(dest, `${made}.snaptray.json`))).toBe(false);
    const list = await runCli(['list', '--dest', dest, '--prefix', 't', '--json'], home);
    expect(list.json?.snapshots).toEqual([
      expect.objectContaining({ name: made, state: 'unfinished' }),
    ]);
  });
});

describe('an NTFS disk mounted without "permissions"', () => {
  it('is refused by init unless full copies are allowed, after which each run says it stored every file in full, without a warning', async () => {
    const dest = await disk(() => mountNtfs(32, { permissions: false }));
    const refused = await runCli(['init', '--dest', dest, '--json'], home);
    expect(refused.code).toBe(1);
    expect((refused.json?.error as { message: string }).message).toMatch(
      /does not keep file permissions .*NTFS disk mounted without the "permissions" option.*snaptray init --allow-full-copies/,
    );
    expect(existsSync(join(dest, '.snaptray-destination'))).toBe(false);

    const allowed = await runCli(['init', '--dest', dest, '--allow-full-copies', '--json'], home);
    expect(allowed.code, allowed.stderr).toBe(0);
    const marker = JSON.parse(await readFile(join(dest, '.snaptray-destination'), 'utf8'));
    expect(marker).toMatchObject({ allowFullCopies: true, disk: { permissions: false } });

    const flags = ['--dest', dest, '--source', src, '--prefix', 't', '--json'];
    expect((await runCli(['backup', ...flags], home)).code).toBe(0);
    await sleep(1100);
    const second = await runCli(['backup', ...flags], home);
    expect(second.code, second.stderr).toBe(0);
    // Full copies were allowed at setup: no warning each run, and no surprise (fullCopy), but the
    // result says every file was stored again, not that nothing was.
    expect(second.json).toMatchObject({
      outcome: 'ok',
      files: 0,
      bytesSent: 0,
      totalFiles: 2,
      fullCopy: false,
      storedInFull: true,
      warnings: [],
    });
    const [s1, s2] = await snapshots(dest);
    expect(await linkCount(join(dest, s2!, src, 'a.txt'))).toBe(1);
    // The manifests say what the disk kept: neither owners nor modes.
    for (const s of [s1, s2]) {
      const manifest = JSON.parse(await readFile(join(dest, `${s}.snaptray.json`), 'utf8'));
      expect(manifest).toMatchObject({ ownership: 'not-kept', modes: 'not-kept' });
    }
    const text = await runCli(['backup', '--dest', dest, '--source', src, '--prefix', 't'], home);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^Backed up: t-[\d-]+ — every file stored again in full, none hard-linked to the previous snapshot; the snapshot holds 2 files, 9 B, in /,
    );
    expect(text.stdout).not.toMatch(/changed files? sent/);
    expect(text.stderr).toBe('');
    const check = await runCli(['check', '--dest', dest, '--json'], home);
    expect(check.json?.steps).toContainEqual({
      step: 'ownership',
      ok: true,
      message: expect.stringMatching(/^The disk keeps no file modes or owners/),
    });
  });

  it('restores a private file from it no wider than it was, in place and into an empty place, and says why', async () => {
    const dest = await disk(() => mountNtfs(32, { permissions: false }));
    expect((await runCli(['init', '--dest', dest, '--allow-full-copies'], home)).code).toBe(0);
    const shadow = join(src, 'etc/shadow');
    await writeTree(src, { 'etc/shadow': 'root:$6$salt$hash:19000:0:99999:7:::\n' });
    await chmod(shadow, 0o600);
    await chmod(join(src, 'etc'), 0o700);
    const at = ['--dest', dest, '--prefix', 't'];
    const backedUp = await runCli(['backup', ...at, '--source', src, '--json'], home);
    expect(backedUp.code, backedUp.stderr).toBe(0);
    const snapshot = String(backedUp.json?.snapshot);
    expect((await stat(join(dest, snapshot, shadow))).mode & 0o777).toBe(0o777);
    const warning = /^This snapshot is on a disk that kept no permissions .*files 600, folders 700/;

    // In place, over files that changed since: each keeps its own mode, the restored content
    // and the copy kept aside alike.
    await writeFile(shadow, 'root:changed since\n');
    await writeFile(join(src, 'a.txt'), 'changed since');
    await chmod(join(src, 'a.txt'), 0o640);
    const inPlace = await runCli(['restore', shadow, join(src, 'a.txt'), ...at, '--json'], home);
    expect(inPlace.code, inPlace.stderr).toBe(0);
    expect(inPlace.json).toMatchObject({
      restored: 2,
      restoresOwners: false,
      restoresModes: false,
      warnings: [expect.stringMatching(warning)],
    });
    expect(await readFile(shadow, 'utf8')).toBe('root:$6$salt$hash:19000:0:99999:7:::\n');
    expect((await stat(shadow)).mode & 0o777).toBe(0o600);
    expect((await stat(join(src, 'a.txt'))).mode & 0o777).toBe(0o640);
    const kept = new Map(
      (inPlace.json?.keptAside as Array<{ path: string; keptAs: string }>).map((k) => [
        k.path,
        k.keptAs,
      ]),
    );
    expect((await stat(kept.get(shadow) ?? '')).mode & 0o777).toBe(0o600);
    expect((await stat(kept.get(join(src, 'a.txt')) ?? '')).mode & 0o777).toBe(0o640);

    // Into an empty place: every new file and folder is private; the warning is on stderr.
    const to = await makeTempDir('st-ntfs-to-');
    const fresh = await runCli(['restore', join(src, 'etc'), '--to', to, ...at], home);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).toMatch(new RegExp(`^Warning: ${warning.source.slice(1)}`, 'm'));
    expect((await stat(join(to, 'etc/shadow'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(to, 'etc'))).mode & 0o777).toBe(0o700);
  });

  it('restores privately from a snapshot whose manifest predates the record of modes, as the marker says', async () => {
    const dest = await disk(() => mountNtfs(32, { permissions: false }));
    expect((await runCli(['init', '--dest', dest, '--allow-full-copies'], home)).code).toBe(0);
    await chmod(join(src, 'a.txt'), 0o600);
    const at = ['--dest', dest, '--prefix', 't'];
    const backedUp = await runCli(['backup', ...at, '--source', src, '--json'], home);
    expect(backedUp.code, backedUp.stderr).toBe(0);
    // As a version before the `modes` field wrote it, backing up as root.
    const file = join(dest, `${String(backedUp.json?.snapshot)}.snaptray.json`);
    const older = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    delete older.modes;
    await writeFile(file, JSON.stringify({ ...older, ownership: 'kept' }));

    const to = await makeTempDir('st-ntfs-to-');
    const r = await runCli(['restore', join(src, 'a.txt'), '--to', to, ...at, '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ restored: 1, restoresOwners: false, restoresModes: false });
    expect((await stat(join(to, 'a.txt'))).mode & 0o777).toBe(0o600);
  });

  it('without that allowance, a run that copied everything says so in the result', async () => {
    const dest = await disk(() => mountNtfs(32, { permissions: false }));
    await oldMarker(dest);
    const flags = ['--dest', dest, '--source', src, '--prefix', 't'];
    expect((await runCli(['backup', ...flags, '--json'], home)).code).toBe(0);
    await sleep(1100);
    const second = await runCli(['backup', ...flags], home);
    expect(second.code).toBe(0);
    // Text mode without a terminal, as from cron: the warning is on stderr.
    expect(second.stderr).toMatch(/^Warning: Every unchanged file was copied again/m);
    const json = await runCli(['backup', ...flags, '--json'], home);
    expect(json.json).toMatchObject({ outcome: 'ok', fullCopy: true, storedInFull: true });
  });
});

describe('a previous snapshot that holds nothing it says it holds', () => {
  it('is noticed: every file was sent again although the base should have had them', async () => {
    const dest = await makeTempDir('st-dest-');
    expect((await runCli(['init', '--dest', dest], home)).code).toBe(0);
    const flags = ['--dest', dest, '--source', src, '--prefix', 't', '--json'];
    expect((await runCli(['backup', ...flags], home)).code).toBe(0);
    // As when an rrsync key silently gives rsync an empty folder for a --link-dest it cannot find.
    const [s1] = await snapshots(dest);
    await rm(join(dest, s1!, src), { recursive: true });
    await sleep(1100);
    const second = await runCli(['backup', ...flags], home);
    expect(second.code).toBe(0);
    expect(second.json).toMatchObject({ fullCopy: true, files: 2 });
    expect((second.json?.warnings as string[]).join(' ')).toMatch(
      /the previous snapshot was not found as a base/,
    );
  });
});

describe('a router whose rsync tags nothing (rsync 3.0/3.1)', () => {
  let router: Router;
  beforeAll(async () => {
    router = await startRouter({ untaggedRsync: true });
  });
  afterAll(async () => {
    await router.stop();
  });

  function ssh(r: Router): string[] {
    return cliFlags(r);
  }

  it('blames the destination for what the destination refused', async () => {
    const dest = await disk(() => mountExfat(32, { uid: router.uid, gid: router.gid }));
    await oldMarker(dest);
    await chown(join(dest, '.snaptray-destination'), router.uid, router.gid);
    await symlink('a.txt', join(src, 'link'));
    const r = await runCli(
      [
        'backup',
        '--dest',
        `${router.user}@127.0.0.1:${dest}`,
        '--source',
        src,
        '--prefix',
        't',
        '--json',
        ...ssh(router),
      ],
      home,
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.json?.error).toMatchObject({ kind: 'destination-refused' });
    expect((r.json?.error as { message: string }).message).toMatch(/cannot store symbolic links/);
    const [made] = await snapshots(dest);
    expect(existsSync(join(dest, `${made}.snaptray.json`))).toBe(false);
  }, 120_000);

  it('says which special files an account that is not root could not store', async () => {
    const dest = await router.makeRouterFolder();
    const remote = `${router.user}@127.0.0.1:${dest}`;
    expect((await runCli(['init', '--dest', remote, ...ssh(router)], home)).code).toBe(0);
    execFileSync('mknod', [join(src, 'null-device'), 'c', '1', '3']);
    const r = await runCli(
      ['backup', '--dest', remote, '--source', src, '--prefix', 't', ...ssh(router)],
      home,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^Warning: 1 special file \(devices, sockets or pipes\) could not be stored, because the destination account is not root: .*null-device\. Turn on fakeSuper/m,
    );
  }, 120_000);
});

describe('a full destination', () => {
  async function fill(
    makeRoom: boolean,
  ): Promise<{ dest: string; run: () => ReturnType<typeof runCli> }> {
    const dest = await disk(() => mountTmpfs(6));
    expect((await runCli(['init', '--dest', dest], home)).code).toBe(0);
    const config = join(await makeTempDir('st-cfg-'), 'config.json');
    await writeSettingsFile(config, {
      default: {
        sources: [src],
        destination: dest,
        prefix: 't',
        retention: { makeRoom, makeRoomKeep: 1 },
      },
    });
    const run = () => runCli(['backup', '--config', config, '--json'], home);
    for (const fill of [1, 2]) {
      await writeFile(join(src, 'big.bin'), Buffer.alloc(2_400_000, fill));
      const r = await run();
      expect(r.code, r.stderr).toBe(0);
      await sleep(1100);
    }
    await writeFile(join(src, 'big.bin'), Buffer.alloc(2_400_000, 3));
    return { dest, run };
  }

  it('with makeRoom off: fails, says the disk is full, and deletes nothing', async () => {
    const { dest, run } = await fill(false);
    const before = await snapshots(dest);
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({
      outcome: 'failed',
      error: { kind: 'disk-full' },
      deletedToMakeRoom: [],
    });
    const after = await snapshots(dest);
    for (const name of before) expect(after).toContain(name);
  });

  it('with makeRoom on: deletes the oldest down to the minimum, tries again, and reports each deletion', async () => {
    const { dest, run } = await fill(true);
    const [oldest, newer] = await snapshots(dest);
    const r = await run();
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.deletedToMakeRoom).toEqual([oldest]);
    expect((r.json?.warnings as string[]).join(' ')).toMatch(
      new RegExp(
        `destination was full: deleted 1 of the oldest snapshots to make room \\(${oldest}\\)`,
      ),
    );
    const made = r.json?.snapshot as string;
    expect(existsSync(join(dest, `${made}.snaptray.json`))).toBe(true);
    // Buffer.equals: a deep equality of 2.4 MB byte by byte takes the matcher many seconds.
    const stored = await readFile(join(dest, made, src, 'big.bin'));
    expect(stored.equals(await readFile(join(src, 'big.bin')))).toBe(true);
    expect(existsSync(join(dest, oldest!))).toBe(false);
    expect(existsSync(join(dest, newer!))).toBe(true);
    // The attempt that found the disk full is cleaned up once the retry succeeded, and said so.
    expect((await snapshots(dest)).sort()).toEqual([newer, made].sort());
    const deleted = r.json?.deleted as { name: string; reason: string }[];
    expect(deleted.map((d) => d.reason)).toEqual([
      'to make room on a full disk',
      'the attempt that found the destination full',
    ]);
    expect(deleted[0]?.name).toBe(oldest);
    const listed = await runCli(['list', '--dest', dest, '--prefix', 't', '--json'], home);
    expect((listed.json?.snapshots as { state: string }[]).map((s) => s.state)).toEqual([
      'ok',
      'ok',
    ]);
  });
});

describe('a source that is a symbolic link to a folder', () => {
  it('is backed up as the folder’s contents under the source’s own path', async () => {
    const dest = await makeTempDir('st-dest-');
    expect((await runCli(['init', '--dest', dest], home)).code).toBe(0);
    const elsewhere = await makeTempDir('st-real-');
    await writeTree(elsewhere, { 'doc.txt': 'on another disk' });
    const linked = join(src, 'Documents');
    await symlink(elsewhere, linked);
    const r = await runCli(
      ['backup', '--dest', dest, '--source', linked, '--prefix', 't', '--json'],
      home,
    );
    expect(r.code, r.stderr).toBe(0);
    const stored = join(dest, r.json?.snapshot as string, linked);
    expect((await lstat(stored)).isDirectory()).toBe(true);
    expect(await readFile(join(stored, 'doc.txt'), 'utf8')).toBe('on another disk');
  });
});
