import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../db/database.ts';
import { BenchStore, type RunRow } from './store.ts';
import { summarize, type RunOutcome } from './figures/summarize.ts';

const machine = (fingerprint: string) => ({ fingerprint, cpu_model: 'cpu', cores: 2, memory_bytes: 1, kernel: 'k', os: 'linux', node_version: 'v20', details_json: '{"arch":"x64"}' });

function run(sessionId: number, over: Partial<RunRow> = {}): RunRow {
  return {
    session_id: sessionId, subject: 'v1', commit_hash: 'a'.repeat(40), experiment: '', scenario: 'hot', settings_key: 'key', run_index: 0, sequence: 0, tool: 'wrk',
    tool_version: '4', connections: 32, threads: 1, duration_seconds: 10, keep_alive: 1, started_at: '2026-01-01T00:00:00Z', status: 'ok', failure: null,
    requests_per_second: 100, total_requests: 1000, successful_requests: 1000, non_2xx: 0, socket_errors: 0, timeout_errors: 0, bytes_transferred: 5, avg_latency_us: NaN,
    p50_latency_us: null, p90_latency_us: null, p99_latency_us: 10, max_latency_us: 20, server_cpu_seconds: 1, loadgen_cpu_seconds: 1, loadgen_saturated: 0,
    littles_law_ratio: 1, raw_output: '{"raw":true}', ...over,
  };
}

const outcome = (round: number, rps: number): RunOutcome => ({
  run_index: round, sequence: round, status: 'ok', connections: 32, requests_per_second: rps, avg_latency_us: 1, p50_latency_us: 1, p90_latency_us: 1, p99_latency_us: 1, max_latency_us: 1, loadgen_saturated: false,
});

async function store(): Promise<BenchStore> {
  const s = await BenchStore.open(join(mkdtempSync(join(tmpdir(), 'bench-store-')), 'bench.sqlite'));
  s.recordMachine(machine('here'));
  s.recordMachine(machine('elsewhere'));
  return s;
}

const session = (s: BenchStore, fingerprint: string) =>
  s.startSession({ started_at: '2026-01-01T00:00:00Z', harness_commit: 'c', harness_dirty: false, machine_fingerprint: fingerprint, tool: 'wrk', tool_version: '4', server_cpus: '0', loadgen_cpus: '1', pinning_note: 'pinned', settings: { runs: 2 } });

