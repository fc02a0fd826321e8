import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Set by the CLI bundle, which runs without the package.json beside it. */
declare const SNAPTRAY_BUNDLED_VERSION: string | undefined;

/** Snaptray's version: the bundle's own, else the package.json above this file. */
export function appVersion(): string {
  if (typeof SNAPTRAY_BUNDLED_VERSION === 'string' && SNAPTRAY_BUNDLED_VERSION !== '') {
    return SNAPTRAY_BUNDLED_VERSION;
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'snaptray' && pkg.version) return pkg.version;
    } catch {
      // not here; look one folder up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
