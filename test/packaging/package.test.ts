/**
 * Packs the repository's build with electron-builder (`--linux dir`, the folder that the AppImage
 * and the deb are made from) around a stand-in Electron, then looks at it as a user or a packager
 * would: what app.asar holds, and what the installed `snaptray` command does without a display.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { extractFile, listPackage } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCliHome } from '../support/cli.js';
import { makeTempDir, writeTree } from '../support/tree.js';
import { headlessEnv, TRAY_MARKER, writeStandInElectron } from './stand-in-electron.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  description: string;
  dependencies: Record<string, string>;
};
const PRODUCTION_DEPENDENCIES = ['electron-store', 'conf', 'node-notifier', 'zod', 'execa'];
const DEV_DEPENDENCIES = [
  'vitest',
  'typescript',
  'playwright-core',
  'vite',
  'electron-builder',
  'electron',
  'esbuild',
  'eslint',
  'prettier',
  'tsx',
  'fast-check',
];
const TRAY_STATES = ['idle', 'running', 'paused', 'error', 'overdue'];

const run = promisify(execFile);

let work: string;
let app: string;
let asar: string;
let entries: string[];

/**
 * `npm test` builds first; run alone, this builds only what is missing (rebuilding dist/ under
 * tests that are reading it would make them flaky).
 */
async function buildWhatIsMissing(): Promise<void> {
  const options = { cwd: ROOT, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } };
  if (!existsSync(join(ROOT, 'dist', 'electron', 'main.js'))) {
    await run('npx', ['tsc', '-p', 'tsconfig.electron.json'], options);
  }
  if (!existsSync(join(ROOT, 'dist', 'cli', 'snaptray.mjs'))) {
    await run(process.execPath, ['scripts/bundle-cli.mjs'], options);
  }
  const windowMissing = ['settings', 'backups'].some(
    (page) =>
      existsSync(join(ROOT, 'renderer', `${page}.html`)) &&
      !existsSync(join(ROOT, 'dist', 'renderer', `${page}.html`)),
  );
  if (!existsSync(join(ROOT, 'dist', 'electron', 'preload.cjs')) || windowMissing) {
    await run(process.execPath, ['scripts/build-app.mjs'], options);
  }
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runPacked(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(app, 'snaptray'), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Module names a built file loads: static and dynamic imports, re-exports and require(). */
function importsOf(code: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((m) => m[1] ?? ''));
}

function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
}

