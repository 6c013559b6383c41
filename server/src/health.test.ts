import { describe, expect, it } from 'vitest';
import { DEGRADED_AFTER_FAILURES, healthStatus, type HealthInput } from './health.ts';
import { ResponseCache } from './response-cache.ts';

const input = (consecutiveFailures: number, catalogueAsOf: number | null = 1000): HealthInput => ({
  events: 3,
  pollsOk: 0,
  lastPollAt: null,
  catalogueAsOf,
  poll: { consecutiveFailures, failuresTotal: consecutiveFailures, lastError: consecutiveFailures ? 'provider answered HTTP 503' : null, lastFailureAt: null },
  cache: new ResponseCache(0).stats(),
  now: 61_000,
});

describe('healthStatus', () => {
  it('is ok while polls succeed or fail only now and then', () => {
    expect(healthStatus(input(0)).status).toBe('ok');
    expect(healthStatus(input(DEGRADED_AFTER_FAILURES - 1)).status).toBe('ok');
  });

  it('is degraded after repeated failures, with the last error and the catalogue age', () => {
    expect(healthStatus(input(DEGRADED_AFTER_FAILURES))).toMatchObject({
      status: 'degraded',
      consecutiveFailures: DEGRADED_AFTER_FAILURES,
      lastError: 'provider answered HTTP 503',
      catalogueAgeMs: 60_000,
    });
  });

  it('has no catalogue age when nothing ever confirmed the catalogue', () => {
    expect(healthStatus(input(0, null)).catalogueAgeMs).toBeNull();
  });
});