describe('BenchStore', () => {
  it('gives clean sessions recorded without a harness tree the tree of their commit, and leaves dirty and unknown ones alone', async () => {
    const s = await store();
    const clean = session(s, 'here');
    const dirty = s.startSession({ started_at: '2026-01-01T00:00:00Z', harness_commit: 'c', harness_dirty: true, machine_fingerprint: 'here', tool: 'wrk', tool_version: '4', server_cpus: '0', loadgen_cpus: '1', pinning_note: 'pinned', settings: {} });
    const unknown = s.startSession({ started_at: '2026-01-01T00:00:00Z', harness_commit: 'gone', harness_dirty: false, machine_fingerprint: 'here', tool: 'wrk', tool_version: '4', server_cpus: '0', loadgen_cpus: '1', pinning_note: 'pinned', settings: {} });
    expect(s.fillHarnessTrees((commit) => (commit === 'c' ? 'tree-of-c' : null))).toBe(1);
    const trees = Object.fromEntries(s.rows('SELECT id, harness_tree FROM sessions').map((r) => [r.id, r.harness_tree]));
    expect(trees).toEqual({ [clean]: 'tree-of-c', [dirty]: null, [unknown]: null });
    expect(s.fillHarnessTrees(() => 'another')).toBe(1); // only the unknown commit is asked again
    expect(s.rows('SELECT harness_tree FROM sessions WHERE id = ?', [clean])[0].harness_tree).toBe('tree-of-c');
  });

  it('stores runs with samples, NaN as NULL, and survives a save/reopen', async () => {
    const s = await store();
    const id = session(s, 'here');
    const runId = s.recordRun(run(id), [{ second: 1, requests_per_second: 99, p99_latency_us: 10, errors: 0 }, { second: 2, requests_per_second: 101, p99_latency_us: null, errors: 0 }]);
    s.finishSession(id, 'complete', '2026-01-01T00:01:00Z');
    s.save();
    const db = await openDatabase(s.path);
    expect(queryRows(db, 'SELECT avg_latency_us, raw_output, status FROM runs WHERE id = ?', [runId])).toEqual([{ avg_latency_us: null, raw_output: '{"raw":true}', status: 'ok' }]);
    expect(queryRows(db, 'SELECT second, requests_per_second FROM run_samples ORDER BY second')).toEqual([{ second: 1, requests_per_second: 99 }, { second: 2, requests_per_second: 101 }]);
    expect(queryRows(db, 'SELECT status, finished_at, server_cpus, loadgen_cpus FROM sessions')).toEqual([{ status: 'complete', finished_at: '2026-01-01T00:01:00Z', server_cpus: '0', loadgen_cpus: '1' }]);
  });

  it("marks abandoned the sessions a dead process left running, and keeps their runs", async () => {
    const s = await store();
    const crashed = session(s, 'here');
    s.recordRun(run(crashed), []);
    const finished = session(s, 'here');
    s.finishSession(finished, 'complete', '2026-01-01T00:01:00Z');
    expect(s.abandonRunningSessions()).toEqual([crashed]);
    expect(s.abandonRunningSessions()).toEqual([]);
    s.save();
    const db = await openDatabase(s.path);
    expect(queryRows(db, 'SELECT id, status, finished_at FROM sessions ORDER BY id')).toEqual([
      { id: crashed, status: 'abandoned', finished_at: null },
      { id: finished, status: 'complete', finished_at: '2026-01-01T00:01:00Z' },
    ]);
    expect(queryRows(db, 'SELECT COUNT(*) AS n FROM runs WHERE session_id = ?', [crashed])).toEqual([{ n: 1 }]);
  });

  it('counts as measured only a complete summary with the same settings on the same machine', async () => {
    const s = await store();
    const here = session(s, 'here');
    const key = { session_id: here, subject: 'v1', experiment: '', scenario: 'hot', settings_key: 'key' };
    const twoRuns = summarize([outcome(0, 100), outcome(1, 110)]);
    s.upsertSummary(key, { ...twoRuns, runs: 1 }); // an interrupted session: one of two runs
    expect(s.isMeasured('here', 'v1', '', 'hot', 'key', 2)).toBe(false);
    s.upsertSummary(key, twoRuns);
    expect(s.isMeasured('here', 'v1', '', 'hot', 'key', 2)).toBe(true);
    expect(s.isMeasured('elsewhere', 'v1', '', 'hot', 'key', 2)).toBe(false);
    expect(s.isMeasured('here', 'v1', '', 'hot', 'other-key', 2)).toBe(false);
    expect(s.isMeasured('here', 'v1', '', 'mix', 'key', 2)).toBe(false);
    s.upsertSummary(key, { ...twoRuns, failed_runs: 1 });
    expect(s.isMeasured('here', 'v1', '', 'hot', 'key', 2)).toBe(false);
  });

  it('exports the latest summary of each subject × scenario, on the comparison machine only', async () => {
    const s = await store();
    const first = session(s, 'here');
    const second = session(s, 'here');
    const elsewhere = session(s, 'elsewhere');
    const figures = (rps: number) => summarize([outcome(0, rps)]);
    s.upsertSummary({ session_id: first, subject: 'v1', experiment: '', scenario: 'hot', settings_key: 'k' }, figures(100));
    s.upsertSummary({ session_id: second, subject: 'v1', experiment: '', scenario: 'hot', settings_key: 'k' }, figures(200));
    s.upsertSummary({ session_id: first, subject: 'v1', experiment: '', scenario: 'mix', settings_key: 'k' }, figures(50));
    s.upsertSummary({ session_id: elsewhere, subject: 'v1', experiment: '', scenario: 'hot', settings_key: 'k' }, figures(999));
    s.finishSession(first, 'complete', '2026-01-01T00:01:00Z');
    s.finishSession(second, 'complete', '2026-01-01T00:02:00Z');
    // The latest complete session ran here; the one elsewhere never completed.
    expect(s.latestSummaries().map((r) => [r.scenario, r.session_id, r.rps_median])).toEqual([['hot', second, 200], ['mix', first, 50]]);
  });

  it('writes series samples with their session, subject, experiment and scenario', async () => {
    const s = await store();
    const id = session(s, 'here');
    s.finishSession(id, 'complete');
    const writer = s.seriesWriter('adaptive_limiter', { sessionId: id, subject: 'v7-limits', experiment: 'tight', scenario: 'overload' });
    writer.write({ elapsed_seconds: 1, connection_limit: 64, observed_rps: 900, rejection_rate: 0, active_connections: 60, saturation_ratio: 0.94, action: 'hold' });
    writer.write({ elapsed_seconds: 2, connection_limit: 48, observed_rps: 880, rejection_rate: 0.1, active_connections: 48, saturation_ratio: 1, action: 'decrease' });
    s.seriesWriter('stress_test', { sessionId: id, subject: 'v6-shed', experiment: '', scenario: 'overload' }).write({ test_type: 'spike', elapsed_seconds: 1, observed_rps: 10, success_rate: 1, active_connections: 5, rejection_rate: 0, avg_latency_us: 100 });
    s.seriesWriter('scaling_signals', { sessionId: id, subject: 'v8', experiment: '', scenario: 'overload' }).write({ elapsed_seconds: 1, rejection_rate: 0.2, saturation_ratio: 1, needs_scaleout: true, connection_limit: 10, active_connections: 10, observed_rps: 5 });
    expect(s.rows('SELECT session_id, subject, experiment, scenario, elapsed_seconds, connection_limit, action FROM adaptive_limiter_seconds ORDER BY elapsed_seconds')).toEqual([
      { session_id: id, subject: 'v7-limits', experiment: 'tight', scenario: 'overload', elapsed_seconds: 1, connection_limit: 64, action: 'hold' },
      { session_id: id, subject: 'v7-limits', experiment: 'tight', scenario: 'overload', elapsed_seconds: 2, connection_limit: 48, action: 'decrease' },
    ]);
    expect(s.rows('SELECT subject, test_type FROM stress_test_seconds')).toEqual([{ subject: 'v6-shed', test_type: 'spike' }]);
    expect(s.rows('SELECT subject, needs_scaleout FROM scaling_signals_seconds')).toEqual([{ subject: 'v8', needs_scaleout: 1 }]);
  });
});
