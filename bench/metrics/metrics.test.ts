/**
 * The metrics reader against recorded prom-client output (fixtures/record.mjs), parsed
 * and served by a real tiny HTTP server on an ephemeral port.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { counterSum, gaugeValue, parseExposition, toServerGauges } from './prometheus.ts';
import { gaugeReader, scrape, scrapeEverySecond } from './scrape.ts';

const fixture = (stage: 'v7' | 'v8-idle' | 'v9-warming' | 'v10') => readFileSync(new URL(`./fixtures/prom-client-15-${stage}.txt`, import.meta.url), 'utf8');
/** prom-client's register.contentType. */
const PROM_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`;
}

/** Serves a fixture and counts the scrapes. */
async function serveFixture(text: string): Promise<{ url: string; scrapes: () => number }> {
  let scrapes = 0;
  const url = await serve((req, res) => {
    scrapes++;
    res.writeHead(200, { 'content-type': PROM_CONTENT_TYPE });
    res.end(text);
  });
  return { url, scrapes: () => scrapes };
}

describe('ServerGauges from prom-client output', () => {
  it('chapter 7: the request metrics; what it does not export is null, never 0', () => {
    expect(toServerGauges(fixture('v7'), 1000)).toEqual({
      at: 1000, inFlight: 7, limit: null, rttNoLoadSeconds: null, rttSeconds: null, eventLoopUtilization: 0.83, scaleOut: null, requestsTotal: 1239, shedTotal: null,
    });
  });

  it('chapter 8 before any shedding: a declared counter without samples is 0, the limit is read', () => {
    expect(toServerGauges(fixture('v8-idle'), 0)).toMatchObject({ limit: 64, shedTotal: 0, requestsTotal: 1239 });
  });

  it('chapter 9 before its limiter has measured: its NaN RTT gauges are null', () => {
    expect(toServerGauges(fixture('v9-warming'), 0)).toMatchObject({ rttNoLoadSeconds: null, rttSeconds: null, limit: 64, shedTotal: 0 });
    expect(counterSum(parseExposition('c_total{a="1"} 2\nc_total{a="2"} NaN\n'), 'c_total')).toBeNull();
  });

  it('chapter 10: every gauge, counters summed across label sets', () => {
    expect(toServerGauges(fixture('v10'), 2000)).toEqual({
      at: 2000, inFlight: 7, limit: 64, rttNoLoadSeconds: 0.002, rttSeconds: 0.0035, eventLoopUtilization: 0.83, scaleOut: 1, requestsTotal: 1239, shedTotal: 34,
    });
  });

  it('reads the default metrics too, and refuses a gauge with several label sets or a value that is no number', () => {
    const families = parseExposition(fixture('v10'));
    expect(gaugeValue(families, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(counterSum(families, 'catalogue_poll_failures_total')).toBe(5);
    expect(() => gaugeValue(parseExposition('g{a="1"} 1\ng{a="2"} 2\n'), 'g')).toThrow(/metric g: expected one value, found 2 label sets/);
    expect(() => counterSum(parseExposition('c_total{a="1"} many\n'), 'c_total')).toThrow(/metric c_total: not a number: many/);
  });
});

describe('scrape', () => {
  it('reads a server, `at` counting from the run start', async () => {
    const { url } = await serveFixture(fixture('v10'));
    const startedAt = performance.now() - 5000;
    const gauges = await scrape(url, { startedAt });
    expect(gauges.requestsTotal).toBe(1239);
    expect(gauges.at).toBeGreaterThanOrEqual(5000);
  });

  it('fails clearly on another status, another content type, or no answer in time', async () => {
    const notFound = await serve((_, res) => (res.writeHead(404, { 'content-type': 'application/json' }), res.end('{"error":{"code":"not_found"}}')));
    await expect(scrape(notFound)).rejects.toThrow(/scrape of .*\/metrics answered 404: \{"error"/);
    const html = await serve((_, res) => (res.writeHead(200, { 'content-type': 'text/html' }), res.end('<html></html>')));
    await expect(scrape(html)).rejects.toThrow(/content type "text\/html" is not the Prometheus text format/);
    const silent = await serve(() => {});
    await expect(scrape(silent, { timeoutMs: 200 })).rejects.toThrow(/scrape of .* failed: no answer within 200 ms/);
  });

  it('a reader for a round: null on failure, each distinct failure reported once', async () => {
    const broken = await serve((_, res) => (res.writeHead(500, { 'content-type': 'text/plain' }), res.end('boom')));
    const reported: string[] = [];
    const read = gaugeReader(broken, () => performance.now(), (m) => reported.push(m));
    expect(await read()).toBeNull();
    expect(await read()).toBeNull();
    expect(reported).toEqual([expect.stringMatching(/answered 500: boom/)]);
    const { url } = await serveFixture(fixture('v7'));
    expect((await gaugeReader(url, () => performance.now(), (m) => reported.push(m))())?.requestsTotal).toBe(1239);
  });
});

describe('scrapeEverySecond', () => {
  it('scrapes on every tick and stops by itself at its deadline', async () => {
    const { url, scrapes } = await serveFixture(fixture('v10'));
    const seen: number[] = [];
    const series = await scrapeEverySecond(url, { durationSeconds: 0.5, intervalMs: 100, onSample: (s) => seen.push(s.at) }).finished;
    expect(series.samples.length).toBeGreaterThan(0);
    expect(series.samples.length + series.failures.length).toBe(scrapes());
    expect(series.samples.map((s) => s.at)).toEqual(seen);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(series.samples.every((s) => s.shedTotal === 34)).toBe(true);
    const after = scrapes();
    await new Promise((r) => setTimeout(r, 250));
    expect(scrapes()).toBe(after); // stopped: no scrape after the deadline
  });

  it('records a second whose scrape failed, and stop() ends it early, abandoning a scrape under way', async () => {
    let calls = 0;
    const url = await serve((_, res) => {
      calls++;
      if (calls === 1) (res.writeHead(503, { 'content-type': 'text/plain' }), res.end('busy'));
      // Later scrapes hang: stop() must not wait for them.
    });
    const scraper = scrapeEverySecond(url, { durationSeconds: 600, intervalMs: 50 });
    while (calls < 2) await new Promise((r) => setTimeout(r, 10));
    const series = await scraper.stop();
    expect(series.failures[0]).toMatchObject({ at: expect.any(Number), message: expect.stringMatching(/answered 503: busy/) });
    expect(series.samples).toEqual([]);
  });
});
