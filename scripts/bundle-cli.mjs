// Bundles the CLI and its npm dependencies into dist/cli/, so it starts without resolving hundreds
// of modules and runs outside the packed app (the installed `snaptray` runs it in node mode).
import { build } from 'esbuild';
import { readFile, rename, rm } from 'node:fs/promises';

const target = 'dist/cli';
// Built aside and swapped in, so a CLI that is running meanwhile never finds the folder empty.
const outdir = `dist/cli.new-${process.pid}`;
const { version } = JSON.parse(await readFile('package.json', 'utf8'));
await build({
  entryPoints: { snaptray: 'core/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // Bundled CommonJS dependencies still call require() for Node's own modules.
  banner: {
    js: "import { createRequire as snaptrayCreateRequire } from 'node:module'; const require = snaptrayCreateRequire(import.meta.url);",
  },
  define: { SNAPTRAY_BUNDLED_VERSION: JSON.stringify(version) },
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
const old = `dist/cli.old-${process.pid}`;
await rename(target, old).catch(() => undefined);
await rename(outdir, target);
await rm(old, { recursive: true, force: true });
