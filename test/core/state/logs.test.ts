import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logPathFor, openLog, pruneLogs } from '../../../core/state/logs.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'snaptray-logs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('logPathFor', () => {
  it('names a log by its UTC start, to the millisecond', () => {
    expect(logPathFor('/state/default', new Date('2026-11-26T03:00:00.123Z'))).toBe(
      '/state/default/logs/2026-11-26T030000.123Z.log',
    );
  });

  it('gives names that sort by time and differ for runs in the same second', () => {
    const times = [
      '2026-11-26T03:00:00.000Z',
      '2026-11-26T03:00:00.001Z',
      '2026-11-26T03:00:09.999Z',
      '2026-11-26T03:00:10.000Z',
      '2026-11-26T23:59:59.999Z',
      '2027-01-01T00:00:00.000Z',
    ].map((t) => new Date(t));
    const names = times.map((t) => logPathFor('/s', t));
    expect(new Set(names).size).toBe(names.length);
    expect([...names].reverse().sort()).toEqual(names);
  });
});

describe('openLog', () => {
  it('writes lines to a private file in a private folder', async () => {
    const path = logPathFor(dir, new Date('2026-11-26T03:00:00.000Z'));
    const log = await openLog(path);
    log.write('>f+++++++++ home/ben/a file');
    log.write('*deleting   home/ben/ünïcödé');
    await log.close();
    expect(await readFile(path, 'utf8')).toBe(
      '>f+++++++++ home/ben/a file\n*deleting   home/ben/ünïcödé\n',
    );
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'logs'))).mode & 0o777).toBe(0o700);
  });

  it('keeps every line of a long run that writes as output arrives', async () => {
    const path = join(dir, 'logs', 'long.log');
    const log = await openLog(path);
    for (let batch = 0; batch < 200; batch++) {
      for (let i = 0; i < 500; i++) log.write(`>f.st...... batch ${batch} file ${i}`);
      await yieldToLoop();
    }
    await log.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toHaveLength(100_001);
    expect(lines[0]).toBe('>f.st...... batch 0 file 0');
    expect(lines[99_999]).toBe('>f.st...... batch 199 file 499');
  });

  it('does not hold a flood in memory: it drops lines and says so in the log', async () => {
    const path = join(dir, 'logs', 'flood.log');
    const log = await openLog(path);
    const line = 'x'.repeat(1000);
    // 40 MB in one go, without ever letting the stream write.
    for (let i = 0; i < 40_000; i++) log.write(`${i} ${line}`);
    await log.close();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    const kept = lines.length - 1;
    expect(kept).toBeGreaterThan(10_000);
    expect(kept).toBeLessThan(20_000);
    expect(lines.slice(0, kept).every((l, i) => l === `${i} ${line}`)).toBe(true);
    expect(lines[kept]).toBe(
      `[snaptray] ${40_000 - kept} lines were not logged here: the disk did not keep up.`,
    );
  });

  it('appends to an existing log rather than replacing it', async () => {
    const path = join(dir, 'logs', 'again.log');
    await mkdir(join(dir, 'logs'));
    await writeFile(path, 'first\n');
    const log = await openLog(path);
    log.write('second');
    await log.close();
    expect(await readFile(path, 'utf8')).toBe('first\nsecond\n');
  });

  it('fails to open where no file can be made', async () => {
    await writeFile(join(dir, 'logs'), 'a file, not a folder');
    await expect(openLog(join(dir, 'logs', 'x.log'))).rejects.toThrow();
  });

  it('reports a full disk when closing, and does not throw while writing', async () => {
    const log = await openLog('/dev/full');
    log.write('a line that cannot be stored');
    await yieldToLoop();
    log.write('another one');
    await expect(log.close()).rejects.toThrow(/ENOSPC/);
  });
});

describe('pruneLogs', () => {
  it('keeps the newest 50 logs and nothing else is touched', async () => {
    const start = Date.UTC(2026, 0, 1);
    const paths = Array.from({ length: 60 }, (_, n) =>
      // Out of order on purpose, and spanning days, so only name order can sort them.
      logPathFor(dir, new Date(start + ((n * 37) % 60) * 3_600_000)),
    );
    await mkdir(join(dir, 'logs'));
    for (const p of paths) await writeFile(p, '');
    await writeFile(join(dir, 'logs', 'notes.log'), '');
    await writeFile(join(dir, 'logs', 'README'), '');
    const sorted = paths.map((p) => p.slice(p.lastIndexOf('/') + 1)).sort();

    expect(await pruneLogs(dir)).toEqual(sorted.slice(0, 10));
    expect((await readdir(join(dir, 'logs'))).sort()).toEqual(
      [...sorted.slice(10), 'README', 'notes.log'].sort(),
    );
    expect(await pruneLogs(dir)).toEqual([]);
  });

  it('takes another count', async () => {
    for (let n = 0; n < 3; n++) {
      const path = logPathFor(dir, new Date(Date.UTC(2026, 0, 1, 0, 0, n)));
      const log = await openLog(path);
      await log.close();
    }
    expect(await pruneLogs(dir, 1)).toEqual([
      '2026-01-01T000000.000Z.log',
      '2026-01-01T000001.000Z.log',
    ]);
    expect(await readdir(join(dir, 'logs'))).toEqual(['2026-01-01T000002.000Z.log']);
  });

  it('does nothing before the first log', async () => {
    expect(await pruneLogs(dir)).toEqual([]);
  });
});
