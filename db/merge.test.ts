/**
 * Merging per-machine database files, on real temporary files written by the bench's
 * store: machines never mix, ids are remapped, merging twice adds nothing, and tables or
 * columns the merge has never heard of follow their session.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BenchStore } from '../bench/store.ts';
import { createDatabase, openDatabase, queryRows, saveDatabase, type Database } from './database.ts';
import { mergeDatabase } from './merge.ts';

const tmp = mkdtempSync(join(tmpdir(), 'merge-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface SessionPlan {
  startedAt: string;
  subjects: string[];
  runs: number;
}

const FIGURES = { runs: 2, failed_runs: 0, rps_ci_low: null, rps_ci_high: null, rps_cv: null, ratio_ci_low: null, ratio_ci_high: null, ratio_cv: null, ratio_note: null, avg_latency_us: null, p50_latency_us: null, p90_latency_us: null, p99_latency_us: 900, max_latency_us: null, capacity_connections: null, capacity_rps: null, saturated_runs: 0, disturbed_runs: 0 };

/** A machine's database file, as the bench writes it; throughput figures encode the machine so a mix would show. */
async function machineFile(name: string, fingerprint: string, rpsBase: number, sessions: SessionPlan[]): Promise<string> {
  const path = join(tmp, `${name}.sqlite`);
  const store = await BenchStore.open(path);
  store.recordMachine({ fingerprint, cpu_model: `${name} CPU`, cores: 4, memory_bytes: 8e9, kernel: '6.8', os: 'linux', node_version: 'v20.19.0', details_json: '{}' });
  for (const plan of sessions) {
    const sessionId = store.startSession({ started_at: plan.startedAt, harness_commit: 'c'.repeat(40), harness_dirty: false, machine_fingerprint: fingerprint, tool: 'wrk', tool_version: '4.1.0', settings: {} });
    for (const [index, subject] of plan.subjects.entries()) {
      const rps = rpsBase + index;
      store.recordPreparation({ session_id: sessionId, subject, experiment: '', commit_hash: null, worktree_seconds: 1, install_seconds: 2, install_cache_hit: true, build_seconds: 0, start_seconds: 0.5, total_seconds: 3.5, status: 'ok', failure: null });
      for (let runIndex = 0; runIndex < plan.runs; runIndex++) {
        const samples = [1, 2, 3].map((second) => ({ second, requests_per_second: rps, p99_latency_us: 900, errors: 0 }));
        store.recordRun(
          {
            session_id: sessionId, subject, commit_hash: null, experiment: '', scenario: 'hot', settings_key: 'k', run_index: runIndex, sequence: index * plan.runs + runIndex, tool: 'wrk', tool_version: '4.1.0',
            connections: 16, threads: 1, duration_seconds: 3, keep_alive: 1, started_at: plan.startedAt, status: 'ok', failure: null, requests_per_second: rps,
            total_requests: rps * 3, successful_requests: rps * 3, non_2xx: 0, socket_errors: 0, timeout_errors: 0, bytes_transferred: 100, avg_latency_us: 500, p50_latency_us: 400,
            p90_latency_us: 800, p99_latency_us: 900, max_latency_us: 1000, server_cpu_seconds: 1, loadgen_cpu_seconds: 1, loadgen_saturated: 0, littles_law_ratio: 1, raw_output: '',
          },
          samples,
        );
      }
      store.upsertSummary({ session_id: sessionId, subject, experiment: '', scenario: 'hot', settings_key: 'k' }, { ...FIGURES, rps_median: rps, ratio_median: null });
    }
    store.finishSession(sessionId, 'complete', plan.startedAt.replace('00:00', '00:09'));
  }
  store.save();
  return path;
}

async function mergeFiles(targetPath: string, ...sources: string[]) {
  const target = await openDatabase(targetPath, { create: true });
  const reports = [];
  for (const source of sources) reports.push(mergeDatabase(target, await openDatabase(source)));
  saveDatabase(target, targetPath);
  return { reports, db: await openDatabase(targetPath) };
}

const count = (db: Database, table: string) => Number(queryRows(db, `SELECT count(*) AS n FROM ${table}`)[0].n);

