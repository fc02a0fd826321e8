import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearPause, readPause, setPause } from '../../../core/state/pause.js';

const NOW = new Date('2026-11-26T13:30:00.000Z');
const IN_AN_HOUR = new Date('2026-11-26T14:30:00.000Z');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'snaptray-pause-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pause', () => {
  it('is not paused without a pause file', async () => {
    expect(await readPause(dir, NOW)).toEqual({ paused: false });
  });

  it('pauses until a time, then is over', async () => {
    await setPause(dir, IN_AN_HOUR, NOW);
    expect(await readPause(dir, NOW)).toEqual({ paused: true, until: IN_AN_HOUR });
    expect(await readPause(dir, new Date('2026-11-26T14:29:59.999Z'))).toEqual({
      paused: true,
      until: IN_AN_HOUR,
    });
    expect(await readPause(dir, IN_AN_HOUR)).toEqual({ paused: false });
  });

  it('writes the documented format, private to the user, with no temporary files left', async () => {
    await setPause(dir, IN_AN_HOUR, NOW);
    expect(JSON.parse(await readFile(join(dir, 'pause'), 'utf8'))).toEqual({
      until: '2026-11-26T14:30:00.000Z',
      setAt: '2026-11-26T13:30:00.000Z',
    });
    expect((await stat(join(dir, 'pause'))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['pause']);
  });

  it('pauses until resumed', async () => {
    await setPause(dir, null, NOW);
    expect(await readPause(dir, new Date('2030-01-01T00:00:00Z'))).toEqual({
      paused: true,
      until: null,
    });
    await clearPause(dir);
    expect(await readPause(dir, NOW)).toEqual({ paused: false });
  });

  it('a new pause replaces the old one', async () => {
    await setPause(dir, null, NOW);
    await setPause(dir, IN_AN_HOUR, NOW);
    expect(await readPause(dir, NOW)).toEqual({ paused: true, until: IN_AN_HOUR });
  });

  it('resuming when not paused is fine', async () => {
    await clearPause(dir);
    expect(await readPause(dir, NOW)).toEqual({ paused: false });
  });

  it.each([
    ['empty', ''],
    ['torn', '{"until": "2026-11-26T14:3'],
    ['a bad date', '{"until": "tomorrow", "setAt": "2026-11-26T13:30:00.000Z"}'],
    ['a wrong shape', '[1, 2]'],
  ])('reads a damaged (%s) file as paused until resumed', async (_name, text) => {
    await writeFile(join(dir, 'pause'), text);
    expect(await readPause(dir, NOW)).toEqual({ paused: true, until: null });
    await clearPause(dir);
    expect(await readPause(dir, NOW)).toEqual({ paused: false });
  });
});
