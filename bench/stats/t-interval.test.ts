import { describe, expect, it } from 'vitest';
import { pairedRatioInterval, tQuantile975 } from './t-interval.ts';

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
