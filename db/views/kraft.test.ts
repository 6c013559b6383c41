import { describe, expect, it } from 'vitest';
import { queryRows } from '../database.ts';
import { kraftDatabase, loadRun, rampRound, stressRound } from './kraft-fixture.ts';

describe("the original BookGen's views", () => {
  it("stress_test_series: chapter 8's overload in its latest session on the comparison machine, one row per second per test_type, the last round only", async () => {
    const db = await kraftDatabase();
    stressRound(db, 1, 'v8-shed', 'none', 3, 1000); // an older session
    stressRound(db, 3, 'v8-shed', 'none', 3, 9000); // another machine
    stressRound(db, 2, 'v8-shed', 'none', 3, 100); // first round …
    stressRound(db, 2, 'v8-shed', '', 2, 200);
    stressRound(db, 2, 'v8-shed', 'none', 3, 300); // … second round of the same session: this one
    stressRound(db, 2, 'v8-shed', 'connlimit', 2, 400);
    stressRound(db, 2, 'v8-shed', 'max-connections', 2, 500); // no kraft test_type: left out
    stressRound(db, 2, 'v9-adapt', 'none', 2, 600); // another chapter

    expect(queryRows(db, 'SELECT test_type, elapsed_seconds, observed_rps, active_connections, session_id, experiment FROM stress_test_series ORDER BY test_type, elapsed_seconds')).toEqual([
      { test_type: 'app_level', elapsed_seconds: 1, observed_rps: 201, active_connections: 10, session_id: 2, experiment: '' },
      { test_type: 'app_level', elapsed_seconds: 2, observed_rps: 202, active_connections: 20, session_id: 2, experiment: '' },
      { test_type: 'kernel_level', elapsed_seconds: 1, observed_rps: 401, active_connections: 10, session_id: 2, experiment: 'connlimit' },
      { test_type: 'kernel_level', elapsed_seconds: 2, observed_rps: 402, active_connections: 20, session_id: 2, experiment: 'connlimit' },
      { test_type: 'no_protection', elapsed_seconds: 1, observed_rps: 301, active_connections: 10, session_id: 2, experiment: 'none' },
      { test_type: 'no_protection', elapsed_seconds: 2, observed_rps: 302, active_connections: 20, session_id: 2, experiment: 'none' },
      { test_type: 'no_protection', elapsed_seconds: 3, observed_rps: 303, active_connections: 30, session_id: 2, experiment: 'none' },
    ]);
    // Every session stays in our own view.
    expect(queryRows(db, "SELECT COUNT(*) AS n FROM stress_test_seconds WHERE subject = 'v8-shed'")).toEqual([{ n: 15 }]);
  });

  it("adaptive_limiter_series: chapter 9's ramp as tagged, the latest run of the latest complete session only", async () => {
    const db = await kraftDatabase();
    rampRound(db, 'adaptive_limiter_samples', 1, 'v9-adapt', '', 100, (s) => s);
    rampRound(db, 'adaptive_limiter_samples', 2, 'v9-adapt', '', 200, (s) => s);
    rampRound(db, 'adaptive_limiter_samples', 2, 'v9-adapt', 'fixed-64', 300, (s) => s);
    rampRound(db, 'adaptive_limiter_samples', 2, 'v8-shed', '', 400, (s) => s);
    rampRound(db, 'adaptive_limiter_samples', 2, 'v9-adapt', '', 500, (s) => s * 2);
    // A later session cut short is not an edition.
    db.run(`INSERT INTO sessions(id, started_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json) VALUES (4, '2026-01-01T03:00:00Z', 'interrupted', 'c', 'here', 'wrk', '4', '{}')`);
    rampRound(db, 'adaptive_limiter_samples', 4, 'v9-adapt', '', 900, (s) => s);
    expect(queryRows(db, 'SELECT elapsed_seconds, observed_rps, connection_limit, active_connections FROM adaptive_limiter_series ORDER BY elapsed_seconds')).toEqual([
      { elapsed_seconds: 1, observed_rps: 501, connection_limit: 64, active_connections: 2 },
      { elapsed_seconds: 2, observed_rps: 502, connection_limit: 64, active_connections: 4 },
      { elapsed_seconds: 3, observed_rps: 503, connection_limit: 64, active_connections: 6 },
    ]);
  });

  it("scaling_signals_series: chapter 10's latest ramp, active_connections never NULL (a second without the gauge is left out)", async () => {
    const db = await kraftDatabase();
    rampRound(db, 'scaling_signal_samples', 1, 'v10-signal', '', 100, (s) => s);
    rampRound(db, 'scaling_signal_samples', 2, 'v10-signal', '', 200, (s) => (s === 2 ? null : s * 5));
    rampRound(db, 'scaling_signal_samples', 2, 'v10-signal', 'tuned-rule', 300, (s) => s);
    expect(queryRows(db, 'SELECT elapsed_seconds, observed_rps, active_connections FROM scaling_signals_series ORDER BY elapsed_seconds')).toEqual([
      { elapsed_seconds: 1, observed_rps: 201, active_connections: 5 },
      { elapsed_seconds: 3, observed_rps: 203, active_connections: 15 },
    ]);
    // A kraft-style query: group by connections, as its chapter on scaling signals does.
    expect(queryRows(db, 'SELECT active_connections, observed_rps FROM scaling_signals_series GROUP BY active_connections ORDER BY active_connections')).toHaveLength(2);
  });

  it('are empty, not an error, on a database that never ran those chapters', async () => {
    const db = await kraftDatabase();
    for (const view of ['stress_test_series', 'adaptive_limiter_series', 'scaling_signals_series']) {
      expect(queryRows(db, `SELECT COUNT(*) AS n FROM ${view}`), view).toEqual([{ n: 0 }]);
    }
  });

  it("has every column of kraft's BookGen tables (docs/bookgen/schema.sql there), so its documented performance_summary view works", async () => {
    const db = await kraftDatabase();
    const kraftColumns: Record<string, string[]> = {
      versions: ['tag', 'chapter_number', 'title', 'description', 'baseline_rps', 'improvement_percent', 'technique'],
      commits: ['hash', 'tag', 'message', 'timestamp'],
      benchmark_runs: ['id', 'commit_hash', 'timestamp', 'description'],
      benchmark_results: ['id', 'run_id', 'concurrency', 'requests_per_sec', 'p50_latency_us', 'p99_latency_us', 'avg_latency_us', 'max_latency_us'],
    };
    for (const [view, columns] of Object.entries(kraftColumns)) {
      const ours = queryRows(db, `SELECT name FROM pragma_table_info('${view}')`).map((row) => row.name);
      expect(ours, view).toEqual(expect.arrayContaining(columns));
    }
    for (const connections of [32, 64]) loadRun(db, { session: 2, subject: 'v1-first', connections, rps: 100 * connections, p99: connections });
    db.run(`CREATE TEMP VIEW performance_summary AS SELECT v.tag, v.baseline_rps, br.p99_latency_us FROM versions v
      JOIN commits c ON c.tag = v.tag JOIN benchmark_runs r ON r.commit_hash = c.hash JOIN benchmark_results br ON br.run_id = r.id`);
    expect(queryRows(db, 'SELECT tag, baseline_rps, p99_latency_us FROM performance_summary ORDER BY p99_latency_us')).toEqual([
      { tag: 'v1-first', baseline_rps: null, p99_latency_us: 32 },
      { tag: 'v1-first', baseline_rps: null, p99_latency_us: 64 },
    ]);
  });

  it("benchmark_results has kraft's concurrency and requests_per_sec, commits its timestamp: the join kraft's books write", async () => {
    const db = await kraftDatabase();
    db.run("UPDATE chapters SET committed_at = '2026-01-01T00:00:00+00:00' WHERE tag = 'v1-first'");
    db.run(
      `INSERT INTO runs(id, session_id, subject, commit_hash, scenario, settings_key, run_index, sequence, tool, tool_version, connections, duration_seconds, keep_alive, started_at, status, requests_per_second, p99_latency_us)
       VALUES (7, 2, 'v1-first', ?, 'sweep', 'k', 0, 0, 'wrk', '4', 64, 10, 1, '2026-01-01T02:00:00Z', 'ok', 1234.5, 900)`,
      ['1'.repeat(40)],
    );
    expect(
      queryRows(
        db,
        `SELECT br.concurrency, br.requests_per_sec, br.p99_latency_us, c.tag, c.timestamp FROM benchmark_results br
         JOIN benchmark_runs r ON br.run_id = r.id JOIN commits c ON r.commit_hash = c.hash WHERE c.tag IN ('v1-first')`,
      ),
    ).toEqual([{ concurrency: 64, requests_per_sec: 1234.5, p99_latency_us: 900, tag: 'v1-first', timestamp: '2026-01-01T00:00:00+00:00' }]);
  });

  it('benchmark_results: one row per commit × concurrency, the median of the latest complete session that ran it on the comparison machine; every run in run_results', async () => {
    const db = await kraftDatabase();
    // Chapter 1 at 32 connections: three rounds in session 2 (median 200, p99 median 20), one in the older session 1.
    for (const [rps, p99] of [[300, 10], [100, 30], [200, 20]]) loadRun(db, { session: 2, subject: 'v1-first', connections: 32, rps, p99 });
    loadRun(db, { session: 1, subject: 'v1-first', connections: 32, rps: 5000, p99: 1 });
    // At 64 connections only session 1 ran it (two sweep steps: the median is their mean).
    loadRun(db, { session: 1, subject: 'v1-first', connections: 64, rps: 400, p99: 40, scenario: 'sweep' });
    loadRun(db, { session: 1, subject: 'v1-first', connections: 64, rps: 500, p99: 60, scenario: 'sweep' });
    // None of these counts: a failed run, a disturbed one, an experiment, another scenario, the reference, another machine, a session cut short.
    loadRun(db, { session: 2, subject: 'v1-first', connections: 32, rps: 9, p99: 9, status: 'failed' });
    loadRun(db, { session: 2, subject: 'v1-first', connections: 32, rps: 9, p99: 9, disturbance: 'steal time' });
    loadRun(db, { session: 2, subject: 'v1-first', connections: 32, rps: 9, p99: 9, experiment: 'none' });
    loadRun(db, { session: 2, subject: 'v1-first', connections: 32, rps: 9, p99: 9, scenario: 'mix' });
    loadRun(db, { session: 2, subject: 'reference', connections: 32, rps: 9, p99: 9 });
    loadRun(db, { session: 3, subject: 'v8-shed', connections: 32, rps: 9, p99: 9 });
    db.run(`INSERT INTO sessions(id, started_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json) VALUES (4, '2026-01-01T03:00:00Z', 'interrupted', 'c', 'here', 'wrk', '4', '{}')`);
    loadRun(db, { session: 4, subject: 'v1-first', connections: 32, rps: 9, p99: 9 });

    expect(queryRows(db, 'SELECT tag, chapter_number, concurrency, requests_per_sec, requests_per_second, p99_latency_us, runs, scenarios, session_id FROM benchmark_results ORDER BY concurrency')).toEqual([
      { tag: 'v1-first', chapter_number: 1, concurrency: 32, requests_per_sec: 200, requests_per_second: 200, p99_latency_us: 20, runs: 3, scenarios: 'hot', session_id: 2 },
      { tag: 'v1-first', chapter_number: 1, concurrency: 64, requests_per_sec: 450, requests_per_second: 450, p99_latency_us: 50, runs: 2, scenarios: 'sweep', session_id: 1 },
    ]);
    // kraft's join: one point per tag and concurrency.
    expect(
      queryRows(
        db,
        `SELECT c.tag, br.concurrency, br.p99_latency_us FROM benchmark_results br JOIN benchmark_runs r ON br.run_id = r.id
         JOIN commits c ON r.commit_hash = c.hash ORDER BY c.tag, br.concurrency`,
      ),
    ).toEqual([
      { tag: 'v1-first', concurrency: 32, p99_latency_us: 20 },
      { tag: 'v1-first', concurrency: 64, p99_latency_us: 50 },
    ]);
    // Every ok run on the comparison machine keeps its own row, whatever its session, scenario or experiment (the failed one has none).
    expect(queryRows(db, "SELECT COUNT(*) AS n FROM run_results WHERE tag = 'v1-first'")).toEqual([{ n: 10 }]);
  });
});
