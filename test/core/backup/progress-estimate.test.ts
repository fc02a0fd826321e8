/** The progress estimate against rsync's captured output (test/fixtures/rsync-progress2-*.txt). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LineSplitter, parseProgress } from '../../../core/backup/progress.js';
import {
  ProgressTracker,
  type ProgressEstimate,
  type Totals,
} from '../../../core/backup/progress-estimate.js';
import { progressLine } from '../../../core/cli/progress-bar.js';

function estimates(name: string, previous: Totals | null, msPerLine = 10): ProgressEstimate[] {
  const text = readFileSync(
    fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url)),
    'utf8',
  );
  const splitter = new LineSplitter();
  const lines = [...splitter.push(text), ...splitter.end()];
  const tracker = new ProgressTracker();
  tracker.plan(previous);
  const out: ProgressEstimate[] = [];
  let t = 0;
  for (const line of lines) {
    const p = parseProgress(line);
    if (p === null) continue;
    t += msPerLine;
    tracker.update(p, t);
    out.push(tracker.estimate(t));
  }
  return out;
}

describe('estimating progress with incremental recursion', () => {
  it('a first backup shows no percent until rsync knows the whole list, then its bytes', () => {
    const e = estimates('rsync-progress2-local.txt', null);
    const firstKnown = e.findIndex((x) => x.percent !== null);
    expect(firstKnown).toBeGreaterThan(1000);
    expect(e.slice(0, firstKnown).every((x) => x.etaSeconds === null && !x.estimated)).toBe(true);
    // rsync said 80% of the part of the list it had seen; that is not shown as the run's.
    expect(e[4]).toMatchObject({
      phase: 'copying',
      percent: null,
      filesChecked: 35,
      filesTotal: null,
    });
    expect(e[firstKnown]).toMatchObject({ percent: 86, estimated: false, filesTotal: 3064 });
    expect(e.at(-1)).toMatchObject({ percent: 100, filesChecked: 3064, filesCopied: 3003 });
    expect(e.filter((x) => x.percent === 100).every((x) => x.filesChecked === 3064)).toBe(true);
  });

  it("a later backup counts files against the previous snapshot's total, never reaching 100% by it", () => {
    const e = estimates('rsync-progress2-local.txt', { files: 3003, bytes: 42_000_000 });
    const estimated = e.filter((x) => x.estimated);
    expect(estimated.length).toBeGreaterThan(1000);
    expect(estimated.every((x) => x.percent !== null && x.percent <= 99)).toBe(true);
    // It grows as rsync checks files, and gives a time left once the pace is known.
    expect(estimated.at(-1)!.percent).toBeGreaterThan(estimated[10]!.percent!);
    expect(estimated.some((x) => x.etaSeconds !== null)).toBe(true);
    expect(e.at(-1)).toMatchObject({ percent: 100, estimated: false });
  });

  it('a backup that hard-links nearly everything is not stuck at 0%', () => {
    const e = estimates('rsync-progress2-changes.txt', { files: 3003, bytes: 42_000_000 });
    expect(e.at(-1)?.percent).toBe(100);
    // rsync itself says 0% to the end: it counts bytes sent.
    expect(
      parseProgress('         12,925   0%    0.23kB/s    0:00:00 (xfr#2, to-chk=0/3066)')?.percent,
    ).toBe(0);
  });
});

describe('the progress line', () => {
  const estimate: ProgressEstimate = {
    phase: 'copying',
    bytes: 245_000_000,
    bytesPerSecond: 12_000_000,
    filesCopied: 120,
    filesChecked: 8400,
    filesTotal: 20_000,
    percent: 42,
    estimated: true,
    etaSeconds: 185,
  };

  it('says an estimate is one, and keeps the time left on a narrow terminal', () => {
    expect(progressLine(estimate, 120)).toBe(
      'Copying [#############-----------------] ~42%  8,400/~20,000 files, 120 copied  245 MB  12.0 MB/s  about 3 min 5 s left',
    );
    expect(progressLine(estimate, 100)).toBe(
      'Copying [####------] ~42%  8,400/~20,000 files  245 MB  12.0 MB/s  about 3 min 5 s left',
    );
    expect(progressLine(estimate, 80)).toBe(
      'Copying ~42%  8,400/~20,000 files  245 MB  12.0 MB/s  about 3 min 5 s left',
    );
    expect(progressLine(estimate, 60)).toBe(
      'Copying ~42%  245 MB  12.0 MB/s  about 3 min 5 s left',
    );
  });
});
