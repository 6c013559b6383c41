import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { durationSamples, registerServiceMetrics } from './exporter.ts';
import { LoopTurn } from './loop-turn.ts';
import { DURATION_BUCKETS_SECONDS, RequestTally, ShedTally } from './request-tally.ts';

describe('durationSamples', () => {
  it('exports cumulative buckets, +Inf, sum and count', () => {
    const tally = new RequestTally();
    tally.route('/health').status(200).observe(0.002);
    tally.route('/health').status(200).observe(0.02);
    const samples = durationSamples('d', tally);
    const buckets = samples.filter((s) => s.metricName === 'd_bucket').map((s) => [s.labels.le, s.value]);
    expect(buckets).toHaveLength(DURATION_BUCKETS_SECONDS.length + 1);
    expect(buckets.find(([le]) => le === 0.001)?.[1]).toBe(0);
    expect(buckets.find(([le]) => le === 0.0025)?.[1]).toBe(1);
    expect(buckets.find(([le]) => le === 0.025)?.[1]).toBe(2);
    expect(buckets.at(-1)).toEqual(['+Inf', 2]);
    expect(samples.find((s) => s.metricName === 'd_count')).toEqual({ metricName: 'd_count', labels: { route: '/health', status: '200' }, value: 2 });
  });
});

describe('registerServiceMetrics', () => {
  it('exports the tallies, unchanged by repeated scrapes', async () => {
    const registry = new Registry();
    const tally = new RequestTally();
    tally.route('/search').status(200).observe(0.001);
    const shed = new ShedTally();
    shed.byReason.max_in_flight = 4;
    const stop = registerServiceMetrics(registry, {
      tally, turn: new LoopTurn(), shed, catalogue: { events: () => 7, asOf: () => null, pollFailures: () => 2 }, concurrencyLimit: () => 9,
    });
    try {
      await registry.metrics();
      const text = await registry.metrics();
      expect(text).toContain('http_requests_total{route="/search",status="200"} 1\n');
      expect(text).toContain('http_request_duration_seconds_count{route="/search",status="200"} 1\n');
      expect(text).toContain('catalogue_events 7\n');
      expect(text).toContain('http_requests_shed_total{reason="max_in_flight"} 4\n');
      expect(text).toContain('concurrency_limit 9\n');
      expect(text).toContain('catalogue_poll_failures_total 2\n');
      expect(text).toMatch(/^catalogue_age_seconds nan$/im); // prom-client writes NaN as "Nan" (Prometheus reads it case-insensitively)
    } finally {
      stop();
    }
  });
});

describe('concurrency_limit', () => {
  it('is exported only when a limit is configured', async () => {
    const registry = new Registry();
    const stop = registerServiceMetrics(registry, {
      tally: new RequestTally(), turn: new LoopTurn(), shed: new ShedTally(), catalogue: { events: () => 0, asOf: () => null, pollFailures: () => 0 }, concurrencyLimit: null,
    });
    try {
      expect(await registry.metrics()).not.toContain('concurrency_limit');
    } finally {
      stop();
    }
  });
});
