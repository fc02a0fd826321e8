/**
 * Whose files a restore by root makes, from a local destination: the stored owners from a
 * snapshot that kept them (as root, or in fake-super attributes, read back by the sending side),
 * and root's own without a setuid bit from one that did not.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDestination } from '../../../core/destination/ops.js';
import { manifestName } from '../../../core/destination/snapshot-name.js';
import { snapshotsOf } from '../../../core/destination/snapshot.js';
import { restorePaths } from '../../../core/restore/restore.js';
import { openTestDestination, type TestDestination } from '../../support/destination.js';
import { makeTempDir } from '../../support/tree.js';

const run = promisify(execFile);
const OWNER = 4321;

let src: string;
let dest: string;
let d: TestDestination;

/** A snapshot of `src` stored by rsync as a backup stores it, with a manifest saying how. */
async function store(name: string, ownership: string, rsyncArgs: string[]): Promise<void> {
  await run('rsync', ['-aR', '--numeric-ids', ...rsyncArgs, src, `${join(dest, name)}/`]);
  const manifest = {
    format: 1,
    host: 'h',
    prefix: 'o',
    startedAt: new Date(Date.UTC(2026, 10, 29, Number(name.slice(-6, -4)))).toISOString(),
    endedAt: new Date().toISOString(),
    rsyncExitCode: 0,
    status: 'ok',
    files: 1,
    bytesSent: 1,
    appVersion: '0.1.0',
    ownership,
  };
  await writeFile(join(dest, manifestName(name)), JSON.stringify(manifest));
}

beforeAll(async () => {
  src = await makeTempDir('st-own-src-');
  dest = await makeTempDir('st-own-dest-');
  await writeFile(join(src, 'prog'), 'setuid program');
  await chown(join(src, 'prog'), OWNER, OWNER);
  await chmod(join(src, 'prog'), 0o4755);
  await store('o-2026-11-29-010000', 'kept', []);
  await store('o-2026-11-29-020000', 'fake-super', ['-M--fake-super']);
  await store('o-2026-11-29-030000', 'not-kept', ['--chown=0:0']);
  d = await openTestDestination(dest);
});
afterAll(async () => {
  await d.close();
});

describe('a restore by root', () => {
  it.each([
    ['o-2026-11-29-010000', [OWNER, OWNER, 0o4755]],
    ['o-2026-11-29-020000', [OWNER, OWNER, 0o4755]],
    ['o-2026-11-29-030000', [0, 0, 0o755]],
  ])('from %s', async (name, expected) => {
    const stored = await stat(join(dest, name, src, 'prog'));
    if (name.endsWith('020000')) expect([stored.uid, stored.mode & 0o7777]).toEqual([0, 0o755]);
    const listing = await listDestination(d.ctx);
    if (!listing.ok) throw new Error(listing.failure.message);
    const to = await makeTempDir('st-own-to-');
    await mkdir(to, { recursive: true });
    const r = await restorePaths(d.ctx, snapshotsOf('o', listing.value).snapshots, {
      paths: [join(src, 'prog')],
      from: { snapshot: name },
      to,
      missingOnly: false,
      watched: false,
      dryRun: false,
      asRoot: true,
      now: new Date(),
      prefix: 'o',
    });
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true, value: { outcome: 'ok', restored: 1 } });
    const back = await stat(join(to, 'prog'));
    expect([back.uid, back.gid, back.mode & 0o7777]).toEqual(expected);
  });
});
