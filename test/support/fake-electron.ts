/**
 * A recording stand-in for the `electron` module (Electron cannot run on these machines): it
 * keeps what the main process hands to Electron so tests can look at the tray and menu as a
 * user would, and click items.
 */
import { EventEmitter } from 'node:events';
import { basename } from 'node:path';

export interface FakeMenuItem {
  id?: string;
  label?: string;
  type?: string;
  enabled?: boolean;
  checked?: boolean;
  submenu?: FakeMenuItem[];
  click?: () => void;
}

export interface MessageBoxCall {
  options: Record<string, unknown>;
  answer: number;
  /** The window it was shown over; null for none. */
  parent: unknown;
}

/** An answer to a message box: a button's index, or its label (which must be one of its buttons). */
export type MessageBoxAnswer = number | string;

function answerOf(answer: MessageBoxAnswer | undefined, options: Record<string, unknown>): number {
  if (answer === undefined) return 0;
  if (typeof answer === 'number') return answer;
  const buttons = (options.buttons ?? []) as string[];
  const index = buttons.indexOf(answer);
  if (index < 0) {
    throw new Error(`The message box has no button "${answer}": ${JSON.stringify(buttons)}`);
  }
  return index;
}

function messageBox(args: unknown[]): number {
  const options = (args.length > 1 ? args[1] : args[0]) as Record<string, unknown>;
  const answer = answerOf(fake.messageBoxAnswers.shift(), options);
  fake.messageBoxes.push({ options, answer, parent: args.length > 1 ? args[0] : null });
  return answer;
}

class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly sent: string[] = [];
  /** Each send's channel and payload, in order. */
  readonly messages: Array<{ channel: string; payload: unknown }> = [];
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler;
  }
  send(channel: string, payload?: unknown): void {
    this.sent.push(channel);
    this.messages.push({ channel, payload });
  }
}

class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  loaded: string | null = null;
  destroyed = false;
  shown = 0;
  constructor(readonly options: Record<string, unknown>) {
    super();
    fake.windows.push(this);
  }
  loadFile(path: string): Promise<void> {
    this.loaded = path;
    return Promise.resolve();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  show(): void {
    this.shown++;
    this.emit('show');
  }
  hide(): void {
    this.emit('hide');
  }
  focus(): void {}
  close(): void {
    this.destroyed = true;
    this.emit('closed');
  }
}

