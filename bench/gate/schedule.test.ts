import { describe, expect, it } from 'vitest';
import { alternatingPairs } from './schedule.ts';

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
