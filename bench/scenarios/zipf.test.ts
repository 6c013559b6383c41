import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stats/descriptive.ts';
import { DEFAULT_ZIPF_MIX, windowUniverse, zipfPaths, zipfSampler } from './zipf.ts';

describe('windowUniverse', () => {
  it('has the requested number of distinct, valid windows inside the feed', () => {
    const universe = windowUniverse(DEFAULT_ZIPF_MIX.windows, DEFAULT_ZIPF_MIX.seed);
    expect(DEFAULT_ZIPF_MIX.windows).toBeGreaterThanOrEqual(100_000);
    expect(new Set(universe).size).toBe(DEFAULT_ZIPF_MIX.windows);
    for (const path of universe.slice(0, 2000)) {
      const url = new URL(path, 'http://x');
      const starts = url.searchParams.get('starts_at')!;
      const ends = url.searchParams.get('ends_at')!;
      expect(starts < ends).toBe(true);
      expect(starts >= '2021-01-01T00:00:00Z').toBe(true);
      expect(ends <= '2024-01-01T00:00:00Z').toBe(true);
      const days = (Date.parse(ends) - Date.parse(starts)) / 86_400_000;
      expect(days >= 7 && days <= 90 && Number.isInteger(days)).toBe(true);
    }
  });
});

describe('zipfSampler', () => {
  it('is skewed as 1/k: rank 1 about twice rank 2, ten times rank 10', () => {
    const draw = zipfSampler(1000, 1, seededRandom(7));
    const counts = new Array<number>(1000).fill(0);
    for (let i = 0; i < 200_000; i++) counts[draw()]++;
    expect(counts[0] / counts[1]).toBeCloseTo(2, 0);
    expect(counts[0] / counts[9]).toBeGreaterThan(8);
    expect(counts[0] / counts[9]).toBeLessThan(12);
    // every draw is a valid rank; the tail is reached
    expect(counts.reduce((a, b) => a + b, 0)).toBe(200_000);
    expect(counts[999]).toBeGreaterThan(0);
  });

  it('with exponent 0 is uniform', () => {
    const draw = zipfSampler(4, 0, seededRandom(3));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[draw()]++;
    for (const c of counts) expect(c / 10_000).toBeCloseTo(1, 1);
  });
});

describe('zipfPaths', () => {
  const paths = zipfPaths();

  it('is the same sequence for the same seed, another for another seed', () => {
    expect(zipfPaths()).toEqual(paths);
    const other = zipfPaths({ ...DEFAULT_ZIPF_MIX, seed: DEFAULT_ZIPF_MIX.seed + 1 });
    expect(other.slice(0, 100)).not.toEqual(paths.slice(0, 100));
  });

  it('has the requested length and reaches tens of thousands of distinct windows', () => {
    expect(paths).toHaveLength(DEFAULT_ZIPF_MIX.draws);
    const distinct = new Set(paths).size;
    expect(distinct).toBeGreaterThan(30_000);
    expect(distinct).toBeLessThanOrEqual(DEFAULT_ZIPF_MIX.windows);
  });

  it('puts the most popular window first in frequency (its share near 1/H(n))', () => {
    const counts = new Map<string, number>();
    for (const p of paths) counts.set(p, (counts.get(p) ?? 0) + 1);
    const top = Math.max(...counts.values());
    const rank1 = windowUniverse(DEFAULT_ZIPF_MIX.windows, DEFAULT_ZIPF_MIX.seed)[0];
    expect(counts.get(rank1)).toBe(top);
    // H(100000) ≈ 12.09, so rank 1 takes about 8.3 % of the draws.
    expect(top / paths.length).toBeGreaterThan(0.07);
    expect(top / paths.length).toBeLessThan(0.095);
  });
});