class FakeTray {
  image = '';
  tooltip = '';
  menu: FakeMenuItem[] = [];
  readonly images: string[] = [];
  constructor(image: { path: string }) {
    this.image = image.path;
    fake.trays.push(this);
  }
  setImage(image: { path: string }): void {
    this.image = image.path;
    this.images.push(basename(image.path));
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: { items: FakeMenuItem[] }): void {
    this.menu = menu.items;
    fake.menuSets++;
  }
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

class FakeApp extends EventEmitter {
  readonly quitCalls: number[] = [];
  exitCode: number | null = null;
  isPackaged = false;
  /** What each launch handed to requestSingleInstanceLock (Electron's additionalData). */
  readonly lockData: unknown[] = [];
  requestSingleInstanceLock(additionalData?: unknown): boolean {
    this.lockData.push(additionalData);
    return fake.singleInstance;
  }
  quit(): void {
    this.quitCalls.push(Date.now());
  }
  exit(code: number): void {
    this.exitCode = code;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  getAppPath(): string {
    return fake.appPath;
  }
}

const powerMonitor = Object.assign(new EventEmitter(), {
  isOnBatteryPower: () => fake.onBattery,
});

class FakeNativeTheme extends EventEmitter {
  get shouldUseDarkColors(): boolean {
    return fake.dark;
  }
}
const nativeTheme = new FakeNativeTheme();

/** Everything the fake recorded, and the answers it gives. */
export const fake = {
  appPath: '/nonexistent-app',
  singleInstance: true,
  onBattery: false,
  online: true,
  dark: false,
  menuSets: 0,
  trays: [] as FakeTray[],
  windows: [] as FakeBrowserWindow[],
  handlers: new Map<string, Handler>(),
  messageBoxes: [] as MessageBoxCall[],
  /** Answers for showMessageBox and showMessageBoxSync, in order; 0 once they run out. */
  messageBoxAnswers: [] as MessageBoxAnswer[],
  errorBoxes: [] as string[],
  openedPaths: [] as string[],
  /** What shell.showItemInFolder was asked to show. */
  shownInFolder: [] as string[],
  openDialogResult: { canceled: true, filePaths: [] as string[] },
  openDialogCalls: [] as Record<string, unknown>[],
  permissionHandler: null as
    ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null,
  permissionCheckHandler: null as (() => boolean) | null,
  headersHandler: null as
    | ((
        details: { responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
      ) => void)
    | null,
  app: new FakeApp(),
  powerMonitor,
  nativeTheme,
};

export function resetFake(): void {
  fake.singleInstance = true;
  fake.onBattery = false;
  fake.online = true;
  fake.dark = false;
  fake.menuSets = 0;
  fake.trays.length = 0;
  fake.windows.length = 0;
  fake.handlers.clear();
  fake.messageBoxes.length = 0;
  fake.messageBoxAnswers.length = 0;
  fake.errorBoxes.length = 0;
  fake.openedPaths.length = 0;
  fake.shownInFolder.length = 0;
  fake.openDialogCalls.length = 0;
  fake.openDialogResult = { canceled: true, filePaths: [] };
  fake.permissionHandler = null;
  fake.permissionCheckHandler = null;
  fake.headersHandler = null;
  fake.app.removeAllListeners();
  fake.app.quitCalls.length = 0;
  fake.app.lockData.length = 0;
  fake.app.exitCode = null;
  powerMonitor.removeAllListeners();
  nativeTheme.removeAllListeners();
}

/** The module `vi.mock('electron', …)` returns. */
export const electronModule = {
  app: fake.app,
  Tray: FakeTray,
  BrowserWindow: FakeBrowserWindow,
  Menu: { buildFromTemplate: (items: FakeMenuItem[]) => ({ items }) },
  nativeImage: { createFromPath: (path: string) => ({ path }) },
  nativeTheme,
  powerMonitor,
  net: { isOnline: () => fake.online },
  ipcMain: {
    handle: (channel: string, handler: Handler) => {
      fake.handlers.set(channel, handler);
    },
  },
  dialog: {
    showMessageBoxSync: (...args: unknown[]) => messageBox(args),
    showMessageBox: (...args: unknown[]) =>
      Promise.resolve({ response: messageBox(args), checkboxChecked: false }),
    showOpenDialog: (...args: unknown[]) => {
      fake.openDialogCalls.push((args.length > 1 ? args[1] : args[0]) as Record<string, unknown>);
      return Promise.resolve(fake.openDialogResult);
    },
    showErrorBox: (_title: string, content: string) => {
      fake.errorBoxes.push(content);
    },
  },
  shell: {
    openPath: (path: string) => {
      fake.openedPaths.push(path);
      return Promise.resolve('');
    },
    showItemInFolder: (path: string) => {
      fake.shownInFolder.push(path);
    },
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (handler: typeof fake.permissionHandler) => {
        fake.permissionHandler = handler;
      },
      setPermissionCheckHandler: (handler: typeof fake.permissionCheckHandler) => {
        fake.permissionCheckHandler = handler;
      },
      webRequest: {
        onHeadersReceived: (handler: typeof fake.headersHandler) => {
          fake.headersHandler = handler;
        },
      },
    },
  },
};

export default electronModule;

/** The tray the app created (the newest). */
export function tray(): FakeTray {
  const t = fake.trays.at(-1);
  if (t === undefined) throw new Error('No tray was created.');
  return t;
}

/** Every label of the menu the tray shows now, submenus indented by two spaces. */
export function menuLabels(items: FakeMenuItem[] = tray().menu, indent = ''): string[] {
  const labels: string[] = [];
  for (const item of items) {
    if (item.type === 'separator') labels.push(`${indent}---`);
    else labels.push(`${indent}${item.label ?? ''}`);
    if (item.submenu) labels.push(...menuLabels(item.submenu, indent + '  '));
  }
  return labels;
}

export function findItem(label: string, items: FakeMenuItem[] = tray().menu): FakeMenuItem | null {
  for (const item of items) {
    if (item.label === label) return item;
    const inner = item.submenu ? findItem(label, item.submenu) : null;
    if (inner) return inner;
  }
  return null;
}

/** Clicks a menu item by its label, as a user would; it must be there and enabled. */
export function clickMenu(label: string): void {
  const item = findItem(label);
  if (item === null) throw new Error(`No menu item "${label}" in:\n${menuLabels().join('\n')}`);
  if (item.enabled === false) throw new Error(`The menu item "${label}" is disabled.`);
  if (!item.click) throw new Error(`The menu item "${label}" does nothing.`);
  item.click();
}

/** The icon file the tray shows now, such as `tray-running-light.png`. */
export function trayIcon(): string {
  return basename(tray().image);
}

export type { FakeBrowserWindow, FakeTray, FakeWebContents };
