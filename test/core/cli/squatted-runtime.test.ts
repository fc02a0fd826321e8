/**
 * Another account that makes `/tmp/snaptray-<uid>` first (cron runs without XDG_RUNTIME_DIR) does
 * not stop backups over ssh: the CLI runs with that folder held by `nobody` (mounted over the
 * path in a mount namespace of its own, so nothing else on this machine sees it), refuses to use
 * it, keeps its ssh files in a private folder made with mkdtemp, says so once, and leaves nothing
 * behind.
 */
import { chown, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCliHome, runCli, type CliHome } from '../../support/cli.js';
import { cliFlags, startSshd, type Sshd } from '../../support/sshd.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

const NOBODY = 65534;

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd.stop();
});

describe('a runtime folder another account made first', () => {
  const usual = `/tmp/snaptray-${process.getuid?.() ?? 0}`;
  let home: CliHome;
  let tmp: string;
  let squat: string;
  let through: string[];

  beforeAll(async () => {
    const base = await makeCliHome();
    tmp = await makeTempDir('st-tmp-');
    const env: NodeJS.ProcessEnv = { ...base.env, TMPDIR: tmp };
    delete env.XDG_RUNTIME_DIR;
    home = { ...base, env };
    squat = await makeTempDir('st-squat-');
    await chown(squat, NOBODY, NOBODY);
    // The place to mount over: made as Snaptray itself makes it, where no run has made it yet.
    await mkdir(usual, { recursive: true, mode: 0o700 });
    through = ['unshare', '--mount', 'sh', '-c', 'mount --bind "$1" "$2" && shift 2 && exec "$@"'];
    through.push('sh', squat, usual);
  });

  it('backs up over ssh through a private folder of its own, and says so once', async () => {
    const src = await makeTempDir('st-src-');
    await writeTree(src, { 'a.txt': 'over ssh' });
    const destDir = await makeTempDir('st-dest-');
    const where = `${sshd.user}@127.0.0.1:${destDir}`;
    const flags = cliFlags(sshd);
    const init = await runCli(['init', '--dest', where, ...flags], home, { through });
    expect(init.code, init.stderr).toBe(0);
    const warning = (made: string) =>
      `${usual} belongs to user nobody, not to this account, and Snaptray keeps no ssh ` +
      `connection files where another account can reach them. This run kept them in a private ` +
      `folder made for it (${made}), removed when it ended. Remove ${usual} (someone else may ` +
      'have made it) or set XDG_RUNTIME_DIR to a folder of your own to stop this warning.';
    const made = new RegExp(`\\((${tmp}/snaptray-0-[^)/]+)\\)`);

    const json = await runCli(
      ['backup', '--dest', where, '--prefix', 's', '--source', src, '--json', ...flags],
      home,
      { through },
    );
    expect(json.code, json.stderr).toBe(0);
    const warnings = json.json?.warnings as string[];
    const first = made.exec(warnings.join('\n'))?.[1] ?? '';
    expect(warnings.filter((w) => w.includes(usual))).toEqual([warning(first)]);
    const snapshot = json.json?.snapshot as string;
    expect(await readFile(join(destDir, snapshot, src, 'a.txt'), 'utf8')).toBe('over ssh');

    const text = await runCli(
      ['backup', '--dest', where, '--prefix', 's', '--source', src, ...flags],
      home,
      { through },
    );
    expect(text.code, text.stderr).toBe(0);
    const second = made.exec(text.stderr)?.[1] ?? '';
    expect(text.stderr.split('\n').filter((l) => l.includes(usual))).toEqual([
      `Warning: ${warning(second)}`,
    ]);

    // Nothing is left of the private folders, and nothing was put in the squatted one.
    expect(first).not.toBe('');
    expect(await readdir(tmp)).toEqual([]);
    expect(await readdir(squat)).toEqual([]);
    expect((await stat(squat)).uid).toBe(NOBODY);
  }, 300_000);
});
