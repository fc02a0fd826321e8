// electron-builder afterPack hook (Linux): renames the Electron binary to snaptray-bin and puts
// scripts/snaptray-launcher.sh in its place, so the `snaptray` that the desktop entry, the
// AppImage's AppRun and the deb's /usr/bin/snaptray link all run can start the CLI headless.
import { access, chmod, copyFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAUNCHER = join(dirname(fileURLToPath(import.meta.url)), 'snaptray-launcher.sh');

/** @param {{ appOutDir: string, electronPlatformName: string, packager: { executableName?: string, appInfo: { version: string } } }} context */
export default async function afterPack(context) {
  if (context.electronPlatformName !== 'linux') {
    return;
  }
  const name = context.packager.executableName;
  if (name !== 'snaptray') {
    throw new Error(
      `linux.executableName is "${name}", but the launcher runs "snaptray-bin": set it to "snaptray" in electron-builder.yml.`,
    );
  }
  const cliDir = join(context.appOutDir, 'resources', 'cli');
  try {
    await access(join(cliDir, 'snaptray.mjs'));
  } catch {
    throw new Error(
      'resources/cli/snaptray.mjs is missing from the package: run `node scripts/bundle-cli.mjs` (part of `npm run build`) before electron-builder.',
    );
  }
  // Lets the bundled CLI find its name and version, which otherwise come from package.json.
  await writeFile(
    join(cliDir, 'package.json'),
    JSON.stringify(
      { name: 'snaptray', version: context.packager.appInfo.version, type: 'module' },
      null,
      2,
    ) + '\n',
  );
  const executable = join(context.appOutDir, name);
  await rename(executable, join(context.appOutDir, 'snaptray-bin'));
  await copyFile(LAUNCHER, executable);
  await chmod(executable, 0o755);
}
