/**
 * The fairness scenario against a real server that answers after 5 ms and refuses (503 at
 * once) beyond 2 requests in flight: two short steps of a real paced wrk beside two real polite
 * clients at once, one fairness_steps row per polite connection kind and step (two clients of a kind pooled). No timing threshold: the shares are whatever the
 * server gave, checked for consistency, not for a value.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startLimitServer, type LimitServer } from '../loadgen/limit-server.ts';
import { parseOptions } from '../options.ts';
import { scenario } from './index.ts';
import type { RoundContext } from './module.ts';
import { fairnessScenario, fairnessSteps, FAIRNESS_DEFAULTS, gaugeFigures, serverThreadFigures } from './fairness.ts';
import { closedLoopRun } from '../testing/closed-loop-run.ts';
import { trialsToShow } from '../stats/proportion.ts';

let server: LimitServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('fairness', () => {
  it('plans the greedy client at 2× then 5× the capacity, each step with a polite client on new connections and one on a kept-alive connection at once', () => {
    expect(fairnessSteps(FAIRNESS_DEFAULTS)).toEqual([
      { multiplier: 2, polite: ['new', 'kept-alive'] }, { multiplier: 5, polite: ['new', 'kept-alive'] },
    ]);
  });

  it('settles each step for long enough that a perfect polite score can show ≥ 90% at 95%', () => {
    const settled = FAIRNESS_DEFAULTS.politeClients * (FAIRNESS_DEFAULTS.stepSeconds - FAIRNESS_DEFAULTS.settleSeconds) * 1000 / FAIRNESS_DEFAULTS.politeIntervalMs;
    expect(settled).toBeGreaterThanOrEqual(trialsToShow(0.9));
  });

  it('refuses a settle as long as the step, and no polite client', () => {
    expect(() => fairnessScenario(scenario('fairness'), { ...FAIRNESS_DEFAULTS, stepSeconds: 2, settleSeconds: 2 })).toThrow(/below the step/);
    expect(() => fairnessScenario(scenario('fairness'), { ...FAIRNESS_DEFAULTS, politeClients: 0 })).toThrow(/polite clients must be a whole number/);
  });

  it('records per step the greedy goodput and the polite answers of the settled seconds', async () => {
    server = await startLimitServer({ delayMs: 5, limit: 2 });
    const options = parseOptions(['--scenario', 'fairness', '--capacity', '40'], '/repo');
    const written: Record<string, unknown>[] = [];
    const flags: string[] = [];
    const context: RoundContext = {
      options, label: 'limit', url: server.url, loadgenCpus: null,
      measure: () => Promise.reject(new Error('no closed-loop run when the capacity is given')),
      settle: () => Promise.reject(new Error('no settle in a fairness round')),
      log: () => {}, flag: (name) => flags.push(name),
      series: (kind) => ({ write: (sample) => written.push({ kind, ...(sample as Record<string, unknown>) }) }),
      // A stand-in for the server's threads: each reading adds 1 s of loop and 3 s of other threads' CPU.
      serverThreads: () => { readings++; return { loopNs: readings * 1e9, otherNs: readings * 3e9 }; },
      // Its gauges: in flight rises with every scrape, the limit stays.
      serverGauges: () => { scrapes++; return Promise.resolve({ at: 0, inFlight: 10 * scrapes, limit: 32, rttNoLoadSeconds: null, rttSeconds: null, eventLoopUtilization: null, scaleOut: null, requestsTotal: null, shedTotal: null }); },
    };
    let scrapes = 0;
    let readings = 0;
    const short = { ...FAIRNESS_DEFAULTS, greedyConnections: 16, stepSeconds: 2, settleSeconds: 1 };
    const outcomes = await fairnessScenario(scenario('fairness'), short).runRound(context, 0);
    expect(outcomes.map((o) => o.status)).toEqual(['ok']);
    expect(written.map((w) => `${w.kind}:${w.step_multiplier}:${w.polite_connection}`)).toEqual([
      'fairness_steps:2:new', 'fairness_steps:2:kept-alive', 'fairness_steps:5:new', 'fairness_steps:5:kept-alive',
    ]);
    // Both polite clients of a step beside one greedy run: its figures on both rows.
    for (const [a, b] of [[written[0], written[1]], [written[2], written[3]]]) {
      expect(b).toMatchObject({ offered_rps: a.offered_rps, goodput_rps: a.goodput_rps, target_rps: a.target_rps, greedy_cpu_share: a.greedy_cpu_share });
    }
    for (const row of written) {
      // 2 s steps settle for 1 s; two clients of each kind, 125 ms apart, pooled: the polite
      // requests intended at 1000, 1125, 1250, … 1875 ms count.
      expect(row).toMatchObject({ capacity_rps: 40, capacity_source: 'given', settled_seconds: 1, polite_sent: 8, polite_interval_ms: 250, polite_within_ms: 50 });
      expect(row.polite_ok_fast as number).toBeLessThanOrEqual(8);
      expect(row.polite_share).toBe((row.polite_ok_fast as number) / 8);
      const statuses = JSON.parse(row.polite_statuses as string) as Record<string, number>;
      expect(Object.values(statuses).reduce((a, b) => a + b, 0)).toBe(8);
      expect(row.goodput_rps as number).toBeGreaterThan(0);
      expect(row.offered_rps as number).toBeGreaterThanOrEqual(row.goodput_rps as number);
      expect(row).toMatchObject({ target_rps: 40 * (row.step_multiplier as number), greedy_connections: 16, p99_served_us: null });
      expect(row.offered_short).toBe((row.offered_rps as number) < 0.9 * (row.target_rps as number) ? 1 : 0);
      expect(row.polite_share_low as number).toBeLessThanOrEqual(row.polite_share as number);
      expect(row.polite_share_high as number).toBeGreaterThanOrEqual(row.polite_share as number);
      expect(row.polite_send_lag_max_us as number).toBeGreaterThanOrEqual(0);
      // One reading before and one after each step: 4 s of the server's CPU over the step's wall time, a quarter of it the loop's.
      expect(row.loop_thread_share).toBe(0.25);
      expect(row.server_cpu_share as number).toBeGreaterThan(0);
      expect(row.server_cpu_share as number).toBeLessThanOrEqual(4 / short.stepSeconds);
    }
    expect(readings).toBe(4);
    // 2 s steps that settle for 1 s: one scrape each, in the middle of the settled second, its value the step's median.
    expect(scrapes).toBe(2);
    expect(written.map((w) => [w.server_in_flight, w.server_limit])).toEqual([[10, 32], [10, 32], [20, 32], [20, 32]]);
  });

  it('gives a step\'s CPU figures only when both thread readings exist', () => {
    expect(serverThreadFigures({ loopNs: 0, otherNs: 0 }, { loopNs: 1e9, otherNs: 1e9 }, 4)).toEqual({ cpuShare: 0.5, loopShare: 0.5 });
    expect(serverThreadFigures(undefined, { loopNs: 1e9, otherNs: 1e9 }, 4)).toEqual({ cpuShare: null, loopShare: null });
    expect(serverThreadFigures({ loopNs: 0, otherNs: 0 }, { loopNs: 0, otherNs: 0 }, 4)).toEqual({ cpuShare: 0, loopShare: null });
  });

  it('takes the median of the settled seconds\' gauges, and null for a metric no reading had', () => {
    const gauge = (inFlight: number | null, limit: number | null) => ({ at: 0, inFlight, limit, rttNoLoadSeconds: null, rttSeconds: null, eventLoopUtilization: null, scaleOut: null, requestsTotal: null, shedTotal: null });
    expect(gaugeFigures([gauge(2049, 32), gauge(2051, 32), gauge(12, null)])).toEqual({ inFlight: 2049, limit: 32 });
    expect(gaugeFigures([gauge(null, null)])).toEqual({ inFlight: null, limit: null });
    expect(gaugeFigures([])).toEqual({ inFlight: null, limit: null });
  });

  it('offers an experiment measured after its chapter the chapter\'s greedy rates, with no capacity run of its own', async () => {
    server = await startLimitServer({ delayMs: 5, limit: 2 });
    const options = parseOptions(['--scenario', 'fairness'], '/repo');
    const written: Record<string, unknown>[] = [];
    const measured: string[] = [];
    const contextOf = (label: string): RoundContext => ({
      options, label, url: server!.url, loadgenCpus: null,
      // The chapter's closed-loop capacity run, as the runner would record it: 30 req/s.
      measure: async () => {
        measured.push(label);
        return closedLoopRun(30);
      },
      settle: () => Promise.reject(new Error('no settle in a fairness round')),
      log: () => {}, flag: () => {},
      series: () => ({ write: (sample) => written.push({ label, ...(sample as Record<string, unknown>) }) }),
    });
    const oneStep = { ...FAIRNESS_DEFAULTS, multipliers: [2], politeConnections: ['new' as const], greedyConnections: 4, stepSeconds: 2, settleSeconds: 1 };
    const module = fairnessScenario(scenario('fairness'), oneStep);
    await module.runRound(contextOf('ch'), 0);
    const experiment = await module.runRound(contextOf('ch+unfair-limit'), 0);
    expect(measured).toEqual(['ch']);
    expect(experiment.map((o) => o.status)).toEqual(['ok']);
    expect(written.map((w) => [w.label, w.capacity_rps, w.capacity_source, w.target_rps])).toEqual([
      ['ch', 30, 'measured', 60],
      ['ch+unfair-limit', 30, 'chapter', 60],
    ]);
  });
});
