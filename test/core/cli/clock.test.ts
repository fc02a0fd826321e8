/**
 * A clock set three days ahead, as a user's machine has it: the CLI runs under libfaketime (only
 * the CLI: rsync and ssh keep the real clock, and file times are not faked, since the kernel
 * stamps files with the real time anyway). The boot id and /proc/uptime are the machine's own.
 */
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeCliHome, runCli, type CliHome } from '../../support/cli.js';
import { makeTempDir, writeTree } from '../../support/tree.js';

const FAKETIME_LIBRARY = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu']
  .map((d) => join(d, 'faketime', 'libfaketime.so.1'))
  .find((p) => existsSync(p));

let home: CliHome;
let src: string;
let dest: string;

function withClock(offset: string): CliHome {
  if (FAKETIME_LIBRARY === undefined) throw new Error('libfaketime is not installed (faketime)');
  return {
    ...home,
    env: {
      ...home.env,
      LD_PRELOAD: FAKETIME_LIBRARY,
      FAKETIME: offset,
      NO_FAKE_STAT: '1',
      FAKETIME_SKIP_CMDS: 'rsync,ssh,setpriv,nice,ionice',
    },
  };
}

async function snapshots(): Promise<string[]> {
  return (await readdir(dest)).filter((n) => /^c-[\d-]+$/.test(n)).sort();
}

beforeEach(async () => {
  home = await makeCliHome();
  src = await makeTempDir('st-src-');
  dest = await makeTempDir('st-dest-');
  await writeTree(src, { 'a.txt': 'a\n' });
  expect((await runCli(['init', '--dest', dest], home)).code).toBe(0);
});

describe('a clock three days ahead', () => {
  it('backs up, deletes nothing, and says so on stderr and in the JSON; prune refuses', async () => {
    const flags = ['--dest', dest, '--prefix', 'c', '--source', src];
    for (let i = 0; i < 3; i++) {
      await writeFile(join(src, 'a.txt'), `run ${i}\n`);
      const r = await runCli(['backup', ...flags], home);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/clock/);
    }
    const before = await snapshots();
    expect(before).toHaveLength(3);

    const ahead = withClock('+3d');
    const text = await runCli(['backup', ...flags], ahead);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toMatch(
      /This computer's clock looks wrong, so the backup was made but nothing was deleted automatically: .*its clock moved 3 days forward/s,
    );
    const json = await runCli(['backup', ...flags, '--json'], ahead);
    expect(json.code).toBe(0);
    expect(json.json?.deleted).toEqual([]);
    expect((json.json?.warnings as string[]).join(' ')).toMatch(/clock looks wrong/);
    expect(await snapshots()).toHaveLength(5);
    for (const name of before) expect(existsSync(join(dest, name))).toBe(true);

    const prune = await runCli(['prune', '--dest', dest, '--prefix', 'c', '--json'], ahead);
    expect(prune.code).toBe(1);
    expect(prune.json?.error).toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/clock looks wrong.*nothing was deleted/),
    });
    expect(await snapshots()).toHaveLength(5);
  });
});
