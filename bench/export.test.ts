import { describe, expect, it } from 'vitest';
import { toBencherMetricFormat, toGithubActionBenchmark } from './export.ts';
import type { LatestSummary } from './store.ts';

const summary = (over: Partial<LatestSummary>): LatestSummary => ({
  session_id: 3, subject: 'v1-baseline', experiment: '', scenario: 'hot', settings_key: 'k', runs: 5, failed_runs: 0,
  rps_median: 1234.567, rps_ci_low: 1200, rps_ci_high: 1250.5, rps_cv: 0.021, ratio_median: 0.4567, ratio_ci_low: 0.45, ratio_ci_high: 0.46,
  ratio_cv: 0.01, avg_latency_us: 25.5, p50_latency_us: 20, p90_latency_us: 40, p99_latency_us: 1500, max_latency_us: 9000,
  capacity_connections: null, capacity_rps: null, saturated_runs: 0, disturbed_runs: 0, ratio_note: null, started_at: '2026-11-22T06:40:00.000Z', machine_fingerprint: 'f',
  ...over,
});

describe('exports', () => {
  it('writes the Bencher Metric Format', () => {
    const out = toBencherMetricFormat([summary({}), summary({ subject: 'reference', scenario: 'mix', rps_ci_low: null, rps_ci_high: null, avg_latency_us: null }), summary({ rps_median: null })]);
    expect(out).toEqual({
      'v1-baseline/hot': { throughput: { value: 1234.57, lower_value: 1200, upper_value: 1250.5 }, latency: { value: 25500 } },
      'reference/mix': { throughput: { value: 1234.57 } },
    });
  });

  it('writes github-action-benchmark customBiggerIsBetter entries', () => {
    const out = toGithubActionBenchmark([summary({ saturated_runs: 2 }), summary({ experiment: 'shed', rps_cv: null, ratio_median: null, rps_ci_low: null })]);
    expect(out).toEqual([
      {
        name: 'v1-baseline/hot', unit: 'req/s', value: 1234.57, range: '95% CI 1200–1250.5',
        extra: '5 runs; session 3 (2026-11-22T06:40:00.000Z); CV 2.1%; ratio to reference 0.457; p99 1.50 ms; load generator was the bottleneck in 2 run(s)',
      },
      { name: 'v1-baseline+shed/hot', unit: 'req/s', value: 1234.57, extra: '5 runs; session 3 (2026-11-22T06:40:00.000Z); p99 1.50 ms' },
    ]);
  });
});
