import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { leftWork, searchCapacity } from './capacity-search.ts';

/**
 * Serves up to `perProbe` requests of a probe and answers 503 beyond: over that count the error
 * budget is spent. The count restarts when a probe ends (`nextProbe`, from the search's onProbe),
 * so the verdict depends on how many requests a probe offers (its rate × 1 s, and the generator's
 * warm-up requests), never on when they arrive: a stall of this shared machine that bunches a
 * probe's sends cannot move it (the objective's p99 is set far above any stall).
 */
async function startCountServer(perProbe: number, dropsBeyond: (probe: number) => boolean = () => false): Promise<{ url: string; nextProbe(): void; close(): Promise<void> }> {
  let served = 0;
  let probe = 0;
  const server = http.createServer((request, response) => {
    if (served < perProbe) {
      served += 1;
      response.end('ok\n');
    }
    else if (dropsBeyond(probe)) request.socket.destroy(); // no answer: the client sees a socket error
    else response.writeHead(503).end();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    nextProbe: () => { served = 0; probe += 1; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** 1 s probes from 50 req/s; a send must be a minute late to mark the generator behind: no stall of this machine voids a probe. */
const SEARCH = {
  stepSeconds: 1, settleSeconds: 0, pauseSeconds: 0, connections: 128, objective: { p99Ms: 5000, maxErrorRate: 0.001 }, lagToleranceMs: 60_000,
  search: { startRate: 50, precision: 0.25, minRate: 10, maxRate: 1000, maxProbes: 8 },
};

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

describe('searchCapacity', () => {
  it('finds the highest offered rate that meets the objective, keeps every probe and the histogram at the capacity', async () => {
    // 16 warm-up requests and 1 s at the rate a probe: 66 and 116 served, 216 over the 150.
    const server = await startCountServer(150);
    close = server.close;
    const seen: number[] = [];
    const search = await searchCapacity(server.url, ['/'], {
      ...SEARCH,
    }, (probe) => {
      seen.push(probe.rate);
      server.nextProbe();
    });
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
    // Each probe keeps the generator's own figures: its worst lateness and its thread's CPU share.
    for (const probe of search.probes) {
      expect(probe.maxSendLagUs).toBeGreaterThanOrEqual(0);
      expect(probe.generatorCpuShare).toBeGreaterThan(0);
      expect(probe.generatorCpuShare).toBeLessThanOrEqual(1.05);
    }
  });

  it('pauses after a missed probe that left requests unanswered (its backlog drains), not after one answered in full nor after a met one', async () => {
    // Beyond the count, odd-numbered probes drop the connection (no answer), even ones answer 503.
    const server = await startCountServer(150, (probe) => probe % 2 === 1);
    close = server.close;
    const events: string[] = [];
    const search = await searchCapacity(server.url, ['/'], {
      ...SEARCH, pauseSeconds: 1,
      wait: async (seconds) => { events.push(`pause ${seconds} s`); },
    }, (probe) => {
      events.push(`${probe.meets ? 'met' : 'missed'} ${probe.rate}${probe.unanswered > 0 ? ' unanswered' : ''}`);
      server.nextProbe();
    });
    const expected = search.probes.flatMap((p, i) => [...(i > 0 && leftWork(search.probes[i - 1]) ? ['pause 1 s'] : []), `${p.meets ? 'met' : 'missed'} ${p.rate}${p.unanswered > 0 ? ' unanswered' : ''}`]);
    expect(events).toEqual(expected);
    // probe 2 missed on 503s (answered: no pause), probe 3 on dropped connections (a pause)
    expect(events.slice(0, 5)).toEqual(['met 50', 'met 100', 'missed 200', 'missed 150 unanswered', 'pause 1 s']);
    expect(leftWork({ meets: true, unanswered: 3 })).toBe(false);
  });

  /** The first test's search, with a watch that calls the probes numbered in `disturbed` (0 first) disturbed. */
  async function watchedSearch(disturbed: (index: number) => boolean) {
    const server = await startCountServer(150);
    close = server.close;
    let watched = 0;
    return searchCapacity(server.url, ['/'], {
      ...SEARCH,
      watchProbe: () => {
        const index = watched++;
        return { finish: () => (disturbed(index) ? 'steal 9.0% of the pinned CPUs' : null) };
      },
    }, () => server.nextProbe());
  }

  it('offers a disturbed probe again at its rate, keeps it recorded, and searches on the clean ones alone', async () => {
    const search = await watchedSearch((index) => index === 1);
    expect(search.probes.map((p) => p.rate).slice(0, 4)).toEqual([50, 100, 100, 200]);
    expect(search.probes[1]).toMatchObject({ meets: false, disturbance: 'steal 9.0% of the pinned CPUs', verdict: expect.stringMatching(/^disturbed, offered again: steal 9\.0% of the pinned CPUs \(p99/) });
    expect(search.probes[2]).toMatchObject({ meets: true, disturbance: null });
    expect(search.disturbance).toBeNull();
    expect(search.capacity).toBeGreaterThanOrEqual(100);
    expect(search.capacity).toBeLessThan(200);
  });

  it('ends the search without a figure when one rate stays disturbed through its repeats', async () => {
    const search = await watchedSearch((index) => index >= 1);
    expect(search.probes.map((p) => p.rate)).toEqual([50, 100, 100, 100]);
    expect(search.disturbance).toBe('steal 9.0% of the pinned CPUs');
    expect(search.probes.filter((p) => p.disturbance !== null)).toHaveLength(3);
  });

  it('refuses a probe without a measured second', async () => {
    await expect(searchCapacity('http://127.0.0.1:9', ['/'], { stepSeconds: 1, settleSeconds: 1, pauseSeconds: 0 })).rejects.toThrow(/settle \(1 s\) must be below the step/);
  });
});
