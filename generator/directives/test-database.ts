/**
 * A small benchmark database for the generator's tests, built through the real
 * schema (createDatabase + syncChapters + plain INSERTs). The figures are made-up
 * TEST values, never shown in the book.
 */
import type { Database } from 'sql.js';
import { syncChapters, type Chapter } from '../../db/chapters.ts';
import { createDatabase } from '../../db/database.ts';
import { DirectiveError } from './errors.ts';

export const TEST_CHAPTERS: Chapter[] = [
  { number: 1, tag: 'v1-baseline', commit: '1'.repeat(40), title: 'Baseline', technique: 'none', summary: 'The starting point' },
  { number: 2, tag: 'v2-cache', commit: '2'.repeat(40), title: 'Caching', technique: 'LRU cache', summary: 'Cache hot queries' },
  { number: 3, tag: 'v3-pool', commit: '3'.repeat(40), title: 'Pooling', technique: 'connection pool', summary: 'Not measured yet' },
];

/** Headline (hot scenario) medians of the measured chapters: v3-pool has none. */
export const TEST_HEADLINES: Record<string, number> = { 'v1-baseline': 10_000, 'v2-cache': 14_230 };

export async function createTestDatabase(): Promise<Database> {
  const db = await createDatabase();
  syncChapters(db, TEST_CHAPTERS);
  db.run(
    `INSERT INTO machines(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version)
     VALUES ('m1', 'Test CPU 3000', 2, 4294967296, '6.1.0', 'linux', 'v20.20.2')`,
  );
  db.run(
    `INSERT INTO sessions(id, started_at, finished_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json)
     VALUES (1, '2026-11-20T10:00:00.000Z', '2026-11-20T10:30:00.000Z', 'complete', '${'a'.repeat(40)}', 'm1', 'autocannon', '9.0.0', '{}')`,
  );
  let runId = 0;
  for (const [tag, rps] of Object.entries(TEST_HEADLINES)) {
    const chapter = TEST_CHAPTERS.find((c) => c.tag === tag) as Chapter;
    for (let i = 0; i < 2; i++) {
      runId++;
      db.run(
        `INSERT INTO runs(id, session_id, subject, commit_hash, scenario, settings_key, run_index, sequence, tool, tool_version,
                          connections, duration_seconds, keep_alive, started_at, status, requests_per_second, p99_latency_us)
         VALUES (?, 1, ?, ?, 'hot', 'k', ?, ?, 'autocannon', '9.0.0', 32, 10, 1, '2026-11-20T10:01:00.000Z', 'ok', ?, 1500)`,
        [runId, tag, chapter.commit, i, runId, rps],
      );
    }
    db.run(
      `INSERT INTO summaries(session_id, subject, scenario, settings_key, runs, failed_runs, rps_median, p50_latency_us, p99_latency_us)
       VALUES (1, ?, 'hot', 'k', 2, 0, ?, 850, 1234.5)`,
      [tag, rps],
    );
  }
  // A short adaptive-limiter series (the spec's two-y-axes example queries it).
  const samples: [number, number, number][] = [
    [0, 10, 900],
    [1, 20, 1800],
    [2, 30, 2500],
  ];
  for (const [elapsed, limit, rps] of samples) {
    db.run(
      "INSERT INTO adaptive_limiter_samples(session_id, subject, experiment, scenario, elapsed_seconds, connection_limit, observed_rps) VALUES (1, 'v2-cache', '', 'ramp', ?, ?, ?)",
      [elapsed, limit, rps],
    );
  }
  return db;
}

/** The DirectiveError a render rejects with (fails the test when it resolves or rejects otherwise). */
export async function directiveErrorOf(rendering: Promise<unknown>): Promise<DirectiveError> {
  try {
    await rendering;
  } catch (error) {
    if (error instanceof DirectiveError) return error;
    throw error;
  }
  throw new Error('expected a DirectiveError, but the page rendered');
}
