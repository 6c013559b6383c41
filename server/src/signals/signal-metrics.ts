import { loopUtilizationMeter } from '../metrics/loop-utilization.ts';
import { Gauge, type Registry } from 'prom-client';
import { describeRule, type ScaleOutRule } from './scale-out.ts';
import { SignalWindow, type CounterSnapshot, type SignalReading } from './signal-window.ts';

/** The service's counters as the sampler reads them each second (event-loop utilisation it measures itself). */
export type CounterSource = () => Omit<CounterSnapshot, 'eventLoopUtilization'>;

/**
 * Samples the counters once a second (an unref'd timer), feeds the scale-out rule, and exports
 * the signals: `scale_out_signal`, `scale_out_rule_info{rule}`, `rejection_ratio`,
 * `in_flight_ratio`, `http_request_p99_seconds`. Unknown values (no second yet, nothing
 * served, no limit) are NaN, never 0. Returns a stop function.
 */
export function registerSignalMetrics(registry: Registry, counters: CounterSource, rule: ScaleOutRule, bounds: readonly number[]): () => void {
  const window = new SignalWindow(bounds, rule);
  let reading: SignalReading | null = null;
  const utilization = loopUtilizationMeter();
  const sample = (): void => {
    reading = window.push({ ...counters(), eventLoopUtilization: utilization() });
  };
  sample(); // the baseline: the first second is measured from here
  const timer = setInterval(sample, 1000).unref();

  const registers = [registry];
  const gauge = (name: string, help: string, value: (r: SignalReading) => number | null): void => {
    new Gauge({
      name, help, registers,
      collect() {
        this.set((reading === null ? null : value(reading)) ?? NaN);
      },
    });
  };
  gauge('scale_out_signal', 'Whether the scale-out rule fires now (1) or not (0); the rule is in scale_out_rule_info.', (r) => (r.scaleOut ? 1 : 0));
  gauge('rejection_ratio', `Requests shed ÷ requests answered over the last ${rule.windowSeconds} s.`, (r) => r.rejectionRatio);
  gauge('in_flight_ratio', 'Requests in flight (largest loop-turn batch of the last second) ÷ the limit in force; NaN without a limit.', (r) => r.inFlightRatio);
  gauge('http_request_p99_seconds', `p99 of the requests served (2xx) over the last ${rule.windowSeconds} s, from the duration histogram's buckets.`, (r) => r.p99Seconds);
  new Gauge({ name: 'scale_out_rule_info', help: 'The scale-out rule in words (always 1).', labelNames: ['rule'], registers }).set({ rule: describeRule(rule) }, 1);
  return () => clearInterval(timer);
}
