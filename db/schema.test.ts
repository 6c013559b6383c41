import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseChapterList, syncChapters, type Chapter } from './chapters.ts';
import { createDatabase, openDatabase, queryRows, saveDatabase, type Database } from './database.ts';
import { applySchema, BOOK_VIEWS, SCHEMA_VERSION, schemaVersionOf } from './schema.ts';

const chapters: Chapter[] = [
  { number: 1, tag: 'v1-baseline', commit: 'a'.repeat(40), title: 'Baseline', technique: 'Express', summary: 'Start' },
  { number: 2, tag: 'v2-fast', commit: 'b'.repeat(40), title: 'Fast', technique: 'node:http', summary: 'Faster' },
];

function addSession(db: Database, id: number, machine = 'm', status = 'running', startedAt = `2026-01-01T00:00:0${id}Z`): void {
  // Through the old table name on purpose: books' fixtures insert machines that way.
  db.run(
    `INSERT OR IGNORE INTO machines(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version, details_json)
     VALUES (?, ?, 2, 1, 'k', 'linux', 'v20', ?)`,
    [machine, `cpu ${machine}`, JSON.stringify({ arch: machine === 'arm' ? 'arm64' : 'x64' })],
  );
  db.run(
    `INSERT INTO sessions(id, started_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json)
     VALUES (?, ?, ?, 'c', ?, 'wrk', '4.1.0', '{}')`,
    [id, startedAt, status, machine],
  );
}

function addHotSummary(db: Database, session: number, subject: string, rps: number, ratio: number | null = null): void {
  db.run(
    `INSERT INTO summaries(session_id, subject, scenario, settings_key, runs, failed_runs, rps_median, ratio_median, p99_latency_us)
     VALUES (?, ?, 'hot', 'k', 5, 0, ?, ?, 900)`,
    [session, subject, rps, ratio],
  );
}

function addRun(db: Database, session: number, subject: string, rps: number): void {
  db.run(
    `INSERT INTO runs(session_id, subject, scenario, settings_key, run_index, sequence, tool, tool_version, connections, duration_seconds, keep_alive, started_at, status, requests_per_second)
     VALUES (?, ?, 'hot', 'k', 0, 0, 'wrk', '4.1.0', 32, 10, 1, '2026-01-01T00:00:00Z', 'ok', ?)`,
    [session, subject, rps],
  );
}

const COMMITTED_DATABASE = fileURLToPath(new URL('../data/bench.sqlite', import.meta.url));
/** data/bench.sqlite as committed before schema 3 (commit 6a3b70a): written by schema 2, kept to test the upgrade. */
const SCHEMA_2_DATABASE = fileURLToPath(new URL('./fixtures/bench-schema-2.sqlite', import.meta.url));
/** data/bench.sqlite as committed at schema 5 (sessions 3, ingest, and 6, cost, kept; raw outputs emptied): the upgrade to schema 6. */
const SCHEMA_5_DATABASE = fileURLToPath(new URL('./fixtures/bench-schema-5.sqlite', import.meta.url));

/** A copy of a fixture database in a temporary directory: its path, the fixture's bytes, and the copy as the old code would see it (no upgrade). */
async function fixtureCopy(fixture: string): Promise<{ copy: string; before: Buffer; old: Database }> {
  const copy = join(mkdtempSync(join(tmpdir(), 'db-migrate-')), 'bench.sqlite');
  const before = readFileSync(fixture);
  copyFileSync(fixture, copy);
  const SQL = await (await import('./database.ts')).loadSqlJs();
  return { copy, before, old: new SQL.Database(readFileSync(copy)) };
}

