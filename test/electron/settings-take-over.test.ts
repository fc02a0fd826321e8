/**
 * The settings window's Test connection and Take over, through the real handlers the window calls,
 * for a home folder whose identity was made on another machine. Real rsync on a local disk.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { defaultProfile } from '../../core/settings/schema.js';
import { keyedHash } from '../../core/settings/this-machine.js';
import { openConfStore } from '../../core/settings/store.js';
import { createSettingsApi } from '../../electron/settings/api.js';
import { answeredDialogs } from '../support/answered-dialogs.js';
import { makeCliHome, runCli, writeSettingsFile } from '../support/cli.js';
import { makeTempDir, writeTree } from '../support/tree.js';

it('names a home copied from another machine, and Take over continues its snapshots', async () => {
  const dest = await makeTempDir('st-disk-');
  const src = await makeTempDir('st-src-');
  await writeTree(src, { 'file.txt': 'hello', 'big.bin': Buffer.alloc(50_000, 3) });
  const old = await makeCliHome();
  expect((await runCli(['init', '--dest', dest], old)).code).toBe(0);
  const first = await runCli(['backup', '--dest', dest, '--source', src, '--prefix', 'box'], old);
  expect(first.code, first.stderr).toBe(0);

  // This account's home, its identity file as it came from the old laptop.
  const user = await makeCliHome();
  const arrived = JSON.parse(
    await readFile(join(old.configDir, 'Snaptray', 'identity.json'), 'utf8'),
  ) as { id: string; madeFor: Record<string, unknown> };
  arrived.madeFor = {
    ...arrived.madeFor,
    machine: keyedHash('machine-id', 'f'.repeat(32)),
    host: 'oldlaptop',
  };
  await mkdir(join(user.configDir, 'Snaptray'), { recursive: true });
  await writeFile(join(user.configDir, 'Snaptray', 'identity.json'), JSON.stringify(arrived));
  const profile = { ...defaultProfile(), sources: [src], destination: dest, prefix: 'box' };
  await writeSettingsFile(join(user.configDir, 'Snaptray', 'config.json'), { default: profile });
  const api = createSettingsApi({
    env: user.env,
    spawn: spawnProcess,
    openBackend: openConfStore,
    now: () => new Date(),
    hostname: hostname(),
    dialogs: answeredDialogs(),
  });

  const tested = await api.testConnection(profile);
  expect(tested.ok).toBe(true);
  const report = tested.ok ? tested.value : null;
  expect(report?.canAdopt).toBe(true);
  expect(report?.steps.find((s) => s.step === 'owner')).toMatchObject({
    ok: false,
    kind: 'prefix-owned',
    message: expect.stringMatching(
      new RegExp(
        `this looks like a home folder copied or restored from "${hostname()}".*Take over in ` +
          'the settings window',
      ),
    ),
  });
  const claimFile = join(dest, 'box.snaptray-owner.json');
  expect(JSON.parse(await readFile(claimFile, 'utf8')).owner.id).toBe(arrived.id);

  const adopted = await api.adoptPrefix(profile);
  expect(adopted.ok).toBe(true);
  expect(adopted.ok && adopted.value.steps.find((s) => s.step === 'owner')?.ok).toBe(true);
  const mine = JSON.parse(
    await readFile(join(user.configDir, 'Snaptray', 'identity.json'), 'utf8'),
  );
  const claim = JSON.parse(await readFile(claimFile, 'utf8'));
  expect(mine.id).not.toBe(arrived.id);
  expect(claim.owner.id).toBe(mine.id);
  expect(claim.previousOwners.map((p: { id: string }) => p.id)).toEqual([arrived.id]);
  // The CLI of this account now backs up under it, linking against the old laptop's snapshot.
  const next = await runCli(['backup', '--json'], user);
  expect(next.code, next.stderr).toBe(0);
  expect(next.json?.files).toBe(0);
});
