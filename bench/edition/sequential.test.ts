import { describe, expect, it } from 'vitest';
import type { SummaryFigures } from '../store.ts';
import { preciseEnough, roundWithReference } from './sequential.ts';

const figures = (over: Partial<SummaryFigures>): SummaryFigures => ({
  runs: 8, failed_runs: 0, rps_median: 1000, rps_ci_low: 900, rps_ci_high: 1100, rps_cv: 0.05, ratio_median: 0.5, ratio_ci_low: 0.49, ratio_ci_high: 0.51, ratio_cv: 0.01,
  avg_latency_us: null, p50_latency_us: null, p90_latency_us: null, p99_latency_us: null, max_latency_us: null, capacity_connections: null, capacity_rps: null, saturated_runs: 0, ratio_note: null, disturbed_runs: 0,
  ...over,
});
const rule = { halfWidth: 0.03, minRounds: 6 };

describe('sequential stopping', () => {
  it('stops once the ratio interval is within ±3% of its median, after the minimum of clean rounds', () => {
    expect(preciseEnough(figures({}), true, rule)).toBe(true);
    expect(preciseEnough(figures({ runs: 5 }), true, rule)).toBe(false);
    expect(preciseEnough(figures({ ratio_ci_high: 0.52 }), true, rule)).toBe(false);
  });

  it('never stops on a withheld ratio; without a reference it judges the throughput', () => {
    expect(preciseEnough(figures({ ratio_median: null, ratio_ci_low: null, ratio_ci_high: null }), true, rule)).toBe(false);
    expect(preciseEnough(figures({}), false, rule)).toBe(false);
    expect(preciseEnough(figures({ rps_ci_low: 980, rps_ci_high: 1025 }), false, rule)).toBe(true);
  });
});

describe("an edition's round", () => {
  it('rotates the subjects by the round and puts the reference before every group', () => {
    expect(roundWithReference(['a', 'b', 'c', 'd', 'e'], ['R'], 0, 2)).toEqual(['R', 'a', 'b', 'R', 'c', 'd', 'R', 'e']);
    expect(roundWithReference(['a', 'b', 'c'], ['R', 'N'], 0, 2)).toEqual(['R', 'N', 'a', 'b', 'R', 'N', 'c']);
    expect(roundWithReference(['a', 'b', 'c'], ['R'], 1, 3)).toEqual(['R', 'b', 'c', 'a']);
    expect(roundWithReference(['a', 'b'], [], 1, 3)).toEqual(['b', 'a']);
  });
});
