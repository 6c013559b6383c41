import { describe, expect, it } from 'vitest';
import { decide, evaluatePairs, EXIT_CODE, pairedRatioInterval, tQuantile975 } from './verdict.ts';
import type { RatioInterval } from './verdict.ts';

const interval = (low: number, high: number, ratio = Math.sqrt(low * high)): RatioInterval => ({ ratio, low, high, confidence: 0.95, n: 6 });

describe('tQuantile975', () => {
  it('returns the table values', () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(5)).toBe(2.571);
    expect(tQuantile975(30)).toBe(2.042);
    expect(tQuantile975(60)).toBe(2.0);
    expect(tQuantile975(120)).toBe(1.98);
  });
  it('interpolates between table rows and tends to 1.96', () => {
    const t50 = tQuantile975(50);
    expect(t50).toBeLessThan(2.021);
    expect(t50).toBeGreaterThan(2.0);
    expect(tQuantile975(1_000_000)).toBeCloseTo(1.96, 3);
  });
  it('rejects a non-positive df', () => {
    expect(() => tQuantile975(0)).toThrow(/positive integer/);
  });
});

describe('pairedRatioInterval', () => {
  it('collapses to the ratio when every pair has the same ratio', () => {
    const r = pairedRatioInterval([90, 180, 45], [100, 200, 50]);
    expect(r.ratio).toBeCloseTo(0.9, 12);
    expect(r.low).toBeCloseTo(0.9, 12);
    expect(r.high).toBeCloseTo(0.9, 12);
    expect(r.n).toBe(3);
  });

  it('is exp(±t·sd/√n) around the geometric mean (two pairs: ratios e^d and e^−d)', () => {
    const d = 0.01;
    const r = pairedRatioInterval([100 * Math.exp(d), 100 * Math.exp(-d)], [100, 100]);
    // mean 0, sd = d·√2, se = d, t(0.975, 1) = 12.706
    expect(r.ratio).toBeCloseTo(1, 12);
    expect(r.low).toBeCloseTo(Math.exp(-12.706 * d), 12);
    expect(r.high).toBeCloseTo(Math.exp(12.706 * d), 12);
  });

  it('matches a hand computation for four pairs', () => {
    const ratios = [0.8, 0.85, 0.9, 0.82];
    const logs = ratios.map(Math.log);
    const mean = logs.reduce((a, b) => a + b) / 4;
    const sd = Math.sqrt(logs.reduce((a, x) => a + (x - mean) ** 2, 0) / 3);
    const r = pairedRatioInterval(ratios.map((x) => x * 1000), [1000, 1000, 1000, 1000]);
    expect(r.ratio).toBeCloseTo(Math.exp(mean), 12);
    expect(r.high).toBeCloseTo(Math.exp(mean + (3.182 * sd) / 2), 12);
    expect(r.low).toBeCloseTo(Math.exp(mean - (3.182 * sd) / 2), 12);
  });

  it('refuses fewer than two pairs, unequal lengths, and failed measurements', () => {
    expect(() => pairedRatioInterval([1], [1])).toThrow(/at least 2 pairs/);
    expect(() => pairedRatioInterval([1, 2], [1])).toThrow(/as many/);
    expect(() => pairedRatioInterval([1, 0], [1, 1])).toThrow(/pair 2/);
    expect(() => pairedRatioInterval([1, Number.NaN], [1, 1])).toThrow(/positive numbers/);
  });
});

describe('decide', () => {
  it('fails when the whole interval is below 1 − threshold', () => {
    const d = decide(interval(0.8, 0.89), 0.1);
    expect(d.verdict).toBe('fail');
    expect(d.limit).toBeCloseTo(0.9, 12);
    expect(EXIT_CODE[d.verdict]).toBe(1);
  });

  it('passes when the whole interval is at or above 1 − threshold', () => {
    expect(decide(interval(0.95, 1.05), 0.1).verdict).toBe('pass');
    expect(EXIT_CODE.pass).toBe(0);
  });

  it('is inconclusive when the interval straddles the limit', () => {
    const d = decide(interval(0.85, 0.95), 0.1);
    expect(d.verdict).toBe('inconclusive');
    expect(d.reason).toMatch(/straddles/);
    expect(EXIT_CODE[d.verdict]).toBe(3);
  });

  it('boundary: a lower bound exactly at the limit passes', () => {
    expect(decide(interval(1 - 0.1, 1.1), 0.1).verdict).toBe('pass');
  });

  it('boundary: an upper bound exactly at the limit is not a failure', () => {
    expect(decide(interval(0.8, 1 - 0.1), 0.1).verdict).toBe('inconclusive');
  });

  it('boundary: an upper bound just below the limit fails', () => {
    expect(decide(interval(0.8, 0.9 - 1e-9), 0.1).verdict).toBe('fail');
  });

  it('a faster head passes', () => {
    expect(decide(interval(1.2, 1.4), 0.1).verdict).toBe('pass');
  });

  it('uses the threshold it is given', () => {
    expect(decide(interval(0.8, 0.85), 0.1).verdict).toBe('fail');
    expect(decide(interval(0.8, 0.85), 0.25).verdict).toBe('pass');
  });

  it('rejects a threshold outside (0, 1)', () => {
    expect(() => decide(interval(0.9, 1), 0)).toThrow(/threshold/);
    expect(() => decide(interval(0.9, 1), 10)).toThrow(/threshold/);
  });
});

describe('evaluatePairs', () => {
  const run = (rps: number, p99: number | null) => ({ requestsPerSecond: rps, p99LatencyUs: p99 });

  it('computes head/base intervals for throughput and p99, and decides on throughput', () => {
    const result = evaluatePairs(
      [
        { base: run(1000, 2000), head: run(500, 4000) },
        { base: run(1010, 2100), head: run(500, 4000) },
        { base: run(990, 1900), head: run(505, 4100) },
      ],
      0.1,
    );
    expect(result.throughput.ratio).toBeCloseTo(0.5, 1);
    expect(result.p99?.ratio).toBeCloseTo(2, 1);
    expect(result.decision.verdict).toBe('fail');
  });

  it('has no p99 interval when a run has no p99', () => {
    const result = evaluatePairs(
      [
        { base: run(1000, null), head: run(1000, 10) },
        { base: run(1000, 10), head: run(1000, 10) },
      ],
      0.1,
    );
    expect(result.p99).toBeNull();
    expect(result.decision.verdict).toBe('pass');
  });
});
