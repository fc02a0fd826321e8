/**
 * Text from outside (file names, the destination's owner files and manifests, rsync's and ssh's
 * messages) made safe to print: control characters, C1 controls (U+0080–U+009F, among them the
 * 8-bit CSI that many terminals obey) and the marks that reorder text (U+202E shows
 * `bidi\u202etxt.exe` as `bidiexe.txt`) are shown escaped, never sent raw to a terminal, a log
 * that a terminal shows, or cron's mail.
 */

/* eslint-disable no-control-regex -- finding control characters is what these patterns are for */
// C0 but tab and newline, DEL, C1, and the bidirectional marks, overrides and isolates; the line
// and paragraph separators, which some terminals break lines at.
const UNSAFE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g;
// The same, and tab and newline: a name is one line.
const UNSAFE_IN_A_NAME =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g;
// What JSON.stringify leaves raw: it escapes C0 itself.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\u001b': '\\e' };

function escaped(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
    : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Text of several lines for a terminal: lines and tabs stay, every other control is escaped. */
export function safeText(text: string): string {
  return text.replace(UNSAFE, escaped);
}

/** One name or value on one line: newlines and tabs are escaped too. */
export function safeName(name: string): string {
  return name.replace(UNSAFE_IN_A_NAME, escaped);
}

/** The same characters as safeName escapes, each replaced by `escape` (a path's own style). */
export function escapeUnsafe(name: string, escape: (c: string) => string): string {
  return name.replace(UNSAFE_IN_A_NAME, escape);
}

/**
 * JSON text whose strings hold no raw C1 or bidi characters: each is written as a `\u` escape,
 * which any JSON reader turns back into the same string.
 */
export function safeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
