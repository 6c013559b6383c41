/**
 * The open-loop scenarios plugged into the runner: a tiny chapter whose server answers after
 * 20 ms and sheds (503 at once) beyond 2 requests in flight, real wrk for the capacity, real
 * open-loop load in 1–2 s steps. The tiny server has no metrics port: every server column is NULL.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../db/database.ts';
import { startLimitServer, type LimitServer } from '../loadgen/limit-server.ts';
import type { ServerGauges } from '../metrics/gauges.ts';
import { parseOptions } from '../options.ts';
import { runBench } from '../session/session.ts';
import { createTinyRepo } from '../testing/tiny-repo.ts';
import { sink } from '../testing/sink.ts';
import { scenario, type OpenLoopScenarioName } from './index.ts';
import type { RoundContext } from './module.ts';
import { OPEN_LOOP_DEFAULTS, openLoopScenario, rampMultipliers, type OpenLoopSettings, type PartOutcome } from './open-loop.ts';
import { closedLoopRun } from '../testing/closed-loop-run.ts';

const repos: string[] = [];
let limitServer: LimitServer | null = null;
afterAll(() => {
  for (const dir of repos) rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await limitServer?.close();
  limitServer = null;
});

const SHEDDING_SERVER = `
const http = require('node:http');
const argv = process.argv;
const port = Number(argv[argv.indexOf('--port') + 1]);
let inFlight = 0;
http.createServer((req, res) => {
  if (req.url === '/health') { res.writeHead(200); res.end('ok'); return; }
  if (inFlight >= 2) { res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }); res.end('{"error":{"code":"overloaded","message":"busy"},"data":null}'); return; }
  inFlight++;
  setTimeout(() => { inFlight--; res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"data":{"events":[]},"error":null}'); }, 20);
}).listen(port, '127.0.0.1');
`;

function short(name: OpenLoopScenarioName, fields: Partial<OpenLoopSettings>) {
  return openLoopScenario({ ...scenario(name), name }, { ...OPEN_LOOP_DEFAULTS[name], connections: 16, timeoutSeconds: 2, ...fields });
}

async function bench(args: string[], modules: ReturnType<typeof short>[]) {
  const { dir } = createTinyRepo([{ tag: 'v8-shed', start: ['node', '-e', SHEDDING_SERVER, '--', '--port', '{port}'] }]);
  repos.push(dir);
  const options = { ...parseOptions(['--repo', dir, '--db', join(dir, 'bench.sqlite'), '--runs', '1', '--warmup', '0', '--connections', '2', ...args]), scenarios: modules.map((m) => m.name) };
  const stdout = sink();
  const stderr = sink();
  const code = await runBench(options, { stdout, stderr, scenarios: new Map(modules.map((m) => [m.name, m])) });
  return { code, stdout: stdout.text, stderr: stderr.text, db: await openDatabase(options.dbPath) };
}

describe('rampMultipliers', () => {
  it('steps both ways, both ends included, without float noise', () => {
    expect(rampMultipliers(0.5, 1, 0.1)).toEqual([0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(rampMultipliers(2.5, 2, 0.25)).toEqual([2.5, 2.25, 2]);
    // 1 s a step, the first level held two: the ramp's second second is at half the capacity (chapter 9 reads it).
    expect(OPEN_LOOP_DEFAULTS['adaptive-ramp'].multipliers.slice(0, 3)).toEqual([0.5, 0.5, 0.75]);
    expect(OPEN_LOOP_DEFAULTS['adaptive-ramp'].multipliers.slice(8, 12)).toEqual([2.25, 2.5, 2.25, 2]);
    expect(OPEN_LOOP_DEFAULTS['adaptive-ramp'].stepSeconds).toBe(1);
    expect(OPEN_LOOP_DEFAULTS['scaling-ramp'].stepSeconds).toBe(1);
  });
});

describe('the open-loop scenarios in the runner', () => {
  it('overload: measures the capacity with a recorded closed-loop run, then offers its multiples and writes seconds and steps', async () => {
    const { code, stdout, stderr, db } = await bench(['--duration', '1'], [short('overload', { multipliers: [0.5, 2], stepSeconds: 2, settleSeconds: 1 })]);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/overload v8-shed: steps \(capacity [\d.]+ req\/s; settled seconds only/);
    // A step whose seconds the generator sent late is flagged, not dropped: the session stays complete either way.
    expect(code).toBe(0);
    const runs = queryRows(db, 'SELECT id, tool, requests_per_second, connections FROM runs');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ tool: 'wrk', connections: 2 });
    const capacity = runs[0].requests_per_second as number;
    expect(capacity).toBeGreaterThan(0);

    const seconds = queryRows(db, "SELECT * FROM stress_test_seconds WHERE scenario = 'overload' ORDER BY elapsed_seconds");
    const planned = [0.5, 0.5, 2, 2].map((x) => Math.max(1, Math.round(capacity * x)));
    expect(seconds.slice(0, 4).map((s) => s.offered_rps)).toEqual(planned);
    expect(seconds.slice(0, 4).map((s) => [s.elapsed_seconds, s.step_multiplier, s.settling])).toEqual([[1, 0.5, 1], [2, 0.5, 0], [3, 2, 1], [4, 2, 0]]);
    for (const s of seconds) {
      // Each second carries the round's capacity run: the run its offered rates are multiples of.
      expect(s).toMatchObject({ test_type: 'overload', subject: 'v8-shed', experiment: '', run_id: runs[0].id, active_connections: null });
      expect(typeof s.session_id).toBe('number');
      expect([0, 1]).toContain(s.generator_behind);
    }
    expect(queryRows(db, 'SELECT DISTINCT run_id FROM overload_steps')).toEqual([{ run_id: runs[0].id }]);
    const total = (column: string) => seconds.reduce((sum, s) => sum + (s[column] as number), 0);
    expect(total('completed_rps') + total('rejected_rps') + total('failed_rps')).toBe(total('offered_rps'));

    const steps = queryRows(db, 'SELECT tag, experiment, step_multiplier, capacity_rps, capacity_source, offered_rate, settled_seconds, generator_behind, counts FROM overload_summary ORDER BY step_index');
    expect(steps).toEqual([
      expect.objectContaining({ tag: 'v8-shed', experiment: '', step_multiplier: 0.5, capacity_rps: capacity, capacity_source: 'measured', offered_rate: planned[0], settled_seconds: 1 }),
      expect.objectContaining({ step_multiplier: 2, offered_rate: planned[2], settled_seconds: 1 }),
    ]);
    for (const step of steps) expect(step.counts).toBe(1 - (step.generator_behind as number));
    const [summary] = queryRows(db, 'SELECT scenario, runs, failed_runs, rps_median, capacity_rps FROM summaries');
    expect(summary).toEqual({ scenario: 'overload', runs: 1, failed_runs: 0, rps_median: capacity, capacity_rps: capacity });
  });

  it('adaptive-ramp and scaling-ramp: a given capacity, one row a second, NULL server columns where the subject has no metrics', async () => {
    const { code, stdout, stderr, db } = await bench(['--capacity', '40'], [
      short('adaptive-ramp', { multipliers: [0.5, 3, 0.5], stepSeconds: 1 }),
      short('scaling-ramp', { multipliers: [0.5, 1, 3], stepSeconds: 1, p99LimitMs: 30, quietSeconds: 1 }),
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(queryRows(db, 'SELECT COUNT(*) AS n FROM runs')).toEqual([{ n: 0 }]); // the capacity was given: no closed-loop run

    const adaptive = queryRows(db, 'SELECT * FROM adaptive_limiter_seconds ORDER BY elapsed_seconds');
    expect(adaptive.slice(0, 3).map((s) => [s.elapsed_seconds, s.offered_rps])).toEqual([[1, 20], [2, 120], [3, 20]]);
    for (const s of adaptive) {
      // No capacity run (given): no run id; the view numbers the ramps where their seconds restart.
      expect(s).toMatchObject({ run_id: null, subject: 'v8-shed', experiment: '', scenario: 'adaptive-ramp', connection_limit: null, in_flight: null, no_load_rtt_us: null, current_rtt_us: null, saturation_ratio: null, action: null, shed_rps: null, active_connections: null });
      expect(s.accepted_rps).toBe(s.observed_rps);
    }
    expect(adaptive.some((s) => (s.rejected_rps as number) > 0)).toBe(true); // 3× of 40/s (one every 8.3 ms) against 2 in flight × 20 ms: shed

    const scaling = queryRows(db, 'SELECT * FROM scaling_signals_seconds ORDER BY elapsed_seconds');
    expect(scaling.slice(0, 3).map((s) => s.offered_rps)).toEqual([20, 40, 120]);
    for (const s of scaling) expect(s).toMatchObject({ scenario: 'scaling-ramp', needs_scaleout: null, event_loop_utilization: null, connection_limit: null, in_flight: null, shed_rps: null, p99_limit_us: 30_000 });
    const [lead] = queryRows(db, 'SELECT tag, p99_limit_us, signal_at, lead_seconds, has_signal FROM scaling_lead_time');
    expect(lead).toEqual({ tag: 'v8-shed', p99_limit_us: 30_000, signal_at: null, lead_seconds: null, has_signal: 0 });
    expect(stdout).toMatch(/scaling-ramp v8-shed: p99 over 30 ms (never|at \d+ s), scale-out signal never/);
    // The quiet lead-in is part of the settings (a ramp with another lead-in is another measurement).
    expect(queryRows(db, "SELECT settings_key FROM summaries WHERE scenario = 'scaling-ramp'")[0].settings_key).toMatch(/\|quiet1\|/);
    expect(queryRows(db, "SELECT settings_key FROM summaries WHERE scenario = 'adaptive-ramp'")[0].settings_key).not.toMatch(/quiet/);
    const summaries = queryRows(db, 'SELECT scenario, runs, failed_runs, rps_median FROM summaries ORDER BY scenario');
    expect(summaries).toEqual([
      // No capacity run (given): the round counts once its steps are done; no throughput.
      { scenario: 'adaptive-ramp', runs: 1, failed_runs: 0, rps_median: null },
      { scenario: 'scaling-ramp', runs: 1, failed_runs: 0, rps_median: null },
    ]);
  });
});

describe('an open-loop round with server gauges', () => {
  it('joins the gauges read at the end of each second to that second, the shed counter as a rate', async () => {
    limitServer = await startLimitServer({ delayMs: 20, limit: 2 });
    let reads = 0;
    // A metrics port stand-in: the limit server's own counters, read when asked.
    const serverGauges = async (): Promise<ServerGauges> => {
      reads += 1;
      return { at: performance.now(), inFlight: 1, limit: 2, rttNoLoadSeconds: 0.02, rttSeconds: 0.025, eventLoopUtilization: 0.5, scaleOut: reads > 2 ? 1 : 0, requestsTotal: limitServer!.served() + limitServer!.rejected(), shedTotal: limitServer!.rejected() };
    };
    const written: Record<string, unknown>[] = [];
    const options = { ...parseOptions(['--capacity', '40']), scenarios: ['scaling-ramp'] };
    const context: RoundContext = {
      options, label: 'limit', url: limitServer.url, loadgenCpus: null, serverGauges,
      measure: () => Promise.reject(new Error('no closed-loop run when the capacity is given')),
      settle: () => Promise.reject(new Error('no settle in an open-loop round')),
      log: () => {}, flag: () => {},
      series: () => ({ write: (sample) => written.push(sample as Record<string, unknown>) }),
    };
    const module = short('scaling-ramp', { multipliers: [1, 3], stepSeconds: 1 });
    const outcomes = await module.runRound(context, 0);
    expect(outcomes.map((o) => o.connections)).toEqual([16]);
    expect(reads).toBe(1 + written.length); // one before the steps, one at the end of each second
    expect(written.slice(0, 2).map((s) => s.offered_rps)).toEqual([40, 120]);
    for (const s of written) expect(s).toMatchObject({ connection_limit: 2, in_flight: 1, saturation_ratio: 0.5, event_loop_utilization: 0.5, p99_limit_us: 50_000 });
    expect(written.map((s) => s.needs_scaleout).slice(0, 2)).toEqual([0, 1]);
    const shed = written.map((s) => s.shed_rps as number);
    for (const rate of shed) expect(rate).toBeGreaterThanOrEqual(0);
    expect(shed.some((rate) => rate > 0)).toBe(true); // 3× of 40/s against 2 in flight × 20 ms
  });

  it("ties a ramp's seconds to the round's capacity run when it measured one", async () => {
    limitServer = await startLimitServer({ delayMs: 20, limit: 2 });
    const tied: (number | undefined)[] = [];
    const options = parseOptions(['--duration', '1']);
    const context: RoundContext = {
      options, label: 'limit', url: limitServer.url, loadgenCpus: null,
      measure: async () => ({ outcome: { run_index: 0, status: 'ok', connections: 2, requests_per_second: 40, avg_latency_us: 1, p50_latency_us: 1, p90_latency_us: 1, p99_latency_us: 1, max_latency_us: 1, loadgen_saturated: false }, result: { ok: true, requestsPerSecond: 40 } as never, runId: 7 }),
      settle: () => Promise.reject(new Error('no settle in an open-loop round')),
      log: () => {}, flag: () => {},
      series: (_kind, runId) => {
        tied.push(runId);
        return { write: () => {} };
      },
    };
    const outcomes = await short('adaptive-ramp', { multipliers: [0.5, 1], stepSeconds: 1 }).runRound(context, 0);
    expect(outcomes.map((o) => (o as { part?: string }).part)).toEqual(['capacity', 'open-loop']);
    expect(tied).toEqual([7]);
  });

  it('overload: an experiment measured after its chapter steps at the chapter\'s capacity, with no capacity run of its own; a given capacity stays given', async () => {
    limitServer = await startLimitServer({ delayMs: 5, limit: 2 });
    const written: Record<string, unknown>[] = [];
    const measured: string[] = [];
    const contextOf = (label: string, args: string[] = []): RoundContext => ({
      options: parseOptions(['--scenario', 'overload', ...args], '/repo'), label, url: limitServer!.url, loadgenCpus: null,
      // The chapter's closed-loop capacity run, as the runner would record it: 30 req/s.
      measure: async () => {
        measured.push(label);
        return closedLoopRun(30);
      },
      settle: () => Promise.reject(new Error('no settle in an overload round')),
      log: () => {}, flag: () => {},
      series: (kind, runId) => ({ write: (sample) => written.push({ label, kind, runId, ...(sample as Record<string, unknown>) }) }),
    });
    const module = short('overload', { multipliers: [1], stepSeconds: 1, settleSeconds: 0 });
    const chapter = await module.runRound(contextOf('ch'), 0);
    const experiment = await module.runRound(contextOf('ch+x'), 0);
    expect(measured).toEqual(['ch']);
    expect((chapter as PartOutcome[]).map((o) => o.part)).toEqual(['capacity', 'open-loop']);
    expect((experiment as PartOutcome[]).map((o) => o.part)).toEqual(['open-loop']);
    // Its round counts (a resumed edition sees it complete), with no throughput of its own.
    expect(module.summarize(experiment)).toMatchObject({ runs: 1, failed_runs: 0, rps_median: null });
    expect(module.summarize(chapter)).toMatchObject({ runs: 1, failed_runs: 0, rps_median: 30 });
    const steps = written.filter((w) => w.kind === 'overload_steps');
    expect(steps.map((w) => [w.label, w.runId, w.capacity_rps, w.capacity_source, w.offered_rate])).toEqual([
      ['ch', 1, 30, 'measured', 30],
      ['ch+x', undefined, 30, 'chapter', 30],
    ]);
    // The settings key says how the experiments were scaled.
    expect(module.settingsKeyParts(contextOf('ch').options).join('|')).toMatch(/experiments-at-chapter-rates/);

    written.length = 0;
    const given = short('overload', { multipliers: [1], stepSeconds: 1, settleSeconds: 0 });
    await given.runRound(contextOf('ch', ['--capacity', '20']), 0);
    await given.runRound(contextOf('ch+x', ['--capacity', '20']), 0);
    expect(written.filter((w) => w.kind === 'overload_steps').map((w) => [w.label, w.capacity_source])).toEqual([['ch', 'given'], ['ch+x', 'given']]);
    expect(given.settingsKeyParts(contextOf('ch', ['--capacity', '20']).options).join('|')).not.toMatch(/chapter-rates/);
  });
});
