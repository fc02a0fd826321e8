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
import { createNotifySendSink, notificationFor } from '../../electron/shared/notifier.js';
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
    });
    expect(existsSync(MARKER)).toBe(false);
  });

  it('sends nothing for a kind the user switched off', () => {
    const switches = { ...defaultProfile().notifications, started: false };
    expect(notificationFor({ kind: 'started', destination: 'nas:/b' }, switches, null)).toBeNull();
    expect(notificationFor({ kind: 'failed', reason: 'x' }, switches, null)?.summary).toBe(
      'Backup failed',
    );
  });
});
