import { describe, expect, it } from 'vitest';
import { spreadOf } from './spread.ts';

describe('spreadOf', () => {
  it('gives the median, the range relative to it and the CV', () => {
    const s = spreadOf([100, 101, 99, 100, 100]);
    expect(s.median).toBe(100);
    expect(s.min).toBe(99);
    expect(s.max).toBe(101);
    expect(s.range).toBeCloseTo(0.02, 12);
    expect(s.cv).toBeCloseTo(Math.sqrt(0.5) / 100, 12);
    expect(s.n).toBe(5);
  });

  it('is zero for one value', () => {
    expect(spreadOf([42])).toEqual({ median: 42, min: 42, max: 42, range: 0, cv: 0, n: 1 });
  });

  it('refuses no values and values that are not counts', () => {
    expect(() => spreadOf([])).toThrow(/no values/);
    expect(() => spreadOf([1, Number.NaN])).toThrow(/positive numbers/);
    expect(() => spreadOf([0, 1])).toThrow(/positive numbers/);
  });
});
