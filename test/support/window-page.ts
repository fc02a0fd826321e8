/**
 * The windows in real Chromium: built with Vite, served over loopback HTTP (module scripts do
 * not load from file://), and talking to the real handlers through page bindings.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { build, type Rollup } from 'vite';
import { expect } from 'vitest';
import type { BackupsApi } from '../../electron/backups/api.js';
import {
  BACKUPS_EVENT_CHANNEL,
  invokeChannel,
  SETTINGS_CHANGED_CHANNEL,
  WINDOW_METHODS,
  type BackupsEvent,
  type BackupsHandlers,
  type InvokeMethod,
  type PickRequest,
  type SettingsHandlers,
} from '../../electron/ipc/contract.js';
import type { SettingsApi } from '../../electron/settings/api.js';

const REPO = join(import.meta.dirname, '..', '..');

/** Builds the windows (settings.html, …) with the project's own Vite config, into `outDir`. */
export async function buildWindows(outDir: string): Promise<void> {
  await build({
    configFile: join(REPO, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
}

/** The bridge script, bundled into one classic script for page.addInitScript. */
export async function buildBridge(): Promise<string> {
  const output = (await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      minify: false,
      lib: {
        entry: join(REPO, 'test', 'support', 'window-bridge.ts'),
        formats: ['iife'],
        name: 'snaptrayBridge',
      },
    },
  })) as Rollup.RollupOutput[];
  const chunk = output[0]?.output.find((o) => o.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('the bridge did not build');
  return chunk.code;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** A built page keeps the strict CSP: no inline script, no inline style. */
export async function expectStrictPage(file: string): Promise<void> {
  const html = await readFile(file, 'utf8');
  expect(html).toContain(`default-src 'self'; script-src 'self'; style-src 'self'`);
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/\sstyle=/);
}

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves a folder read-only on 127.0.0.1. */
export async function serveFolder(dir: string): Promise<StaticServer> {
  const root = normalize(dir + sep);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    void stat(file).then(
      (s) => {
        if (!s.isFile()) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        createReadStream(file).pipe(res);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface WindowPage {
  page: Page;
  /** Console errors and uncaught exceptions, CSP violations included. */
  problems: string[];
  /**
   * What the settings window's next file or folder dialog (`pick`, which only fills in a field)
   * answers (null: cancelled). The app's own dialogs are the handlers' (answered-dialogs.ts).
   */
  pickAnswer: string | null;
  picks: PickRequest[];
}

export interface SettingsWindow extends WindowPage {
  /** Sends the settings-changed event, as the main process does when the file changes. */
  emitSettingsChanged(): Promise<void>;
}

export interface BackupsWindow extends WindowPage {
  /** Sends an event to the page, as the main process does with webContents.send. */
  emit(event: BackupsEvent): Promise<void>;
}

/**
 * Opens a window's page with its handlers bound to one channel per method, like ipcMain; the page
 * gets only its own window's channels, as the main process's sender check allows.
 */
async function openWindowPage(
  context: BrowserContext,
  url: string,
  bridge: string,
  handlers: (win: WindowPage) => Partial<Record<InvokeMethod, unknown>>,
  size: { width: number; height: number },
): Promise<WindowPage> {
  const page = await context.newPage();
  await page.setViewportSize(size);
  const win: WindowPage = { page, problems: [], pickAnswer: null, picks: [] };
  const bound = handlers(win);
  const byChannel = new Map<string, (...args: unknown[]) => Promise<unknown>>(
    Object.entries(bound).map(([method, handler]) => [
      invokeChannel(method as InvokeMethod),
      handler as (...args: unknown[]) => Promise<unknown>,
    ]),
  );
  page.on('console', (message) => {
    if (message.type() === 'error') win.problems.push(message.text());
  });
  page.on('pageerror', (error) => win.problems.push(error.message));
  await page.exposeFunction('__snaptrayInvoke', (channel: string, ...args: unknown[]) => {
    const handler = byChannel.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(...args);
  });
  await page.addInitScript({ content: bridge });
  await page.goto(url);
  return win;
}

function emitter(page: Page, channel: string) {
  return (payload?: unknown) =>
    page.evaluate(
      ([c, p]) =>
        (window as unknown as { __snaptrayEmit(c: string, p: unknown): void }).__snaptrayEmit(c, p),
      [channel, payload] as const,
    );
}

/** Opens the settings window with the real handlers. */
export async function openSettingsWindow(
  context: BrowserContext,
  url: string,
  bridge: string,
  api: SettingsApi,
  size: { width: number; height: number },
): Promise<SettingsWindow> {
  const win = await openWindowPage(
    context,
    url,
    bridge,
    (w) => {
      const handlers: SettingsHandlers = {
        ...api,
        pick: async (request) => {
          w.picks.push(request);
          return w.pickAnswer;
        },
      };
      return only(handlers, WINDOW_METHODS.settings);
    },
    size,
  );
  // The same object the handlers answer from, so that setting pickAnswer reaches them.
  return Object.assign(win, {
    emitSettingsChanged: () => emitter(win.page, SETTINGS_CHANGED_CHANNEL)(),
  });
}

/** Opens the Backups window with the real handlers; `send` is where the api's events go. */
export async function openBackupsWindow(
  context: BrowserContext,
  url: string,
  bridge: string,
  api: BackupsApi,
  size: { width: number; height: number },
): Promise<BackupsWindow> {
  const win = await openWindowPage(
    context,
    url,
    bridge,
    () => only<BackupsHandlers>(api.handlers, WINDOW_METHODS.backups),
    size,
  );
  const send = emitter(win.page, BACKUPS_EVENT_CHANNEL);
  return Object.assign(win, { emit: (event: BackupsEvent) => send(event) });
}

function only<T extends object>(handlers: T, methods: readonly string[]): Partial<T> {
  return Object.fromEntries(
    Object.entries(handlers).filter(([method]) => methods.includes(method)),
  ) as Partial<T>;
}
