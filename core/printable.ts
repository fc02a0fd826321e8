/**
 * Text that came from somewhere else (a destination's owner file or manifest), made safe to print
 * on a terminal: a router that someone else controls could put escape sequences there that
 * retitle the window, rewrite the lines above, or turn text around. Until one function serves
 * every command, the commands that print such text call this one.
 */

// C0 controls and DEL, C1 controls, and the characters that change the direction of what
// follows (U+202A–U+202E, U+2066–U+2069, and the marks U+200E, U+200F, U+061C).
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's job
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with each control and direction character written as `\xHH` or `\uHHHH`. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Lines of text, each made printable; the line breaks between them stay. */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}
