import { defineConfig } from 'vitest/config';

/**
 * The tests that run the mutated modules in this process (the CLI tests run the bundled CLI,
 * which a mutant in core/ does not reach): names, listing, link bases, ownership, holding a
 * prefix, retention and destination operations against real rsync; runs of the engine on a
 * shared prefix, locally and through a real sshd; and lock liveness against real processes.
 */
export default defineConfig({
  test: {
    include: [
      'test/core/destination/*.test.ts',
      'test/core/backup/retention.test.ts',
      'test/core/backup/retention-preview.test.ts',
      'test/core/backup/clock-check.test.ts',
      'test/core/backup/clock.test.ts',
      'test/core/settings/identity*.test.ts',
      'test/core/backup/shared-prefix.test.ts',
      'test/core/state/liveness*.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
