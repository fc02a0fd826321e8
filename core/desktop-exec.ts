/**
 * Command lines for desktop entries (autostart, file-manager menus): the Desktop Entry spec's
 * quoting of Exec arguments, and which file starts this app again.
 */
import { isAbsolute } from 'node:path';

/** Characters the Desktop Entry spec reserves in Exec arguments: such an argument is quoted. */
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/**
 * One Exec argument quoted per the Desktop Entry spec: reserved characters put it in double
 * quotes with `"`, `` ` ``, `$` and `\` backslash-escaped; `%` is doubled (field codes); then the
 * value's own string escaping doubles every backslash again.
 */
export function quoteExecArgument(arg: string): string {
  const percent = arg.replace(/%/g, '%%');
  const quoted =
    RESERVED.test(percent) || percent === ''
      ? `"${percent.replace(/(["`$\\])/g, '\\$1')}"`
      : percent;
  return quoted.replace(/\\/g, '\\\\');
}

/** An AppImage runs from a temporary mount; APPIMAGE names the file itself, which starts it again. */
export function appImageFile(env: NodeJS.ProcessEnv): string | null {
  const file = env.APPIMAGE;
  return file !== undefined && isAbsolute(file) ? file : null;
}
