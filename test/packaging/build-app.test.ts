/** scripts/build-app.mjs on a small stand-in project: the preload bundle and the window build. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, writeTree } from '../support/tree.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BUILD_APP = join(ROOT, 'scripts', 'build-app.mjs');

const PRELOAD_SOURCES = {
  'electron/preload.ts': [
    "import { contextBridge } from 'electron';",
    "import type { Api } from './api-types.js';",
    "import { makeApi } from './make-api.js';",
    'const api: Api = makeApi();',
    "contextBridge.exposeInMainWorld('snaptray', api);",
    '',
  ].join('\n'),
  'electron/api-types.ts': 'export interface Api { hello(): string }\n',
  'electron/make-api.ts': "export function makeApi() { return { hello: () => 'hi' }; }\n",
  // A recording fake of electron, only for running the built file here.
  'node_modules/electron/index.js':
    'exports.contextBridge = { exposeInMainWorld: (name, api) => console.log(name, api.hello()) };\n',
};

async function makeProject(files: Record<string, string>): Promise<string> {
  const root = await makeTempDir('st-build-app-');
  await writeTree(root, files);
  return root;
}

describe('scripts/build-app.mjs', () => {
  it('bundles the preload into one CommonJS file that requires only electron', async () => {
    const root = await makeProject(PRELOAD_SOURCES);
    execFileSync(process.execPath, [BUILD_APP, root]);
    const preload = join(root, 'dist', 'electron', 'preload.cjs');
    const text = await readFile(preload, 'utf8');
    expect([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(text).not.toMatch(/^\s*(import|export)\s/m);
    expect(execFileSync(process.execPath, [preload], { encoding: 'utf8' })).toBe('snaptray hi\n');
    // No window sources yet: nothing else is built.
    expect(existsSync(join(root, 'dist', 'renderer'))).toBe(false);
  });

  it('builds each window page in renderer/ with the project vite.config.ts', async () => {
    const page = (name: string) =>
      `<!doctype html><title>${name}</title><script type="module" src="./${name}/main.ts"></script>\n`;
    const root = await makeProject({
      ...PRELOAD_SOURCES,
      'vite.config.ts': [
        'export default {',
        "  root: 'renderer',",
        "  base: './',",
        '  build: {',
        "    outDir: '../dist/renderer',",
        '    emptyOutDir: true,',
        "    rollupOptions: { input: { settings: 'renderer/settings.html', backups: 'renderer/backups.html' } },",
        '  },',
        '};',
        '',
      ].join('\n'),
      'renderer/settings.html': page('settings'),
      'renderer/settings/main.ts': "document.title = 'built settings';\n",
      'renderer/backups.html': page('backups'),
      'renderer/backups/main.ts': "document.title = 'built backups';\n",
    });
    execFileSync(process.execPath, [BUILD_APP, root]);
    for (const name of ['settings', 'backups']) {
      const html = await readFile(join(root, 'dist', 'renderer', `${name}.html`), 'utf8');
      const script = /src="(\.\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const bundle = await readFile(join(root, 'dist', 'renderer', script!), 'utf8');
      expect(bundle).toContain(`built ${name}`);
    }
    expect(existsSync(join(root, 'dist', 'electron', 'preload.cjs'))).toBe(true);
  });
});
