// The configured afterPack hook, then what the deb would install besides the app folder: its
// desktop entry and icons, computed by electron-builder's own Linux helper (the deb tool itself
// comes from GitHub and cannot run here). Written to <output>/linux-desktop.json for the test.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LinuxTargetHelper } from 'app-builder-lib/out/targets/LinuxTargetHelper.js';
import afterPack from '../../scripts/after-pack.mjs';

/** @param {any} context electron-builder's AfterPackContext */
export default async function afterPackAndDescribe(context) {
  await afterPack(context);
  const packager = context.packager;
  const helper = new LinuxTargetHelper(packager);
  const debOptions = { ...packager.platformSpecificBuildOptions, ...packager.config.deb };
  const desktopEntry = await helper.computeDesktopEntry(debOptions);
  const icons = (await helper.icons).map((icon) => ({ file: icon.file, size: icon.size }));
  await writeFile(
    join(context.outDir, 'linux-desktop.json'),
    JSON.stringify({ desktopEntry, icons, desktopFileName: helper.getDesktopFileName() }, null, 2),
  );
}
