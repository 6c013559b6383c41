/**
 * The ingest scenario plugged into the runner: a tiny chapter that really polls its own
 * provider (a small bulk feed, polls every 200 ms), real wrk load of 1 second per phase.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../db/database.ts';
import { parseOptions } from '../options.ts';
import { runBench } from '../session/session.ts';
import { createTinyRepo } from '../testing/tiny-repo.ts';
import { sink } from '../testing/sink.ts';
import { scenario } from './index.ts';
import { DEFAULT_INGEST, describePhase, ingestScenario, p99Ratio, phaseSeconds, type PhasedOutcome } from './ingest.ts';
import { failedResult } from '../loadgen/index.ts';
import type { Measured } from './module.ts';

const INGEST_PHASE_MIN_SECONDS = DEFAULT_INGEST.ingestMinSeconds;

const repos: string[] = [];
afterAll(() => {
  for (const dir of repos) rmSync(dir, { recursive: true, force: true });
});

/** A chapter server that polls <provider>/api/events every POLL_INTERVAL_MS and is ready after its first document. */
const POLLING_SERVER = `
const http = require('node:http');
const argv = process.argv;
const option = (name) => argv[argv.indexOf(name) + 1];
const feed = option('--provider-url') + '/api/events';
const interval = Number(process.env.POLL_INTERVAL_MS || 10000);
let documents = 0;
async function poll() {
  try {
    const res = await fetch(feed);
    const text = await res.text();
    if (res.status === 200 && text.includes('</planList>')) documents++;
  } catch (error) { console.error(String(error)); }
  setTimeout(poll, interval);
}
poll();
http.createServer((req, res) => {
  if (req.url === '/health') { res.writeHead(documents > 0 ? 200 : 503); res.end(); return; }
  if (req.url.startsWith('/search')) { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ data: { events: [] }, error: null })); return; }
  res.writeHead(404); res.end();
}).listen(Number(option('--port')), '127.0.0.1');
`;

const run = (phase: PhasedOutcome['phase'], round: number, p99: number | null, status: 'ok' | 'failed' = 'ok'): PhasedOutcome => ({
  phase, run_index: round, sequence: round, status, p99_latency_us: p99, connections: 4, requests_per_second: 100, avg_latency_us: 1, p50_latency_us: 1, p90_latency_us: 1, max_latency_us: 1, loadgen_saturated: false,
});

describe('p99Ratio', () => {
  it('pairs ingest with quiet by round and leaves out rounds where either failed', () => {
    expect(p99Ratio([run('quiet', 0, 1000), run('ingest', 0, 3000)]).ratio_median).toBe(3);
    const three = p99Ratio([run('quiet', 0, 1000), run('ingest', 0, 2000), run('quiet', 1, 1000), run('ingest', 1, 4000), run('quiet', 2, 1000), run('ingest', 2, 9000, 'failed')]);
    expect(three.ratio_median).toBe(3);
    expect(three.ratio_note).toBeNull();
  });

  it('says why there is no ratio', () => {
    expect(p99Ratio([run('ingest', 0, 3000)])).toMatchObject({ ratio_median: null, ratio_note: 'no round with both a quiet and an ingest run' });
  });
});

describe('describePhase', () => {
  const measured = (samples: Array<{ second: number; requestsPerSecond: number }>, non2xx: number): Measured => ({
    outcome: {} as Measured['outcome'],
    result: { ...failedResult(''), ok: true, requestsPerSecond: 100, non2xx, samples: samples.map((s) => ({ ...s, errors: 0, p99LatencyUs: null })) },
    runId: 1,
  });

  it('counts the seconds without a response, and claims no stall when the run has no per-second counts (a wrk run with errors)', () => {
    expect(describePhase('ingest', measured([{ second: 1, requestsPerSecond: 50 }, { second: 2, requestsPerSecond: 0 }], 0), 2, 3)).toContain('2 of 3 s without a response');
    const withErrors = describePhase('ingest', measured([], 7), 2, 3);
    expect(withErrors).toContain('no per-second counts, 0 socket errors, 0 timeouts, 7 non-2xx');
    expect(withErrors).not.toContain('without a response');
  });
});

