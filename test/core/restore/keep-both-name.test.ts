/** The name a kept-both version gets beside the file here: what it is, its extension kept. */
import { describe, expect, it } from 'vitest';
import { keptBothName } from '../../../core/restore/keep-both.js';

const TIME = new Date(2026, 11, 1, 0, 42, 7);
const name = (n: string | Buffer, folder = false, count = 1) =>
  keptBothName(Buffer.from(n), TIME, folder, count);

describe('keptBothName', () => {
  it('puts the label before the extension, and a number when the name is taken', () => {
    expect(name('report.txt').toString()).toBe('report (restored from 2026-12-01 00.42).txt');
    expect(name('report.txt', false, 2).toString()).toBe(
      'report (restored from 2026-12-01 00.42, 2).txt',
    );
    expect(name('backup.tar.gz').toString()).toBe('backup (restored from 2026-12-01 00.42).tar.gz');
  });

  it('keeps a folder’s name whole, and a name that is all extension too', () => {
    expect(name('my.photos', true).toString()).toBe('my.photos (restored from 2026-12-01 00.42)');
    expect(name('.bashrc').toString()).toBe('.bashrc (restored from 2026-12-01 00.42)');
    expect(name('notes. old draft').toString()).toBe(
      'notes. old draft (restored from 2026-12-01 00.42)',
    );
  });

  it('keeps bytes that are not UTF-8, and shortens a long name to 255 bytes', () => {
    const odd = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from('.txt')]);
    expect(name(odd)).toEqual(
      Buffer.concat([
        Buffer.from('caf'),
        Buffer.from([0xe9]),
        Buffer.from(' (restored from 2026-12-01 00.42).txt'),
      ]),
    );
    const long = name(`${'é'.repeat(200)}.txt`);
    expect(long.length).toBeLessThanOrEqual(255);
    expect(long.toString()).toMatch(/^é+ \(restored from 2026-12-01 00\.42\)\.txt$/);
  });
});
