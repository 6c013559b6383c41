import { describe, expect, it } from 'vitest';
import { DEFAULT_SWEEP_LIMITS, HOT_PATH, mixPaths, scenario, stepHealth } from './index.ts';

describe('scenarios', () => {
  it('mix: distinct, seeded, valid ranges inside the feed', () => {
    const paths = mixPaths();
    expect(paths).toHaveLength(64);
    expect(new Set(paths).size).toBe(64);
    expect(mixPaths()).toEqual(paths);
    for (const path of paths) {
      const url = new URL(path, 'http://x');
      const starts = url.searchParams.get('starts_at')!;
      const ends = url.searchParams.get('ends_at')!;
      expect(starts < ends).toBe(true);
      expect(starts >= '2021-01-01').toBe(true);
      expect(ends <= '2024-01-01T').toBe(true);
    }
  });
  it('close uses the hot path without keep-alive', () => {
    expect(scenario('close')).toMatchObject({ paths: [HOT_PATH], keepAlive: false });
    expect(scenario('hot')).toMatchObject({ paths: [HOT_PATH], keepAlive: true });
  });
  it('sweep health: errors and p99 beyond the limits are unhealthy', () => {
    expect(stepHealth({ ok: true, totalRequests: 1000, failedRequests: 0, p99LatencyUs: 5000 }, DEFAULT_SWEEP_LIMITS)).toEqual({ healthy: true });
    expect(stepHealth({ ok: true, totalRequests: 1000, failedRequests: 20, p99LatencyUs: 5000 }, DEFAULT_SWEEP_LIMITS).reason).toMatch(/error rate 2\.00%/);
    expect(stepHealth({ ok: true, totalRequests: 1000, failedRequests: 0, p99LatencyUs: 300_000 }, DEFAULT_SWEEP_LIMITS).reason).toMatch(/p99 300\.0 ms/);
    expect(stepHealth({ ok: false, totalRequests: 0, failedRequests: 0, p99LatencyUs: null }, DEFAULT_SWEEP_LIMITS).healthy).toBe(false);
  });
});
