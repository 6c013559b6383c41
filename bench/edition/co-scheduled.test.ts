import { describe, expect, it } from 'vitest';
import { comparisonLine, compareLayouts, type RoundOf } from './co-scheduled.ts';

const round = (subject: [number, number], reference: [number, number], together: [number, number], referenceTogether: [number, number]): RoundOf => ({
  sequential: { subject: { rps: subject[0], cpuSeconds: subject[1] }, reference: { rps: reference[0], cpuSeconds: reference[1] } },
  together: { subject: { rps: together[0], cpuSeconds: together[1] }, reference: { rps: referenceTogether[0], cpuSeconds: referenceTogether[1] } },
});

describe('compareLayouts', () => {
  it('pairs each round four ways and gives each ratio its median and CV over the rounds', () => {
    const c = compareLayouts([
      // The core ran slower in the second round: sequential ratios move, per-CPU ones do not.
      round([500, 1], [1000, 1], [200, 0.5], [600, 0.5]),
      round([400, 1], [1000, 1], [150, 0.25], [700, 0.75]),
      round([500, 1], [1000, 1], [200, 0.5], [600, 0.5]),
    ]);
    expect(c.sequential.median).toBeCloseTo(0.5, 12);
    expect(c.sequential.cv).toBeGreaterThan(0.1);
    expect(c.sequentialPerCpu.median).toBeCloseTo(0.5, 12);
    expect(c.together.median).toBeCloseTo(200 / 600, 12);
    // At once, per CPU-second: 400/1200, 600/933.3, 400/1200.
    expect(c.togetherPerCpu.median).toBeCloseTo(1 / 3, 12);
    expect(c.subjectCpuShares).toEqual([0.5, 0.25, 0.5]);
  });

  it('reads as one line per subject, shares included', () => {
    const c = compareLayouts([round([500, 1], [1000, 1], [200, 0.5], [600, 0.5]), round([500, 1], [1000, 1], [200, 0.5], [600, 0.5])]);
    expect(comparisonLine('v1-baseline', c)).toBe(
      'v1-baseline: one after the other 0.500 (CV 0.0%), per CPU-second 0.500 (CV 0.0%) | at once 0.333 (CV 0.0%), per CPU-second 0.333 (CV 0.0%) | its CPU share at once 0.50 0.50',
    );
  });
});
