import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Progress } from '../../../core/backup/progress.js';
import {
  isItemizeLine,
  LineSplitter,
  parseProgress,
  parseStats,
} from '../../../core/backup/progress.js';

// Captured from real rsync 3.5 runs by test/fixtures/capture-rsync-progress.sh.
function fixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url)), 'utf8');
}

function splitWhole(text: string): string[] {
  const splitter = new LineSplitter();
  return [...splitter.push(text), ...splitter.end()];
}

function splitInChunks(text: string, sizes: readonly number[]): string[] {
  const splitter = new LineSplitter();
  const lines: string[] = [];
  let at = 0;
  for (let i = 0; at < text.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    lines.push(...splitter.push(text.slice(at, at + size)));
    at += size;
  }
  lines.push(...splitter.end());
  return lines;
}

function progressOf(lines: readonly string[]): Progress[] {
  return lines.map(parseProgress).filter((p): p is Progress => p !== null);
}

/** Lines that are neither items nor progress, and not empty. */
function otherLines(lines: readonly string[]): string[] {
  return lines.filter((l) => l !== '' && !isItemizeLine(l) && parseProgress(l) === null);
}

/** What the capture script wrote: 30 folders of 50 + 50 files, and three big ones. */
function generatedTotalSize(): number {
  let total = 0;
  for (let d = 0; d < 30; d++) {
    for (let f = 1; f <= 50; f++) {
      const i = d * 100 + f;
      total += ((i * 7919) % 20000) + ((i * 104729) % 3000);
    }
  }
  for (const b of [1, 2, 3]) total += b * 4 * 1024 * 1024 + b * 12345;
  return total;
}

const MB = 1024 * 1024;

function statsBlock(s: {
  files: string;
  created: string;
  deleted: string;
  transferred: string;
  total: string;
  transferredSize: string;
  literal: string;
  listSize: string;
  listTime: string;
  sent: string;
  received: string;
  summary: string;
  speedup: string;
}): string[] {
  return [
    `Number of files: ${s.files}`,
    `Number of created files: ${s.created}`,
    `Number of deleted files: ${s.deleted}`,
    `Number of regular files transferred: ${s.transferred}`,
    `Total file size: ${s.total} bytes`,
    `Total transferred file size: ${s.transferredSize} bytes`,
    `Literal data: ${s.literal} bytes`,
    'Matched data: 0 bytes',
    `File list size: ${s.listSize}`,
    `File list generation time: ${s.listTime} seconds`,
    'File list transfer time: 0.000 seconds',
    `Total bytes sent: ${s.sent}`,
    `Total bytes received: ${s.received}`,
    s.summary,
    `total size is ${s.total}  speedup is ${s.speedup}`,
  ];
}

describe('rsync with incremental recursion (ir-chk, then to-chk)', () => {
  const lines = splitWhole(fixture('rsync-progress2-local.txt'));
  const progress = progressOf(lines);

  it('ends at the full size, 100 %, with every file transferred', () => {
    expect(progress.at(-1)).toEqual({
      bytes: 42_495_894,
      percent: 100,
      printedPercent: 100,
      bytesPerSecond: Math.round(116.37 * MB),
      etaSeconds: null,
      transfers: 3003,
      remaining: 0,
      total: 3064,
    });
    expect(progress.at(-1)?.bytes).toBe(generatedTotalSize());
  });

  it('gives no percent while the file list is incomplete, and one from the first to-chk on', () => {
    const irLines = lines.filter((l) => l.includes('ir-chk='));
    const toLines = lines.filter((l) => l.includes('to-chk='));
    expect(irLines.length).toBeGreaterThan(1000);
    expect(toLines.length).toBeGreaterThan(1000);
    expect(irLines.map(parseProgress).every((p) => p !== null && p.percent === null)).toBe(true);
    expect(toLines.map(parseProgress).every((p) => p !== null && p.percent !== null)).toBe(true);

    // rsync says 80 % here, of the 1,095 files it had seen out of 3,064.
    expect(parseProgress(irLines[3] ?? '')).toEqual({
      bytes: 25_247_813,
      percent: null,
      printedPercent: 80,
      bytesPerSecond: Math.round(333.99 * MB),
      etaSeconds: null,
      transfers: 4,
      remaining: 1060,
      total: 1095,
    });
    expect(progress.find((p) => p.percent !== null)).toEqual({
      bytes: 36_651_248,
      percent: 86,
      printedPercent: 86,
      bytesPerSecond: Math.round(128.86 * MB),
      etaSeconds: null,
      transfers: 1954,
      remaining: 1059,
      total: 3064,
    });
  });

  it('reads a redraw within a big file, which has no counters', () => {
    expect(progress[0]).toEqual({
      bytes: 32_768,
      percent: null,
      printedPercent: 0,
      bytesPerSecond: 0,
      etaSeconds: 0,
      transfers: null,
      remaining: null,
      total: null,
    });
  });

  it('reads the stats block', () => {
    expect(parseStats(lines)).toEqual({
      files: 3064,
      regularFiles: 3003,
      regularFilesTransferred: 3003,
      literalBytes: 42_495_894,
      matchedBytes: 0,
      bytesSent: 42_688_860,
      bytesReceived: 57_670,
      totalFileSize: generatedTotalSize(),
    });
  });

  it('recognises every item, and leaves only the header and the stats', () => {
    expect(lines.filter(isItemizeLine)).toHaveLength(3064);
    expect(otherLines(lines)).toEqual([
      'created directory inc',
      ...statsBlock({
        files: '3,064 (reg: 3,003, dir: 61)',
        created: '3,064 (reg: 3,003, dir: 61)',
        deleted: '0',
        transferred: '3,003',
        total: '42,495,894',
        transferredSize: '42,495,894',
        literal: '42,495,894',
        listSize: '65,533',
        listTime: '0.001',
        sent: '42,688,860',
        received: '57,670',
        summary: 'sent 42,688,860 bytes  received 57,670 bytes  85,493,060.00 bytes/sec',
        speedup: '0.99',
      }),
    ]);
  });
});

