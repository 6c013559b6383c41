import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchServerReport, MAX_REPORT_BYTES, peakRssBytes, treePeakRssBytes } from './server-report.ts';

describe('server report', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/health') return res.end(JSON.stringify({ data: { cache: { hits: 3, misses: 1 } }, error: null }));
      if (req.url === '/text') return res.end('not json');
      if (req.url === '/huge') return res.end(JSON.stringify({ pad: 'x'.repeat(MAX_REPORT_BYTES) }));
      res.statusCode = 503;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('keeps the JSON body of a 200 answer, and nothing of any other answer', async () => {
    expect(JSON.parse((await fetchServerReport(url, '/health'))!)).toEqual({ data: { cache: { hits: 3, misses: 1 } }, error: null });
    expect(await fetchServerReport(url, '/text')).toBeNull();
    expect(await fetchServerReport(url, '/huge')).toBeNull();
    expect(await fetchServerReport(url, '/down')).toBeNull();
  });

  it('gives null, not a default, when no server answers', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await fetchServerReport(`http://127.0.0.1:${port}`, '/health')).toBeNull();
  });

  it('reads the peak resident memory of a live process tree, null for a gone one', () => {
    const own = peakRssBytes(process.pid)!;
    expect(own).toBeGreaterThan(1024 * 1024);
    expect(treePeakRssBytes(process.pid)!).toBeGreaterThanOrEqual(own);
    expect(peakRssBytes(2 ** 22 + 12345)).toBeNull();
  });
});
