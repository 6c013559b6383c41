import type { PollHealth } from './poller.ts';
import type { CacheStats } from './response-cache.ts';

/** After this many failed polls in a row, /health says "degraded" (still 200: searches are answered). */
export const DEGRADED_AFTER_FAILURES = 3;

export interface HealthInput {
  events: number;
  pollsOk: number;
  lastPollAt: string | null;
  /** When the catalogue was last confirmed: the last successful poll, else when the store was saved. */
  catalogueAsOf: number | null;
  poll: PollHealth;
  cache: CacheStats;
  now: number;
}

/** The `data` of a 200 /health answer. Pure. */
export function healthStatus(input: HealthInput): Record<string, unknown> {
  const degraded = input.poll.consecutiveFailures >= DEGRADED_AFTER_FAILURES;
  return {
    status: degraded ? 'degraded' : 'ok',
    events: input.events,
    pollsOk: input.pollsOk,
    lastPollAt: input.lastPollAt,
    consecutiveFailures: input.poll.consecutiveFailures,
    lastError: input.poll.lastError,
    lastFailureAt: input.poll.lastFailureAt,
    catalogueAgeMs: input.catalogueAsOf === null ? null : Math.max(0, input.now - input.catalogueAsOf),
    cache: input.cache,
  };
}
