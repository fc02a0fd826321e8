/**
 * A real notification daemon on a private D-Bus session, as testing.md describes: Xvfb, a
 * session bus, dunst, and dbus-monitor recording every Notify call and ActionInvoked signal.
 * A desktop whose server lacks a capability (dunst has them all) gets
 * plain-notification-server.py instead, which lists only the capabilities it is given.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);
const PLAIN_SERVER = join(import.meta.dirname, 'plain-notification-server.py');

export interface CapturedNotification {
  app: string;
  summary: string;
  body: string;
  /** 0 low, 1 normal, 2 critical; null when not given. */
  urgency: number | null;
  /** The actions offered: key, label, key, label… */
  actions: string[];
}

export interface DaemonOptions {
  /**
   * The capabilities the server lists: given, plain-notification-server.py runs instead of
   * dunst (which lists "actions" among all of its own, and invokes them).
   */
  capabilities?: readonly string[];
}

export interface NotificationDaemon {
  /** DISPLAY and DBUS_SESSION_BUS_ADDRESS for whatever sends notifications. */
  env: { DISPLAY: string; DBUS_SESSION_BUS_ADDRESS: string };
  notifications(): CapturedNotification[];
  /** Waits until a notification with this summary has arrived (count-th of them). */
  waitFor(summary: string, count?: number): Promise<CapturedNotification>;
  /**
   * Clicks the notification dunst shows first (critical ones come first), as a user would:
   * dunst invokes its default action, sending ActionInvoked to the program that sent it.
   */
  click(): Promise<void>;
  /** Closes every notification dunst shows, as a user dismisses them all. */
  closeAll(): Promise<void>;
  /** The ActionInvoked signals sent so far, by action key. */
  actionsInvoked(): string[];
  stop(): Promise<void>;
}

/**
 * A daemon for the whole test file, with this process's notify-send pointed at it (DISPLAY and
 * D-Bus) until the file ends. The object forwards to the daemon once it has started.
 */
export function useNotificationDaemon(
  options: DaemonOptions = {},
): Omit<NotificationDaemon, 'stop'> {
  let daemon: NotificationDaemon | null = null;
  const saved = { DISPLAY: process.env.DISPLAY, DBUS: process.env.DBUS_SESSION_BUS_ADDRESS };
  beforeAll(async () => {
    daemon = await startNotificationDaemon(options);
    process.env.DISPLAY = daemon.env.DISPLAY;
    process.env.DBUS_SESSION_BUS_ADDRESS = daemon.env.DBUS_SESSION_BUS_ADDRESS;
  });
  afterAll(async () => {
    await daemon?.stop();
    process.env.DISPLAY = saved.DISPLAY;
    process.env.DBUS_SESSION_BUS_ADDRESS = saved.DBUS;
  });
  const started = () => {
    if (daemon === null) throw new Error('The notification daemon has not started.');
    return daemon;
  };
  return {
    get env() {
      return started().env;
    },
    notifications: () => started().notifications(),
    waitFor: (summary, count) => started().waitFor(summary, count),
    click: () => started().click(),
    closeAll: () => started().closeAll(),
    actionsInvoked: () => started().actionsInvoked(),
  };
}

