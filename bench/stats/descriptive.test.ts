import { describe, expect, it } from 'vitest';
import {
  coefficientOfVariation,
  intervalMethod,
  median,
  medianConfidenceInterval,
  orderStatisticRank,
} from './descriptive.ts';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
  it('refuses no values and non-numbers', () => {
    expect(() => median([])).toThrow(/no values/);
    expect(() => median([1, NaN])).toThrow(/finite/);
  });
});

describe('medianConfidenceInterval', () => {
  it('uses order statistics from n = 6 at 95% (coverage 96.9%: min and max)', () => {
    expect(orderStatisticRank(5)).toBeNull();
    expect(orderStatisticRank(6)).toBe(1);
    expect(orderStatisticRank(9)).toBe(2); // coverage 1 - 2·P(B(9,½) ≤ 1) = 0.9609
    expect(orderStatisticRank(20)).toBe(6); // the classic table value: [x(6), x(15)]
    expect(medianConfidenceInterval([6, 1, 5, 2, 4, 3])).toEqual({ low: 1, high: 6 });
    expect(medianConfidenceInterval([9, 8, 7, 6, 5, 4, 3, 2, 1])).toEqual({ low: 2, high: 8 });
    const twenty = Array.from({ length: 20 }, (_, i) => 100 + i);
    expect(medianConfidenceInterval(twenty)).toEqual({ low: 105, high: 114 });
    expect(intervalMethod(6)).toBe('order-statistic');
  });

  it('bootstraps with a fixed seed below that: deterministic, inside the data range, around the median', () => {
    const values = [100, 104, 98, 101, 110];
    expect(intervalMethod(values.length)).toBe('bootstrap');
    const a = medianConfidenceInterval(values);
    const b = medianConfidenceInterval([...values].reverse());
    expect(a).toEqual(b);
    expect(a.low).toBeGreaterThanOrEqual(98);
    expect(a.high).toBeLessThanOrEqual(110);
    expect(a.low).toBeLessThanOrEqual(101);
    expect(a.high).toBeGreaterThanOrEqual(101);
    expect(a.high).toBeGreaterThan(a.low);
  });

  it('gives no interval from one value', () => {
    const interval = medianConfidenceInterval([5]);
    expect(Number.isNaN(interval.low) && Number.isNaN(interval.high)).toBe(true);
    expect(intervalMethod(1)).toBe('none');
  });

  it('collapses to a point for identical values', () => {
    expect(medianConfidenceInterval([3, 3, 3])).toEqual({ low: 3, high: 3 });
  });
});

describe('coefficientOfVariation', () => {
  it('is the sample standard deviation over the mean', () => {
    // mean 5, sample variance (9+1+1+9)/3 = 20/3
    expect(coefficientOfVariation([2, 4, 6, 8])).toBeCloseTo(Math.sqrt(20 / 3) / 5, 12);
    expect(coefficientOfVariation([10, 10, 10])).toBe(0);
    expect(Number.isNaN(coefficientOfVariation([10]))).toBe(true);
  });
});

