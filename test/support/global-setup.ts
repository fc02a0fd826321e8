import { execFileSync } from 'node:child_process';

/** The CLI tests run the bundled `snaptray` as a user would: build it once, fresh. */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.core.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/bundle-cli.mjs'], { stdio: 'inherit' });
}
