/**
 * `snaptray integrate --file-managers`: the entries land in a private home, each one actually
 * starts the app with a hostile file name as one argument (the script run as Nautilus runs it,
 * Dolphin's Exec through GLib's own desktop-entry launcher, Nemo's as Nemo expands and splits it),
 * and --remove takes away exactly what was installed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { browseRequest } from '../../../electron/browse-request.js';
import { makeArgvRecorder, type ArgvRecorder } from '../../support/argv-recorder.js';
import { makeCliHome, runCli, type CliHome } from '../../support/cli.js';
import { runProgram } from '../../support/run-program.js';
import { makeTempDir } from '../../support/tree.js';

/** Tests run Debian's Python (python3-gi for GLib's own parser), not a per-user one on PATH. */
const PYTHON = '/usr/bin/python3';
const MARKER_LINE =
  '# Snaptray file-manager entry: made by "snaptray integrate --file-managers"; "--remove" deletes it.';
/** Every character a shell or a desktop entry would read as its own. */
const HOSTILE = `it's "quoted" $HOME \`date\` \\ 100%f;&|*?\n two lines.txt`;

let home: CliHome;
let homeDir: string;
let data: string;
let recorder: ArgvRecorder;

const SCRIPT = () => join(data, 'nautilus', 'scripts', 'Restore Previous Versions (Snaptray)');
const DOLPHIN = () => join(data, 'kio', 'servicemenus', 'snaptray-restore-versions.desktop');
const NEMO = () => join(data, 'nemo', 'actions', 'snaptray-restore-versions.nemo_action');

beforeEach(async () => {
  const cli = await makeCliHome();
  homeDir = await makeTempDir('st-fm-home-');
  home = { ...cli, env: { ...cli.env, HOME: homeDir, XDG_DATA_HOME: undefined } };
  delete home.env.XDG_DATA_HOME;
  delete home.env.APPIMAGE;
  delete home.env.SNAPTRAY_COMMAND;
  data = join(homeDir, '.local', 'share');
  // A folder with a space: the app's own path needs quoting too.
  recorder = await makeArgvRecorder(await makeTempDir('st-fm app-'));
});

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

async function hostileFile(): Promise<{ folder: string; path: string }> {
  const folder = await makeTempDir('st-fm-files-');
  const path = join(folder, HOSTILE);
  await writeFile(path, 'v1');
  return { folder, path };
}

describe('integrate --file-managers', () => {
  it('installs the script, the service menu and the action, and --remove takes away only those', async () => {
    const r = await runCli(['integrate', '--file-managers', '--app', recorder.program], home);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Installed the Dolphin service menu: ${DOLPHIN()}`);

    const script = await readFile(SCRIPT(), 'utf8');
    expect(script.split('\n').slice(0, 2)).toEqual(['#!/bin/sh', MARKER_LINE]);
    expect(script).toContain(`exec '${recorder.program}' --browse "$file"`);
    expect(await mode(SCRIPT())).toBe(0o755);
    const dolphin = (await readFile(DOLPHIN(), 'utf8')).split('\n');
    expect(dolphin[0]).toBe(MARKER_LINE);
    expect(dolphin).toContain(`Exec="${recorder.program}" --browse %f`);
    expect(dolphin).toContain('Type=Service');
    expect(await mode(DOLPHIN())).toBe(0o755);
    const nemo = (await readFile(NEMO(), 'utf8')).split('\n');
    expect(nemo[0]).toBe(MARKER_LINE);
    expect(nemo).toContain(`Exec='${recorder.program}' --browse %U`);
    expect(nemo).toContain('Selection=s');
    expect(await mode(NEMO())).toBe(0o644);
    // No nautilus-python on this machine: no extension.
    expect(existsSync(join(data, 'nautilus-python'))).toBe(false);

    // Again: nothing changes.
    const again = await runCli(
      ['integrate', '--file-managers', '--app', recorder.program, '--json'],
      home,
    );
    expect(again.code, again.stderr).toBe(0);
    expect((again.json?.entries as Array<{ outcome: string }>).map((e) => e.outcome)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);

    // The user's own entries beside ours, and one of theirs at our Nemo path, stay.
    const ownScript = join(data, 'nautilus', 'scripts', 'my script');
    const ownAction = join(data, 'nemo', 'actions', 'mine.nemo_action');
    await writeFile(ownScript, '#!/bin/sh\necho mine\n', { mode: 0o755 });
    await writeFile(ownAction, '[Nemo Action]\nName=Mine\nExec=true\n');
    const removed = await runCli(['integrate', '--file-managers', '--remove', '--json'], home);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.json).toMatchObject({ action: 'remove', warnings: [], error: null });
    expect(await readdir(join(data, 'nautilus', 'scripts'))).toEqual(['my script']);
    expect(await readdir(join(data, 'kio', 'servicemenus'))).toEqual([]);
    expect(await readdir(join(data, 'nemo', 'actions'))).toEqual(['mine.nemo_action']);

    // A file without the marker at our own path is the user's: never replaced nor deleted.
    await writeFile(NEMO(), '[Nemo Action]\nName=Theirs\nExec=true\n');
    const blocked = await runCli(['integrate', '--file-managers', '--app', recorder.program], home);
    expect(blocked.code).toBe(3);
    expect(blocked.stderr).toContain(
      `Warning: ${NEMO()} was not made by Snaptray (it lacks Snaptray's marker line), so it was left as it is and the Nemo action was not installed`,
    );
    const kept = await runCli(['integrate', '--file-managers', '--remove'], home);
    expect(kept.code).toBe(0);
    expect(kept.stderr).toContain(`Warning: ${NEMO()} was not made by Snaptray`);
    expect(await readFile(NEMO(), 'utf8')).toBe('[Nemo Action]\nName=Theirs\nExec=true\n');
    expect(existsSync(SCRIPT())).toBe(false);
    expect(existsSync(DOLPHIN())).toBe(false);
  });

  it('without an app to start says so, exits 2 and installs nothing', async () => {
    const r = await runCli(['integrate', '--file-managers', '--json'], home);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'No Snaptray app was found to start from the file manager: this snaptray command does not belong to an installed app',
    );
    expect(r.stderr).toContain('Name the program that starts the app with --app COMMAND');
    expect(r.json).toMatchObject({ entries: [], error: { kind: 'settings' } });
    expect(existsSync(join(homeDir, '.local'))).toBe(false);

    const missing = await runCli(
      ['integrate', '--file-managers', '--app', '/nonexistent/app'],
      home,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--app "/nonexistent/app" is not a program that can be run');
    expect(existsSync(join(homeDir, '.local'))).toBe(false);
  });

  it('takes the AppImage file it runs from as the app', async () => {
    const env = { ...home.env, APPIMAGE: recorder.program };
    const r = await runCli(['integrate', '--file-managers'], { ...home, env });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(DOLPHIN(), 'utf8')).toContain(`Exec="${recorder.program}" --browse %f`);
  });
});

