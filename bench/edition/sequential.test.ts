import { describe, expect, it } from 'vitest';
import type { SummaryFigures } from '../store.ts';
import { budgetedStopping, preciseEnough, roundWithReference, subjectsToStop } from './sequential.ts';

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
  it('rotates the subjects by the round, node:http before every group and the other yardsticks once at the start', () => {
    expect(roundWithReference(['a', 'b', 'c', 'd', 'e'], ['R'], 0, 2)).toEqual(['R', 'a', 'b', 'R', 'c', 'd', 'R', 'e']);
    expect(roundWithReference(['a', 'b', 'c'], ['R', 'N'], 0, 2)).toEqual(['N', 'R', 'a', 'b', 'R', 'c']);
    expect(roundWithReference(['a', 'b', 'c'], ['R'], 1, 3)).toEqual(['R', 'b', 'c', 'a']);
    expect(roundWithReference(['a', 'b'], [], 1, 3)).toEqual(['b', 'a']);
  });
});

describe('rounds under a budget', () => {
  const standing = (label: string, over: Partial<SummaryFigures>) => ({ label, figures: figures(over) });
  const allocation = (secondsLeft: number) => ({ rule: { ...rule, maxRounds: 12 }, byRatio: true, secondsLeft, sliceSeconds: 3, yardstickSlices: (k: number) => (k === 0 ? 0 : Math.ceil(k / 3) + 1) });
  const wide = (label: string, halfWidth: number) => standing(label, { ratio_ci_low: 0.5 * (1 - halfWidth), ratio_ci_high: 0.5 * (1 + halfWidth) });

  it('stops the precise and those at the most; the rest go on while the budget lasts', () => {
    const all = [standing('tight', {}), standing('done', { runs: 12, ratio_ci_high: 0.6 }), wide('w1', 0.05), wide('w2', 0.08)];
    expect(subjectsToStop(all, allocation(1000))).toEqual(['tight', 'done']);
  });

  it('spends what is left on the widest intervals first; those below the minimum always go on', () => {
    const all = [wide('w5', 0.05), wide('w8', 0.08), wide('w6', 0.06), standing('young', { runs: 3, ratio_ci_high: 0.7 })];
    // young + 1 subject: 2 subject slices + 2 yardstick slices = 12 s; + 2: 3 + 2 = 15 s.
    expect(subjectsToStop(all, allocation(12))).toEqual(['w5', 'w6']);
    expect(subjectsToStop(all, allocation(15))).toEqual(['w5']);
    expect(subjectsToStop(all, allocation(0))).toEqual(['w5', 'w8', 'w6']);
  });

  it('shares a part\'s seconds among its scenarios in turn, from a measured slice', () => {
    let now = 0;
    const stop = budgetedStopping({ scenarios: ['hot-gzip', 'mix-gzip'], sliceSeconds: { 'hot-gzip': 3, 'mix-gzip': 5 }, warmupSeconds: 0 }, { ...rule, maxRounds: 12 }, {
      deadline: 60_000, now: () => now, byRatio: () => false, yardstickSlices: () => 0,
    });
    const w = [standing('a', { rps_ci_low: 800, rps_ci_high: 1200 })];
    now = 10_000; // hot-gzip's first round: 3/8 of the 50 s left is hot-gzip's (3 s a slice against 5 s), until 28.75 s
    expect(stop('hot-gzip', w)).toEqual([]);
    now = 20_000; // a round took 10 s for one slice: the next does not fit the 8.75 s left of hot-gzip's share (an even split left 15 s)
    expect(stop('hot-gzip', w)).toEqual(['a']);
    now = 40_000; // mix-gzip has the rest
    expect(stop('mix-gzip', w)).toEqual([]);
  });

  it('never lets a scenario buy rounds out of the minimum of the scenarios after it', () => {
    let now = 0;
    const part = { scenarios: ['hot', 'mix'], sliceSeconds: { hot: 2, mix: 2 }, warmupSeconds: 1 };
    const options = { now: () => now, byRatio: () => false, yardstickSlices: () => 0 };
    const w = [standing('a', { runs: 6, rps_ci_low: 800, rps_ci_high: 1200 })];
    // Mix's minimum: 1 s of warm-up and 6 rounds of 2 s, 13 s. 28 s left: half is hot's (14 s), and 28 − 13 leaves 15 s: a round.
    const enough = budgetedStopping(part, { ...rule, maxRounds: 12 }, { ...options, deadline: 28_000 });
    expect(enough('hot', w)).toEqual([]);
    // 14 s left: the proportional share (7 s) would buy a round of 2 s; mix's 13 s leave 1 s: none.
    const tight = budgetedStopping(part, { ...rule, maxRounds: 12 }, { ...options, deadline: 14_000 });
    expect(tight('hot', w)).toEqual(['a']);
  });
});
