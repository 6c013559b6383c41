/**
 * The database the fixture tests render against, written through the bench's own
 * writer (BenchStore) and summarised by its own statistics (summarize), so it has the
 * shape real measurements have. The figures are made-up TEST values, never shown in
 * the book: two measured chapters (two sessions for the first), one not measured; two
 * captured demos (numbers 3 and 4).
 */
import type { Database } from 'sql.js';
import { BenchStore, type RunRow } from '../../bench/store.ts';
import { summarize, type RunOutcome } from '../../bench/figures/summarize.ts';
import type { Chapter } from '../../db/chapters.ts';
import { demoOutputs, type DemoOutputRow } from '../../db/schema.ts';
import { insertRow } from '../../db/table.ts';

export const FIXTURE_CHAPTERS: Chapter[] = [
  { number: 1, tag: 'v1-baseline', commit: '1'.repeat(40), title: 'Baseline', technique: 'linear scan', summary: 'The starting point' },
  { number: 2, tag: 'v2-index', commit: '2'.repeat(40), title: 'Sorted index', technique: 'binary search', summary: 'Search a sorted array' },
  { number: 3, tag: 'v3-pool', commit: '3'.repeat(40), title: 'Pooling', technique: 'worker pool', summary: 'Not measured yet' },
];

const MACHINE = {
  fingerprint: 'fixture-machine',
  cpu_model: 'Test CPU 3000',
  cores: 2,
  memory_bytes: 4 * 1024 ** 3,
  kernel: '6.1.0',
  os: 'linux',
  node_version: 'v20.20.2',
  details_json: '{}',
};

/** Throughput of each run (TEST values), per session and chapter. */
const SESSIONS: { startedAt: string; runs: Record<string, number[]> }[] = [
  { startedAt: '2026-11-01T10:00:00.000Z', runs: { 'v1-baseline': [980, 1000, 1020] } },
  { startedAt: '2026-11-20T10:00:00.000Z', runs: { 'v1-baseline': [1000, 1010, 1030], 'v2-index': [2480, 2500, 2530] } },
];

/** Not saved anywhere: the caller gets the in-memory database. */
export async function createFixtureDatabase(): Promise<Database> {
  const store = await BenchStore.open('/nonexistent/fixture-never-saved.sqlite');
  store.recordMachine(MACHINE);
  store.syncChapters(FIXTURE_CHAPTERS, new Map());
  let sequence = 0;
  for (const session of SESSIONS) {
    const sessionId = store.startSession({
      kind: 'bench',
      started_at: session.startedAt,
      finished_at: null,
      harness_commit: 'f'.repeat(40),
      harness_dirty: 0,
      machine_fingerprint: MACHINE.fingerprint,
      tool: 'autocannon',
      tool_version: '9.0.0',
      server_cpus: null,
      loadgen_cpus: null,
      pinning_note: null,
      settings: { connections: 50, durationSeconds: 10, runs: 3 },
    });
    for (const [tag, throughputs] of Object.entries(session.runs)) {
      const chapter = FIXTURE_CHAPTERS.find((c) => c.tag === tag) as Chapter;
      const outcomes: RunOutcome[] = throughputs.map((rps, round) => {
        const run = fixtureRun(sessionId, chapter, round, ++sequence, session.startedAt, rps);
        store.recordRun(run, [1, 2, 3].map((second) => ({ second, requests_per_second: rps + second, p99_latency_us: run.p99_latency_us, errors: 0 })));
        return { ...run, status: 'ok', loadgen_saturated: false };
      });
      store.upsertSummary({ session_id: sessionId, subject: tag, experiment: '', scenario: 'hot', settings_key: 'fixture' }, summarize(outcomes));
    }
    store.finishSession(sessionId, 'complete', session.startedAt.replace('T10:', 'T11:'));
  }
  for (const demo of DEMOS) insertRow(store.db, demoOutputs, demo);
  return store.db;
}

/** Captured demonstrations (TEST text): one by number in BookGen's shape, one by name with its command. Demos 1 and 2 are not captured. */
const DEMOS: DemoOutputRow[] = [
  { demo_number: 3, name: null, title: 'Ping', description: 'One request, one answer.', command: null, output: 'pong <ok> & done', captured_at: '2026-11-20T12:00:00.000Z' },
  { demo_number: 4, name: 'search-warm', title: 'A warm search', description: '', command: "curl -s 'localhost:8080/search?q=a&limit=1'", output: '{"hits":1}', captured_at: '2026-11-20T12:05:00.000Z' },
];

function fixtureRun(sessionId: number, chapter: Chapter, runIndex: number, sequence: number, startedAt: string, rps: number): RunRow {
  const p99 = Math.round(50_000_000 / rps);
  return {
    session_id: sessionId, subject: chapter.tag, commit_hash: chapter.commit, experiment: '', scenario: 'hot', settings_key: 'fixture', run_index: runIndex, sequence,
    tool: 'autocannon', tool_version: '9.0.0', connections: 50, threads: null, duration_seconds: 10, keep_alive: 1, started_at: startedAt, status: 'ok',
    failure: null, requests_per_second: rps, total_requests: rps * 10, successful_requests: rps * 10, non_2xx: 0, socket_errors: 0, timeout_errors: 0,
    bytes_transferred: rps * 10 * 200, avg_latency_us: p99 / 3, p50_latency_us: p99 / 4, p90_latency_us: p99 / 2, p99_latency_us: p99, max_latency_us: p99 * 2,
    server_cpu_seconds: null, loadgen_cpu_seconds: null, loadgen_saturated: 0, littles_law_ratio: null, raw_output: '',
  };
}
