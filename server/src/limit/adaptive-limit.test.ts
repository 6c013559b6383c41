import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from './adaptive-limit.ts';
import { fixedLimit } from './in-flight-limit.ts';

/** Resolves once `done()` holds, checking every few ms (the windows run on a real timer). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('AdaptiveLimit', () => {
  it('starts at the initial limit with no RTT', () => {
    const adaptive = new AdaptiveLimit({ initialLimit: 16 });
    try {
      expect([adaptive.limit, adaptive.current(), adaptive.rttNoLoadMs, adaptive.rttMs]).toEqual([16, 16, 0, 0]);
    } finally {
      adaptive.close();
    }
  });

  it('learns an RTT from the requests served in a window, and moves the limit when the batches reach it', async () => {
    const adaptive = new AdaptiveLimit({ initialLimit: 8, minLimit: 2, maxLimit: 64 }, 10);
    try {
      await until(() => {
        for (let position = 1; position <= 8; position++) adaptive.served(0.0005, position);
        return adaptive.limit !== 8;
      });
      expect(adaptive.rttMs).toBeGreaterThan(0);
      expect(adaptive.rttNoLoadMs).toBeGreaterThan(0);
      expect(adaptive.limit).toBeGreaterThanOrEqual(2);
      expect(adaptive.limit).toBeLessThanOrEqual(64);
    } finally {
      adaptive.close();
    }
  });
});

describe('fixedLimit', () => {
  it('is the number given, or no limit for 0', () => {
    expect(fixedLimit(64).current()).toBe(64);
    expect(fixedLimit(0).current()).toBe(Infinity);
  });
});
