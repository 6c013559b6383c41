/**
 * The objective's scenarios plugged into the runner (issue 23): a tiny chapter whose server
 * answers in about a millisecond and reports a response cache on /health; real open-loop load
 * in 1-second probes, a 2-second soak, and overload on the mix's requests at the capacity
 * searched against the objective.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../db/database.ts';
import { parseOptions } from '../options.ts';
import { runBench } from '../session/session.ts';
import { processesInside } from '../testing/bench-child.ts';
import { createTinyRepo } from '../testing/tiny-repo.ts';
import { defaultWorktreeParent } from '../git/worktree.ts';
import { sink } from '../testing/sink.ts';
import { scenario } from './index.ts';
import type { ScenarioModule } from './module.ts';
import { capacityScenario } from './capacity.ts';
import { cacheOf, DEFAULT_SOAK, soakScenario } from './soak.ts';
import { OPEN_LOOP_DEFAULTS, openLoopScenario } from './open-loop.ts';
import { scenarioModule } from './registry.ts';
import type { CapacitySearchOptions } from '../overload/capacity-search.ts';

const repos: string[] = [];
afterAll(() => {
  for (const dir of repos) rmSync(dir, { recursive: true, force: true });
});

// With LIMIT set, serves that many requests of a capacity probe and answers 503 beyond: the
// capacity is bracketed by the error budget and by how many requests a probe offers (its rate ×
// 1 s and the generator's 16 warm-up requests), never by when they arrive, so no stall of this
// shared machine moves it (the test objective's p99 is far above one). The test signals the
// server as the search goes (bench() below): SIGUSR2 when a probe ends (the count restarts),
// SIGUSR1 when the search ends (no limit after it, for the soak).
const CACHED_SERVER = `
const http = require('node:http');
const argv = process.argv;
const port = Number(argv[argv.indexOf('--port') + 1]);
let limit = Number(process.env.LIMIT || Infinity);
let served = 0;
process.on('SIGUSR2', () => { served = 0; });
process.on('SIGUSR1', () => { limit = Infinity; });
http.createServer((req, res) => {
  if (req.url === '/health') { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"data":{"cache":{"entries":3,"bytes":4096}},"error":null}'); return; }
  const answer = () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"data":{"events":[]},"error":null}'); };
  if (served < limit) { served += 1; answer(); } else { res.writeHead(503); res.end(); }
}).listen(port, '127.0.0.1');
`;

/**
 * The runner's stdout, signalling the chapter's server (the process running in the repository's
 * worktrees) as each capacity probe ends and when the search ends: the log line is written
 * before the next probe starts.
 */
function signallingSink(worktrees: string): ReturnType<typeof sink> {
  const stream = sink();
  const write = stream.write.bind(stream);
  const signal = (name: NodeJS.Signals) => { for (const pid of processesInside(worktrees)) process.kill(pid, name); };
  stream.write = ((chunk: unknown, ...rest: never[]) => {
    const text = String(chunk);
    if (/^capacity mix \S+: \d+ req\/s: (meets|misses)/m.test(text)) signal('SIGUSR2');
    if (/^capacity mix \S+: (capacity \d+ req\/s against|no offered rate)/m.test(text)) signal('SIGUSR1');
    return write(chunk as string, ...rest);
  }) as typeof stream.write;
  return stream;
}

// Probes of one second; a late send (this machine is shared) must be a minute late to void a probe.
const SHORT_SEARCH: CapacitySearchOptions = {
  objective: { p99Ms: 5000, maxErrorRate: 0.001 }, search: { startRate: 40, precision: 0.5, minRate: 5, maxRate: 1000, maxProbes: 4 },
  stepSeconds: 1, settleSeconds: 0, pauseSeconds: 0, connections: 64, timeoutSeconds: 2, lagToleranceMs: 60_000,
};

/** A session on the tiny chapter; `limit`: requests served per capacity probe (none when absent). */
async function bench(args: string[], modules: ScenarioModule[], limit?: number) {
  const env: Record<string, string> = limit === undefined ? {} : { LIMIT: String(limit) };
  const { dir } = createTinyRepo([{ tag: 'v10-cached', start: ['node', '-e', CACHED_SERVER, '--', '--port', '{port}'], env }]);
  repos.push(dir);
  const options = { ...parseOptions(['--repo', dir, '--db', join(dir, 'bench.sqlite'), '--runs', '1', '--warmup', '0', '--connections', '2', ...args]), scenarios: modules.map((m) => m.name) };
  const stdout = signallingSink(defaultWorktreeParent(dir));
  const stderr = sink();
  const code = await runBench(options, { stdout, stderr, scenarios: new Map(modules.map((m) => [m.name, m])) });
  return { code, stdout: stdout.text, stderr: stderr.text, db: await openDatabase(options.dbPath) };
}

