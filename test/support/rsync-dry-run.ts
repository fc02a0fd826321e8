/** What rsync itself says it would back up, computed by the test independently of the engine. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Regular files and their total size from a dry run of the sources into an empty folder. */
export async function rsyncDryRunTotals(
  sources: string[],
  excludes: string[],
): Promise<{ files: number; bytes: number }> {
  const empty = await mkdtemp(join(tmpdir(), 'st-dry-'));
  try {
    const { stdout } = await run('rsync', [
      '-aH',
      '--relative',
      '--dry-run',
      '--stats',
      ...excludes.map((p) => `--exclude=${p}`),
      ...sources,
      `${empty}/`,
    ]);
    const files = /^Number of files: .*reg: ([\d,]+)/m.exec(stdout)?.[1];
    const bytes = /^Total file size: ([\d,]+) bytes/m.exec(stdout)?.[1];
    if (files === undefined || bytes === undefined) throw new Error(`no totals in ${stdout}`);
    return { files: Number(files.replace(/,/g, '')), bytes: Number(bytes.replace(/,/g, '')) };
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
}
