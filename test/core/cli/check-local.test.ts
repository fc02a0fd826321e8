/** `snaptray check` on a folder of this computer runs rsync rather than assuming it is there. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { makeCliHome, runCli } from '../../support/cli.js';
import { makeTempDir } from '../../support/tree.js';

interface Step {
  step: string;
  ok: boolean;
  message: string;
}

describe('check on a local destination', () => {
  it('names the rsync that runs here', async () => {
    const home = await makeCliHome();
    const dest = await makeTempDir('st-dest-');
    const version = /version\s+(\S+)/.exec(
      execFileSync('rsync', ['--version'], { encoding: 'utf8' }),
    )?.[1];
    const r = await runCli(['check', '--dest', dest, '--json'], home);
    const steps = r.json?.steps as Step[];
    expect(steps.slice(0, 2)).toEqual([
      { step: 'folder', ok: true, message: `${dest} exists.` },
      { step: 'rsync', ok: true, message: `rsync ${version} runs on this computer.` },
    ]);
  });

  it('says rsync does not run when it cannot be started, and stops there', async () => {
    const home = await makeCliHome();
    home.env = { ...home.env, PATH: '/nonexistent' };
    const dest = await makeTempDir('st-dest-');
    const r = await runCli(['check', '--dest', dest, '--json'], home);
    expect(r.code).toBe(1);
    const steps = r.json?.steps as Step[];
    expect(steps.map((s) => [s.step, s.ok])).toEqual([
      ['folder', true],
      ['rsync', false],
    ]);
    expect(steps[1]?.message).toMatch(
      /^rsync does not run on this computer \(.*ENOENT.*\)\. Install it \(sudo apt install rsync\)\.$/,
    );
  });
});
