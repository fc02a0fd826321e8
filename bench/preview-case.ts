/**
 * Case 6: the settings window's exclude preview on a home-like tree (100,000 files in the full
 * run, a fifth of them in caches and node_modules), with the caches and build-output presets.
 * Timed from the call to the finished preview, beside a bare rsync dry run of the same tree.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { previewExcludes } from '../core/backup/exclude-preview.js';
import { EXCLUDE_PRESETS } from '../core/backup/exclude-presets.js';
import { spawnProcess } from '../core/process.js';
import { median, runTimed } from './measure.js';
import { writeBenchTree } from './tree.js';

export interface PreviewTimes {
  files: number;
  previewMs: number;
  dryRunMs: number;
  excludedFiles: number;
  includedFiles: number;
}

const PRESETS = ['caches', 'build-outputs'];

/** Writes `files` files: four fifths of ordinary data, the rest in .cache and node_modules. */
async function writeHome(root: string, files: number): Promise<void> {
  const hidden = Math.floor(files / 5);
  await writeBenchTree(join(root, 'Documents'), {
    files: files - hidden,
    filesPerFolder: 50,
    mediumEvery: 0,
    largeFiles: 0,
    largeBytes: 0,
  });
  const perFolder = 100;
  for (let i = 0; i < hidden; i += perFolder) {
    const folder =
      i % (2 * perFolder) === 0
        ? join(root, '.cache', `app${i}`)
        : join(root, 'Code', `p${i}`, 'node_modules', 'dep');
    await mkdir(folder, { recursive: true });
    const jobs: Promise<void>[] = [];
    for (let j = 0; j < Math.min(perFolder, hidden - i); j++) {
      jobs.push(writeFile(join(folder, `m${j}.js`), 'x'.repeat(64 + j)));
    }
    await Promise.all(jobs);
  }
}

export async function timePreview(
  root: string,
  scratch: string,
  files: number,
  reps: number,
): Promise<PreviewTimes> {
  const home = join(root, 'home');
  await writeHome(home, files);
  const excludes = EXCLUDE_PRESETS.filter((p) => PRESETS.includes(p.id)).flatMap((p) => p.patterns);
  const previews: number[] = [];
  const dryRuns: number[] = [];
  let excludedFiles = 0;
  let includedFiles = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const preview = await previewExcludes(
      spawnProcess,
      { sources: [home], excludes, automatic: [] },
      { scratchDir: scratch },
    );
    previews.push(performance.now() - t0);
    if (!preview.ok) throw new Error(`the preview failed: ${preview.failure.message}`);
    excludedFiles = preview.value.excluded.reduce((n, e) => n + e.files, 0);
    includedFiles = preview.value.includedFiles;
    if (excludedFiles + includedFiles !== files) {
      throw new Error(
        `the preview accounts for ${excludedFiles} excluded and ${includedFiles} included files, not ${files}`,
      );
    }
    const empty = join(scratch, `empty-${r}`);
    await mkdir(empty, { recursive: true });
    const dry = await runTimed('rsync', [
      '-aH',
      '--relative',
      '--dry-run',
      '--stats',
      `${home}/`,
      empty,
    ]);
    if (dry.code !== 0) throw new Error(`rsync --dry-run exited ${String(dry.code)}`);
    dryRuns.push(dry.ms);
  }
  return {
    files,
    previewMs: median(previews),
    dryRunMs: median(dryRuns),
    excludedFiles,
    includedFiles,
  };
}
