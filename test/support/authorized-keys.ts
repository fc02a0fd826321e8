import { access, chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * authorized_keys lines that make a key behave like a router's account: confined by rrsync,
 * without rsync on its PATH, with a login banner, or with an rsync too old to tag its messages.
 * One builder serves OpenSSH's sshd and dropbear, so every forced command avoids `"`: dropbear
 * (2022.83) keeps the backslash of `\"` inside command="…", where sshd removes it.
 */
export interface KeyOptions {
  /** Force the key through `rrsync DIR`: rsync only, confined to DIR (created if missing). */
  restrictedDir?: string;
  /** With restrictedDir: rrsync -no-del, which refuses --delete and --remove-source-files. */
  noDel?: boolean;
  /** With restrictedDir: rrsync -ro, which refuses pushes (and implies -no-del and -no-lock). */
  readOnly?: boolean;
  /** With restrictedDir: rrsync -absolute, which also takes absolute paths that lie inside DIR. */
  absolute?: boolean;
  /** With restrictedDir: rrsync -no-lock, so that two transfers may use DIR at once. */
  noLock?: boolean;
  /**
   * Run the client's command with `PATH=/nonexistent`, as on a router whose rsync lives in
   * Entware's /opt/bin: plain `rsync` is not found, `--rsync-path=/usr/bin/rsync` works.
   */
  rsyncOffPath?: boolean;
  /** Print this line on standard output before running the client's command (a login banner). */
  banner?: string;
  /**
   * Put the server's untagged rsync first on the PATH, so that `rsync` on the far side reports
   * errors without `[sender]`/`[receiver]`/`[generator]`, as rsync 3.0 and 3.1 do. With
   * rsyncOffPath it is reachable only as `--rsync-path=<server>.untaggedRsync`.
   */
  untaggedRsync?: boolean;
}

/** Where a server keeps the files its keys' forced commands use. */
export interface KeyHome {
  /** The server's folder; forced-command scripts go to DIR/forced/. */
  dir: string;
  /** The shell that runs the client's command: the login shell (BusyBox sh on the router). */
  shell: string;
  /** A folder that holds only the untagged `rsync` (see installUntaggedRsync). */
  untaggedRsyncDir: string;
}

const WRAPPER_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'untagged-rsync.py');

/** Copies the untagged rsync wrapper to DIR/untagged/rsync; gives that folder. */
export async function installUntaggedRsync(dir: string): Promise<string> {
  const folder = join(dir, 'untagged');
  await mkdir(folder, { recursive: true, mode: 0o755 });
  await copyFile(WRAPPER_SOURCE, join(folder, 'rsync'));
  await chmod(join(folder, 'rsync'), 0o755);
  return folder;
}

/** The authorized_keys line for the public half of `privateKey`, shaped by `opts`. */
export async function authorizedKeyLine(
  privateKey: string,
  opts: KeyOptions,
  home: KeyHome,
): Promise<string> {
  const publicKey = (await readFile(`${privateKey}.pub`, 'utf8')).trim();
  const command = await forcedCommand(privateKey, opts, home);
  if (command === null) return `${publicKey}\n`;
  if (command.includes('"')) throw new Error(`a forced command cannot hold '"': ${command}`);
  return `command="${command}",restrict ${publicKey}\n`;
}

async function forcedCommand(
  privateKey: string,
  opts: KeyOptions,
  home: KeyHome,
): Promise<string | null> {
  const rrsyncFlags = [
    opts.noDel === true ? '-no-del' : null,
    opts.readOnly === true ? '-ro' : null,
    opts.absolute === true ? '-absolute' : null,
    opts.noLock === true ? '-no-lock' : null,
  ].filter((flag): flag is string => flag !== null);
  const wrapped =
    opts.rsyncOffPath === true || opts.banner !== undefined || opts.untaggedRsync === true;

  if (opts.restrictedDir !== undefined) {
    // rrsync runs /usr/bin/rsync by its absolute path and must be the first to speak.
    if (wrapped) throw new Error('rrsync keys take no banner, PATH change or untagged rsync');
    // rrsync takes a lock on its folder, so the folder must exist before the first connection.
    await mkdir(opts.restrictedDir, { recursive: true });
    return [await findRrsync(), ...rrsyncFlags, opts.restrictedDir].map(quoteForShell).join(' ');
  }
  if (rrsyncFlags.length > 0) throw new Error('rrsync flags need restrictedDir');
  if (!wrapped) return null;

  const lines = [`#!${home.shell}`];
  if (opts.banner !== undefined) {
    if (/[\r\n]/.test(opts.banner)) throw new Error('the banner is one line');
    lines.push(`echo ${quoteForShell(opts.banner)}`);
  }
  const path = [
    ...(opts.untaggedRsync === true ? [home.untaggedRsyncDir] : []),
    opts.rsyncOffPath === true ? '/nonexistent' : '$PATH',
  ].join(':');
  lines.push(`PATH=${path}; export PATH`);
  // Like sshd and dropbear without a forced command: the login shell runs the client's command.
  lines.push(`exec ${quoteForShell(home.shell)} -c "$SSH_ORIGINAL_COMMAND"`, '');

  const script = join(home.dir, 'forced', `${privateKey.split('/').pop() ?? 'key'}.sh`);
  await mkdir(dirname(script), { recursive: true, mode: 0o755 });
  await writeFile(script, lines.join('\n'), { mode: 0o755 });
  return quoteForShell(script);
}

function quoteForShell(word: string): string {
  return /^[A-Za-z0-9_./:=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

async function findRrsync(): Promise<string> {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin'];
  for (const d of dirs) {
    const candidate = join(d, 'rrsync');
    try {
      await access(candidate);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new Error('rrsync not found (Debian ships it in the rsync package as /usr/bin/rrsync)');
}
