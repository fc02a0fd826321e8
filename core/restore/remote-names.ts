/**
 * File names between rsync, this machine and people.
 *
 * A name is any bytes but `/` and NUL. The engine carries each path as *path text*: the name
 * itself where its bytes are UTF-8, with every byte that is not written `\#ooo` (octal), and a
 * backslash followed by `#` written `\#134`, as rsync writes names in its own output. Path text
 * therefore turns back into the exact bytes (`pathBytes`), fits in JSON and IPC, and what
 * `ls` or `find` print can be pasted into `restore`.
 *
 * No name ever reaches the far side on a command line: rsync (3.2.4 and later) still expands
 * `*?[]` in remote names, older clients split them at spaces, and dropbear refuses long
 * commands. Names go in a `--files-from` list instead, NUL-separated (`--from0`), as bytes.
 */
import { isUtf8 } from 'node:buffer';
import { escapeUnsafe } from '../terminal-text.js';

const ESCAPE = /\\#([0-7]{3})/g;
const HASH = 0x23;

/** The bytes of a name as rsync prints it (`\#ooo` escapes; with LC_ALL=C every byte above 0x7e). */
export function decodeRsyncName(printed: string): Buffer {
  if (!printed.includes('\\#')) return Buffer.from(printed, 'utf8');
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of printed.matchAll(ESCAPE)) {
    parts.push(Buffer.from(printed.slice(last, m.index), 'utf8'));
    parts.push(Buffer.from([Number.parseInt(m[1] ?? '0', 8)]));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(printed.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

/** Path text for bytes: UTF-8 as it is, other bytes as `\#ooo`, and `\#` as `\#134#`. */
export function pathText(bytes: Buffer): string {
  if (isUtf8(bytes)) {
    const text = bytes.toString('utf8');
    return text.includes('\\#') ? text.replaceAll('\\#', '\\#134#') : text;
  }
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = sequenceLength(bytes, i);
    if (n === 0) {
      out += octal(bytes[i] ?? 0);
      i += 1;
      continue;
    }
    const char = bytes.toString('utf8', i, i + n);
    out += char === '\\' && bytes[i + 1] === HASH ? '\\#134' : char;
    i += n;
  }
  return out;
}

/** The bytes path text stands for (the inverse of pathText; `\#ooo` escapes are also accepted in typed paths). */
export function pathBytes(text: string): Buffer {
  return decodeRsyncName(text);
}

/**
 * Path text made safe for a terminal line: control characters, C1 controls and bidi marks
 * (terminal-text.ts) as `\#ooo` escapes of their bytes, still valid path text.
 */
export function displayPath(text: string): string {
  return escapeUnsafe(text, (c) => [...Buffer.from(c, 'utf8')].map(octal).join(''));
}

/** A word to paste into a shell: quoted unless it is plain. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A `--files-from` list for `--from0`: each entry followed by a NUL byte. */
export function filesFromList(entries: readonly Buffer[]): Buffer {
  const nul = Buffer.from([0]);
  return Buffer.concat(entries.flatMap((e) => [e, nul]));
}

/** Joins path-text components with `/` into bytes. */
export function joinBytes(...parts: ReadonlyArray<string | Buffer>): Buffer {
  const buffers = parts
    .map((p) => (typeof p === 'string' ? pathBytes(p) : p))
    .filter((b) => b.length > 0);
  const out: Buffer[] = [];
  buffers.forEach((b, i) => {
    if (i > 0) out.push(Buffer.from('/'));
    out.push(b);
  });
  return Buffer.concat(out);
}

function octal(byte: number): string {
  return `\\#${byte.toString(8).padStart(3, '0')}`;
}

/** How many bytes the UTF-8 character at `i` takes, or 0 when the byte there starts none. */
function sequenceLength(bytes: Buffer, i: number): number {
  const lead = bytes[i] ?? 0;
  const n =
    lead < 0x80
      ? 1
      : lead >= 0xc2 && lead <= 0xdf
        ? 2
        : lead >= 0xe0 && lead <= 0xef
          ? 3
          : lead >= 0xf0 && lead <= 0xf4
            ? 4
            : 0;
  if (n <= 1) return n;
  return i + n <= bytes.length && isUtf8(bytes.subarray(i, i + n)) ? n : 0;
}
