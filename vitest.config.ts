import { defineConfig } from 'vitest/config';

// Tests sit beside the modules they test (`foo.ts` → `foo.test.ts`).
// Several suites start real processes (servers, load generators, Chromium) on a
// 2-core machine, so files run in forked processes with generous timeouts.
export default defineConfig({
  test: {
    include: ['{cli,db,bench,generator,server,simulator,docs}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'site/**', 'server/dist/**'],
    // One line naming what to install when chromium, wrk or valgrind is missing.
    globalSetup: ['bench/testing/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
