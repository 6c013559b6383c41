import { describe, expect, it } from 'vitest';
import { capacityOf, judge, nextRate, SERVICE_OBJECTIVE, type SearchSettings } from './objective.ts';

const settings: SearchSettings = { startRate: 100, precision: 0.05, minRate: 10, maxRate: 100_000, maxProbes: 20 };

/** Runs the search against a server that meets the objective up to `limit` req/s. */
function search(limit: number, using: SearchSettings = settings): { rates: number[]; capacity: number | null } {
  const probes: { rate: number; meets: boolean }[] = [];
  for (let rate = nextRate(probes, using); rate !== null; rate = nextRate(probes, using)) probes.push({ rate, meets: rate <= limit });
  return { rates: probes.map((p) => p.rate), capacity: capacityOf(probes) };
}

describe('the objective', () => {
  it('judges p99, errors (the unanswered included) and a late generator', () => {
    expect(judge({ offered: 10_000, served: 9_995, p99Us: 40_000, generatorBehind: false }, SERVICE_OBJECTIVE).meets).toBe(true);
    expect(judge({ offered: 10_000, served: 9_980, p99Us: 40_000, generatorBehind: false }, SERVICE_OBJECTIVE).verdict).toMatch(/errors 0\.20% > 0\.1%/);
    expect(judge({ offered: 10_000, served: 10_000, p99Us: 51_000, generatorBehind: false }, SERVICE_OBJECTIVE).verdict).toMatch(/p99 51\.0 ms > 50 ms/);
    expect(judge({ offered: 10_000, served: 10_000, p99Us: 1_000, generatorBehind: true }, SERVICE_OBJECTIVE)).toMatchObject({ meets: false, verdict: expect.stringMatching(/generator/) });
  });
});

describe('the capacity search', () => {
  it('doubles until the objective is missed, then bisects to the precision', () => {
    const { rates, capacity } = search(1_234);
    expect(rates.slice(0, 6)).toEqual([100, 200, 400, 800, 1600, 1200]);
    expect(capacity).not.toBeNull();
    expect(capacity!).toBeLessThanOrEqual(1_234);
    expect(capacity!).toBeGreaterThanOrEqual(1_234 / 1.05);
  });
  it('halves below the start when even the start misses, and says "none" below the floor', () => {
    const low = search(30);
    expect(low.rates.slice(0, 3)).toEqual([100, 50, 25]);
    expect(low.capacity).toBeGreaterThanOrEqual(30 / 1.05);
    expect(search(5).capacity).toBeNull();
  });
  it('from a seed near the capacity, steps by the precision and widens the step until it brackets it', () => {
    const seeded = { ...settings, precision: 0.1, startRate: 2_000, firstStep: 0.1 };
    expect(search(2_100, seeded)).toEqual({ rates: [2_000, 2_200], capacity: 2_000 });
    expect(search(1_900, seeded)).toEqual({ rates: [2_000, 1_819], capacity: 1_819 });
    const far = search(5_000, seeded);
    expect(far.rates.slice(0, 4)).toEqual([2_000, 2_200, 2_640, 3_696]);
    expect(far.capacity!).toBeLessThanOrEqual(5_000);
    expect(far.capacity!).toBeGreaterThanOrEqual(5_000 / 1.1);
    // The same bound as from a start far below: the highest rate met, the next one missed within the precision.
    const unseeded = search(5_000, { ...seeded, startRate: 100, firstStep: 1 });
    expect(unseeded.capacity!).toBeGreaterThanOrEqual(5_000 / 1.1);
    expect(far.rates.length).toBeLessThan(unseeded.rates.length);
  });
  it('stops at the most probes', () => {
    const probes = Array.from({ length: 20 }, (_, i) => ({ rate: 100 * 2 ** i, meets: true }));
    expect(nextRate(probes, settings)).toBeNull();
  });
});
