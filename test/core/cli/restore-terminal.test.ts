/**
 * `snaptray restore` on a real pseudo-terminal (`script`), real rsync underneath: where it
 * restores from, its progress line, the result, and a terminal left clean.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCliHome, runCli, type CliHome } from '../../support/cli.js';
import { onTerminal } from '../../support/terminal.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

let home: CliHome;
let src: string;
let dest: string;
let snapshot: string;

beforeAll(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  await writeTree(src, { 'big/a.bin': randomBytes(3_000_000), 'big/b.txt': 'b' });
  expect((await runCli(['init', '--dest', dest], home)).code).toBe(0);
  const b = await runCli(
    ['backup', '--dest', dest, '--prefix', 'm', '--source', src, '--json'],
    home,
  );
  expect(b.code, b.stderr).toBe(0);
  snapshot = String(b.json?.snapshot);
});

describe('snaptray restore on a terminal', () => {
  it('says where it restores from, shows its progress, and ends with the result on a clean line', async () => {
    await rm(join(src, 'big'), { recursive: true });
    const t = await onTerminal(home, [
      'restore',
      join(src, 'big'),
      '--dest',
      dest,
      '--prefix',
      'm',
    ]);
    expect(t.code, t.raw).toBe(0);
    expect(t.lines[0]).toBe('Finding the snapshot…');
    expect(t.lines).toContain(`From ${snapshot}`);
    // The phases in order; a copy this short draws its first figures and then its result.
    const phases = t.lines.map((l) => /^(Finding|From|Listing|Copying|Restored)/.exec(l)?.[1]);
    expect(phases.filter((p, i) => p !== phases[i - 1])).toEqual([
      'Finding',
      'From',
      'Listing',
      'Copying',
      'Restored',
    ]);
    for (const l of t.lines.filter((l) => l.startsWith('Copying'))) {
      expect(l).toMatch(/^Copying .*[\d,]+ copied {2}[\d.]+ [kMG]?B/);
    }
    expect(t.lines.at(-1)).toBe(`Restored 2 files from ${snapshot}: ${join(src, 'big')}.`);
    // The progress line was cleared before the result was printed.
    expect(t.raw).toMatch(new RegExp(`\\r\\u001b\\[2K(?:\\r\\n)?Restored 2 files`));
    expect(await readFile(join(src, 'big/b.txt'), 'utf8')).toBe('b');
  });

  it('says so while it gives the folders their times, after restoring into a folder that holds files', async () => {
    await writeFile(join(src, 'big/b.txt'), 'changed here');
    const t = await onTerminal(home, [
      'restore',
      join(src, 'big'),
      '--dest',
      dest,
      '--prefix',
      'm',
    ]);
    expect(t.code, t.raw).toBe(0);
    const phases = t.lines.map((l) => /^(Finding|From|Listing|Setting|Restored)/.exec(l)?.[1]);
    expect(phases.filter((p, i) => p !== undefined && p !== phases[i - 1])).toEqual([
      'Finding',
      'From',
      'Listing',
      'Setting',
      'Restored',
    ]);
    expect(t.lines).toContain('Setting the times of the folders…');
    expect(t.lines).toContain(`Restored 1 file from ${snapshot}: ${join(src, 'big')}.`);
    expect(await readFile(join(src, 'big/b.txt'), 'utf8')).toBe('b');
  });
});
