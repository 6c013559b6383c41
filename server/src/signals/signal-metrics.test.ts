import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCALE_OUT_RULE, describeRule } from './scale-out.ts';
import { registerSignalMetrics, type CounterSource } from './signal-metrics.ts';

const bounds = [0.001, 0.01, 0.1];

async function valueOf(registry: Registry, name: string): Promise<number | undefined> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values[0]?.value;
}

describe('registerSignalMetrics', () => {
  it('exports the rule in words and, before a whole second, the signal off and the ratios unknown', async () => {
    const registry = new Registry();
    const counters: CounterSource = () => ({ served: { buckets: [0, 0, 0], count: 0 }, answered: 0, shed: 0, inFlight: 0, limit: null });
    const stop = registerSignalMetrics(registry, counters, DEFAULT_SCALE_OUT_RULE, bounds);
    try {
      const text = await registry.metrics();
      expect(text).toContain(`scale_out_rule_info{rule="${describeRule(DEFAULT_SCALE_OUT_RULE)}"} 1`);
      expect(await valueOf(registry, 'scale_out_signal')).toBe(0);
      expect(await valueOf(registry, 'rejection_ratio')).toBeNaN();
      expect(await valueOf(registry, 'in_flight_ratio')).toBeNaN();
      expect(await valueOf(registry, 'http_request_p99_seconds')).toBeNaN();
    } finally {
      stop();
    }
  });
});