beforeAll(async () => {
  await buildWhatIsMissing();
  work = await makeTempDir('st-package-');
  const electronDist = join(work, 'electron-dist');
  await writeStandInElectron(electronDist);
  const out = join(work, 'out');
  try {
    await run(
      join(ROOT, 'node_modules', '.bin', 'electron-builder'),
      [
        '--linux',
        'dir',
        '--projectDir',
        ROOT,
        `-c.electronDist=${electronDist}`,
        `-c.directories.output=${out}`,
        // The configured hook, plus a record of the desktop entry and icons the deb would get.
        '-c.afterPack=./test/packaging/after-pack-and-describe.mjs',
      ],
      { cwd: ROOT, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
    );
  } catch (e) {
    const failure = e as Error & { stdout?: string; stderr?: string };
    throw new Error(`electron-builder failed:\n${failure.stdout ?? ''}\n${failure.stderr ?? ''}`);
  }
  app = join(out, 'linux-unpacked');
  asar = join(app, 'resources', 'app.asar');
  entries = listPackage(asar, { isPack: false });
}, 170_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed app', () => {
  it('holds the built main, preload, windows, tray icons and production dependencies', () => {
    for (const file of [
      '/package.json',
      '/dist/electron/main.js',
      '/dist/electron/preload.cjs',
      '/dist/electron/backups/api.js',
      '/dist/renderer/settings.html',
      '/dist/renderer/backups.html',
      '/assets/snaptray.png',
      ...TRAY_STATES.flatMap((s) => [
        `/assets/tray-${s}-light.png`,
        `/assets/tray-${s}-dark.png`,
        `/assets/tray-${s}-light@2x.png`,
        `/assets/tray-${s}-dark@2x.png`,
      ]),
      ...PRODUCTION_DEPENDENCIES.map((name) => `/node_modules/${name}/package.json`),
    ]) {
      expect(entries, file).toContain(file);
    }
  });

  it('holds no sources, tests, benchmarks, source maps or development packages', () => {
    const unwanted = entries.filter(
      (e) =>
        /^\/(test|bench|scripts|core|electron|renderer|build|release|node_modules\/\.bin)(\/|$)/.test(
          e,
        ) ||
        /\.(ts|mts|cts|map)$/.test(e) ||
        /^\/(tsconfig[^/]*\.json|vite\.config\.ts|vitest\.config\.ts|eslint\.config\.js|electron-builder\.yml|package-lock\.json)$/.test(
          e,
        ) ||
        DEV_DEPENDENCIES.some((name) => e.startsWith(`/node_modules/${name}/`)),
    );
    expect(unwanted).toEqual([]);
  });

  it('starts at dist/electron/main.js, and every module it can load is inside', () => {
    const packed = JSON.parse(extractFile(asar, 'package.json').toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(packed.main).toBe('dist/electron/main.js');
    expect(packed.type).toBe('module');
    const present = new Set(entries);
    const missing: string[] = [];
    for (const entry of entries.filter((e) => /^\/dist\/.*\.(c?js)$/.test(e))) {
      const code = extractFile(asar, entry.slice(1)).toString('utf8');
      for (const specifier of importsOf(code)) {
        if (specifier.startsWith('.')) {
          const target = join(entry, '..', specifier);
          if (!present.has(target)) missing.push(`${entry} -> ${specifier}`);
        } else if (
          !specifier.startsWith('node:') &&
          !builtinModules.includes(specifier) &&
          specifier !== 'electron' &&
          !present.has(`/node_modules/${packageNameOf(specifier)}/package.json`)
        ) {
          missing.push(`${entry} -> ${specifier}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('has window pages whose scripts and styles load by relative paths from inside app.asar', () => {
    for (const page of ['settings', 'backups']) {
      const html = extractFile(asar, `dist/renderer/${page}.html`).toString('utf8');
      // Inline data: URLs load nothing from disk.
      const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
        .map((m) => m[1] ?? '')
        .filter((r) => !r.startsWith('data:'));
      expect(references.length).toBeGreaterThan(0);
      for (const reference of references) {
        expect(reference, 'a path from / would leave app.asar under file://').toMatch(/^\.\//);
        expect(entries).toContain(join('/dist/renderer', reference));
      }
    }
  });

  it('keeps the tray icons as real files too, for notify-send (a separate program)', async () => {
    const unpacked = join(app, 'resources', 'app.asar.unpacked', 'assets');
    for (const name of ['snaptray.png', 'tray-idle-light.png', 'tray-error-dark.png']) {
      expect(await readFile(join(unpacked, name))).toEqual(
        await readFile(join(ROOT, 'assets', name)),
      );
    }
  });

  it('gets a desktop entry named after desktopName, with the icons of every size', async () => {
    const described = JSON.parse(
      await readFile(join(work, 'out', 'linux-desktop.json'), 'utf8'),
    ) as {
      desktopEntry: string;
      icons: { size: number }[];
      desktopFileName: string;
    };
    const lines = described.desktopEntry.trim().split('\n');
    expect(lines[0]).toBe('[Desktop Entry]');
    const entry = Object.fromEntries(lines.slice(1).map((l) => l.split(/=(.*)/s).slice(0, 2)));
    expect(entry).toMatchObject({
      Name: 'Snaptray',
      Exec: '/opt/Snaptray/snaptray %U',
      Type: 'Application',
      Icon: 'snaptray',
      Comment: PACKAGE.description,
      Categories: 'Utility;System;',
      StartupWMClass: 'snaptray',
    });
    // Electron takes the Wayland app_id from desktopName: it must name the installed file.
    const packed = JSON.parse(extractFile(asar, 'package.json').toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(packed.desktopName).toBe(`${described.desktopFileName}.desktop`);
    expect(described.icons.map((i) => i.size)).toEqual([16, 24, 32, 48, 64, 128, 256, 512]);
  });
});

describe('the packed snaptray command', () => {
  it('is the launcher, beside the renamed Electron binary and the CLI outside app.asar', async () => {
    expect(await readFile(join(app, 'snaptray'), 'utf8')).toBe(
      await readFile(join(ROOT, 'scripts', 'snaptray-launcher.sh'), 'utf8'),
    );
    expect(await readFile(join(app, 'snaptray-bin'), 'utf8')).toContain(TRAY_MARKER);
    expect(existsSync(join(app, 'resources', 'cli', 'snaptray.mjs'))).toBe(true);
    expect(entries.some((e) => e.startsWith('/dist/cli/'))).toBe(false);
  });

  it('runs the CLI with no display: --version, init, backup and list', async () => {
    const home = await makeCliHome();
    const env = headlessEnv(home.env);
    const dest = await makeTempDir('st-package-dest-');
    const source = await makeTempDir('st-package-src-');
    await writeTree(source, { 'notes/today.txt': 'packed\n' });

    const version = await runPacked(['--version'], env);
    expect(version).toMatchObject({ code: 0 });
    expect(version.stdout).toContain(PACKAGE.version);

    const init = await runPacked(['init', '--json', '--dest', dest], env);
    expect(init.code).toBe(0);
    expect(JSON.parse(init.stdout)).toMatchObject({ initialised: true, error: null });

    const backup = await runPacked(['backup', '--json', '--dest', dest, '--source', source], env);
    expect(backup.code).toBe(0);
    const snapshot = (JSON.parse(backup.stdout) as { snapshot: string }).snapshot;
    expect(await readFile(join(dest, snapshot, source, 'notes', 'today.txt'), 'utf8')).toBe(
      'packed\n',
    );

    const list = await runPacked(['list', '--json', '--dest', dest], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({
      snapshots: [{ name: snapshot, state: 'ok' }],
    });
  });

  it('starts the tray app without a subcommand', async () => {
    const tray = await runPacked([], headlessEnv(process.env));
    expect(tray).toEqual({ code: 0, stdout: `${TRAY_MARKER}\n`, stderr: '' });
  });
});
