import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites each start their own redis-server / smtp-server on free ports,
    // so files can run in parallel; keep it to the 2 cores CI has.
    maxWorkers: 2,
    globalSetup: ['tests/support/global-setup.ts'],
    // In CI also write a JSON report, which .ci/run turns into a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'var/test-report.json' },
  },
});
