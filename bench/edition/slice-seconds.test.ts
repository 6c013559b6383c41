import { describe, expect, it } from 'vitest';
import { coefficientOfVariation } from '../stats/descriptive.ts';
import { firstOverSecond, formatSliceSeconds, ratioCvs, type Slice } from './slice-seconds.ts';

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
});
