/**
 * `--browse PATH` on the app's command line: the path becomes the Backups window's open request
 * (what its page takes once loaded), on the first launch and from a second one handed over to the
 * running app; values that are not an absolute local path are refused in words.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { openConfStore } from '../../core/settings/store.js';
import { browseRequest } from '../../electron/browse-request.js';
import type { BackupsApi } from '../../electron/backups/api.js';
import { startApp, type Started } from '../../electron/start-app.js';
import { systemClock } from '../../electron/tray/tray-app.js';
import { makeCliHome } from '../support/cli.js';
import { fake, resetFake } from '../support/fake-electron.js';

vi.mock('electron', async () => {
  const module = await import('../support/fake-electron.js');
  return { ...module.electronModule, default: module.electronModule };
});

const FILE = `/home/ben/it's "quoted" $HOME \`date\`\n two.txt`;

let started: Started | null = null;
afterEach(() => {
  if (started?.kind === 'running') started.tray.dispose();
  started = null;
});

async function launch(argv: readonly string[], opts: { fresh?: boolean } = {}): Promise<Started> {
  if (opts.fresh !== false) {
    resetFake();
    fake.appPath = await mkdtemp(join(tmpdir(), 'st-app-'));
  }
  const home = await makeCliHome();
  return startApp({
    env: { ...home.env, HOME: dirname(home.configDir) },
    clock: systemClock,
    spawn: spawnProcess,
    hostname: 'testhost',
    notify: () => Promise.resolve(),
    openBackend: openConfStore,
    argv: ['/opt/Snaptray/snaptray-bin', ...argv],
  });
}

function running(s: Started | null) {
  if (s?.kind !== 'running') throw new Error('The app did not start.');
  return s;
}

/** The file the Backups window is asked to open at, as its page takes it (once). */
async function takenPath(app: { backups: BackupsApi }): Promise<string | null> {
  const request = await app.backups.handlers.takeOpenRequest();
  if (request === null) return null;
  if (request.page !== 'snapshots') throw new Error(`Asked for ${request.page}, not a file.`);
  return request.path;
}

/** "The app asked for a page" events the open Backups window heard. */
function openRequestsHeard(): number {
  return fake.windows
    .filter((w) => w.loaded?.endsWith('backups.html') === true)
    .flatMap((w) => w.webContents.messages)
    .filter((m) => (m.payload as { type?: string } | undefined)?.type === 'open-request').length;
}

/** How often the Backups window was opened: made (it shows itself when ready) or shown again. */
function backupsShown(): number {
  return fake.windows
    .filter((w) => w.loaded?.endsWith('backups.html') === true)
    .reduce((n, w) => n + 1 + w.shown, 0);
}

describe('--browse PATH', () => {
  it('opens the Backups window with the path for it to take, once', async () => {
    started = await launch(['--browse', FILE]);
    const app = running(started);
    expect(backupsShown()).toBe(1);
    expect(await takenPath(app)).toBe(FILE);
    expect(await takenPath(app)).toBeNull();
  });

  it('bare --browse still opens the Backups window, with no path', async () => {
    started = await launch(['--browse']);
    expect(backupsShown()).toBe(1);
    expect(await takenPath(running(started))).toBeNull();
  });

  it("a second launch's path reaches the running app, which shows the Backups window", async () => {
    started = await launch([]);
    const app = running(started);
    const shownBefore = backupsShown();

    // The second process: it loses the lock, hands over its request and quits.
    fake.singleInstance = false;
    const second = await launch(['--browse', FILE], { fresh: false });
    expect(second).toEqual({ kind: 'second-instance' });
    const handover = fake.app.lockData.at(-1);
    expect(handover).toEqual({ browse: { kind: 'path', path: FILE } });

    // Electron delivers it to the first, with the argv as Chromium passed it on: its own switches
    // may sit between an option and its value (electron/electron#20322).
    fake.app.emit(
      'second-instance',
      {},
      ['/opt/Snaptray/snaptray-bin', '--browse', '--allow-file-access-from-files', FILE],
      '/',
      handover,
    );
    expect(await takenPath(app)).toBe(FILE);
    expect(backupsShown()).toBe(shownBefore + 1);

    // Without handed-over data (an older second launch), its argv is read.
    fake.app.emit('second-instance', {}, ['/opt/Snaptray/snaptray-bin', '--browse', '/srv/a b']);
    // The window is open by now: its page hears that there is a request to take.
    expect(openRequestsHeard()).toBe(1);
    expect(await takenPath(app)).toBe('/srv/a b');
    // A plain second launch still opens the settings window, not the Backups one.
    const shown = backupsShown();
    fake.app.emit('second-instance', {}, ['/opt/Snaptray/snaptray-bin']);
    expect(backupsShown()).toBe(shown);
  });

  it('refuses a relative path or a leading "-" in words, and opens nothing at it', async () => {
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    try {
      started = await launch(['--browse', 'notes.txt']);
    } finally {
      spy.mockRestore();
    }
    const app = running(started);
    const message =
      '--browse "notes.txt" is not an absolute path: give the whole path of the file, starting with "/".';
    expect(stderr).toEqual([`snaptray: ${message}\n`]);
    expect(fake.messageBoxes.map((m) => m.options.detail)).toEqual([message]);
    expect(backupsShown()).toBe(0);
    expect(await takenPath(app)).toBeNull();

    // Handed over from a second launch, the running app shows the same refusal.
    fake.app.emit('second-instance', {}, ['x', '--browse', '-rf'], '/', {
      browse: { kind: 'path', path: '-rf' },
    });
    expect(fake.messageBoxes.at(-1)?.options.detail).toBe(
      '--browse "-rf" starts with "-" and could be read as an option; it is refused. Give the file\'s absolute path.',
    );
    expect(await takenPath(app)).toBeNull();
  });
});

describe('reading --browse', () => {
  it('takes absolute paths and file URIs, and refuses the rest', () => {
    expect(browseRequest(['app'])).toEqual({ kind: 'none' });
    expect(browseRequest(['app', '--browse'])).toEqual({ kind: 'window' });
    expect(browseRequest(['app', '--browse', '/a b/c'])).toEqual({ kind: 'path', path: '/a b/c' });
    expect(browseRequest(['app', '--browse=/a'])).toEqual({ kind: 'path', path: '/a' });
    expect(browseRequest(['app', '--browse', 'file:///a%20b/%0A%22x'])).toEqual({
      kind: 'path',
      path: '/a b/\n"x',
    });
    expect(browseRequest(['app', '--browse', 'sftp://host/a'])).toMatchObject({ kind: 'refused' });
    expect(browseRequest(['app', '--browse', 'file://host/a'])).toMatchObject({ kind: 'refused' });
    expect(browseRequest(['app', '--browse', '--no-sandbox'])).toMatchObject({ kind: 'refused' });
    expect(browseRequest(['app', '--browse', 'a/b'])).toMatchObject({ kind: 'refused' });
  });
});
