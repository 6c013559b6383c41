import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { searchCapacity } from './capacity-search.ts';

/**
 * Serves up to `perSecond` requests in any trailing second and answers 503 beyond:
 * over that rate the error budget is spent. Errors, not latency, so a stall of this shared
 * machine cannot move the verdict (the objective's p99 is set far above any stall).
 */
async function startRateServer(perSecond: number): Promise<{ url: string; close(): Promise<void> }> {
  const served: number[] = [];
  const server = http.createServer((_request, response) => {
    const now = performance.now();
    while (served.length > 0 && served[0]! <= now - 1000) served.shift();
    if (served.length < perSecond) {
      served.push(now);
      response.end('ok\n');
    }
    else response.writeHead(503).end();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

describe('searchCapacity', () => {
  it('finds the highest offered rate that meets the objective, keeps every probe and the histogram at the capacity', async () => {
    const server = await startRateServer(150);
    close = server.close;
    const seen: number[] = [];
    const search = await searchCapacity(server.url, ['/'], {
      stepSeconds: 1, settleSeconds: 0, pauseSeconds: 0, connections: 128, objective: { p99Ms: 5000, maxErrorRate: 0.001 }, lagToleranceMs: 1000,
      search: { startRate: 50, precision: 0.25, minRate: 10, maxRate: 1000, maxProbes: 8 },
    }, (probe) => seen.push(probe.rate));
    expect(search.probes.map((p) => p.rate).slice(0, 3)).toEqual([50, 100, 200]);
    expect(seen).toEqual(search.probes.map((p) => p.rate));
    expect(search.probes[2]).toMatchObject({ meets: false, verdict: expect.stringMatching(/errors \d+\.\d\d% > 0\.1%/) });
    expect(search.capacity).toBeGreaterThanOrEqual(100);
    expect(search.capacity).toBeLessThan(200);
    const atCapacity = search.probes.find((p) => p.rate === search.capacity)!;
    expect(atCapacity.meets).toBe(true);
    expect(atCapacity.p999Us).toBeGreaterThanOrEqual(atCapacity.p99Us!);
    expect(atCapacity.maxUs).toBeGreaterThanOrEqual(atCapacity.p999Us!);
    expect(search.histogram.reduce((sum, b) => sum + b.count, 0)).toBe(atCapacity.served);
    expect(search.generatorLimited).toBe(false);
  });

  it('refuses a probe without a measured second', async () => {
    await expect(searchCapacity('http://127.0.0.1:9', ['/'], { stepSeconds: 1, settleSeconds: 1, pauseSeconds: 0 })).rejects.toThrow(/settle \(1 s\) must be below the step/);
  });
});
