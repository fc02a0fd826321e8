import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The settings window: a static page the main process loads from dist/renderer. */
export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // Electron's Chromium: no need to transpile for old browsers.
    target: 'chrome130',
    // No inline scripts or data: URLs, so the page works under its strict CSP.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
