/**
 * A small benchmark database for tests, with made-up figures (never committed as data):
 * two chapters, one session, hot runs with per-second samples, summaries.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase, saveDatabase } from '../../db/database.ts';
import type { Chapter } from '../../db/chapters.ts';

export const TEST_CHAPTERS: Chapter[] = [
  { number: 1, tag: 'v1-baseline', commit: 'a'.repeat(40), title: 'Baseline', technique: 'Express, linear scan', summary: 'The straightforward version.' },
  { number: 2, tag: 'v2-index', commit: 'b'.repeat(40), title: 'Sorted index', technique: 'Binary search', summary: 'Search a sorted array.' },
];

/** Writes `bench.sqlite` and `chapters.json` into `dir`; with `measured: false` the database has the schema only. */
export async function writeTestDatabase(dir: string, options: { measured?: boolean } = {}): Promise<{ db: string; chapters: string }> {
  const db = await createDatabase();
  if (options.measured !== false) {
    db.run(`INSERT INTO machines(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version) VALUES ('m1', 'Test CPU', 2, 4000000000, '6.1', 'linux', 'v20')`);
    db.run(`INSERT INTO sessions(id, kind, started_at, finished_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json)
            VALUES (1, 'bench', '2026-01-01T00:00:00Z', '2026-01-01T00:10:00Z', 'complete', '${'c'.repeat(40)}', 'm1', 'autocannon', '9.0.0', '{}')`);
    let runId = 0;
    for (const [chapterIndex, chapter] of TEST_CHAPTERS.entries()) {
      for (let runIndex = 0; runIndex < 3; runIndex++) {
        runId++;
        const rps = 1000 * (chapterIndex + 1) + runIndex * 10;
        db.run(
          `INSERT INTO runs(id, session_id, subject, commit_hash, experiment, scenario, settings_key, run_index, sequence, tool, tool_version,
             connections, duration_seconds, keep_alive, started_at, status, requests_per_second, total_requests, successful_requests,
             non_2xx, socket_errors, timeout_errors, bytes_transferred, avg_latency_us, p50_latency_us, p90_latency_us, p99_latency_us, max_latency_us)
           VALUES (?, 1, ?, ?, '', 'hot', 'k', ?, ?, 'autocannon', '9.0.0', 50, 5, 1, '2026-01-01T00:01:00Z', 'ok', ?, ?, ?, 0, 0, 0, 1000, 900, 800, 1500, 3000, 9000)`,
          [runId, chapter.tag, chapter.commit, runIndex, runId, rps, rps * 5, rps * 5],
        );
        for (let second = 1; second <= 5; second++) {
          db.run('INSERT INTO run_samples(run_id, second, requests_per_second, p99_latency_us, errors) VALUES (?, ?, ?, ?, 0)', [runId, second, rps + second, 3000 - second * 10]);
        }
      }
      db.run(
        `INSERT INTO summaries(session_id, subject, experiment, scenario, settings_key, runs, failed_runs, rps_median, rps_ci_low, rps_ci_high, rps_cv,
           ratio_median, avg_latency_us, p50_latency_us, p90_latency_us, p99_latency_us, max_latency_us)
         VALUES (1, ?, '', 'hot', 'k', 3, 0, ?, ?, ?, 0.01, ?, 900, 800, 1500, 3000, 9000)`,
        [chapter.tag, 1000 * (chapterIndex + 1) + 10, 1000 * (chapterIndex + 1), 1000 * (chapterIndex + 1) + 20, 0.25 * (chapterIndex + 1)],
      );
    }
  }
  const dbPath = join(dir, 'bench.sqlite');
  const chaptersPath = join(dir, 'chapters.json');
  saveDatabase(db, dbPath);
  db.close();
  writeFileSync(chaptersPath, JSON.stringify({ chapters: TEST_CHAPTERS }, null, 2));
  return { db: dbPath, chapters: chaptersPath };
}
