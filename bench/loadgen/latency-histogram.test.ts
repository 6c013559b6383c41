import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.ts';

describe('LatencyHistogram', () => {
  it('counts every latency once in log-linear buckets that tile the range', () => {
    const histogram = new LatencyHistogram();
    const latencies = [...Array.from({ length: 990 }, (_, i) => 1000 + i), ...Array.from({ length: 9 }, () => 40_000), 2_500_000];
    for (const latency of latencies) histogram.record(latency);
    const buckets = histogram.buckets();
    expect(buckets.reduce((sum, b) => sum + b.count, 0)).toBe(latencies.length);
    for (const [i, b] of buckets.entries()) {
      expect(b.upper_us).toBeGreaterThan(b.lower_us);
      if (i > 0) expect(b.lower_us).toBeGreaterThanOrEqual(buckets[i - 1].upper_us);
      // Log-linear: a bucket is at most ~1/8 of its lower bound wide (1 significant digit).
      expect((b.upper_us - b.lower_us) / b.lower_us).toBeLessThanOrEqual(0.125);
    }
    expect(buckets.at(-1)).toMatchObject({ count: 1 });
    expect(buckets.at(-1)!.lower_us).toBeLessThanOrEqual(2_500_000);
    expect(buckets.at(-1)!.upper_us).toBeGreaterThan(2_500_000);
  });

  it('reports the tail: p99.9 and the maximum beyond p99', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 9_980; i++) histogram.record(2_000);
    for (let i = 0; i < 19; i++) histogram.record(30_000);
    histogram.record(1_234_567);
    const tail = histogram.tail();
    expect(tail.count).toBe(10_000);
    expect(tail.p99Us).toBeGreaterThanOrEqual(1_990);
    expect(tail.p99Us).toBeLessThanOrEqual(2_020);
    expect(tail.p999Us).toBeGreaterThanOrEqual(29_700);
    expect(tail.p999Us).toBeLessThanOrEqual(30_300);
    expect(tail.maxUs).toBe(1_234_567);
  });

  it('has no figures before a latency is recorded', () => {
    expect(new LatencyHistogram().tail()).toEqual({ count: 0, p50Us: null, p99Us: null, p999Us: null, maxUs: null });
    expect(new LatencyHistogram().buckets()).toEqual([]);
  });
});
