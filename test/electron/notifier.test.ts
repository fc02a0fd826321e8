/**
 * Notifications through node-notifier and notify-send into a real notification daemon: the
 * texts arrive as written, hostile names shown literally and never run.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startNotificationDaemon,
  type NotificationDaemon,
} from '../support/notification-daemon.js';
import {
  createNotifySendSink,
  MAX_WAITING,
  notificationFor,
} from '../../electron/shared/notifier.js';
import { defaultProfile } from '../../core/settings/schema.js';

let daemon: NotificationDaemon;
const saved = { DISPLAY: process.env.DISPLAY, DBUS: process.env.DBUS_SESSION_BUS_ADDRESS };
const MARKER = '/tmp/pwned-notify';

beforeAll(async () => {
  daemon = await startNotificationDaemon();
  process.env.DISPLAY = daemon.env.DISPLAY;
  process.env.DBUS_SESSION_BUS_ADDRESS = daemon.env.DBUS_SESSION_BUS_ADDRESS;
  await rm(MARKER, { force: true });
});
afterAll(async () => {
  await daemon.stop();
  process.env.DISPLAY = saved.DISPLAY;
  process.env.DBUS_SESSION_BUS_ADDRESS = saved.DBUS;
});

describe('notifications', () => {
  it('shows hostile names literally and runs nothing', async () => {
    // Earlier tests' notifications stay on screen: the click must reach this one.
    await daemon.closeAll();
    const sink = createNotifySendSink();
    const hostile = `$(touch ${MARKER}) \`touch ${MARKER}\` "double" 'single' back\\slash\nsecond line`;
    const request = notificationFor(
      { kind: 'failed', reason: `Cannot read ${hostile}.` },
      defaultProfile().notifications,
      null,
    );
    expect(request).not.toBeNull();
    await sink(request!);
    const shown = await daemon.waitFor('Backup failed');
    expect(shown).toEqual({
      app: 'Snaptray',
      summary: 'Backup failed',
      body: `Cannot read $(touch ${MARKER}) \`touch ${MARKER}\` "double" 'single' back\\slash second line.`,
      urgency: 2,
      actions: [],
    });
    expect(existsSync(MARKER)).toBe(false);
  });

  it('offers a click where the server has actions, with the texts as written, and runs it on the click', async () => {
    // Earlier tests' notifications stay on screen: the click must reach this one.
    await daemon.closeAll();
    const sink = createNotifySendSink();
    const hostile = `$(touch ${MARKER}) \`touch ${MARKER}\` "double" 'single' back\\slash -n`;
    let clicks = 0;
    let clicked: () => void = () => undefined;
    const click = new Promise<void>((resolve) => (clicked = resolve));
    await sink({
      summary: `-x Failed ${hostile}`,
      body: `Cannot read ${hostile}.`,
      urgency: 'critical',
      icon: null,
      onClick: {
        label: 'Show in History',
        run: () => {
          clicks += 1;
          clicked();
        },
      },
    });
    const shown = await daemon.waitFor(`-x Failed ${hostile}`);
    expect(shown).toEqual({
      app: 'Snaptray',
      summary: `-x Failed ${hostile}`,
      body: `Cannot read ${hostile}.`,
      urgency: 2,
      actions: ['default', 'Show in History'],
    });
    expect(clicks).toBe(0);
    await daemon.click();
    await click;
    expect(clicks).toBe(1);
    expect(existsSync(MARKER)).toBe(false);
  });

  it(`lets at most ${MAX_WAITING} notifications wait for a click; the next goes without`, async () => {
    const sink = createNotifySendSink();
    for (let i = 1; i <= MAX_WAITING + 1; i++) {
      await sink({
        summary: `Waiting ${i}`,
        body: 'b',
        urgency: 'critical',
        icon: null,
        onClick: { label: 'Show in History', run: () => undefined },
      });
      await daemon.waitFor(`Waiting ${i}`);
    }
    const actions = daemon
      .notifications()
      .filter((n) => n.summary.startsWith('Waiting '))
      .map((n) => [n.summary, n.actions.length]);
    expect(actions).toEqual([
      ...Array.from({ length: MAX_WAITING }, (_, i) => [`Waiting ${i + 1}`, 2]),
      [`Waiting ${MAX_WAITING + 1}`, 0],
    ]);
  });

  it('sends nothing for a kind the user switched off', () => {
    const switches = { ...defaultProfile().notifications, started: false };
    expect(notificationFor({ kind: 'started', destination: 'nas:/b' }, switches, null)).toBeNull();
    expect(notificationFor({ kind: 'failed', reason: 'x' }, switches, null)?.summary).toBe(
      'Backup failed',
    );
  });
});
