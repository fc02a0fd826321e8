import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeJson, safeName, safeText } from '../../core/terminal-text.js';

// ESC, BEL, any C1 control, and the marks that reorder text.
/* eslint-disable no-control-regex -- what must never be printed raw is control characters */
const RAW =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/;

describe('safeText', () => {
  it('keeps lines and tabs, shows every other control escaped', () => {
    expect(safeText('a\tb\nc\u001b[2Jd\u0007e\u009bf\u202eg\u2066h\u007fi\r')).toBe(
      'a\tb\nc\\e[2Jd\\x07e\\x9Bf\\u202Eg\\u2066h\\x7Fi\\r',
    );
  });

  it('leaves ordinary text of any script alone', () => {
    expect(safeText('Grüße, 東京, עברית, emoji 😀 and “quotes”')).toBe(
      'Grüße, 東京, עברית, emoji 😀 and “quotes”',
    );
  });
});

describe('safeName', () => {
  it('is one line: newlines and tabs are escaped too', () => {
    expect(safeName('bidi\u202etxt.exe')).toBe('bidi\\u202Etxt.exe');
    expect(safeName('two\nlines\tand tab')).toBe('two\\nlines\\tand tab');
  });

  it('never lets a raw control through, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(safeName(s)).not.toMatch(RAW);
        expect(safeName(s)).not.toMatch(/[\n\t]/);
        expect(safeText(s)).not.toMatch(RAW);
      }),
    );
  });
});

describe('safeJson', () => {
  it('writes C1 and bidi characters as escapes that read back as the same string', () => {
    const value = { name: 'a\u009b31m\u202eb\u2028c\u0007', n: 1 };
    const json = safeJson(JSON.stringify(value));
    expect(json).not.toMatch(RAW);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('round-trips any value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const json = safeJson(JSON.stringify(v));
        expect(json).not.toMatch(RAW);
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });
});