describe('schema', () => {
  it('creates every view books query, and re-applying it is harmless', async () => {
    const db = await createDatabase();
    applySchema(db);
    expect(schemaVersionOf(db)).toBe(SCHEMA_VERSION);
    for (const view of BOOK_VIEWS) expect(() => db.exec(`SELECT * FROM ${view}`)).not.toThrow();
  });

  it("finds a subject's latest session in the tails views by an index, not by a scan per row", async () => {
    // A scan per row of latency_histograms took 4.4 s per chapter page's histogram (50 s of a 53 s book).
    const db = await createDatabase();
    applySchema(db);
    const plan = (sql: string) => queryRows(db, `EXPLAIN QUERY PLAN ${sql}`).map((row) => String(row.detail)).join('\n');
    expect(plan("SELECT * FROM latency_histogram WHERE tag = 'v1' AND scenario = 'capacity-mix'")).toMatch(/latency_histograms_by_subject/);
    expect(plan("SELECT * FROM soak_series WHERE tag = 'v1'")).toMatch(/soak_samples_by_subject/);
    expect(plan("SELECT * FROM objective_capacity WHERE tag = 'v1'")).toMatch(/capacity_probes_by_subject/);
  });

  it('lists unmeasured chapters with NULL figures, never a default', async () => {
    const db = await createDatabase();
    syncChapters(db, chapters);
    const rows = queryRows(db, 'SELECT tag, baseline_rps, improvement_percent FROM versions ORDER BY chapter_number');
    expect(rows).toEqual([
      { tag: 'v1-baseline', baseline_rps: null, improvement_percent: null },
      { tag: 'v2-fast', baseline_rps: null, improvement_percent: null },
    ]);
  });

  it('takes the headline from the latest session that measured the chapter', async () => {
    const db = await createDatabase();
    syncChapters(db, chapters);
    addSession(db, 1);
    addSession(db, 2);
    addHotSummary(db, 1, 'v1-baseline', 1000);
    addHotSummary(db, 1, 'v2-fast', 1500);
    addHotSummary(db, 2, 'v1-baseline', 1100);
    addHotSummary(db, 2, 'v2-fast', 2200);
    const rows = queryRows(db, 'SELECT tag, baseline_rps, improvement_percent FROM versions ORDER BY chapter_number');
    expect(rows).toEqual([
      { tag: 'v1-baseline', baseline_rps: 1100, improvement_percent: null },
      { tag: 'v2-fast', baseline_rps: 2200, improvement_percent: 100 },
    ]);
    const progression = queryRows(db, 'SELECT tag, previous_rps, rps_delta FROM version_progression ORDER BY chapter_number');
    expect(progression[1]).toEqual({ tag: 'v2-fast', previous_rps: 1100, rps_delta: 1100 });
    expect(queryRows(db, 'SELECT tag FROM latest_baseline')).toEqual([{ tag: 'v2-fast' }]);
  });

  it('compares with chapter 1 from another session when this session did not measure it', async () => {
    const db = await createDatabase();
    syncChapters(db, chapters);
    addSession(db, 1);
    addSession(db, 2);
    addHotSummary(db, 1, 'v1-baseline', 1000);
    addHotSummary(db, 2, 'v2-fast', 1250);
    const [v2] = queryRows(db, "SELECT improvement_percent FROM versions WHERE tag = 'v2-fast'");
    expect(v2.improvement_percent).toBe(25);
  });

  it('takes every figure of every comparing view from one machine, and names it', async () => {
    const db = await createDatabase();
    syncChapters(db, chapters);
    // x64 measured both chapters and completed; arm measured later, but its session failed.
    addSession(db, 1, 'x64', 'complete');
    addHotSummary(db, 1, 'v1-baseline', 1000, 0.1);
    addHotSummary(db, 1, 'v2-fast', 3000, 0.3);
    addRun(db, 1, 'v1-baseline', 1000);
    addSession(db, 2, 'arm', 'failed');
    addHotSummary(db, 2, 'v2-fast', 9999, 0.9);
    addRun(db, 2, 'v2-fast', 9999);
    const x64 = 'cpu x64 · 2 cores · x64';
    const arm = 'cpu arm · 2 cores · arm64';
    expect(queryRows(db, 'SELECT tag, baseline_rps, reference_ratio, improvement_percent, machine FROM versions ORDER BY chapter_number')).toEqual([
      { tag: 'v1-baseline', baseline_rps: 1000, reference_ratio: 0.1, improvement_percent: null, machine: x64 },
      { tag: 'v2-fast', baseline_rps: 3000, reference_ratio: 0.3, improvement_percent: 200, machine: x64 },
    ]);
    expect(queryRows(db, 'SELECT DISTINCT machine FROM version_progression')).toEqual([{ machine: x64 }]);
    expect(queryRows(db, 'SELECT tag, machine FROM latest_baseline')).toEqual([{ tag: 'v2-fast', machine: x64 }]);
    expect(queryRows(db, 'SELECT tag, machine FROM benchmark_runs')).toEqual([{ tag: 'v1-baseline', machine: x64 }]);
    expect(queryRows(db, 'SELECT tag, requests_per_second, machine FROM run_results')).toEqual([{ tag: 'v1-baseline', requests_per_second: 1000, machine: x64 }]);
    expect(queryRows(db, 'SELECT fingerprint, machine, sessions, complete_sessions, runs, subjects, scenarios, is_comparison_machine FROM machines ORDER BY fingerprint')).toEqual([
      { fingerprint: 'arm', machine: arm, sessions: 1, complete_sessions: 0, runs: 1, subjects: 'v2-fast', scenarios: 'hot', is_comparison_machine: 0 },
      { fingerprint: 'x64', machine: x64, sessions: 1, complete_sessions: 1, runs: 1, subjects: 'v1-baseline, v2-fast', scenarios: 'hot', is_comparison_machine: 1 },
    ]);

    // Once arm completes a session it becomes the comparison machine: chapter 1 is then
    // not measured there, and nothing of x64 leaks in.
    addSession(db, 3, 'arm', 'complete');
    addHotSummary(db, 3, 'v2-fast', 8000);
    expect(queryRows(db, 'SELECT tag, baseline_rps, improvement_percent, machine FROM versions ORDER BY chapter_number')).toEqual([
      { tag: 'v1-baseline', baseline_rps: null, improvement_percent: null, machine: arm },
      { tag: 'v2-fast', baseline_rps: 8000, improvement_percent: null, machine: arm },
    ]);
    expect(queryRows(db, 'SELECT DISTINCT tag, machine FROM run_results')).toEqual([{ tag: 'v2-fast', machine: arm }]);

    // A whole-book edition decides it, and a later partial edition (or run) elsewhere does not move it.
    addSession(db, 4, 'x64', 'complete');
    db.run(`UPDATE sessions SET settings_json = '{"edition":{"whole_book":true}}' WHERE id = 4`);
    addSession(db, 5, 'arm', 'complete');
    db.run(`UPDATE sessions SET settings_json = '{"edition":{"whole_book":false}}' WHERE id = 5`);
    expect(queryRows(db, 'SELECT fingerprint FROM comparison_machine')).toEqual([{ fingerprint: 'x64' }]);

    // A book may name its machine kind: a later whole-book edition of another kind stays history.
    addSession(db, 6, 'arm', 'complete');
    db.run(`UPDATE sessions SET settings_json = '{"edition":{"whole_book":true}}', started_at = '2099-01-01T00:00:00Z' WHERE id = 6`);
    expect(queryRows(db, 'SELECT fingerprint FROM comparison_machine')).toEqual([{ fingerprint: 'arm' }]);
    db.run("INSERT INTO meta(key, value) VALUES ('comparison_kind', 'cpu x64 · 2')");
    expect(queryRows(db, 'SELECT fingerprint FROM comparison_machine')).toEqual([{ fingerprint: 'x64' }]);
    db.run("DELETE FROM meta WHERE key = 'comparison_kind'");
    db.run('DELETE FROM sessions WHERE id IN (4, 5, 6)');

    // A book may name its machine.
    db.run("INSERT INTO meta(key, value) VALUES ('comparison_machine', 'x64')");
    expect(queryRows(db, "SELECT baseline_rps, machine FROM versions WHERE tag = 'v2-fast'")).toEqual([{ baseline_rps: 3000, machine: x64 }]);
  });

  it('upgrades a database of an older schema on open: the schema-2 data/bench.sqlite of commit 6a3b70a, copied', async () => {
    const { copy, before, old } = await fixtureCopy(SCHEMA_2_DATABASE);
    expect(schemaVersionOf(old)).toBe(2);
    const oldRuns = queryRows(old, 'SELECT COUNT(*) AS n FROM runs')[0].n;

    const db = await openDatabase(copy);
    expect(schemaVersionOf(db)).toBe(SCHEMA_VERSION);
    const columns = (table: string) => queryRows(db, `PRAGMA table_info(${table})`).map((c) => c.name);
    expect(columns('summaries')).toContain('ratio_note');
    expect(columns('sessions')).toEqual(expect.arrayContaining(['server_cpus', 'loadgen_cpus', 'pinning_note']));
    for (const series of ['stress_test_samples', 'adaptive_limiter_samples', 'scaling_signal_samples']) {
      expect(columns(series)).toEqual(expect.arrayContaining(['session_id', 'subject', 'experiment', 'scenario']));
    }
    expect(queryRows(db, "SELECT type FROM sqlite_master WHERE name IN ('machines', 'machine_info') ORDER BY name")).toEqual([{ type: 'table' }, { type: 'view' }]);
    expect(queryRows(db, 'SELECT COUNT(*) AS n FROM runs')[0].n).toBe(oldRuns);
    for (const view of BOOK_VIEWS) expect(() => db.exec(`SELECT * FROM ${view}`)).not.toThrow();
    expect(queryRows(db, 'SELECT COUNT(*) AS n FROM machines WHERE is_comparison_machine = 1')[0].n).toBe(1);
    // Schema 4: the profiles table, empty, and its view.
    expect(columns('profiles')).toEqual(['session_id', 'subject', 'experiment', 'scenario', 'process', 'rank', 'function', 'file', 'line', 'bundle', 'self_share', 'total_share', 'self_ms']);
    expect(queryRows(db, 'SELECT COUNT(*) AS n FROM profile_top')).toEqual([{ n: 0 }]);
    // Schema 5: the costs table and the runs' server reports.
    expect(columns('costs')).toContain('instructions_per_request');
    expect(columns('runs')).toEqual(expect.arrayContaining(['server_report_before', 'server_report_after', 'server_peak_rss_bytes']));
    // Opening twice is harmless, and the fixture was only read.
    applySchema(db);
    expect(readFileSync(SCHEMA_2_DATABASE).equals(before)).toBe(true);
  });

  it('upgrades a schema-5 database: the series gain their open-loop columns (NULL on old rows), overload_steps and its views appear', async () => {
    const { copy, before, old } = await fixtureCopy(SCHEMA_5_DATABASE);
    expect(schemaVersionOf(old)).toBe(5);
    const oldRows = queryRows(old, 'SELECT test_type, elapsed_seconds, observed_rps, session_id, subject FROM stress_test_samples ORDER BY rowid');
    expect(oldRows.length).toBeGreaterThan(0);

    const db = await openDatabase(copy);
    expect(schemaVersionOf(db)).toBe(SCHEMA_VERSION);
    const columns = (table: string) => queryRows(db, `PRAGMA table_info(${table})`).map((c) => c.name);
    const stress = ['offered_rps', 'completed_rps', 'rejected_rps', 'failed_rps', 'p50_latency_us', 'p99_latency_us', 'step_multiplier', 'settling', 'generator_behind'];
    const adaptive = ['in_flight', 'no_load_rtt_us', 'current_rtt_us', 'accepted_rps', 'rejected_rps', 'offered_rps', 'p99_latency_us'];
    const scaling = ['event_loop_utilization', 'p99_latency_us', 'p99_limit_us', 'offered_rps', 'rejected_rps'];
    for (const [table, view, added] of [['stress_test_samples', 'stress_test_seconds', stress], ['adaptive_limiter_samples', 'adaptive_limiter_seconds', adaptive], ['scaling_signal_samples', 'scaling_signals_seconds', scaling]] as const) {
      expect(columns(table)).toEqual(expect.arrayContaining([...added]));
      expect(columns(view)).toEqual(expect.arrayContaining([...added, 'session_id', 'subject', 'experiment', 'scenario', 'machine']));
    }
    // The old rows are intact, their new columns NULL: not measured, never 0.
    expect(queryRows(db, 'SELECT test_type, elapsed_seconds, observed_rps, session_id, subject FROM stress_test_samples ORDER BY rowid')).toEqual(oldRows);
    expect(queryRows(db, 'SELECT COUNT(*) AS n FROM stress_test_samples WHERE offered_rps IS NOT NULL OR generator_behind IS NOT NULL')).toEqual([{ n: 0 }]);
    expect(columns('overload_steps')).toEqual(expect.arrayContaining(['session_id', 'subject', 'experiment', 'step_multiplier', 'goodput_rps', 'p99_served_us', 'rejection_rate', 'failure_rate', 'generator_behind']));
    for (const view of BOOK_VIEWS) expect(() => db.exec(`SELECT * FROM ${view}`)).not.toThrow();
    expect(queryRows(db, 'SELECT COUNT(*) AS n FROM overload_summary')).toEqual([{ n: 0 }]);
    applySchema(db);
    expect(readFileSync(SCHEMA_5_DATABASE).equals(before)).toBe(true);
  });

  it('overload_summary: the latest session per subject × experiment on the comparison machine, a behind step marked as not counting', async () => {
    const db = await createDatabase();
    addSession(db, 1, 'x64', 'complete');
    addSession(db, 2, 'x64', 'complete');
    const step = (session: number, experiment: string, multiplier: number, goodput: number, behind: number) =>
      db.run(
        `INSERT INTO overload_steps(session_id, subject, experiment, scenario, step_index, step_multiplier, capacity_rps, capacity_source, offered_rate, settled_seconds, goodput_rps, generator_behind)
         VALUES (?, 'v8-shed', ?, 'overload', ?, ?, 1000, 'measured', ?, 7, ?, ?)`,
        [session, experiment, multiplier * 2, multiplier, multiplier * 1000, goodput, behind],
      );
    step(1, '', 2, 500, 0);
    step(2, '', 2, 900, 0);
    step(2, '', 3, 800, 1);
    step(1, 'app-limit', 2, 950, 0);
    expect(queryRows(db, 'SELECT tag, experiment, step_multiplier, goodput_rps, counts, session_id FROM overload_summary WHERE step_multiplier >= 2 ORDER BY experiment, step_multiplier')).toEqual([
      { tag: 'v8-shed', experiment: '', step_multiplier: 2, goodput_rps: 900, counts: 1, session_id: 2 },
      { tag: 'v8-shed', experiment: '', step_multiplier: 3, goodput_rps: 800, counts: 0, session_id: 2 },
      { tag: 'v8-shed', experiment: 'app-limit', step_multiplier: 2, goodput_rps: 950, counts: 1, session_id: 1 },
    ]);
  });

  it('scaling_lead_time: seconds from the first scale-out signal to the first p99 over the limit, generator-behind seconds left out', async () => {
    const db = await createDatabase();
    addSession(db, 1, 'x64', 'complete');
    const second = (subject: string, elapsed: number, p99: number | null, signal: number | null, behind = 0) =>
      db.run(
        `INSERT INTO scaling_signal_samples(session_id, subject, scenario, elapsed_seconds, p99_latency_us, p99_limit_us, needs_scaleout, generator_behind)
         VALUES (1, ?, 'scaling-ramp', ?, ?, 50000, ?, ?)`,
        [subject, elapsed, p99, signal, behind],
      );
    for (const [elapsed, p99, signal, behind] of [[1, 1000, 0, 0], [2, 99_000, 0, 1], [3, 20_000, 1, 0], [4, 60_000, 1, 0]]) second('v10-signals', elapsed, p99, signal, behind);
    for (const [elapsed, p99] of [[1, 1000], [2, 70_000]]) second('v6-cluster', elapsed, p99, null);
    expect(queryRows(db, 'SELECT tag, p99_crossed_at, signal_at, lead_seconds, has_signal, behind_seconds FROM scaling_lead_time ORDER BY tag')).toEqual([
      { tag: 'v10-signals', p99_crossed_at: 4, signal_at: 3, lead_seconds: 1, has_signal: 1, behind_seconds: 1 },
      { tag: 'v6-cluster', p99_crossed_at: 2, signal_at: null, lead_seconds: null, has_signal: 0, behind_seconds: 0 },
    ]);
  });

  it('opens the committed data/bench.sqlite at the current schema, every book view readable, the file untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'db-committed-'));
    const copy = join(dir, 'bench.sqlite');
    const before = readFileSync(COMMITTED_DATABASE);
    copyFileSync(COMMITTED_DATABASE, copy);
    const db = await openDatabase(copy);
    expect(schemaVersionOf(db)).toBe(SCHEMA_VERSION);
    for (const view of BOOK_VIEWS) expect(() => db.exec(`SELECT * FROM ${view}`)).not.toThrow();
    expect(readFileSync(COMMITTED_DATABASE).equals(before)).toBe(true);
  });

  it('profile_top: the latest profiled session per subject × scenario on the comparison machine, the merged table of several processes', async () => {
    const db = await createDatabase();
    syncChapters(db, chapters);
    addSession(db, 1, 'x64', 'complete');
    addSession(db, 2, 'x64', 'complete');
    addSession(db, 3, 'arm', 'running');
    const profile = (session: number, subject: string, process: string, fn: string, scenario = 'hot') =>
      db.run(
        `INSERT INTO profiles(session_id, subject, scenario, process, rank, function, file, line, self_share, total_share, self_ms)
         VALUES (?, ?, ?, ?, 1, ?, 'server/src/a.ts', 3, 0.5, 0.7, 500)`,
        [session, subject, scenario, process, fn],
      );
    profile(1, 'v1-baseline', 'main', 'old');
    profile(2, 'v1-baseline', 'main', 'newer');
    profile(1, 'v1-baseline', 'main', 'mix only', 'mix');
    profile(2, 'v2-fast', 'all', 'merged');
    profile(2, 'v2-fast', 'main', 'primary');
    profile(2, 'v2-fast', 'worker-1', 'worker');
    profile(3, 'v2-fast', 'main', 'other machine');
    const x64 = queryRows(db, "SELECT machine FROM machines WHERE fingerprint = 'x64'")[0].machine;
    // Session 3 is not complete: the comparison machine is x64's (session 2).
    expect(queryRows(db, 'SELECT tag, scenario, rank, function, file, line, self_share, total_share, process, session_id, machine FROM profile_top ORDER BY tag, scenario')).toEqual([
      { tag: 'v1-baseline', scenario: 'hot', rank: 1, function: 'newer', file: 'server/src/a.ts', line: 3, self_share: 0.5, total_share: 0.7, process: 'main', session_id: 2, machine: x64 },
      { tag: 'v1-baseline', scenario: 'mix', rank: 1, function: 'mix only', file: 'server/src/a.ts', line: 3, self_share: 0.5, total_share: 0.7, process: 'main', session_id: 1, machine: x64 },
      { tag: 'v2-fast', scenario: 'hot', rank: 1, function: 'merged', file: 'server/src/a.ts', line: 3, self_share: 0.5, total_share: 0.7, process: 'all', session_id: 2, machine: x64 },
    ]);
  });

  it('saves atomically and reopens the same content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'db-'));
    const path = join(dir, 'bench.sqlite');
    const db = await createDatabase();
    syncChapters(db, chapters);
    saveDatabase(db, path);
    expect(readdirSync(dir)).toEqual(['bench.sqlite']);
    const again = await openDatabase(path);
    expect(queryRows(again, 'SELECT count(*) AS n FROM chapters')).toEqual([{ n: 2 }]);
  });

  it('refuses a missing or unreadable file with its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'db-'));
    await expect(openDatabase(join(dir, 'none.sqlite'))).rejects.toThrow(/database not found: .*none\.sqlite/);
    writeFileSync(join(dir, 'junk.sqlite'), 'not a database at all, just text that is long enough');
    await expect(openDatabase(join(dir, 'junk.sqlite'))).rejects.toThrow(/junk\.sqlite is not a readable SQLite database/);
  });
});

