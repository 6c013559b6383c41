import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../db/database.ts';
import { BenchStore, type RunRecord } from './store.ts';
import { summarize } from './summarize.ts';

const machine = (fingerprint: string) => ({ fingerprint, cpu_model: 'cpu', cores: 2, memory_bytes: 1, kernel: 'k', os: 'linux', node_version: 'v20', details_json: '{}' });

function run(sessionId: number, over: Partial<RunRecord> = {}): RunRecord {
  return {
    sessionId, subject: 'v1', commitHash: 'a'.repeat(40), experiment: '', scenario: 'hot', settingsKey: 'key', runIndex: 0, sequence: 0, tool: 'autocannon',
    toolVersion: '9', connections: 32, threads: null, durationSeconds: 10, keepAlive: true, startedAt: '2026-01-01T00:00:00Z', status: 'ok', failure: null,
    requestsPerSecond: 100, totalRequests: 1000, successfulRequests: 1000, non2xx: 0, socketErrors: 0, timeoutErrors: 0, bytes: 5, avgLatencyUs: NaN,
    p50LatencyUs: null, p90LatencyUs: null, p99LatencyUs: 10, maxLatencyUs: 20, serverCpuSeconds: 1, loadgenCpuSeconds: 1, loadgenSaturated: false,
    littlesLawRatio: 1, rawOutput: '{"raw":true}', ...over,
  };
}

async function store(): Promise<BenchStore> {
  const s = await BenchStore.open(join(mkdtempSync(join(tmpdir(), 'bench-store-')), 'bench.sqlite'));
  s.recordMachine(machine('here'));
  s.recordMachine(machine('elsewhere'));
  return s;
}

const session = (s: BenchStore, fingerprint: string) =>
  s.startSession({ startedAt: '2026-01-01T00:00:00Z', harnessCommit: 'c', harnessDirty: false, machineFingerprint: fingerprint, tool: 'autocannon', toolVersion: '9', settings: { runs: 2 } });

describe('BenchStore', () => {
  it('stores runs with samples, NaN as NULL, and survives a save/reopen', async () => {
    const s = await store();
    const id = session(s, 'here');
    const runId = s.recordRun(run(id), [{ second: 1, requestsPerSecond: 99, p99LatencyUs: 10, errors: 0 }, { second: 2, requestsPerSecond: 101, p99LatencyUs: null, errors: 0 }]);
    s.finishSession(id, 'complete', '2026-01-01T00:01:00Z');
    s.save();
    const db = await openDatabase(s.path);
    expect(queryRows(db, 'SELECT avg_latency_us, raw_output, status FROM runs WHERE id = ?', [runId])).toEqual([{ avg_latency_us: null, raw_output: '{"raw":true}', status: 'ok' }]);
    expect(queryRows(db, 'SELECT second, requests_per_second FROM run_samples ORDER BY second')).toEqual([{ second: 1, requests_per_second: 99 }, { second: 2, requests_per_second: 101 }]);
    expect(queryRows(db, 'SELECT status, finished_at FROM sessions')).toEqual([{ status: 'complete', finished_at: '2026-01-01T00:01:00Z' }]);
  });

  it('counts as measured only a complete summary with the same settings on the same machine', async () => {
    const s = await store();
    const here = session(s, 'here');
    const key = { sessionId: here, subject: 'v1', experiment: '', scenario: 'hot', settingsKey: 'key' };
    const twoRuns = summarize([
      { round: 0, status: 'ok', connections: 32, requestsPerSecond: 100, avgLatencyUs: 1, p50LatencyUs: 1, p90LatencyUs: 1, p99LatencyUs: 1, maxLatencyUs: 1, loadgenSaturated: false },
      { round: 1, status: 'ok', connections: 32, requestsPerSecond: 110, avgLatencyUs: 1, p50LatencyUs: 1, p90LatencyUs: 1, p99LatencyUs: 1, maxLatencyUs: 1, loadgenSaturated: false },
    ]);
    s.upsertSummary(key, { ...twoRuns, runs: 1 }); // an interrupted session: one of two runs
    expect(s.isMeasured('here', 'v1', '', 'hot', 'key', 2)).toBe(false);
    s.upsertSummary(key, twoRuns);
    expect(s.isMeasured('here', 'v1', '', 'hot', 'key', 2)).toBe(true);
    expect(s.isMeasured('elsewhere', 'v1', '', 'hot', 'key', 2)).toBe(false);
    expect(s.isMeasured('here', 'v1', '', 'hot', 'other-key', 2)).toBe(false);
    expect(s.isMeasured('here', 'v1', '', 'mix', 'key', 2)).toBe(false);
    s.upsertSummary(key, { ...twoRuns, failedRuns: 1 });
    expect(s.isMeasured('here', 'v1', '', 'hot', 'key', 2)).toBe(false);
  });

  it('exports the latest summary of each subject × scenario', async () => {
    const s = await store();
    const first = session(s, 'here');
    const second = session(s, 'here');
    const figures = (rps: number) => ({ ...summarize([{ round: 0, status: 'ok', connections: 1, requestsPerSecond: rps, avgLatencyUs: 1, p50LatencyUs: 1, p90LatencyUs: 1, p99LatencyUs: 1, maxLatencyUs: 1, loadgenSaturated: false }]) });
    s.upsertSummary({ sessionId: first, subject: 'v1', experiment: '', scenario: 'hot', settingsKey: 'k' }, figures(100));
    s.upsertSummary({ sessionId: second, subject: 'v1', experiment: '', scenario: 'hot', settingsKey: 'k' }, figures(200));
    s.upsertSummary({ sessionId: first, subject: 'v1', experiment: '', scenario: 'mix', settingsKey: 'k' }, figures(50));
    expect(s.latestSummaries().map((r) => [r.scenario, r.session_id, r.rps_median])).toEqual([['hot', second, 200], ['mix', first, 50]]);
  });
});
