import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('./renderer', import.meta.url));

/** One page per window (renderer/settings.html, …), built to dist/renderer/<window>.html. */
const pages = Object.fromEntries(
  readdirSync(root)
    .filter((name) => name.endsWith('.html'))
    .map((name) => [basename(name, '.html'), join(root, name)]),
);

/** The windows: static pages the main process loads from dist/renderer. */
export default defineConfig({
  root,
  base: './',
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    rollupOptions: { input: pages },
    // Electron's Chromium: no need to transpile for old browsers.
    target: 'chrome130',
    // No inline scripts or data: URLs, so the pages work under their strict CSP.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
