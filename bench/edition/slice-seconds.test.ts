import { describe, expect, it } from 'vitest';
import { coefficientOfVariation } from '../stats/descriptive.ts';
import { deviationByDistance, firstOverSecond, formatSliceSeconds, ratioCvs, type Slice } from './slice-seconds.ts';

const slice = (label: string, sequence: number, first: number, second: number): Slice => ({ label, sequence, rps: (first + second) / 2, seconds: new Map([[1, first], [2, second]]) });

// Three rounds: reference, subject, reference, …; the subject's first second swings, its second does not.
const slices: Slice[] = [
  slice('reference', 0, 100, 100), slice('v1', 1, 40, 50), slice('nginx', 2, 300, 300),
  slice('reference', 3, 100, 100), slice('v1', 4, 60, 50),
  slice('reference', 5, 100, 100), slice('v1', 6, 50, 50),
  slice('reference', 7, 100, 100),
];

describe('what a shorter slice would give', () => {
  it("pairs each subject slice with the reference slices on either side, per figure of the slice", () => {
    expect(ratioCvs(slices, 2).get('v1')).toBe(0);
    expect(ratioCvs(slices, 1).get('v1')).toBeCloseTo(coefficientOfVariation([0.4, 0.6, 0.5]), 12);
    expect(ratioCvs(slices, 'whole').get('v1')).toBeCloseTo(coefficientOfVariation([0.45, 0.55, 0.5]), 12);
    expect([...ratioCvs(slices, 'whole').keys()]).toEqual(['v1']); // yardsticks have no ratio of their own
  });

  it('needs three ratios for a CV, and reads the first second against the second over every slice', () => {
    expect(ratioCvs(slices.slice(0, 5), 1).size).toBe(0);
    expect(firstOverSecond(slices)).toEqual([0.8, 1, 1, 1, 1, 1, 1, 1.2]);
    expect(formatSliceSeconds(slices)).toMatch(/second 1 alone: per-slice ratio CV 20\.0% \(median of 1 subjects; 20\.0%–20\.0%\)/);
  });

  it("pairs the requests per CPU-second of the server the same way, where the runs recorded its CPU", () => {
    // v1 served 45, 55, 50 req/s in wall time but always 100 per CPU-second: the server waited, its core did not slow.
    const withCpu = slices.map((s) => ({ ...s, perCpuSecond: s.label === 'v1' ? 100 : 200 }));
    expect(ratioCvs(withCpu, 'cpu').get('v1')).toBe(0);
    expect(formatSliceSeconds(withCpu)).toMatch(/the whole slice per CPU-second of the server: per-slice ratio CV 0\.0% \(median of 1 subjects/);
    expect(formatSliceSeconds(slices)).not.toMatch(/per CPU-second/);
  });

  it('reads how far a ratio strays from its subject\'s mean with the distance to the reference slice', () => {
    // v1 serves half of the reference next to it each time; the reference two slices away drifted (200, then 100).
    const drifting: Slice[] = [
      slice('reference', 0, 100, 100), slice('v1', 1, 50, 50), slice('nginx', 2, 300, 300), slice('reference', 3, 200, 200),
      slice('v1', 4, 100, 100), slice('nginx', 5, 300, 300), slice('reference', 6, 100, 100),
    ];
    const byDistance = deviationByDistance(drifting, 2);
    expect([...byDistance.keys()]).toEqual([1, 2]);
    expect(byDistance.get(1)).toEqual({ rms: 0, pairs: 2 });
    expect(byDistance.get(2)!.pairs).toBe(2);
    expect(byDistance.get(2)!.rms).toBeCloseTo(Math.log(2), 12);
    expect(formatSliceSeconds(drifting)).toMatch(/reference 1 slice\(s\) away: ratio deviation 0\.0% \(root mean square of log ratios about each subject's mean, 2 pairs\)/);
  });
});
