import { describe, expect, it } from 'vitest';
import { alternatingPairs, plannedLoadSeconds } from './schedule.ts';

describe('alternatingPairs', () => {
  it('alternates which side runs first (ABBA ABBA)', () => {
    expect(alternatingPairs(4).flat().join('')).toBe(['base', 'head', 'head', 'base', 'base', 'head', 'head', 'base'].join(''));
  });
  it('puts base first and head first equally often for an even count', () => {
    const firsts = alternatingPairs(6).map((p) => p[0]);
    expect(firsts.filter((s) => s === 'base')).toHaveLength(3);
  });
  it('rejects a non-positive count', () => {
    expect(() => alternatingPairs(0)).toThrow(/positive integer/);
  });
});

describe('plannedLoadSeconds', () => {
  it('counts both warm-ups and both runs of every pair', () => {
    expect(plannedLoadSeconds({ pairs: 6, durationSeconds: 5, warmupSeconds: 3 })).toBe(2 * 3 + 6 * 2 * 5);
    expect(plannedLoadSeconds({ pairs: 8, durationSeconds: 1, warmupSeconds: 0 })).toBe(16);
  });
});
