import { describe, expect, it } from 'vitest';
import { trialsToShow, wilsonInterval } from './proportion.ts';

describe('wilsonInterval', () => {
  it('gives the textbook 95% interval', () => {
    // 8 of 10: 0.490–0.943 (Wilson 1927; e.g. Newcombe 1998, table I).
    const interval = wilsonInterval(8, 10);
    expect(interval?.low).toBeCloseTo(0.490, 3);
    expect(interval?.high).toBeCloseTo(0.943, 3);
  });

  it('stays within 0 and 1 at the edges, and is nothing for no trials', () => {
    expect(wilsonInterval(0, 8)?.low).toBe(0);
    expect(wilsonInterval(8, 8)?.high).toBe(1);
    expect(wilsonInterval(8, 8)?.low).toBeCloseTo(0.676, 3);
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it('refuses successes outside the trials', () => {
    expect(() => wilsonInterval(5, 4)).toThrow(/within the trials/);
    expect(() => wilsonInterval(1.5, 4)).toThrow(/whole/);
  });
});

describe('trialsToShow', () => {
  it('needs 35 perfect trials to show ≥ 90% at 95%', () => {
    expect(trialsToShow(0.9)).toBe(35);
    expect(wilsonInterval(34, 34)!.low).toBeLessThan(0.9);
  });
});
