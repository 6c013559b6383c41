import { describe, expect, it } from 'vitest';
import { REFERENCE_SUBJECT } from '../../db/schema.ts';
import { formatRoundsNeeded, halfWidthsByRounds, roundsNeeded } from './rounds-needed.ts';
import type { Slice } from './slice-seconds.ts';

const slice = (label: string, sequence: number, rps: number): Slice => ({ label, sequence, rps, seconds: new Map() });

describe('rounds needed for a ±3% interval', () => {
  it('reads the first slice count from 4 on whose interval is within the half-width', () => {
    // widths[0] is 2 slices: tight by chance there, not counted.
    expect(roundsNeeded([0.01, 0.2, 0.1, 0.02, 0.05], 0.03)).toBe(5);
    expect(roundsNeeded([0.01, 0.2, 0.1], 0.03)).toBeNull();
    expect(roundsNeeded([0.01, 0.2], 0.03, 2)).toBe(2);
  });

  it('pairs each subject slice with the reference around it: a subject at half the reference, whatever the drift, is tight from its first slices', () => {
    const slices: Slice[] = [];
    for (let round = 0; round < 6; round++) {
      const drift = 1000 * (1 + 0.1 * round);
      slices.push(slice(REFERENCE_SUBJECT, 10 * round, drift), slice('v1', 10 * round + 1, drift / 2), slice('v2', 10 * round + 2, (drift / 2) * (round % 2 === 0 ? 1.2 : 0.8)));
    }
    const widths = halfWidthsByRounds(slices);
    expect(widths.get('v1')!.length).toBe(5);
    // v1 is half the reference at each reference slice; between them the log-linear pairing of a linear drift leaves it within 0.1%.
    expect(roundsNeeded(widths.get('v1')!, 0.03)).toBe(4);
    expect(roundsNeeded(widths.get('v2')!, 0.03)).toBeNull();
    expect(formatRoundsNeeded(widths)).toMatch(/within ±3\.0%: 1 of 2 subjects at 4 slices \(bootstrap\), 1 at 5, 1 at 6 \(order-statistic\)/);
  });
});
