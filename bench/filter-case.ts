/**
 * Typing in the name filter of a 5,000-file folder, in the real Backups window page in Chromium:
 * the time from each keydown to the list showing the filter (the status line under the filter is
 * the last thing a filter's update writes), and to the next frame after it. The folder's listing
 * comes from a stand-in for the main process: the filter runs in the page alone.
 *
 * "The old way", side by side: the same page built from the commit before the list was
 * virtualised (every row rebuilt at each keystroke), when this clone's history holds it.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'vite';
import type { BackupsApi } from '../electron/backups/api.js';
import type { BackupsHandlers, EntryView } from '../electron/ipc/contract.js';
import { launchChromium } from '../test/support/chromium.js';
import {
  buildBridge,
  buildWindows,
  openBackupsWindow,
  serveFolder,
} from '../test/support/window-page.js';
import { items, WINDOW_SIZE } from '../test/support/backups-window-harness.js';
import { median, round } from './measure.js';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..');
/** The last commit whose folder list rebuilt every row at each keystroke. */
export const OLD_WAY_COMMIT = '74c1b98';
/** Typed one key at a time: 5,000 names match "e" and "e-", then 1,000, 100 and 10. */
const TYPED = 'e-499';

export interface KeystrokeTimes {
  /** Keydown to the list showing the filter, each keystroke (ms). */
  updated: number[];
  /** Keydown to the frame after it. */
  painted: number[];
}

export interface FilterResult {
  files: number;
  keystrokes: number;
  medianUpdatedMs: number;
  worstUpdatedMs: number;
  medianPaintedMs: number;
  worstPaintedMs: number;
  /** Rows in the page with the whole folder shown. */
  rowsInPage: number;
  old: {
    medianUpdatedMs: number;
    worstUpdatedMs: number;
    medianPaintedMs: number;
    worstPaintedMs: number;
    rowsInPage: number;
  } | null;
  /** Why the old way was not measured. */
  oldSkipped: string | null;
}

/** A stand-in for the main process: one snapshot whose only folder holds `files` files. */
function folderApi(files: number): BackupsApi {
  const time = '2026-11-25T03:00:00.000Z';
  const entries: EntryView[] = Array.from({ length: files }, (_, i) => {
    const name = `file-${String(i).padStart(4, '0')}.txt`;
    return { name, path: `/data/${name}`, type: 'file', size: 1000 + i, mtime: time };
  });
  const no = async () => ({ ok: false as const, reason: 'failed' as const, message: 'not here' });
  const handlers: Partial<BackupsHandlers> = {
    listProfiles: async () => ({
      ok: true,
      value: {
        profiles: [{ key: 'default', label: 'default', destination: 'bench' }],
        profile: 'default',
      },
    }),
    loadTimeline: async () => ({
      ok: true,
      value: {
        destination: 'bench:/backups',
        prefix: 'box',
        profile: 'default',
        machines: [],
        readOnly: false,
        snapshots: [
          {
            name: 'box-2026-11-25-030000',
            time,
            state: 'ok',
            files,
            bytesSent: 0,
            totalFiles: files,
            totalBytes: 0,
            sources: [],
            problems: [],
          },
        ],
        warnings: [],
      },
    }),
    listFolder: async () => ({
      ok: true,
      value: { snapshot: 'box-2026-11-25-030000', path: '/data', entries },
    }),
    takeOpenRequest: async () => null,
    loadStatus: no,
    loadHistory: async () => ({ ok: true, value: { runs: [] } }),
    fileVersions: no,
    folderChanges: no,
  };
  return { handlers } as unknown as BackupsApi;
}

