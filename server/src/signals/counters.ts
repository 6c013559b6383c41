import type { HttpMetrics } from '../http/node-layer.ts';
import { DURATION_BUCKETS_SECONDS } from '../metrics/request-tally.ts';
import { sumCounts } from './histogram-quantile.ts';
import type { CounterSource } from './signal-metrics.ts';

/**
 * The signal sampler's view of the node layer's tallies: served = every 2xx (any route) in the
 * duration histogram's buckets, answered = every request, shed = every reason, in flight = the
 * largest loop-turn batch of the last second or two. `limit`: the limit in force, null for none.
 */
export function countersOf(metrics: HttpMetrics, limit: () => number | null): CounterSource {
  return () => {
    const all = [...metrics.tally.series()].map(({ tally }) => tally);
    return {
      served: sumCounts(DURATION_BUCKETS_SECONDS.length, all.filter((t) => t.status >= 200 && t.status < 300)),
      answered: all.reduce((sum, t) => sum + t.count, 0),
      shed: Object.values(metrics.shed.byReason).reduce((sum, n) => sum + n, 0),
      inFlight: metrics.turn.peakBatch(),
      limit: limit(),
    };
  };
}
