/**
 * The one way the restore engine runs rsync: a pull from a folder on the destination (through the
 * session's ssh master) or on this machine, with the names in a NUL-separated `--files-from` list
 * written to the session's scratch folder. Output is read line by line.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { remoteSource, scratchDir, type DestinationContext } from '../destination/ops.js';
import { LineSplitter } from '../backup/progress.js';
import type { SpawnResult } from '../process.js';
import { filesFromList } from './remote-names.js';

/**
 * Times in rsync's `%M` are printed in UTC, and every name byte outside printable ASCII as
 * `\#ooo`, whatever this machine's locale: the output means the same everywhere.
 */
const OUTPUT_ENV = { TZ: 'UTC0', LC_ALL: 'C' };

export interface PullCall {
  /** rsync's options, without `-e`, the list and the two locations. */
  options: readonly string[];
  /** The folder the list's entries are relative to: on the destination, or on this machine. */
  from: { on: 'destination' | 'here'; folder: string };
  /** A folder on this machine. */
  to: string;
  /** The names to pull, relative to `from.folder`. */
  list: readonly Buffer[];
  onLine?: (line: string) => void;
  onErrorLine?: (line: string) => void;
  signal?: AbortSignal;
}

export async function pull(ctx: DestinationContext, call: PullCall): Promise<SpawnResult> {
  const dir = await scratchDir(ctx, 'list');
  try {
    const listFile = join(dir, 'files');
    await writeFile(listFile, filesFromList(call.list), { mode: 0o600 });
    const remote = call.from.on === 'destination';
    const folder = call.from.folder.endsWith('/') ? call.from.folder : `${call.from.folder}/`;
    // The destination folder, spelled so that the far side reads exactly it (remote-args.ts).
    const source = remote ? remoteSource(ctx, folder) : folder;
    const overSsh = remote && ctx.dest.kind === 'ssh';
    // rsync 3.5 loses a local copy's --files-from when -M options are given (its receiver side
    // re-reads only those: "File-list index … not in …"). Such a copy names the entries as
    // arguments instead: local arguments are taken literally, and -R keeps the `/./` anchors.
    const asArguments = !overSsh && call.options.some((o) => o.startsWith('-M'));
    const what = asArguments
      ? ['--relative', ...call.list.map((e) => `${folder}${e.toString('utf8')}`)]
      : ['--from0', `--files-from=${listFile}`, source];
    const out = new LineSplitter();
    const err = new LineSplitter();
    const each = (lines: string[], f?: (line: string) => void) => {
      if (f) for (const line of lines) if (line !== '') f(line);
    };
    const result = await ctx.spawn({
      file: 'rsync',
      args: [
        ...(overSsh ? ctx.rsyncShellArgs : []),
        ...call.options,
        ...what,
        call.to.endsWith('/') ? call.to : `${call.to}/`,
      ],
      env: OUTPUT_ENV,
      signal: call.signal ?? ctx.signal,
      onStdout: (chunk) => each(out.push(chunk), call.onLine),
      onStderr: (chunk) => each(err.push(chunk), call.onErrorLine),
    });
    each(out.end(), call.onLine);
    each(err.end(), call.onErrorLine);
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs `body` with an empty folder to pull dry runs into, removed afterwards. */
export async function withEmptyFolder<T>(
  ctx: DestinationContext,
  body: (empty: string) => Promise<T>,
): Promise<T> {
  const empty = await scratchDir(ctx, 'empty');
  try {
    return await body(empty);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
}
