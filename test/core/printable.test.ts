import { describe, expect, it } from 'vitest';
import { printable, printableLines } from '../../core/printable.js';

describe('text from elsewhere, made printable', () => {
  it('writes controls and direction overrides as escapes, and leaves other text alone', () => {
    expect(printable('a\u001b[2Jb\u0007c\u0000d\u007f')).toBe('a\\x1b[2Jb\\x07c\\x00d\\x7f');
    expect(printable('csi\u009b1m nel\u0085')).toBe('csi\\x9b1m nel\\x85');
    expect(printable('txt.exe\u202egnp')).toBe('txt.exe\\u202egnp');
    expect(printable('\u2066iso\u2069 \u200f\u061c')).toBe('\\u2066iso\\u2069 \\u200f\\u061c');
    expect(printable('line\nbreak\ttab\r')).toBe('line\\x0abreak\\x09tab\\x0d');
    expect(printable('Zoë’s 日本 laptop 🙂 \\x1b')).toBe('Zoë’s 日本 laptop 🙂 \\x1b');
  });

  it('keeps the line breaks between lines', () => {
    expect(printableLines('one\u001b\ntwo\u202e\n')).toBe('one\\x1b\ntwo\\u202e\n');
  });
});
