/** The entry: a CLI subcommand runs the CLI headless, with no tray and no window. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { fake, resetFake } from '../support/fake-electron.js';

vi.mock('electron', async () => {
  const module = await import('../support/fake-electron.js');
  return { ...module.electronModule, default: module.electronModule };
});

const savedArgv = process.argv;
afterEach(() => {
  process.argv = savedArgv;
});

it('runs `snaptray list` as the CLI and exits with its code', async () => {
  resetFake();
  const dest = await mkdtemp(join(tmpdir(), 'st-main-'));
  process.argv = ['/opt/Snaptray/snaptray', 'list', '--dest', dest, '--prefix', 't', '--json'];
  const writes: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    writes.push(String(chunk));
    return true;
  });
  // Under plain Node `process.defaultApp` is unset, as in a packaged app.
  try {
    await import('../../electron/main.js');
  } finally {
    spy.mockRestore();
  }
  // No marker on the destination: the CLI refuses with exit code 1, in its JSON shape.
  expect(fake.app.exitCode).toBe(1);
  expect(JSON.parse(writes.join(''))).toMatchObject({
    snapshots: [],
    error: { kind: 'not-initialised' },
  });
  expect(fake.trays).toEqual([]);
  expect(fake.windows).toEqual([]);
});