describe('capacity against the objective, the soak, overload on the mix', () => {
  it('capacity-mix records every probe, the capacity per chapter and request set, and the histogram at it', async () => {
    // 56 and 96 requests served of probes at 40 and 80 req/s; 176 over the 120 at 160 req/s.
    const { code, stdout, stderr, db } = await bench([], [capacityScenario(scenario('capacity-mix'), 'mix', SHORT_SEARCH)], 120);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/capacity mix v10-cached: 40 req\/s: meets/);
    const probes = queryRows(db, 'SELECT offered_rate, meets, verdict FROM capacity_probe_series ORDER BY probe_index');
    expect(probes.slice(0, 3).map((p) => p.offered_rate)).toEqual([40, 80, 160]);
    expect(probes[2]).toMatchObject({ meets: 0, verdict: expect.stringMatching(/errors .* > 0\.1%/) });
    const [capacity] = queryRows(db, 'SELECT tag, request_set, rounds, capacity_low, capacity_high, objective_p99_ms FROM objective_capacity');
    expect(capacity).toMatchObject({ tag: 'v10-cached', request_set: 'mix', rounds: 1, objective_p99_ms: 5000 });
    expect(capacity.capacity_low).toBeGreaterThanOrEqual(80);
    expect(capacity.capacity_low).toBeLessThan(160);
    const [summary] = queryRows(db, 'SELECT rps_median, capacity_rps FROM summaries');
    expect(summary).toEqual({ rps_median: capacity.capacity_low, capacity_rps: capacity.capacity_low });
    const histogram = queryRows(db, "SELECT lower_us, upper_us, count, share FROM latency_histogram WHERE part = 'capacity-r0' ORDER BY lower_us");
    expect(histogram.length).toBeGreaterThan(0);
    expect(histogram.reduce((sum, b) => sum + (b.share as number), 0)).toBeCloseTo(1, 6);
  });

  it('soak: at the share of the searched capacity, one row a second with the server\'s memory and cache', async () => {
    const { code, stderr, db } = await bench([], [soakScenario(scenario('soak'), { ...DEFAULT_SOAK, seconds: 2, connections: 64, timeoutSeconds: 2, search: SHORT_SEARCH })], 120);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [capacity] = queryRows(db, 'SELECT capacity_low FROM objective_capacity');
    const rows = queryRows(db, 'SELECT elapsed_seconds, offered_rps, server_rss_bytes, cache_entries, cache_bytes, p99_latency_us, max_latency_us FROM soak_series ORDER BY elapsed_seconds');
    expect(rows.slice(0, 2).map((r) => r.offered_rps)).toEqual([1, 2].map(() => Math.round((capacity.capacity_low as number) * 0.8)));
    for (const row of rows.slice(0, 2)) {
      expect(row.server_rss_bytes).toBeGreaterThan(1_000_000);
      expect(row).toMatchObject({ cache_entries: 3, cache_bytes: 4096 });
      expect(row.max_latency_us).toBeGreaterThanOrEqual(row.p99_latency_us as number);
    }
    expect(queryRows(db, "SELECT COUNT(*) AS n FROM latency_histogram WHERE part = 'soak-r0'")[0].n).toBeGreaterThan(0);
  });

  it('overload-mix: the overload steps on the mix\'s requests, each with p99.9 and the maximum beside p99', async () => {
    const mix = openLoopScenario({ ...scenario('overload-mix'), name: 'overload-mix' }, { ...OPEN_LOOP_DEFAULTS['overload-mix'], multipliers: [0.5, 2], stepSeconds: 2, settleSeconds: 1, connections: 64, timeoutSeconds: 2 });
    const { code, stderr, db } = await bench(['--capacity', '120'], [mix]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const steps = queryRows(db, 'SELECT scenario, step_multiplier, capacity_source, offered_rate, p99_served_us, p999_served_us, max_served_us FROM overload_summary ORDER BY step_index');
    expect(steps.map((s) => [s.scenario, s.step_multiplier, s.offered_rate])).toEqual([['overload-mix', 0.5, 60], ['overload-mix', 2, 240]]);
    for (const s of steps) expect(s.max_served_us).toBeGreaterThanOrEqual(s.p999_served_us as number);
  });

  it('ingest-mix-overload runs on a server of its own with the bulk provider; the soak and capacity read the mix', () => {
    const options = parseOptions(['--capacity', 'objective']);
    expect(options.capacity).toBe('objective');
    const combined = scenarioModule('ingest-mix-overload');
    expect(combined.ownProvider?.(options).feed.bulk).toBeDefined();
    expect(combined.settingsKeyParts(options).join('|')).toContain('capobj-obj50ms-0.001');
    expect(scenarioModule('soak').settingsKeyParts(options).join('|')).toContain('soak600s-x0.8');
    expect(scenario('overload-mix').paths).toEqual(scenario('mix').paths);
    expect(cacheOf(null)).toEqual({ entries: null, bytes: null });
    expect(cacheOf('{"data":{"status":"ok"}}')).toEqual({ entries: null, bytes: null });
  });
});
