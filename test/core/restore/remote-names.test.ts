/**
 * Path text: every file name, as bytes, survives the trip through rsync's output, JSON and a
 * terminal line, and turns back into the same bytes. Names are listed by real rsync.
 */
import fc from 'fast-check';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAll } from '../../../core/restore/listing.js';
import {
  decodeRsyncName,
  displayPath,
  pathBytes,
  pathText,
  shellWord,
} from '../../../core/restore/remote-names.js';
import { normalPath } from '../../../core/restore/paths.js';
import { openTestDestination, type TestDestination } from '../../support/destination.js';
import { HOSTILE_NAMES, makeTempDir, writeTree } from '../../support/tree.js';

const NAMES: ReadonlyArray<string | Buffer> = [
  ...HOSTILE_NAMES.filter((n) => typeof n !== 'string' || !n.includes('/')),
  'x[1].txt',
  'star*.txt',
  'q?.txt',
  'a\\#123.txt',
  'tab\there.txt',
  'é and ü.txt',
  Buffer.from([0x5c, 0x23, 0xff]),
];

describe('path text', () => {
  it('turns any bytes into text and back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (raw) => {
        const bytes = Buffer.from(raw);
        const text = pathText(bytes);
        expect(pathBytes(text)).toEqual(bytes);
        expect(pathBytes(displayPath(text))).toEqual(bytes);
        expect(displayPath(text)).not.toMatch(/[\n\r\t\0]/);
      }),
    );
  });

  it('keeps UTF-8 names as they are and escapes only what is not', () => {
    expect(pathText(Buffer.from('é and ü.txt'))).toBe('é and ü.txt');
    expect(pathText(Buffer.from([0x66, 0xff, 0xfe, 0x2e, 0x74]))).toBe('f\\#377\\#376.t');
    expect(pathText(Buffer.from('a\\#123'))).toBe('a\\#134#123');
    expect(displayPath('new\nline')).toBe('new\\#012line');
    expect(decodeRsyncName('\\#303\\#251.txt').toString()).toBe('é.txt');
  });

  it('normalises typed paths and refuses escapes of "/" and NUL', () => {
    expect(normalPath('docs/../x/./y//', '/home/ben')).toEqual({ ok: true, path: '/home/ben/x/y' });
    expect(normalPath('/a/f\\#377', '/')).toEqual({ ok: true, path: '/a/f\\#377' });
    expect(normalPath('/a/b\\#057c', '/')).toMatchObject({ ok: false });
    expect(normalPath('/a/b\\#000', '/')).toMatchObject({ ok: false });
    expect(shellWord("it's here")).toBe("'it'\\''s here'");
  });
});

describe('names listed by real rsync', () => {
  let root: string;
  let dest: TestDestination;
  beforeAll(async () => {
    root = await makeTempDir('st-names-');
    await mkdir(join(root, 'snap'));
    await writeTree(
      join(root, 'snap'),
      NAMES.map((n) => [Buffer.concat([Buffer.from('d/'), Buffer.from(n)]), 'x'] as const),
    );
    dest = await openTestDestination(root);
  });
  afterAll(async () => {
    await dest.close();
    await rm(root, { recursive: true, force: true });
  });

  it('come back as the very bytes on disk', async () => {
    const listed = await listAll(dest.ctx, {
      from: { on: 'destination', folder: root },
      list: [Buffer.from('snap/d/.')],
      recursive: false,
      what: 'listing',
    });
    expect(listed.ok).toBe(true);
    if (!listed.ok) return;
    const names = listed.value.entries
      .filter((e) => e.type === 'file')
      .map((e) => pathBytes(e.path.slice('snap/d/'.length)).toString('hex'))
      .sort();
    expect(names).toEqual(NAMES.map((n) => Buffer.from(n).toString('hex')).sort());
  });
});
