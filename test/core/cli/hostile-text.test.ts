/**
 * A destination that lies: an owner file and file names written to take over the terminal that
 * shows them (title change, screen clear, bell, the 8-bit CSI, a right-to-left override). Checked
 * on the bytes the CLI writes, in words and in JSON, as cron would mail them.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeCliHome, runCli, type CliHome, type CliRun } from '../../support/cli.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

const HOSTILE = 'evil\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202etxt.exe\nBacked up: fine';

let home: CliHome;
let src: string;
let dest: string;

/** ESC, BEL, C1 controls (as UTF-8: C2 80–C2 9F) and U+202E (E2 80 AE) in what was printed. */
function rawControls(bytes: Buffer): string[] {
  const found: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x1b) found.push(`ESC at ${i}`);
    if (b === 0x07) found.push(`BEL at ${i}`);
    if (b === 0xc2 && bytes[i + 1]! >= 0x80 && bytes[i + 1]! <= 0x9f) found.push(`C1 at ${i}`);
    if (b === 0xe2 && bytes[i + 1] === 0x80 && bytes[i + 2]! >= 0xaa && bytes[i + 2]! <= 0xae) {
      found.push(`bidi override at ${i}`);
    }
  }
  return found;
}

function expectClean(r: CliRun, what: string): void {
  expect(rawControls(Buffer.from(r.stdout, 'utf8')), `${what}: stdout`).toEqual([]);
  expect(rawControls(Buffer.from(r.stderr, 'utf8')), `${what}: stderr`).toEqual([]);
}

beforeEach(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  expect((await runCli(['init', '--dest', dest], home)).code).toBe(0);
});

describe('text from the destination reaches the terminal escaped', () => {
  it('an owner file whose host, user and profile carry escape sequences', async () => {
    await writeTree(src, { 'a.txt': 'a' });
    await writeFile(
      join(dest, 'theirs.snaptray-owner.json'),
      JSON.stringify({
        format: 1,
        prefix: 'theirs',
        owner: { id: 'f'.repeat(32), profile: HOSTILE },
        host: HOSTILE,
        user: HOSTILE,
        claimedAt: '2026-11-01T00:00:00.000Z',
        appVersion: '9.9.9',
      }),
    );
    const flags = ['--dest', dest, '--prefix', 'theirs', '--source', src];
    for (const args of [
      ['backup', ...flags],
      ['backup', ...flags, '--json'],
      ['list', '--dest', dest, '--prefix', 'theirs'],
      ['list', '--dest', dest, '--prefix', 'theirs', '--json'],
      ['check', '--dest', dest, '--prefix', 'theirs'],
      ['prune', '--dest', dest, '--prefix', 'theirs'],
    ]) {
      const r = await runCli(args, home);
      expectClean(r, args.join(' '));
      // The text is still there to read, escaped, and on one line.
      if (!args.includes('--json') && args[0] !== 'check') {
        expect(r.stdout + r.stderr, args.join(' ')).toContain('evil\\e]0;pwned\\x07');
        expect(r.stdout + r.stderr).not.toMatch(/^Backed up: fine/m);
      }
    }
    const json = await runCli(['list', '--dest', dest, '--prefix', 'theirs', '--json'], home);
    expect((json.json?.owner as { host: string }).host).toBe(HOSTILE);
  });

  it('file names with C1 controls and a right-to-left override, in every reading command', async () => {
    await writeTree(src, {
      'bidi\u202etxt.exe': 'x',
      'csi\u009b2J.txt': 'y',
      'esc\u001b[31mred.txt': 'z',
    });
    const flags = ['--dest', dest, '--prefix', 'p'];
    const made = await runCli(['backup', ...flags, '--source', src, '--json'], home);
    expect(made.code, made.stderr).toBe(0);
    const snapshot = made.json?.snapshot as string;
    for (const args of [
      ['ls', src, ...flags],
      ['ls', src, ...flags, '--json'],
      ['find', '*txt*', '--all', ...flags],
      ['find', '*txt*', '--all', ...flags, '--json'],
      ['versions', join(src, 'bidi\u202etxt.exe'), ...flags],
      ['diff', snapshot, src, ...flags, '--now'],
      ['verify', ...flags],
      ['restore', join(src, 'csi\u009b2J.txt'), ...flags, '--to', await makeTempDir('st-to-')],
    ]) {
      const r = await runCli(args, home);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).not.toBe(2);
      expectClean(r, args[0]!);
    }
    const ls = await runCli(['ls', src, ...flags], home);
    // Shown as path text that can be typed back: the override's bytes as \#ooo escapes.
    expect(ls.stdout).toContain('bidi\\#342\\#200\\#256txt.exe');
  });
});