/** Builds the page as it was at `commit` into `outDir`; null when this clone lacks the commit. */
async function buildOldWay(outDir: string, work: string): Promise<string | null> {
  try {
    await run('git', ['-C', REPO, 'cat-file', '-e', `${OLD_WAY_COMMIT}^{commit}`]);
  } catch {
    return `commit ${OLD_WAY_COMMIT} is not in this clone's history`;
  }
  const tree = join(work, 'old-tree');
  await mkdir(tree, { recursive: true });
  await run('sh', [
    '-c',
    'git -C "$1" archive "$2" renderer electron/ipc core vite.config.ts | tar -x -C "$3"',
    'sh',
    REPO,
    OLD_WAY_COMMIT,
    tree,
  ]);
  await symlink(join(REPO, 'node_modules'), join(tree, 'node_modules'));
  await build({
    configFile: join(tree, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return null;
}

/** Opens the page, shows the folder, types TYPED `reps` times; the times of every keystroke. */
async function typeIn(
  context: Awaited<ReturnType<typeof launchChromium>>['context'],
  url: string,
  bridge: string,
  files: number,
  reps: number,
): Promise<KeystrokeTimes & { rowsInPage: number }> {
  const win = await openBackupsWindow(context, url, bridge, folderApi(files), WINDOW_SIZE);
  const { page } = win;
  try {
    // The window opens on its Overview page (the page before it, on the snapshots).
    const snapshotsTab = page.getByRole('tab', { name: 'Snapshots' });
    if ((await snapshotsTab.getAttribute('aria-selected')) !== 'true') await snapshotsTab.click();
    const status = page.locator('.browse-status');
    await status
      .filter({ hasText: `${files.toLocaleString('en')} items` })
      .waitFor({ timeout: 60_000 });
    const rowsInPage = await items(page).count();
    await page.evaluate(() => {
      const w = window as unknown as {
        __down: number;
        __times: Array<{ updated: number; painted: number }>;
      };
      w.__times = [];
      w.__down = 0;
      window.addEventListener('keydown', (e) => (w.__down = e.timeStamp), true);
      const line = document.querySelector('.browse-status');
      if (line === null) throw new Error('no status line');
      new MutationObserver(() => {
        const updated = performance.now() - w.__down;
        requestAnimationFrame(() =>
          setTimeout(() => w.__times.push({ updated, painted: performance.now() - w.__down })),
        );
      }).observe(line, { childList: true, characterData: true, subtree: true });
    });
    const filter = page.getByRole('searchbox', { name: 'Filter names in this folder' });
    let seen = 0;
    for (let r = 0; r < reps; r++) {
      await filter.focus();
      for (const key of TYPED) {
        await page.keyboard.press(key);
        seen++;
        await page.waitForFunction(
          (n) => (window as unknown as { __times: unknown[] }).__times.length >= n,
          seen,
        );
      }
      // Cleared (not measured) before the next round.
      await page.keyboard.press('Control+a');
      await page.keyboard.press('Backspace');
      seen++;
      await page.waitForFunction(
        (n) => (window as unknown as { __times: unknown[] }).__times.length >= n,
        seen,
      );
    }
    const all = await page.evaluate(
      () => (window as unknown as { __times: Array<{ updated: number; painted: number }> }).__times,
    );
    // Every (TYPED.length + 1)th is the clearing keystroke.
    const typed = all.filter((_, i) => (i + 1) % (TYPED.length + 1) !== 0);
    if (win.problems.length > 0) throw new Error(`the page reported: ${win.problems.join('; ')}`);
    return {
      updated: typed.map((t) => t.updated),
      painted: typed.map((t) => t.painted),
      rowsInPage,
    };
  } finally {
    await page.close();
  }
}

export async function timeFilter(files: number, reps: number): Promise<FilterResult> {
  const work = await mkdtemp(join(tmpdir(), 'snaptray-bench-filter-'));
  const chromium = await launchChromium();
  try {
    const built = join(work, 'new');
    const oldBuilt = join(work, 'old');
    const [, bridge, oldSkipped] = await Promise.all([
      buildWindows(built),
      buildBridge(),
      buildOldWay(oldBuilt, work).catch((e: Error) => `the old page did not build: ${e.message}`),
    ]);
    const server = await serveFolder(work);
    try {
      const now = await typeIn(
        chromium.context,
        `${server.url}new/backups.html`,
        bridge,
        files,
        reps,
      );
      const old =
        oldSkipped === null
          ? await typeIn(chromium.context, `${server.url}old/backups.html`, bridge, files, reps)
          : null;
      const figures = (t: KeystrokeTimes) => ({
        medianUpdatedMs: round(median(t.updated)),
        worstUpdatedMs: round(Math.max(...t.updated)),
        medianPaintedMs: round(median(t.painted)),
        worstPaintedMs: round(Math.max(...t.painted)),
      });
      return {
        files,
        keystrokes: now.updated.length,
        ...figures(now),
        rowsInPage: now.rowsInPage,
        old: old === null ? null : { ...figures(old), rowsInPage: old.rowsInPage },
        oldSkipped,
      };
    } finally {
      await server.close();
    }
  } finally {
    await chromium.close();
    await rm(work, { recursive: true, force: true });
  }
}
