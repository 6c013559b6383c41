import { describe, expect, it } from 'vitest';
import { countsBetween, histogramQuantile, sumCounts } from './histogram-quantile.ts';

const bounds = [0.001, 0.01, 0.1, 1];

describe('histogramQuantile', () => {
  it('interpolates inside the bucket the rank falls in', () => {
    // 100 observations: 50 up to 1 ms, 40 in (1, 10] ms, 10 in (10, 100] ms.
    const counts = { buckets: [50, 40, 10, 0], count: 100 };
    expect(histogramQuantile(bounds, counts, 0.5)).toBeCloseTo(0.001);
    expect(histogramQuantile(bounds, counts, 0.7)).toBeCloseTo(0.001 + 0.009 * (20 / 40));
    expect(histogramQuantile(bounds, counts, 0.99)).toBeCloseTo(0.01 + 0.09 * (9 / 10));
  });

  it('interpolates the first bucket from zero', () => {
    expect(histogramQuantile(bounds, { buckets: [4, 0, 0, 0], count: 4 }, 0.5)).toBeCloseTo(0.0005);
  });

  it('reads a rank above the last bound as the last bound', () => {
    expect(histogramQuantile(bounds, { buckets: [1, 0, 0, 0], count: 10 }, 0.99)).toBe(1);
  });

  it('has no quantile without observations, and refuses a bad quantile or shape', () => {
    expect(histogramQuantile(bounds, { buckets: [0, 0, 0, 0], count: 0 }, 0.99)).toBeNull();
    expect(() => histogramQuantile(bounds, { buckets: [1, 0, 0, 0], count: 1 }, 0)).toThrow(/quantile 0/);
    expect(() => histogramQuantile(bounds, { buckets: [1], count: 1 }, 0.5)).toThrow(/1 buckets for 4 bounds/);
  });
});

describe('countsBetween and sumCounts', () => {
  it('subtract two snapshots and add histograms up', () => {
    expect(countsBetween({ buckets: [1, 2, 0, 0], count: 3 }, { buckets: [4, 2, 1, 0], count: 8 })).toEqual({ buckets: [3, 0, 1, 0], count: 5 });
    expect(sumCounts(4, [{ buckets: [1, 2, 0, 0], count: 3 }, { buckets: Float64Array.from([0, 1, 1, 1]), count: 4 }])).toEqual({ buckets: [1, 3, 1, 1], count: 7 });
  });
});
