import { Gauge, type Registry } from 'prom-client';

/** What the RTT gauges read at scrape time (the adaptive limit). */
export interface LimiterEstimates {
  readonly rttNoLoadMs: number;
  readonly rttMs: number;
}

/** `limiter_rtt_noload_seconds` and `limiter_rtt_seconds`; NaN until the limiter has had a sample. */
export function registerLimiterMetrics(registry: Registry, limiter: LimiterEstimates): void {
  const registers = [registry];
  const seconds = (ms: number): number => (ms > 0 ? ms / 1000 : NaN);
  new Gauge({
    name: 'limiter_rtt_noload_seconds', help: 'The adaptive limiter\'s long-term ("no-load") RTT estimate.', registers,
    collect() {
      this.set(seconds(limiter.rttNoLoadMs));
    },
  });
  new Gauge({
    name: 'limiter_rtt_seconds', help: 'The adaptive limiter\'s RTT of its last window: time from the loop turn\'s start to the answer, plus the event-loop delay.', registers,
    collect() {
      this.set(seconds(limiter.rttMs));
    },
  });
}