describe('rsync with --no-inc-recursive', () => {
  const lines = splitWhole(fixture('rsync-progress2-local-no-inc.txt'));
  const progress = progressOf(lines);

  it('has a percent on every line that carries counters', () => {
    const counted = progress.filter((p) => p.transfers !== null);
    expect(counted.length).toBeGreaterThan(3000);
    expect(counted.every((p) => p.percent !== null && p.total === 3064)).toBe(true);
    expect(lines.some((l) => l.includes('ir-chk='))).toBe(false);
    expect(counted[0]).toEqual({
      bytes: 4_206_649,
      percent: 9,
      printedPercent: 9,
      bytesPerSecond: Math.round(497.57 * MB),
      etaSeconds: null,
      transfers: 1,
      remaining: 3062,
      total: 3064,
    });
    expect(progress.at(-1)).toEqual({
      bytes: generatedTotalSize(),
      percent: 100,
      printedPercent: 100,
      bytesPerSecond: Math.round(142.09 * MB),
      etaSeconds: null,
      transfers: 3003,
      remaining: 0,
      total: 3064,
    });
  });

  it('reads the stats block', () => {
    expect(parseStats(lines)).toEqual({
      files: 3064,
      regularFiles: 3003,
      regularFilesTransferred: 3003,
      literalBytes: 42_495_894,
      matchedBytes: 0,
      bytesSent: 42_688_473,
      bytesReceived: 57_344,
      totalFileSize: 42_495_894,
    });
  });
});

describe('a second run over an existing copy', () => {
  const lines = splitWhole(fixture('rsync-progress2-changes.txt'));

  it('lists deletions, changes, links and new items as items', () => {
    expect(lines.filter(isItemizeLine)).toEqual([
      '*deleting   dir-01/file-2.dat',
      '*deleting   dir-02/sub/note-3.txt',
      '>f.st...... dir-00/file-1.dat',
      '.d..t...... dir-01/',
      '.d..t...... dir-02/sub/',
      '.d..t...... dir-03/',
      'cd+++++++++ new-dir/',
      'cL+++++++++ new-dir/big-link -> ../big-1.bin',
      '>f+++++++++ new-dir/hello.txt',
      'hf+++++++++ new-dir/hello-link.txt => new-dir/hello.txt',
    ]);
    expect(otherLines(lines)).toEqual(
      statsBlock({
        files: '3,066 (reg: 3,003, dir: 62, link: 1)',
        created: '4 (reg: 2, dir: 1, link: 1)',
        deleted: '2 (reg: 2)',
        transferred: '2',
        total: '42,491,193',
        transferredSize: '12,925',
        literal: '12,925',
        listSize: '0',
        listTime: '0.001',
        sent: '69,474',
        received: '234',
        summary: 'sent 69,474 bytes  received 234 bytes  139,416.00 bytes/sec',
        speedup: '609.56',
      }),
    );
  });

  it('reads a to-chk line that rsync padded with a trailing space', () => {
    const padded = lines.find((l) => l.endsWith('to-chk=962/3066) '));
    expect(padded).toBeDefined();
    expect(parseProgress(padded ?? '')).toEqual({
      bytes: 12_919,
      percent: 0,
      printedPercent: 0,
      bytesPerSecond: 0,
      etaSeconds: null,
      transfers: 1,
      remaining: 962,
      total: 3066,
    });
  });

  it('reads the stats block', () => {
    expect(parseStats(lines)).toEqual({
      files: 3066,
      regularFiles: 3003,
      regularFilesTransferred: 2,
      literalBytes: 12_925,
      matchedBytes: 0,
      bytesSent: 69_474,
      bytesReceived: 234,
      totalFileSize: 42_491_193,
    });
  });
});