describe('chapter list', () => {
  it('keeps commit details when a later sync does not know them', async () => {
    const db = await createDatabase();
    syncChapters(db, chapters, new Map([['a'.repeat(40), { message: 'first', author: 'A', date: '2026-01-01T00:00:00Z' }]]));
    syncChapters(db, chapters);
    expect(queryRows(db, "SELECT message, author FROM commits WHERE tag = 'v1-baseline'")).toEqual([{ message: 'first', author: 'A' }]);
    syncChapters(db, chapters.slice(0, 1));
    expect(queryRows(db, 'SELECT tag FROM chapters')).toEqual([{ tag: 'v1-baseline' }]);
  });

  it('names the file and entry of a bad chapter list', () => {
    expect(() => parseChapterList('{', 'x.json')).toThrow(/^x\.json: not valid JSON/);
    expect(() => parseChapterList('{"chapters":[{"number":1,"tag":"v1","commit":"abc","title":"t","technique":"t","summary":"s"}]}', 'x.json')).toThrow(
      'x.json: chapters[0]: "commit" must be a full 40-hex commit id',
    );
  });
});

describe('cache_stats', () => {
  it("gives each recorded run's cache lookups from the server's reports before and after it", async () => {
    const db = await createDatabase();
    db.run("INSERT INTO machine_info(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version) VALUES ('m1', 'CPU', 2, 1, 'k', 'linux', 'v20')");
    db.run("INSERT INTO sessions(id, kind, started_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json) VALUES (1, 'bench', '2026-11-01T00:00:00Z', 'complete', 'h', 'm1', 'wrk', '4', '{}')");
    const report = (hits: number, misses: number, peak: number) => JSON.stringify({ data: { cache: { hits, misses, evictions: 0, entries: 5, bytes: 100, peakBytes: peak, maxBytes: 1000 } }, error: null });
    const run = (id: number, before: string | null, after: string | null) =>
      db.run(
        `INSERT INTO runs(id, session_id, subject, experiment, scenario, settings_key, run_index, sequence, tool, tool_version, connections, duration_seconds, keep_alive, started_at, status, server_report_before, server_report_after, server_peak_rss_bytes)
         VALUES (?, 1, 'v4', '', 'mix', 'k', ?, ?, 'wrk', '4', 32, 10, 1, 't', 'ok', ?, ?, 5000000)`,
        [id, id, id, before, after],
      );
    run(1, report(100, 50, 400), report(190, 60, 500));
    run(2, null, report(10, 1, 1)); // no report before the run: its lookups are unknown, not counted
    run(3, JSON.stringify({ data: {} }), JSON.stringify({ data: {} })); // a chapter without a cache
    const rows = queryRows(db, 'SELECT run_id, hits, misses, peak_bytes, server_peak_rss_bytes FROM cache_stats');
    expect(rows).toEqual([{ run_id: 1, hits: 90, misses: 10, peak_bytes: 500, server_peak_rss_bytes: 5000000 }]);
  });
});
