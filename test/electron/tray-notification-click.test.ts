/**
 * A click on the tray's "Backup failed" notification opens History at that run, where the
 * desktop's notification server supports actions (dunst, clicked through dunstctl as a user
 * clicks it); a server without actions gets the notification as before, without one.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawnProcess } from '../../core/process.js';
import { openConfStore } from '../../core/settings/store.js';
import { readHistory } from '../../core/state/history.js';
import { createNotifySendSink } from '../../electron/shared/notifier.js';
import { autostartFile } from '../../electron/tray/autostart.js';
import { createTrayApp, type TrayApp } from '../../electron/tray/tray-app.js';
import type { BackupsView } from '../../electron/tray/tray-state.js';
import { makeCliHome, writeSettingsFile } from '../support/cli.js';
import { resetFake } from '../support/fake-electron.js';
import { useNotificationDaemon } from '../support/notification-daemon.js';
import { TestClock } from '../support/test-clock.js';
import { makeTempDir } from '../support/tree.js';

vi.mock('electron', async () => {
  const module = await import('../support/fake-electron.js');
  return { ...module.electronModule, default: module.electronModule };
});

let app: TrayApp | null = null;
afterEach(async () => {
  if (app !== null) {
    await app.idle();
    app.dispose();
    app = null;
  }
});

/** A tray whose first backup fails at once: its only source does not exist. */
async function failingTray(): Promise<{ views: (BackupsView | undefined)[]; stateDir: string }> {
  resetFake();
  const home = await makeCliHome();
  const env = { ...home.env, HOME: dirname(home.configDir) };
  const dest = await makeTempDir('st-dest-');
  await writeFile(join(dest, '.snaptray-destination'), 'snaptray destination\n');
  const missing = join(await makeTempDir('st-src-'), 'gone');
  const configFile = join(home.configDir, 'Snaptray', 'config.json');
  await mkdir(dirname(configFile), { recursive: true });
  await writeSettingsFile(configFile, {
    default: {
      sources: [missing],
      destination: dest,
      prefix: 't',
      schedule: { mode: 'interval', everyHours: 24, catchUp: true },
      // Only the failure shows, so that it is the notification dunst shows first.
      notifications: { started: false },
    },
  });
  const views: (BackupsView | undefined)[] = [];
  app = createTrayApp({
    env,
    // Ahead of the real clock, which the engine's lock and history files use.
    clock: new TestClock(Date.now() + 86_400_000),
    spawn: spawnProcess,
    hostname: 'testhost',
    assetsDir: '/opt/snaptray/assets',
    notificationIcon: '/opt/snaptray/assets/snaptray.png',
    openBackend: openConfStore,
    notify: createNotifySendSink(),
    openSettings: () => undefined,
    openBackups: (view) => views.push(view),
    onSettingsChanged: () => undefined,
    autostartFile: autostartFile(env, env.HOME),
    launchCommand: ['/opt/snaptray/snaptray'],
    quit: () => undefined,
  });
  await app.start();
  return { views, stateDir: join(home.stateDir, 'snaptray', 'default') };
}

async function waitUntil(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (check()) return;
    await delay(25);
  }
  throw new Error(`Timed out waiting until ${what}.`);
}

describe('where the notification server supports actions', () => {
  const daemon = useNotificationDaemon();

  it('a click on "Backup failed" opens History at that run', async () => {
    const tray = await failingTray();
    const failed = await daemon.waitFor('Backup failed');
    expect(failed.actions).toEqual(['default', 'Show in History']);
    expect(failed.body).toMatch(/^These sources do not exist or cannot be read: .*gone\.$/);
    await app!.idle();
    expect(tray.views).toEqual([]);

    await daemon.click();
    await waitUntil('History opens', () => tray.views.length > 0);
    const [run] = await readHistory(tray.stateDir);
    expect(run?.outcome).toBe('failed');
    expect(tray.views).toEqual([{ page: 'history', profile: 'default', run: run!.startedAt }]);
    expect(daemon.actionsInvoked()).toEqual(['default']);
  });
});

describe('where it does not', () => {
  const daemon = useNotificationDaemon({ capabilities: ['body'] });

  it('sends "Backup failed" as before, without an action', async () => {
    const tray = await failingTray();
    const failed = await daemon.waitFor('Backup failed');
    expect(failed).toEqual({
      app: 'Snaptray',
      summary: 'Backup failed',
      body: failed.body,
      urgency: 2,
      actions: [],
    });
    expect(failed.body).toMatch(/^These sources do not exist or cannot be read: .*gone\.$/);
    await app!.idle();
    expect(tray.views).toEqual([]);
  });
});