describe('a slow run (--bwlimit=1000)', () => {
  const NO_COUNTERS = { transfers: null, remaining: null, total: null };
  const lines = splitWhole(fixture('rsync-progress2-bwlimit.txt'));

  /** A redraw within a file: an ETA, no counters. */
  function redraw(bytes: number, printed: number, kBps: number, etaSeconds: number): Progress {
    const bytesPerSecond = Math.round(kBps * 1024);
    const percent = null;
    return { bytes, percent, printedPercent: printed, bytesPerSecond, etaSeconds, ...NO_COUNTERS };
  }
  /** The line at a file's end: counters, and the elapsed time where the ETA would be. */
  function fileDone(bytes: number, percent: number, kBps: number, transfers: number): Progress {
    const bytesPerSecond = Math.round(kBps * 1024);
    return {
      bytes,
      percent,
      printedPercent: percent,
      bytesPerSecond,
      etaSeconds: null,
      transfers,
      remaining: 3 - transfers,
      total: 4,
    };
  }

  it('reads the ETA of redraws and the kB/s and MB/s speeds', () => {
    expect(progressOf(lines)).toEqual([
      redraw(32_768, 0, 0, 0),
      redraw(1_081_344, 21, 1003.92, 3),
      redraw(2_129_920, 42, 1001.96, 2),
      fileDone(3_000_000, 59, 1.01 * 1024, 1),
      fileDone(3_000_010, 60, 1.01 * 1024, 2),
      redraw(3_163_850, 63, 1001.54, 1),
      redraw(4_212_426, 84, 1001.15, 0),
      fileDone(5_000_010, 100, 1001.0, 3),
      fileDone(5_000_010, 100, 1000.79, 3),
    ]);
  });
});

describe('parseProgress on rsync formats not in the captures', () => {
  // rsync prints "%15s %3d%% %7.2f%s %s%s"; these fill it with larger values.
  it('reads GB/s, hours and an unknown ETA', () => {
    expect(parseProgress('  1,234,567,890  12%    1.50GB/s    1:02:03  ')).toEqual({
      bytes: 1_234_567_890,
      percent: null,
      printedPercent: 12,
      bytesPerSecond: Math.round(1.5 * 1024 ** 3),
      etaSeconds: 3723,
      transfers: null,
      remaining: null,
      total: null,
    });
    expect(parseProgress('         32,768   0%    0.00kB/s  ??:??:??  ')?.etaSeconds).toBeNull();
  });

  it('reads numbers of a locale with "." separators and a decimal comma', () => {
    expect(
      parseProgress('     42.495.894 100%  116,37MB/s    0:00:00 (xfr#3003, to-chk=0/3064)'),
    ).toEqual({
      bytes: 42_495_894,
      percent: 100,
      printedPercent: 100,
      bytesPerSecond: Math.round(116.37 * MB),
      etaSeconds: null,
      transfers: 3003,
      remaining: 0,
      total: 3064,
    });
  });

  it('returns null for every other kind of line', () => {
    for (const line of [
      '',
      '>f+++++++++ 100% done.txt',
      'created directory inc',
      'Total bytes sent: 69,474',
      'sent 69,474 bytes  received 234 bytes  139,416.00 bytes/sec',
      'rsync error: some files/attrs were not transferred (code 23) at main.c(1338)',
    ]) {
      expect(parseProgress(line)).toBeNull();
    }
  });
});

describe('parseStats', () => {
  it('gives null for a block cut short', () => {
    const lines = splitWhole(fixture('rsync-progress2-local.txt'));
    const cut = lines.filter((l) => !l.startsWith('Total bytes received:'));
    expect(parseStats(cut)).toBeNull();
    expect(parseStats([])).toBeNull();
  });
});

describe('LineSplitter', () => {
  const names = [
    'rsync-progress2-local.txt',
    'rsync-progress2-local-no-inc.txt',
    'rsync-progress2-changes.txt',
    'rsync-progress2-bwlimit.txt',
  ];

  it.each(names)('gives the same lines for %s fed in random chunks', (name) => {
    const text = fixture(name);
    const whole = splitWhole(text);
    expect(whole.length).toBeGreaterThan(20);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 40 }),
        (sizes) => {
          expect(splitInChunks(text, sizes)).toEqual(whole);
        },
      ),
      { numRuns: 20 },
    );
    expect(splitInChunks(text, [1])).toEqual(whole);
  });

  it('treats \\r\\n as one break even when a chunk ends between them', () => {
    expect(splitInChunks('a\r\nb\rc\n\nd\r', [2])).toEqual(['a', 'b', 'c', '', 'd']);
    expect(splitInChunks('a\r\nb\rc\n\nd\r', [1])).toEqual(['a', 'b', 'c', '', 'd']);
    expect(splitInChunks('a\r\r\nb', [2])).toEqual(['a', '', 'b']);
  });

  it('hands out a line ending in \\r at once and keeps an unfinished one until end()', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('  5,000  50%  1.00kB/s  0:00:05  \r   6,0')).toEqual([
      '  5,000  50%  1.00kB/s  0:00:05  ',
    ]);
    expect(splitter.push('00  60%')).toEqual([]);
    expect(splitter.end()).toEqual(['   6,000  60%']);
    expect(splitter.end()).toEqual([]);
  });

  it('splits any text in any chunks as it splits it whole', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', ' ', '\r', '\n') }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1 }),
        (text, sizes) => {
          const expected = text.split(/\r\n|\r|\n/);
          if (expected.at(-1) === '') expected.pop();
          expect(splitInChunks(text, sizes)).toEqual(expected);
        },
      ),
    );
  });
});
