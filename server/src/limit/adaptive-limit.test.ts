import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from './adaptive-limit.ts';
import { fixedLimit } from './in-flight-limit.ts';

describe('AdaptiveLimit', () => {
  it('starts at the initial limit with no RTT', () => {
    const adaptive = new AdaptiveLimit({ initialLimit: 16 });
    try {
      expect([adaptive.limit, adaptive.current(), adaptive.rttNoLoadMs, adaptive.rttMs]).toEqual([16, 16, 0, 0]);
    } finally {
      adaptive.close();
    }
  });

  it('learns an RTT from the turns of a window, and moves the limit when the batches reach it', () => {
    const adaptive = new AdaptiveLimit({ initialLimit: 8, minLimit: 2, maxLimit: 64 }, 10);
    // Turns of 8 searches, 0.5 ms each, back to back: a window closes every 10 ms of turns.
    for (let t = 0; t < 40 && adaptive.limit === 8; t++) adaptive.turn(8, 8 * 0.25, 8, 0.5, 1000 + (t + 1) * 0.5);
    expect(adaptive.rttMs).toBeGreaterThan(0);
    expect(adaptive.rttNoLoadMs).toBeGreaterThan(0);
    expect(adaptive.limit).not.toBe(8);
    expect(adaptive.limit).toBeGreaterThanOrEqual(2);
    expect(adaptive.limit).toBeLessThanOrEqual(64);
  });

  it('learns nothing before a window has passed, nor from a window without searches', () => {
    const adaptive = new AdaptiveLimit({ initialLimit: 8 }, 250);
    adaptive.turn(8, 4, 8, 1, 100);
    adaptive.turn(8, 4, 8, 1, 300); // 201 ms into the window
    expect(adaptive.rttMs).toBe(0);
    adaptive.turn(0, 0, 3, 1, 400); // the window closes: it has searches
    expect(adaptive.rttMs).toBeGreaterThan(0);
    const before = adaptive.rttMs;
    adaptive.turn(0, 0, 3, 1, 700); // a window of turns without a search served: no sample
    expect(adaptive.rttMs).toBe(before);
  });
});

describe('fixedLimit', () => {
  it('is the number given, or no limit for 0', () => {
    expect(fixedLimit(64).current()).toBe(64);
    expect(fixedLimit(0).current()).toBe(Infinity);
  });
});
