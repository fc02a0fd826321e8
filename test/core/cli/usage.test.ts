import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeCliHome, runCli } from '../../support/cli.js';

const { version } = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8'),
) as { version: string };

describe('snaptray usage', () => {
  it('prints its version from the bundle', async () => {
    const home = await makeCliHome();
    const run = await runCli(['--version'], home);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`snaptray ${version}\n`);
  });

  it('prints the usage on --help and exits 0', async () => {
    const home = await makeCliHome();
    const run = await runCli(['--help'], home);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('snaptray backup');
    expect(run.stdout).toContain('Exit codes:');
  });

  it.each([
    [['backpu', '--json'], 'Unknown command "backpu". Did you mean "backup"?'],
    [['backup', '--sorce', '/x'], 'Unknown option --sorce. Did you mean --source?'],
    [['statsu'], 'Unknown command "statsu". Did you mean "status"?'],
    [['pause', '--untill', '14:00'], 'Unknown option --untill. Did you mean --until?'],
  ])('suggests the command or option meant by %j', async (args, message) => {
    const home = await makeCliHome();
    const run = await runCli(args, home);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `snaptray: ${message}\nSee "snaptray --help" for the commands and options.\n`,
    );
  });

  it('prints the one line that is wrong, not the whole usage', async () => {
    const home = await makeCliHome();
    const run = await runCli(['list', '--dest', '/tmp', 'extra'], home);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      'snaptray: Unexpected argument "extra" (options take the form --name VALUE).',
      'See "snaptray --help" for the commands and options.',
      '',
    ]);
  });

  it('refuses to run without a command, with exit code 2', async () => {
    const home = await makeCliHome();
    const run = await runCli([], home);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No command given.');
    expect(run.stdout).toBe('');
  });
});
