import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendHistory, profileRuns, readHistory } from '../../../core/state/history.js';
import type { HistoryEntry } from '../../../core/state/history.js';

const HISTORY_MODULE = resolve(import.meta.dirname, '../../../core/state/history.ts');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'snaptray-history-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function entry(n: number, overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  const started = new Date(Date.UTC(2026, 10, 1, 3, 0, 0) + n * 86_400_000);
  return {
    profile: 'default',
    startedAt: started.toISOString(),
    endedAt: new Date(started.getTime() + 60_000).toISOString(),
    outcome: 'ok',
    exitCode: 0,
    rsyncExitCode: 0,
    files: n,
    bytesSent: n * 1000,
    snapshot: `univac-run-${n}`,
    logPath: `/home/ben/.local/state/snaptray/default/logs/${n}.log`,
    error: null,
    warnings: [],
    ...overrides,
  };
}

const historyPath = (): string => join(dir, 'history.jsonl');

describe('appendHistory and readHistory', () => {
  it('reads nothing when there is no history yet', async () => {
    expect(await readHistory(dir)).toEqual([]);
    expect(await readHistory(dir, { last: 5 })).toEqual([]);
  });

  it('appends one JSON line per run, private to the user, and reads them back in order', async () => {
    const failed = entry(2, {
      outcome: 'failed',
      exitCode: 3,
      rsyncExitCode: 255,
      files: null,
      bytesSent: null,
      snapshot: null,
      error: { kind: 'unreachable', message: 'Connection refused by 192.0.2.1 port 22' },
      warnings: ['file "a\nb" vanished', 'ünïcödé ✓'],
    });
    await appendHistory(dir, entry(1));
    await appendHistory(dir, failed);
    const text = await readFile(historyPath(), 'utf8');
    expect(text.split('\n')).toHaveLength(3);
    expect(JSON.parse(text.split('\n')[1]!)).toEqual(failed);
    expect((await stat(historyPath())).mode & 0o777).toBe(0o600);
    expect(await readHistory(dir)).toEqual([entry(1), failed]);
  });

  it('gives the newest entries, oldest first, with last', async () => {
    for (let n = 0; n < 10; n++) await appendHistory(dir, entry(n));
    expect(await readHistory(dir, { last: 3 })).toEqual([entry(7), entry(8), entry(9)]);
    expect(await readHistory(dir, { last: 1 })).toEqual([entry(9)]);
    expect(await readHistory(dir, { last: 0 })).toEqual([]);
    expect(await readHistory(dir, { last: 50 })).toHaveLength(10);
    expect(await readHistory(dir, { last: 50 })).toEqual(await readHistory(dir));
  });

  it('finds the last entries across many read chunks, with long lines and multibyte text', async () => {
    const all: HistoryEntry[] = [];
    for (let n = 0; n < 300; n++) {
      // Lines of 0.1 to 40 KB, so some straddle the 64 KiB chunks the tail is read in.
      const e = entry(n, { warnings: ['é✓'.repeat((n * 7919) % 10_000) + String(n)] });
      all.push(e);
      await appendHistory(dir, e);
    }
    for (const last of [1, 2, 5, 17, 100, 299, 300, 301]) {
      expect(await readHistory(dir, { last })).toEqual(all.slice(-last));
    }
  });

  it('records who started a run; older lines, and sources it does not know, read without it', async () => {
    const older = entry(1);
    await appendFile(historyPath(), JSON.stringify(older) + '\n');
    await appendHistory(dir, entry(2, { source: 'tray' }));
    await appendHistory(dir, entry(3, { source: 'cli' }));
    await appendFile(historyPath(), JSON.stringify({ ...entry(4), source: 'cron' }) + '\n');
    const read = await readHistory(dir);
    expect(read.map((e) => e.source)).toEqual([undefined, 'tray', 'cli', undefined]);
    expect(read[0]).toEqual(older);
    expect(read[3]).toEqual(entry(4));
  });

  it('marks one-off runs, which profileRuns leaves out; a marking a later version changed still counts', async () => {
    const target = { destination: '/media/stick', prefix: 'lab', sources: ['/home/ben'] };
    await appendHistory(dir, entry(1));
    await appendHistory(dir, entry(2, { oneOff: target }));
    // What a later version might write instead: a bare flag, or fields of another shape.
    await appendFile(historyPath(), JSON.stringify({ ...entry(3), oneOff: true }) + '\n');
    await appendFile(
      historyPath(),
      JSON.stringify({ ...entry(4), oneOff: { destination: 7, via: 'x' } }) + '\n',
    );
    await appendFile(historyPath(), JSON.stringify({ ...entry(5), oneOff: null }) + '\n');
    const read = await readHistory(dir);
    const unknown = { destination: null, prefix: null, sources: null };
    expect(read.map((e) => e.oneOff)).toEqual([undefined, target, unknown, unknown, undefined]);
    expect(profileRuns(read).map((e) => e.files)).toEqual([1, 5]);
    // The line itself keeps only what older versions read, plus the marking.
    const line = JSON.parse((await readFile(historyPath(), 'utf8')).split('\n')[1]!);
    expect(line).toEqual({ ...entry(2), oneOff: target });
  });

  it('skips garbage lines and a torn last line', async () => {
    await appendHistory(dir, entry(1));
    await appendFile(historyPath(), 'not json\n{"profile": "default"}\n\n');
    await appendHistory(dir, entry(2));
    await appendFile(historyPath(), '{"profile":"default","startedAt":"2026-');
    expect(await readHistory(dir)).toEqual([entry(1), entry(2)]);
    expect(await readHistory(dir, { last: 1 })).toEqual([entry(2)]);
    expect(await readHistory(dir, { last: 5 })).toEqual([entry(1), entry(2)]);
  });

  it('an entry appended after a torn line is not lost', async () => {
    await appendHistory(dir, entry(1));
    await appendFile(historyPath(), '{"profile":"default","startedAt":"2026-');
    await appendHistory(dir, entry(2));
    expect(await readHistory(dir)).toEqual([entry(1), entry(2)]);
    expect(await readHistory(dir, { last: 1 })).toEqual([entry(2)]);
  });

  it('reads the last entries of a history far too big to read whole', async () => {
    // 3 GiB of (sparse) bytes with no newline, then three runs: reading it all would fail.
    await writeFile(historyPath(), '');
    await truncate(historyPath(), 3 * 1024 ** 3);
    for (let n = 1; n <= 3; n++) await appendHistory(dir, entry(n));
    // Reading the whole file fails (below), so getting the last two proves only the end was read.
    expect(await readHistory(dir, { last: 2 })).toEqual([entry(2), entry(3)]);
    await expect(readHistory(dir)).rejects.toThrow();
  });

  it('keeps concurrent appends from one process whole', async () => {
    const entries = Array.from({ length: 200 }, (_, n) =>
      entry(n, { warnings: ['w'.repeat((n % 5) * 40_000)] }),
    );
    await Promise.all(entries.map((e) => appendHistory(dir, e)));
    const read = await readHistory(dir);
    expect(read).toHaveLength(200);
    expect(new Set(read.map((e) => e.files))).toEqual(new Set(entries.map((e) => e.files)));
  });

  it('keeps concurrent appends from several processes whole, even lines over 512 KiB', async () => {
    const script = join(dir, 'appender.mjs');
    await writeFile(
      script,
      `const { appendHistory } = await import(${JSON.stringify(HISTORY_MODULE)});
const [dir, id] = process.argv.slice(2);
for (let n = 0; n < 40; n++) {
  await appendHistory(dir, {
    profile: 'p' + id, startedAt: '2026-11-26T03:00:00.000Z', endedAt: '2026-11-26T03:01:00.000Z',
    outcome: 'ok', exitCode: 0, rsyncExitCode: 0, files: n, bytesSent: 0, snapshot: null,
    logPath: null, error: null, warnings: [id.repeat(n % 4 === 0 ? 700_000 : 3_000)],
  });
}
`,
    );
    const runs = ['a', 'b', 'c'].map(
      (id) =>
        new Promise<number | null>((done) => {
          const child = spawn(process.execPath, ['--import', 'tsx', script, dir, id], {
            cwd: resolve(import.meta.dirname, '../../..'),
            stdio: 'inherit',
          });
          child.on('exit', done);
        }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0, 0]);
    const read = await readHistory(dir);
    expect(read).toHaveLength(120);
    for (const id of ['a', 'b', 'c']) {
      const mine = read.filter((e) => e.profile === 'p' + id);
      expect(mine.map((e) => e.files)).toEqual(Array.from({ length: 40 }, (_, n) => n));
      for (const e of mine) expect(e.warnings[0]).toMatch(new RegExp(`^${id}+$`));
    }
  });
});