export async function startNotificationDaemon(
  options: DaemonOptions = {},
): Promise<NotificationDaemon> {
  const children: ChildProcess[] = [];
  let busPid: number | null = null;
  const stop = async () => {
    for (const child of children.reverse()) child.kill('SIGTERM');
    if (busPid !== null) process.kill(busPid, 'SIGTERM');
    await delay(50);
  };
  try {
    const xvfb = spawn(
      'Xvfb',
      ['-displayfd', '3', '-screen', '0', '640x480x24', '-nolisten', 'tcp'],
      {
        stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
      },
    );
    children.push(xvfb);
    const display = `:${(await readUntil(xvfb.stdio[3] as NodeJS.ReadableStream, /\d+\n/)).trim()}`;
    const bus = await run('dbus-daemon', [
      '--session',
      '--fork',
      '--nopidfile',
      '--print-address=1',
      '--print-pid=1',
    ]);
    const [address, pid] = bus.stdout.trim().split('\n');
    if (!address || !pid) throw new Error(`dbus-daemon said: ${bus.stdout}`);
    busPid = Number(pid);
    const env = { ...process.env, DISPLAY: display, DBUS_SESSION_BUS_ADDRESS: address };
    await run('dbus-update-activation-environment', ['DISPLAY'], { env });
    const monitor = spawn(
      'dbus-monitor',
      ['--session', "interface='org.freedesktop.Notifications'"],
      {
        env,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    children.push(monitor);
    let log = '';
    monitor.stdout.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    const server =
      options.capabilities === undefined
        ? spawn('dunst', [], { env, stdio: ['ignore', 'ignore', 'ignore'] })
        : spawn(PLAIN_SERVER, [...options.capabilities], {
            env,
            stdio: ['ignore', 'ignore', 'inherit'],
          });
    children.push(server);
    await waitForName(env);
    const notifications = () => parseMonitorLog(log);
    return {
      env: { DISPLAY: display, DBUS_SESSION_BUS_ADDRESS: address },
      notifications,
      async waitFor(summary, count = 1) {
        for (let i = 0; i < 600; i++) {
          const found = notifications().filter((n) => n.summary === summary);
          const wanted = found[count - 1];
          if (wanted !== undefined) return wanted;
          await delay(50);
        }
        throw new Error(
          `No notification "${summary}" (#${count}); got: ${JSON.stringify(notifications(), null, 1)}`,
        );
      },
      async click() {
        if (options.capabilities !== undefined) {
          throw new Error('This server shows nothing to click: it is not dunst.');
        }
        // dunst shows a notification a moment after taking it: wait until it is on screen.
        for (let i = 0; i < 200; i++) {
          const { stdout } = await run('dunstctl', ['count', 'displayed'], { env });
          if (Number(stdout.trim()) > 0) break;
          await delay(25);
        }
        await run('dunstctl', ['action', '0'], { env });
      },
      async closeAll() {
        if (options.capabilities !== undefined) return;
        await run('dunstctl', ['close-all'], { env });
      },
      actionsInvoked: () => parseActionsInvoked(log),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Notify calls in dbus-monitor's text: app, icon, summary, body strings, then hints. */
export function parseMonitorLog(log: string): CapturedNotification[] {
  const blocks = log.split(/\n(?=method call|signal|method return|error)/);
  const found: CapturedNotification[] = [];
  for (const block of blocks) {
    if (!/^method call .*member=Notify$/m.test(block)) continue;
    const strings = [...block.matchAll(/^ {3}string "(.*)"$/gm)].map((m) => m[1] ?? '');
    const urgency = /string "urgency"\s+variant\s+byte (\d)/.exec(block);
    // The first array is the actions' (key, label, …); the hints' follows it.
    const actions = /^ {3}array \[\n((?: {6}string ".*"\n)*) {3}\]$/m.exec(block);
    found.push({
      app: strings[0] ?? '',
      summary: strings[2] ?? '',
      body: strings[3] ?? '',
      urgency: urgency?.[1] === undefined ? null : Number(urgency[1]),
      actions: [...(actions?.[1] ?? '').matchAll(/string "(.*)"/g)].map((m) => m[1] ?? ''),
    });
  }
  return found;
}

/** The action keys of ActionInvoked signals in dbus-monitor's text. */
export function parseActionsInvoked(log: string): string[] {
  const blocks = log.split(/\n(?=method call|signal|method return|error)/);
  return blocks
    .filter((b) => /^signal .*member=ActionInvoked$/m.test(b))
    .map((b) => /^ {3}string "(.*)"$/m.exec(b)?.[1] ?? '');
}

async function waitForName(env: NodeJS.ProcessEnv): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { stdout } = await run(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        'string:org.freedesktop.Notifications',
      ],
      { env },
    );
    if (/boolean true/.test(stdout)) return;
    await delay(50);
  }
  throw new Error('dunst did not take the notification service name.');
}

function readUntil(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not start.')), 20_000);
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
  });
}
