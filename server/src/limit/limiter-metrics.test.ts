import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerLimiterMetrics } from './limiter-metrics.ts';

describe('registerLimiterMetrics', () => {
  it('exports the RTT estimates in seconds, NaN before the first sample', async () => {
    const registry = new Registry();
    const estimates = { rttNoLoadMs: 0, rttMs: 0 };
    registerLimiterMetrics(registry, estimates);
    expect((await registry.getSingleMetric('limiter_rtt_seconds')?.get())?.values[0].value).toBeNaN();
    estimates.rttNoLoadMs = 2;
    estimates.rttMs = 5;
    const text = await registry.metrics();
    expect(text).toContain('limiter_rtt_noload_seconds 0.002');
    expect(text).toContain('limiter_rtt_seconds 0.005');
  });
});