/** Every row, as the machine it belongs to sees it (no ids): what a merge must preserve. */
function contentByMachine(db: Database): Record<string, unknown>[] {
  return queryRows(
    db,
    `SELECT se.machine_fingerprint AS machine, se.started_at, r.subject, r.run_index, r.requests_per_second,
            (SELECT group_concat(rs.second || ':' || rs.requests_per_second) FROM run_samples rs WHERE rs.run_id = r.id) AS samples,
            (SELECT su.rps_median FROM summaries su WHERE su.session_id = se.id AND su.subject = r.subject) AS summary_rps,
            (SELECT p.total_seconds FROM preparations p WHERE p.session_id = se.id AND p.subject = r.subject) AS preparation
     FROM runs r JOIN sessions se ON se.id = r.session_id
     ORDER BY machine, se.started_at, r.subject, r.run_index`,
  );
}

describe('mergeDatabase', () => {
  it('copies each machine with its sessions, runs, samples, summaries and preparations, never mixing them', async () => {
    const x64 = await machineFile('x64', 'fp-x64', 1000, [
      { startedAt: '2026-11-01T10:00:00.000Z', subjects: ['reference', 'v1'], runs: 2 },
      { startedAt: '2026-11-02T10:00:00.000Z', subjects: ['v2'], runs: 1 },
    ]);
    const arm = await machineFile('arm', 'fp-arm', 2000, [{ startedAt: '2026-11-01T10:00:00.000Z', subjects: ['reference', 'v1'], runs: 2 }]);
    const { reports, db } = await mergeFiles(join(tmp, 'merged.sqlite'), x64, arm);

    expect(reports.map((r) => [r.sessionsAdded, r.sessionsPresent, r.machines])).toEqual([[2, 0, ['fp-x64']], [1, 0, ['fp-arm']]]);
    expect(reports[0].rowsAdded).toMatchObject({ sessions: 2, runs: 5, run_samples: 15, summaries: 3, preparations: 3, machine_info: 1 });
    expect(queryRows(db, 'SELECT fingerprint, cpu_model FROM machines ORDER BY fingerprint')).toEqual([
      { fingerprint: 'fp-arm', cpu_model: 'arm CPU' },
      { fingerprint: 'fp-x64', cpu_model: 'x64 CPU' },
    ]);
    // Both files numbered their first session 1: the merge renumbered, and each row still has its own machine's figures.
    const expected = [...contentByMachine(await openDatabase(arm)), ...contentByMachine(await openDatabase(x64))];
    expect(contentByMachine(db)).toEqual(expected);
    expect(contentByMachine(db).every((row) => (row.machine === 'fp-x64') === (Number(row.requests_per_second) < 2000))).toBe(true);
    expect(queryRows(db, 'PRAGMA foreign_key_check')).toEqual([]);
  });

  it('adds nothing when the same file is merged again', async () => {
    const x64 = await machineFile('again', 'fp-again', 1000, [{ startedAt: '2026-11-03T10:00:00.000Z', subjects: ['v1'], runs: 2 }]);
    const target = join(tmp, 'twice.sqlite');
    await mergeFiles(target, x64);
    const tables = ['sessions', 'runs', 'run_samples', 'summaries', 'preparations', 'machines', 'chapters'];
    const once = await openDatabase(target);
    const before = tables.map((t) => count(once, t));
    expect(before.slice(0, 5)).toEqual([1, 2, 6, 1, 1]);
    const { reports, db } = await mergeFiles(target, x64, x64);
    expect(reports.map((r) => [r.sessionsAdded, r.sessionsPresent])).toEqual([[0, 1], [0, 1]]);
    expect(Object.values(reports[0].rowsAdded).every((n) => n === 0)).toBe(true);
    expect(tables.map((t) => count(db, t))).toEqual(before);
  });

  it("keeps the target's own sessions and adds only the source's new ones", async () => {
    const committed = await machineFile('committed', 'fp-dev', 500, [{ startedAt: '2026-10-01T10:00:00.000Z', subjects: ['v1'], runs: 1 }]);
    const first = await machineFile('runner-1', 'fp-ci', 3000, [{ startedAt: '2026-11-05T10:00:00.000Z', subjects: ['v1'], runs: 1 }]);
    await mergeFiles(committed, first);
    // The runner's file grows by one session (the next CI run), then is merged again.
    const grown = await BenchStore.open(first);
    const sessionId = grown.startSession({ started_at: '2026-11-06T10:00:00.000Z', harness_commit: 'd'.repeat(40), harness_dirty: false, machine_fingerprint: 'fp-ci', tool: 'wrk', tool_version: '4.1.0', settings: {} });
    grown.finishSession(sessionId, 'complete');
    grown.save();
    const { reports, db } = await mergeFiles(committed, first);
    expect([reports[0].sessionsAdded, reports[0].sessionsPresent]).toEqual([1, 1]);
    expect(queryRows(db, 'SELECT machine_fingerprint, started_at FROM sessions ORDER BY started_at')).toEqual([
      { machine_fingerprint: 'fp-dev', started_at: '2026-10-01T10:00:00.000Z' },
      { machine_fingerprint: 'fp-ci', started_at: '2026-11-05T10:00:00.000Z' },
      { machine_fingerprint: 'fp-ci', started_at: '2026-11-06T10:00:00.000Z' },
    ]);
  });

  it('carries tables and columns added later, remapping their session_id and run_id', async () => {
    const extend = (db: Database) => {
      db.exec(`ALTER TABLE runs ADD COLUMN instructions_per_request REAL;
               CREATE TABLE cost_samples (session_id INTEGER NOT NULL, run_id INTEGER, repetition INTEGER NOT NULL, instructions REAL NOT NULL);`);
    };
    const sourcePath = await machineFile('extended', 'fp-ext', 1000, [{ startedAt: '2026-11-07T10:00:00.000Z', subjects: ['v1'], runs: 2 }]);
    const source = await openDatabase(sourcePath);
    extend(source);
    source.exec(`UPDATE runs SET instructions_per_request = 4250000 + id;
                 INSERT INTO cost_samples SELECT session_id, id, run_index, 1e9 + id FROM runs;
                 INSERT INTO cost_samples VALUES (1, NULL, 9, 7);`); // a session-wide row without a run
    const target = await createDatabase();
    // The target already holds a session and runs, so the source's ids 1, 2 must move.
    mergeDatabase(target, await openDatabase(await machineFile('occupant', 'fp-occ', 500, [{ startedAt: '2026-11-01T00:00:00.000Z', subjects: ['v1'], runs: 2 }])));
    extend(target);

    const report = mergeDatabase(target, source);
    expect(report.rowsAdded).toMatchObject({ runs: 2, cost_samples: 3 });
    expect(
      queryRows(target, `SELECT se.machine_fingerprint AS machine, c.repetition, c.instructions, r.instructions_per_request, r.run_index
                         FROM cost_samples c JOIN sessions se ON se.id = c.session_id LEFT JOIN runs r ON r.id = c.run_id ORDER BY c.repetition`),
    ).toEqual([
      { machine: 'fp-ext', repetition: 0, instructions: 1e9 + 1, instructions_per_request: 4250001, run_index: 0 },
      { machine: 'fp-ext', repetition: 1, instructions: 1e9 + 2, instructions_per_request: 4250002, run_index: 1 },
      { machine: 'fp-ext', repetition: 9, instructions: 7, instructions_per_request: null, run_index: null },
    ]);
    expect(queryRows(target, "SELECT DISTINCT r.session_id FROM runs r JOIN sessions se ON se.id = r.session_id WHERE se.machine_fingerprint = 'fp-ext'")).toEqual([{ session_id: 2 }]);
  });

  it('leaves out series rows that belong to no session (no machine), and says how many', async () => {
    const sourcePath = await machineFile('orphans', 'fp-orphans', 1000, [{ startedAt: '2026-11-08T10:00:00.000Z', subjects: ['v1'], runs: 1 }]);
    const source = await openDatabase(sourcePath);
    source.exec(`INSERT INTO stress_test_samples(run_id, test_type, elapsed_seconds, observed_rps) VALUES (NULL, 'spike', 1, 10), (1, 'spike', 2, 20)`);
    const target = await createDatabase();
    const report = mergeDatabase(target, source);
    expect(report.rowsWithoutSession).toEqual({ stress_test_samples: 1 });
    expect(queryRows(target, 'SELECT observed_rps FROM stress_test_samples')).toEqual([{ observed_rps: 20 }]);
  });
});
