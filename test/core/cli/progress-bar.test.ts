/**
 * The progress display as a user sees it: `snaptray backup` on a real pseudo-terminal (`script`),
 * real rsync underneath, and Ctrl-C typed into that terminal.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeCliHome, runCli, writeSettingsFile, type CliHome } from '../../support/cli.js';
import { CLEAR, onTerminal } from '../../support/terminal.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

let home: CliHome;
let src: string;
let dest: string;

beforeEach(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  const files: Record<string, string | Buffer> = { 'big.bin': Buffer.alloc(10_000_000, 5) };
  for (let i = 0; i < 600; i++) files[`small/${i % 30}/f${i}.txt`] = `file ${i}\n`;
  await writeTree(src, files);
  await writeSettingsFile(join(home.configDir, 'Snaptray', 'config.json'), {
    default: {
      sources: [src],
      destination: dest,
      prefix: 'p',
      rsync: { bandwidthLimit: 2000, compress: false },
    },
  });
  expect((await runCli(['init'], home)).code).toBe(0);
});

describe('the progress line on a terminal', () => {
  it('names each phase, counts files and bytes, gives a time left, and never repeats 100%', async () => {
    const t = await onTerminal(home, ['backup']);
    expect(t.code, t.raw).toBe(0);
    const phases = t.lines.map(
      (l) => /^(Checking|Listing|Copying|Finishing|Backed up)/.exec(l)?.[1],
    );
    const order = phases.filter((p, i) => p !== undefined && p !== phases[i - 1]);
    expect(order).toEqual(['Checking', 'Listing', 'Copying', 'Finishing', 'Backed up']);
    const copying = t.lines.filter((l) => l.startsWith('Copying'));
    for (const line of copying) {
      expect(line).toMatch(
        /^Copying (\[[#-]{10,30}\] \d{1,3}% {2})?[\d,]+(\/[\d,]+)? files, [\d,]+ copied {2}[\d.]+ [kMG]?B {2}/,
      );
    }
    // The time left appears once the run has shown its pace, and the line fits 80 columns.
    expect(copying.some((l) => / \d+ s left$/.test(l))).toBe(true);
    expect(copying.every((l) => l.length < 80)).toBe(true);
    expect(t.lines.filter((l) => l.includes('100%')).length).toBeLessThanOrEqual(1);
    // At most four redraws a second (and the first).
    expect(copying.length).toBeLessThanOrEqual(Math.ceil(t.ms / 250) + 1);
    // The status line is cleared before the summary is printed.
    expect(t.raw).toContain(`Finishing…${CLEAR}Backed up: p-`);
  });

  it('a second backup shows a percent, and an estimate from the previous snapshot never says 100%', async () => {
    expect((await runCli(['backup'], home)).code).toBe(0);
    await writeTree(src, { 'big2.bin': Buffer.alloc(6_000_000, 6) });
    const t = await onTerminal(home, ['backup']);
    expect(t.code, t.raw).toBe(0);
    const percents = t.lines
      .filter((l) => l.startsWith('Copying'))
      .map((l) => /\] (~?)(\d+)%/.exec(l))
      .filter((m) => m !== null)
      .map((m) => ({ estimated: m[1] === '~', percent: Number(m[2]) }));
    expect(percents.length).toBeGreaterThan(0);
    expect(percents.every((p) => !(p.estimated && p.percent >= 100))).toBe(true);
  });

  it('Ctrl-C stops the run and leaves no half-drawn line', async () => {
    // Typed while the big file is on its way (1 to 5 of its 10 MB at 2 MB/s), long before the end.
    const t = await onTerminal(home, ['backup'], {
      when: /Copying [^\r\n]* copied {2}[1-5](\.\d+)? MB /,
      type: '\x03',
    });
    expect(t.code, t.raw).toBe(5);
    const last = t.raw.lastIndexOf('Copying');
    const after = t.raw.slice(last);
    // The line is cleared, then the words start at the left edge of a clean line.
    const cleared = after.split(CLEAR);
    expect(cleared[0]).toMatch(/^Copying[^\r\n]*$/);
    expect(cleared.at(-1)).toMatch(/^Backup not run \(cancelled\): Stopped\./);
    expect(cleared.slice(1, -1).every((phase) => !/[\r\n]/.test(phase))).toBe(true);
    expect(t.lines.at(-2)).toMatch(
      /^Backup not run \(cancelled\): Stopped\. The unfinished snapshot p-[\d-]+ stays; the next run continues from it/,
    );
  });
});