describe('each entry starts the app with the file as one argument', () => {
  beforeEach(async () => {
    const r = await runCli(['integrate', '--file-managers', '--app', recorder.program], home);
    expect(r.code, r.stderr).toBe(0);
  });

  it('the Nautilus script, run as Nautilus runs it: in the folder, the names as arguments', async () => {
    const { folder, path } = await hostileFile();
    const run = await runProgram(SCRIPT(), [HOSTILE], {
      cwd: folder,
      // Nautilus sets both; the line-separated list cannot hold this name, the arguments can.
      env: { PATH: '/usr/bin:/bin', NAUTILUS_SCRIPT_SELECTED_FILE_PATHS: `${path}\n` },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(await recorder.argv()).toEqual(['--browse', path]);
  });

  it('the Nautilus script from a remote folder: no arguments, only the list of paths', async () => {
    const folder = await makeTempDir('st-fm-files-');
    const path = join(folder, `it's "quoted" $HOME \`date\` \\ 100%.txt`);
    await writeFile(path, 'v1');
    const run = await runProgram(SCRIPT(), [], {
      cwd: '/',
      env: { PATH: '/usr/bin:/bin', NAUTILUS_SCRIPT_SELECTED_FILE_PATHS: `${path}\n` },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(await recorder.argv()).toEqual(['--browse', path]);
  });

  it("Dolphin's Exec line, expanded and run by GLib's desktop-entry launcher (gio launch)", async () => {
    const { path } = await hostileFile();
    const exec = (await readFile(DOLPHIN(), 'utf8')).split('\n').find((l) => l.startsWith('Exec='));
    // The action's Exec in an application entry of its own: gio launches only those.
    const entry = join(await makeTempDir('st-fm-entry-'), 'restore.desktop');
    await writeFile(entry, `[Desktop Entry]\nType=Application\nName=Restore\n${exec}\n`);
    const run = await runProgram('/usr/bin/gio', ['launch', entry, path], {
      env: { PATH: '/usr/bin:/bin', HOME: homeDir },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(await recorder.argv()).toEqual(['--browse', path]);
  });

  it("Nemo's Exec line, expanded as Nemo does and split by GLib's g_shell_parse_argv", async () => {
    const { path } = await hostileFile();
    const exec = (await readFile(NEMO(), 'utf8'))
      .split('\n')
      .find((l) => l.startsWith('Exec='))!
      .slice('Exec='.length);
    // Nemo puts the file's URI in place of %U, in the quotes Quote= names, then splits the line.
    const split = await runProgram(PYTHON, [
      '-c',
      [
        'import sys',
        'from gi.repository import GLib',
        'uri = GLib.filename_to_uri(sys.argv[2], None)',
        'ok, argv = GLib.shell_parse_argv(sys.argv[1].replace("%U", \'"\' + uri + \'"\'))',
        'sys.stdout.write("\\0".join(argv))',
      ].join('\n'),
      exec,
      path,
    ]);
    expect(split.code, split.stderr).toBe(0);
    const [program, ...args] = split.stdout.split('\0');
    expect(program).toBe(recorder.program);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(program!, args, { stdio: 'ignore' });
      child.once('error', reject);
      child.once('close', () => resolve());
    });
    const argv = await recorder.argv();
    expect(argv).toHaveLength(2);
    expect(browseRequest(argv)).toEqual({ kind: 'path', path });
  });
});
