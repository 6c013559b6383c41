import { describe, expect, it } from 'vitest';
import { summarize, type RunOutcome } from './summarize.ts';

const run = (round: number, rps: number | null, extra: Partial<RunOutcome> = {}): RunOutcome => ({
  round,
  status: rps === null ? 'failed' : 'ok',
  connections: 32,
  requestsPerSecond: rps,
  avgLatencyUs: rps === null ? null : 1000 + round,
  p50LatencyUs: 900,
  p90LatencyUs: 1500,
  p99LatencyUs: rps === null ? null : 3000 + round * 100,
  maxLatencyUs: 9000,
  loadgenSaturated: false,
  ...extra,
});

describe('summarize', () => {
  it('counts failed runs apart and pairs ratios by round', () => {
    const runs = [run(0, 1000), run(1, 1100), run(2, null), run(3, 900), run(4, 1000, { loadgenSaturated: true })];
    const reference = new Map([[0, 2000], [1, 2200], [2, 2000], [3, 1800], [4, 2000]]);
    const s = summarize(runs, reference);
    expect(s.runs).toBe(4);
    expect(s.failedRuns).toBe(1);
    expect(s.rpsMedian).toBe(1000);
    expect(s.ratioMedian).toBe(0.5);
    expect(s.ratioCv).toBe(0); // every round's ratio is exactly ½
    expect(s.p99LatencyUs).toBe(3200); // median of 3000, 3100, 3300, 3400
    expect(s.saturatedRuns).toBe(1);
    expect(s.capacityConnections).toBeNull();
  });

  it('gives no interval and no CV from one run, and no ratio without a reference', () => {
    const s = summarize([run(0, 1234)]);
    expect(s).toMatchObject({ runs: 1, rpsMedian: 1234, rpsCiLow: null, rpsCiHigh: null, rpsCv: null, ratioMedian: null });
  });

  it('reports nothing measured when every run failed', () => {
    const s = summarize([run(0, null), run(1, null)], new Map([[0, 5], [1, 5]]));
    expect(s).toMatchObject({ runs: 0, failedRuns: 2, rpsMedian: null, ratioMedian: null, p99LatencyUs: null });
  });

  it('summarises a sweep by the last healthy step of each round', () => {
    const runs = [
      run(0, 500, { connections: 1, capacity: false }), run(0, 900, { connections: 2, capacity: true }), run(0, 950, { connections: 4, capacity: false }),
      run(1, 520, { connections: 1, capacity: false }), run(1, 880, { connections: 2, capacity: false }), run(1, 1000, { connections: 4, capacity: true }),
    ];
    const s = summarize(runs);
    expect(s.runs).toBe(2);
    expect(s.capacityConnections).toBe(3);
    expect(s.capacityRps).toBe(950);
  });
});
