// Mutation testing of the snapshot protocol's core: names, listing, retention and destination
// operations. `npm run mutate`; the report lands in reports/mutation/.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  mutate: [
    'core/destination/snapshot-name.ts',
    'core/destination/snapshot.ts',
    'core/backup/retention.ts',
    'core/destination/ops.ts',
    'core/destination/sequence.ts',
    'core/backup/clock-check.ts',
    'core/settings/identity.ts',
  ],
  coverageAnalysis: 'perTest',
  reporters: ['clear-text', 'progress', 'html'],
  concurrency: 2,
  timeoutMS: 60_000,
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
};