describe('the ingest scenario in the runner', () => {
  it('measures quiet then ingest on a server of its own, pairs their p99 and records the documents served', async () => {
    const { dir } = createTinyRepo([{ tag: 'v1-poll', start: ['node', '-e', POLLING_SERVER, '--', '--port', '{port}', '--provider-url', '{providerUrl}'] }]);
    repos.push(dir);
    const module = ingestScenario(scenario('ingest'), { documentBytes: 50_000, variants: 2, pollIntervalMs: 200, pollWaitMs: 10_000, ingestMinSeconds: 1 });
    const options = { ...parseOptions(['--repo', dir, '--db', join(dir, 'bench.sqlite'), '--runs', '1', '--warmup', '0', '--duration', '1', '--connections', '2']), scenarios: ['ingest'] };
    const stdout = sink();
    const stderr = sink();
    const code = await runBench(options, { stdout, stderr, scenarios: new Map([['ingest', module]]) });
    expect(stderr.text).toBe('');
    expect(code).toBe(0);
    expect(stdout.text).toMatch(/ready v1-poll for ingest on http:\/\/127\.0\.0\.1:\d+ \(own provider/);
    expect(stdout.text).toMatch(/ingest v1-poll: quiet: \d+ req\/s, p50 .*, \d+ of \d+ s without a response, \d+ socket errors, \d+ timeouts, \d+ non-2xx\n/);
    expect(stdout.text).toMatch(/ingest v1-poll: ingest: .* socket errors, \d+ timeouts, \d+ non-2xx, [1-9]\d* document\(s\) served/);

    const db = await openDatabase(options.dbPath);
    const runs = queryRows(db, 'SELECT id, scenario, p99_latency_us, socket_errors FROM runs ORDER BY sequence');
    expect(runs.map((r) => r.scenario)).toEqual(['ingest', 'ingest']);
    const phases = queryRows(db, "SELECT run_id, test_type FROM stress_test_seconds WHERE test_type IN ('quiet', 'ingest') ORDER BY run_id");
    expect(phases).toEqual([{ run_id: runs[0].id, test_type: 'quiet' }, { run_id: runs[1].id, test_type: 'ingest' }]);
    const documents = queryRows(db, "SELECT run_id FROM stress_test_seconds WHERE test_type = 'ingest-document'");
    expect(documents.length).toBeGreaterThan(0);
    expect(new Set(documents.map((d) => d.run_id))).toEqual(new Set([runs[1].id]));
    const [summary] = queryRows(db, 'SELECT settings_key, runs, p99_latency_us, ratio_median FROM summaries');
    expect(summary.runs).toBe(1);
    expect(summary.p99_latency_us).toBe(runs[1].p99_latency_us);
    expect(summary.ratio_median).toBeCloseTo((runs[1].p99_latency_us as number) / (runs[0].p99_latency_us as number), 9);
    expect(String(summary.settings_key)).toMatch(/^ingest\|wrk\|c2\|ka\|paths[0-9a-f]{8}\|doc50000x2\|poll200\|to60\|ig1\|d1\|/);
  });
});

describe('phaseSeconds', () => {
  it('gives the ingest phase at least its least seconds, so a stall longer than the run is still answered in it, and the quiet phase the session\'s seconds', () => {
    expect(phaseSeconds('quiet', 4, INGEST_PHASE_MIN_SECONDS)).toBe(4);
    expect(phaseSeconds('ingest', 4, INGEST_PHASE_MIN_SECONDS)).toBe(INGEST_PHASE_MIN_SECONDS);
    expect(INGEST_PHASE_MIN_SECONDS).toBeGreaterThan(4);
    expect(phaseSeconds('ingest', 30, INGEST_PHASE_MIN_SECONDS)).toBe(30);
  });
});
