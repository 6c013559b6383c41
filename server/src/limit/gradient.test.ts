import { describe, expect, it } from 'vitest';
import { GradientLimiter, type GradientOptions } from './gradient.ts';

const options: Partial<GradientOptions> = { initialLimit: 50, minLimit: 5, maxLimit: 200, longWindow: 600 };

/** Feeds `count` windows with the same RTT, the limiter saturated (in flight = its limit). */
function feed(limiter: GradientLimiter, rttMs: number, count: number): number[] {
  const limits: number[] = [];
  for (let i = 0; i < count; i++) limits.push(limiter.update({ rttMs, inFlight: limiter.limit, dropped: false }));
  return limits;
}

describe('GradientLimiter', () => {
  it('starts at the initial limit with no RTT estimates', () => {
    const limiter = new GradientLimiter(options);
    expect([limiter.limit, limiter.rttNoLoadMs, limiter.rttMs]).toEqual([50, 0, 0]);
  });

  it('takes a lower RTT as the no-load RTT at once, and lets a higher one raise it only slowly', () => {
    const limiter = new GradientLimiter({ ...options, longWindow: 9 }); // exponential factor 2 / (9 + 1)
    limiter.update({ rttMs: 4, inFlight: 0, dropped: false });
    expect(limiter.rttNoLoadMs).toBe(4);
    limiter.update({ rttMs: 1, inFlight: 0, dropped: false });
    expect(limiter.rttNoLoadMs).toBe(1);
    limiter.update({ rttMs: 11, inFlight: 0, dropped: false });
    expect(limiter.rttNoLoadMs).toBeCloseTo(1 * 0.8 + 11 * 0.2);
    expect(limiter.rttMs).toBe(11);
  });

  it('is not taught a burst as normal: traffic that starts overloaded still brings the limit down', () => {
    const limiter = new GradientLimiter(options);
    feed(limiter, 100, 5); // the first windows are a burst
    feed(limiter, 2, 1); // one calm window
    const before = limiter.limit;
    expect(feed(limiter, 100, 20).at(-1)).toBeLessThan(before / 2);
  });

  it('probes upwards while the RTT stays at its no-load level, up to the maximum', () => {
    const limiter = new GradientLimiter(options);
    const limits = feed(limiter, 2, 200);
    expect(limits[10]).toBeGreaterThan(50);
    for (let i = 1; i < limits.length; i++) expect(limits[i]).toBeGreaterThanOrEqual(limits[i - 1]);
    expect(limits.at(-1)).toBe(200);
  });

  it('converges down when the RTT grows well past the no-load RTT, and stays above the minimum', () => {
    const limiter = new GradientLimiter({ ...options, initialLimit: 150 });
    feed(limiter, 2, 10);
    const before = limiter.limit;
    const limits = feed(limiter, 20, 40);
    for (let i = 1; i < limits.length; i++) expect(limits[i]).toBeLessThanOrEqual(limits[i - 1]);
    expect(limits.at(-1)).toBeLessThan(before / 4);
    expect(Math.min(...limits)).toBeGreaterThanOrEqual(5);
    expect(limiter.rttMs).toBe(20);
  });

  it('falls to the minimum, never below, when overload lasts', () => {
    // At the floor gradient the estimate settles where shrinking equals the queue allowance (2 × 4 here): below the minimum.
    const limiter = new GradientLimiter({ ...options, minLimit: 10 });
    feed(limiter, 1, 10);
    expect(feed(limiter, 100, 60).at(-1)).toBe(10);
  });

  it('learns a lasting overload as the new normal: the no-load RTT drifts up and the limit grows back', () => {
    const limiter = new GradientLimiter({ ...options, longWindow: 50 });
    feed(limiter, 2, 10);
    const limits = feed(limiter, 40, 200);
    const lowest = Math.min(...limits);
    expect(limiter.rttNoLoadMs).toBeGreaterThan(20);
    expect(limits.at(-1)).toBeGreaterThan(lowest * 2);
  });

  it('tolerates an RTT within the tolerance without shrinking', () => {
    const limiter = new GradientLimiter({ ...options, rttTolerance: 2 });
    feed(limiter, 2, 10);
    const before = limiter.limit;
    expect(feed(limiter, 3.9, 5).at(-1)).toBeGreaterThanOrEqual(before);
  });

  it('recovers when the RTT falls back', () => {
    const limiter = new GradientLimiter(options);
    feed(limiter, 2, 10);
    const low = feed(limiter, 40, 40).at(-1) ?? 0;
    const limits = feed(limiter, 2, 60);
    for (let i = 1; i < limits.length; i++) expect(limits[i]).toBeGreaterThanOrEqual(limits[i - 1]);
    expect(limits.at(-1)).toBeGreaterThan(low * 2);
  });

  it('forgets an inflated no-load RTT as soon as the RTT is back down', () => {
    const limiter = new GradientLimiter({ ...options, longWindow: 50 });
    feed(limiter, 2, 10);
    feed(limiter, 40, 300); // long overload: the no-load RTT drifts up towards 40
    expect(limiter.rttNoLoadMs).toBeGreaterThan(20);
    feed(limiter, 2, 1);
    expect(limiter.rttNoLoadMs).toBe(2);
  });

  it('holds the limit while far below it (app-limited), yet keeps measuring', () => {
    const limiter = new GradientLimiter(options);
    for (let i = 0; i < 20; i++) limiter.update({ rttMs: 100, inFlight: 3, dropped: false });
    expect(limiter.limit).toBe(50);
    expect(limiter.rttMs).toBe(100);
  });

  it('shrinks on a dropped window even at a low RTT and far below the limit', () => {
    const limiter = new GradientLimiter(options);
    feed(limiter, 2, 10);
    const before = limiter.limit;
    limiter.update({ rttMs: 2, inFlight: 0, dropped: true });
    expect(limiter.limit).toBeLessThan(before);
  });

  it('is deterministic: the same samples give the same limits', () => {
    const samples = Array.from({ length: 120 }, (_, i) => ({ rttMs: 1 + ((i * 7) % 13), inFlight: (i * 11) % 90, dropped: i % 17 === 0 }));
    const run = () => {
      const limiter = new GradientLimiter(options);
      return samples.map((s) => [limiter.update(s), limiter.rttNoLoadMs, limiter.rttMs]);
    };
    expect(run()).toEqual(run());
  });

  it('stays within its bounds whatever the samples', () => {
    const limiter = new GradientLimiter(options);
    for (let i = 0; i < 500; i++) {
      const limit = limiter.update({ rttMs: 0.1 + ((i * 37) % 101), inFlight: (i * 13) % 300, dropped: i % 29 === 0 });
      expect(limit).toBeGreaterThanOrEqual(5);
      expect(limit).toBeLessThanOrEqual(200);
    }
  });

  it('refuses impossible options and samples with a readable message', () => {
    expect(() => new GradientLimiter({ minLimit: 0 })).toThrow(/minLimit 0/);
    expect(() => new GradientLimiter({ initialLimit: 5000 })).toThrow(/initialLimit 5000 is outside/);
    expect(() => new GradientLimiter({ smoothing: 0 })).toThrow(/smoothing/);
    expect(() => new GradientLimiter({ rttTolerance: 0.5 })).toThrow(/rttTolerance/);
    const limiter = new GradientLimiter();
    expect(() => limiter.update({ rttMs: 0, inFlight: 1, dropped: false })).toThrow(/rttMs 0/);
    expect(() => limiter.update({ rttMs: Number.NaN, inFlight: 1, dropped: false })).toThrow(/rttMs NaN/);
    expect(() => limiter.update({ rttMs: 1, inFlight: -1, dropped: false })).toThrow(/inFlight -1/);
  });
});
