/**
 * The greedy client: its figures from wrk's per-second samples (pure), and one real paced run
 * against a real server on an ephemeral port. No timing threshold: the run is checked against
 * the schedule's upper bound (a slow machine only sends less), which an unpaced wrk exceeds
 * many times over.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { greedyFigures, runGreedyClient } from './greedy-client.ts';
import { startLimitServer, type LimitServer } from './limit-server.ts';
import type { LoadResult } from './types.ts';

function result(samples: LoadResult['samples'], cpuSeconds: number | null, wallSeconds = 5): LoadResult {
  return {
    ok: true, requestsPerSecond: null, totalRequests: 0, successfulRequests: 0, non2xx: 0, socketErrors: 1, timeoutErrors: 2, bytes: 0,
    latencyUs: null, samples, raw: '', cpuSeconds, wallSeconds,
  };
}

describe('greedyFigures', () => {
  const samples = [
    { second: 1, requestsPerSecond: 10, errors: 990, p99LatencyUs: null }, // settling
    { second: 2, requestsPerSecond: 300, errors: 600, p99LatencyUs: null },
    { second: 3, requestsPerSecond: 100, errors: 800, p99LatencyUs: null },
    { second: 4, requestsPerSecond: 2, errors: 5, p99LatencyUs: null }, // past the duration: a sliver
  ];

  it('takes the whole settled seconds: offered = every answer, goodput = the 2xx', () => {
    expect(greedyFigures(result(samples, 2.5), { settleSeconds: 1, durationSeconds: 3 }, 1000)).toEqual({
      settledSeconds: 2, offeredRps: 900, goodputRps: 200, rejectionRate: 1400 / 1800, socketErrors: 3,
      cpuShare: 0.5, generatorLimited: false, offeredShort: false,
    });
  });

  it('flags a generator at the end of its core, and a step offered short of its rate', () => {
    const busy = greedyFigures(result(samples, 4.6), { settleSeconds: 1, durationSeconds: 3 }, 1001);
    expect(busy).toMatchObject({ generatorLimited: true, offeredShort: true });
    // An unread CPU cannot clear the generator.
    expect(greedyFigures(result(samples, null), { settleSeconds: 1, durationSeconds: 3 }, 900).generatorLimited).toBe(true);
  });

  it('refuses to make figures of no settled second', () => {
    expect(() => greedyFigures(result(samples.slice(0, 1), 1), { settleSeconds: 1, durationSeconds: 3 }, 1000)).toThrow(/no second after/);
  });
});

describe('runGreedyClient (real wrk, a real server)', () => {
  let server: LimitServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('offers no more than its schedule: the connections\' first requests and the rate since', async () => {
    server = await startLimitServer({ delayMs: 1, limit: 4 });
    const connections = 8;
    const rateRps = 50;
    const run = await runGreedyClient({ url: server.url, paths: ['/a', '/b'], rateRps, connections, pipeline: 1, durationSeconds: 2, timeoutSeconds: 2 });
    expect(run.ok).toBe(true);
    expect(run.totalRequests).toBeGreaterThan(0);
    // Unpaced, 8 connections on a 1 ms server answer thousands a second.
    expect(run.totalRequests).toBeLessThanOrEqual(connections + Math.ceil(rateRps * run.wallSeconds) + 1);
    expect(server.served() + server.rejected()).toBeGreaterThanOrEqual(run.totalRequests);
  });

  it('paces pipelined writes as batches: the same rate in requests, several to a write', async () => {
    server = await startLimitServer({ delayMs: 1, limit: 64 });
    const connections = 8;
    const pipeline = 4;
    const rateRps = 200;
    const run = await runGreedyClient({ url: server.url, paths: ['/a', '/b'], rateRps, connections, pipeline, durationSeconds: 2, timeoutSeconds: 2 });
    expect(run.ok).toBe(true);
    // Each connection's first batch goes out at once; the rest follow the schedule, a whole batch at a time.
    expect(run.totalRequests).toBeLessThanOrEqual(connections * pipeline + Math.ceil(rateRps * run.wallSeconds) + pipeline);
    expect(run.totalRequests).toBeGreaterThan(rateRps);
  });
});
