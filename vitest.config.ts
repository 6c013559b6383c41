import { defineConfig } from 'vitest/config';
import LongestFirst from './bench/testing/sequencer.ts';

// Tests sit beside the modules they test (`foo.ts` → `foo.test.ts`).
// Several suites start real processes (servers, load generators, Chromium) on a
// 2-core machine, so files run in forked processes with generous timeouts.
// Four files at a time on two cores: many files spend most of their time waiting — on a child
// process starting, a 1-second load run, a timer — not computing (vitest's default, cores − 1,
// ran one file at a time). With three, the two cores sat idle a sixth of the run (169% of 200%,
// 4 min 57 s alone, 2026-12-07); with four, 178% and 4 min 35 s. Every file uses its own ports (0), temp dirs and repositories; the
// caches files share (the server bundle in the temp dir, generator/dist) are written elsewhere
// and renamed into place, so a file never reads one half written.
// Not isolated: each worker process runs its files one after another and imports a module
// once, instead of a fresh process per file importing (and transforming) its whole graph
// again — about 1 s of CPU a file (db/ and three generator/ folders, 31 files on two workers:
// 41.8 s → 10.5 s user + sys, 22.5 s → 6.3 s wall, beside other work). No test mocks a module;
// the ones that change process.env or spy on process restore it afterwards.
export default defineConfig({
  test: {
    include: ['{cli,db,bench,generator,server,simulator,docs}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'site/**', 'server/dist/**'],
    // One line naming what to install when chromium, wrk or valgrind is missing.
    globalSetup: ['bench/testing/global-setup.ts'],
    // The files that run for minutes start first, whatever vitest's duration cache holds.
    sequence: { sequencer: LongestFirst },
    pool: 'forks',
    maxWorkers: 4,
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
