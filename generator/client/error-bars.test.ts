import { describe, expect, it } from 'vitest';
import { errorBarSegments } from './error-bars.ts';

describe('errorBarSegments', () => {
  it('draws each interval from its two ends at its point, top above bottom; none for a missing interval or point', () => {
    const toPixel = (value: number) => 100 - value; // a y axis: larger values higher up
    expect(errorBarSegments([[4, 6], null, [1, 2], [Number.NaN, 3]], [10, 20, undefined, 40], toPixel)).toEqual([{ x: 10, top: 94, bottom: 96 }]);
  });
});
