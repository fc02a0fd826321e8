#!/usr/bin/env node
// Holds every mutated file to the bar, not only the total: reads Stryker's JSON report, prints
// each file's mutation score and the overall one, and fails (exit 1) naming every file below
// it. The bar is `thresholds.break` of stryker.config.mjs unless `--min N` is given. Several
// reports (a run in parts: `npx stryker run --mutate FILE`, one file at a time) count as one.
//   node scripts/mutation-per-file.mjs [report.json …] [--min N]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const minAt = args.indexOf('--min');
const minArg = minAt === -1 ? null : args.splice(minAt, 2)[1];
const reportPaths = args.length > 0 ? args : [join(root, 'reports', 'mutation', 'mutation.json')];

const config = (await import(join(root, 'stryker.config.mjs'))).default;
const min = minArg === null ? config.thresholds?.break : Number(minArg);
if (typeof min !== 'number' || !Number.isFinite(min)) {
  console.error(
    'No bar to hold the files to: set thresholds.break in stryker.config.mjs, or pass --min N.',
  );
  process.exit(2);
}

const files = {};
for (const reportPath of reportPaths) {
  let report;
  try {
    report = JSON.parse(await readFile(reportPath, 'utf8'));
  } catch (error) {
    console.error(
      `Cannot read the mutation report ${reportPath} (${error.message}): run Stryker first.`,
    );
    process.exit(2);
  }
  Object.assign(files, report.files ?? {});
}

// Stryker's own mutation score: detected (killed, timed out) over detected and undetected
// (survived, not covered); mutants that did not compile or were ignored do not count.
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

const rows = Object.entries(files)
  .map(([file, { mutants }]) => {
    const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
    const undetected = mutants.filter((m) => UNDETECTED.has(m.status)).length;
    const valid = detected + undetected;
    return { file, detected, undetected, score: valid === 0 ? 100 : (100 * detected) / valid };
  })
  .sort((a, b) => a.file.localeCompare(b.file));

if (rows.length === 0) {
  console.error(`${reportPaths.join(', ')} name no mutated files.`);
  process.exit(2);
}

const width = Math.max(...rows.map((r) => r.file.length));
console.log(`Mutation score per file (bar: ${min} %)`);
for (const r of rows) {
  const mark = r.score < min ? '  below the bar' : '';
  console.log(
    `  ${r.file.padEnd(width)}  ${r.score.toFixed(2).padStart(6)} %  ` +
      `(${r.detected} detected, ${r.undetected} survived or not covered)${mark}`,
  );
}
const detected = rows.reduce((n, r) => n + r.detected, 0);
const undetected = rows.reduce((n, r) => n + r.undetected, 0);
const total = detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);
console.log(
  `  ${'overall'.padEnd(width)}  ${total.toFixed(2).padStart(6)} %  ` +
    `(${detected} detected, ${undetected} survived or not covered)`,
);
// Stryker holds a whole run's total to thresholds.break; a run in parts is held here.
const below = rows.filter((r) => r.score < min);
if (total < min) below.push({ file: 'overall', score: total });
if (below.length > 0) {
  console.error(
    `Below the mutation score of ${min} %: ` +
      below.map((r) => `${r.file} (${r.score.toFixed(2)} %)`).join(', ') +
      '. Add tests that kill their surviving mutants (reports/mutation/mutation.html shows them).',
  );
  process.exit(1);
}
console.log(`Every mutated file, and all of them together, score at least ${min} %.`);
