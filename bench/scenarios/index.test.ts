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
  it('hot-gzip and mix-gzip are hot and mix asking for a compressed answer, measured apart from the yardsticks', async () => {
    const { scenarioModule } = await import('./registry.ts');
    const { parseOptions } = await import('../options.ts');
    const options = parseOptions(['--scenario', 'hot-gzip'], '/repo');
    for (const [gzip, plain] of [['hot-gzip', 'hot'], ['mix-gzip', 'mix']] as const) {
      expect(scenario(gzip)).toMatchObject({ paths: scenario(plain).paths, keepAlive: true, headers: { 'Accept-Encoding': 'gzip, br' } });
      const module = scenarioModule(gzip);
      expect(module.comparesToReference).toBe(false);
      expect(module.warmup(options)?.headers).toEqual({ 'Accept-Encoding': 'gzip, br' });
      expect(module.settingsKeyParts(options)).toEqual([...scenarioModule(plain).settingsKeyParts(options), 'h:accept-encoding=gzip, br']);
      expect(scenarioModule(plain).warmup(options)?.headers).toEqual({});
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

describe('catalogue-size scenarios', () => {
  it('hot-x4 and hot-x16 search the hot window on a provider of their own, N times the years at the same density', async () => {
    const { scenarioModule } = await import('./registry.ts');
    const { FEED } = await import('../subject/subject.ts');
    const { parseOptions } = await import('../options.ts');
    const options = parseOptions(['--scenario', 'hot-x4,hot-x16'], '/repo');
    for (const [name, scale] of [['hot-x4', 4], ['hot-x16', 16]] as const) {
      const module = scenarioModule(name);
      // Measured minutes from hot: compared with it through the yardsticks measured beside each.
      expect(module.comparesToReference).toBe(true);
      expect(module.ownProvider?.(options).feed).toEqual({ ...FEED, basePlans: FEED.basePlans * scale, years: FEED.years * scale });
      expect(module.warmup(options)?.paths).toEqual(scenarioModule('hot').warmup(options)?.paths);
      // A different catalogue is a different measurement: its key says so.
      expect(module.settingsKeyParts(options).join('|')).toContain(`catalogue${FEED.basePlans * scale}x${FEED.plansPerBase}y${FEED.years * scale}`);
    }
  });
});
