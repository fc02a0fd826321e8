// Mutation testing of the snapshot protocol's core: names, listing, retention, destination
// operations, who holds a prefix, and whether a lock's process still lives. `npm run mutate`
// fails below `thresholds.break` overall, and scripts/mutation-per-file.mjs then holds every
// file to the same bar. The reports land in reports/mutation/ (HTML, and JSON for that script).
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
    'core/destination/ownership.ts',
    'core/destination/hold-prefix.ts',
    'core/state/liveness.ts',
  ],
  coverageAnalysis: 'perTest',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  concurrency: 2,
  timeoutMS: 60_000,
  // The first run of every test, against real rsync, sshd and routers, takes minutes on a busy
  // machine; Stryker's default of 5 gives up too early.
  dryRunTimeoutMinutes: 30,
  thresholds: { high: 90, low: 80, break: 80 },
  tempDirName: '.stryker-tmp',
};
