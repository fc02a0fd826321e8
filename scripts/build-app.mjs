// Builds the parts of the app that tsc does not: the preload script as one CommonJS file (a
// sandboxed preload can require() only `electron` and a few built-ins, so everything else is
// bundled in) and the windows with Vite.
//   node scripts/build-app.mjs [ROOT]      ROOT defaults to this repository
import { build as buildBundle } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

async function buildPreload(root) {
  const outfile = join(root, 'dist', 'electron', 'preload.cjs');
  await buildBundle({
    entryPoints: [join(root, 'electron', 'preload.ts')],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'es2022',
    external: ['electron'],
    logLevel: 'warning',
  });
  return outfile;
}

/** The windows: one page each (renderer/settings.html, …), all built by one Vite run. */
async function buildRenderer(root) {
  const rendererDir = join(root, 'renderer');
  if (!existsSync(rendererDir) || !readdirSync(rendererDir).some((f) => f.endsWith('.html'))) {
    return null;
  }
  const { build: buildVite } = await import('vite');
  const configFile = join(root, 'vite.config.ts');
  await buildVite({ configFile: existsSync(configFile) ? configFile : false, logLevel: 'warn' });
  return join(root, 'dist', 'renderer');
}

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
// Vite resolves the config's relative paths (root, outDir) from the working folder.
process.chdir(root);
await buildPreload(root);
await buildRenderer(root);
