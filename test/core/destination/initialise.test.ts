/**
 * Writing the destination marker into a local folder and through a real sshd, then checking the
 * destination as a backup would.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDestination } from '../../../core/destination/check.js';
import type { Destination } from '../../../core/destination/address.js';
import { listDestination } from '../../../core/destination/ops.js';
import { openDestination, type SessionEnvironment } from '../../../core/destination/session.js';
import { initialiseDestination, readMarker } from '../../../core/destination/initialise.js';
import { spawnProcess } from '../../../core/process.js';
import { sshSchema, type Profile } from '../../../core/settings/schema.js';
import { makeCliHome, runCli } from '../../support/cli.js';
import { startSshd, type Sshd } from '../../support/sshd.js';
import { makeTempDir } from '../../support/tree.js';

let sshd: Sshd;
let root: string;

beforeAll(async () => {
  sshd = await startSshd();
  root = await makeTempDir('st-init-');
});
afterAll(async () => {
  await sshd.stop();
  await rm(root, { recursive: true, force: true });
});

function environment(): SessionEnvironment {
  return {
    spawn: spawnProcess,
    runtimeDir: join(root, 'run'),
    userKnownHosts: [],
    appKnownHosts: sshd.knownHosts,
    defaultSshConfig: sshd.sshConfig,
  };
}

function sshSettings(): Profile['ssh'] {
  return sshSchema.parse({ port: sshd.port, identityFile: sshd.clientKey });
}

/** Opens the destination, lists it and initialises it as the settings window does. */
async function initialise(dest: Destination, ssh: Profile['ssh'], now: Date) {
  const opened = await openDestination(environment(), dest, ssh);
  if (!opened.ok) throw new Error(opened.failure.message);
  try {
    const listing = await listDestination(opened.value.ctx);
    if (!listing.ok) throw new Error(listing.failure.message);
    return await initialiseDestination(opened.value.ctx, listing.value, now, 'univac');
  } finally {
    await opened.value.close();
  }
}

async function markerStep(dest: Destination, ssh: Profile['ssh']) {
  const steps = await checkDestination(environment(), dest, ssh);
  return steps.find((s) => s.step === 'marker');
}

describe.each([
  ['a local folder', 'local'],
  ['a folder over ssh', 'ssh'],
] as const)('initialiseDestination on %s', (_label, kind) => {
  it('writes the marker once, after which the check finds it', async () => {
    const folder = await makeTempDir(`st-init-${kind}-`);
    const dest: Destination =
      kind === 'local'
        ? { kind: 'local', path: folder }
        : { kind: 'ssh', user: sshd.user, host: '127.0.0.1', path: folder };
    const ssh = kind === 'local' ? sshSchema.parse({}) : sshSettings();

    expect(await markerStep(dest, ssh)).toMatchObject({ ok: false, kind: 'not-initialised' });
    const now = new Date('2026-11-26T03:00:00.000Z');
    const disk = { hardLinks: true, symlinks: true, permissions: true };
    expect(await initialise(dest, ssh, now)).toEqual({
      ok: true,
      value: { initialised: true, probe: { ...disk, cleanedUp: true, leftover: null } },
    });
    expect(await readdir(folder)).toEqual(['.snaptray-destination']);
    expect(JSON.parse(await readFile(join(folder, '.snaptray-destination'), 'utf8'))).toEqual({
      format: 1,
      createdAt: '2026-11-26T03:00:00.000Z',
      createdBy: 'univac',
      disk,
    });
    expect(await markerStep(dest, ssh)).toEqual({
      step: 'marker',
      ok: true,
      message: 'The destination marker is there.',
    });

    // A second time it sees the marker and writes nothing: the very same file stays.
    const marker = join(folder, '.snaptray-destination');
    const before = await stat(marker);
    const again = await initialise(dest, ssh, new Date('2027-01-01T00:00:00Z'));
    expect(again).toEqual({ ok: true, value: { initialised: false, probe: null } });
    const after = await stat(marker);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(await readFile(join(folder, '.snaptray-destination'), 'utf8')).toContain('2026-11-26');
    await rm(folder, { recursive: true, force: true });
  });
});

describe('initialiseDestination', () => {
  it('writes the same marker as snaptray init', async () => {
    const byCli = await makeTempDir('st-init-cli-');
    const byEngine = await makeTempDir('st-init-engine-');
    const home = await makeCliHome();
    const init = await runCli(['init', '--dest', byCli], home);
    expect(init.code, init.stderr).toBe(0);
    const cliMarker = JSON.parse(
      await readFile(join(byCli, '.snaptray-destination'), 'utf8'),
    ) as Record<string, unknown>;
    const now = new Date(String(cliMarker['createdAt']));
    const opened = await openDestination(
      environment(),
      { kind: 'local', path: byEngine },
      sshSchema.parse({}),
    );
    if (!opened.ok) throw new Error(opened.failure.message);
    try {
      await initialiseDestination(
        opened.value.ctx,
        { hasMarker: false, marker: null },
        now,
        String(cliMarker['createdBy']),
      );
    } finally {
      await opened.value.close();
    }
    expect(await readFile(join(byEngine, '.snaptray-destination'), 'utf8')).toBe(
      await readFile(join(byCli, '.snaptray-destination'), 'utf8'),
    );
    await rm(byCli, { recursive: true, force: true });
    await rm(byEngine, { recursive: true, force: true });
  });

  it('reports a destination folder that does not exist', async () => {
    const missing = join(root, 'not-mounted', 'backups');
    const opened = await openDestination(
      environment(),
      { kind: 'local', path: missing },
      sshSchema.parse({}),
    );
    if (!opened.ok) throw new Error(opened.failure.message);
    try {
      const result = await initialiseDestination(
        opened.value.ctx,
        { hasMarker: false, marker: null },
        new Date(),
        'univac',
      );
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.failure.kind).toBe('destination-missing');
    } finally {
      await opened.value.close();
    }
  });
});

describe('reading the marker', () => {
  it('tells what the disk keeps, and a damaged record of the disk hides nothing else', () => {
    const ntfs = {
      format: 1,
      disk: { hardLinks: true, symlinks: true, permissions: false },
      allowFullCopies: true,
    };
    expect(readMarker(`${JSON.stringify(ntfs)}\n`)).toEqual({
      allowFullCopies: true,
      keepsModes: false,
      raw: ntfs,
    });
    const older = { format: 1, createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'old' };
    expect(readMarker(JSON.stringify(older))).toEqual({
      allowFullCopies: false,
      keepsModes: true,
      raw: older,
    });
    const damaged = { format: 1, disk: 'ntfs', allowFullCopies: true };
    expect(readMarker(JSON.stringify(damaged))).toEqual({
      allowFullCopies: true,
      keepsModes: true,
      raw: damaged,
    });
    expect(readMarker('written by hand')).toEqual({
      allowFullCopies: false,
      keepsModes: true,
      raw: {},
    });
  });
});
