import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { politeFigures, runPoliteClient } from './polite-client.ts';

describe('politeFigures', () => {
  it('counts the answers intended from the start of the window: 200 within the bound, the rest by status', () => {
    const answers = [
      { intendedMs: 0, sendLagUs: 9_000, status: 503, latencyUs: 100 }, // settling: left out
      { intendedMs: 250, sendLagUs: 120, status: 200, latencyUs: 49_000 },
      { intendedMs: 500, sendLagUs: 80, status: 200, latencyUs: 50_001 }, // too late
      { intendedMs: 750, sendLagUs: 2_000, status: 503, latencyUs: 300 },
      { intendedMs: 1000, sendLagUs: 60, status: 0, latencyUs: null, error: 'ECONNRESET' },
    ];
    expect(politeFigures(answers, 250, 50)).toEqual({ sent: 4, okFast: 1, share: 0.25, p99LatencyUs: 50_001, statuses: { 200: 2, 503: 1, 0: 1 }, sendLagMaxUs: 2_000, errors: { ECONNRESET: 1 } });
    expect(politeFigures([], 0, 50)).toEqual({ sent: 0, okFast: 0, share: null, p99LatencyUs: null, statuses: {}, sendLagMaxUs: null, errors: {} });
  });
});

describe('runPoliteClient (a real server)', () => {
  let server: http.Server;
  let url = '';
  const connections: { count: number } = { count: 0 };
  const paths: string[] = [];
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(paths.length % 2 === 0 ? 503 : 200, { 'content-length': '2' });
      response.end('ok');
    });
    server.on('connection', () => connections.count++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends one request per interval on its clock, each on a new connection, and reports every answer', async () => {
    const before = connections.count;
    const answers = await runPoliteClient({ url, path: '/search?x=1', intervalMs: 100, durationSeconds: 1, connection: 'new' });
    expect(answers.map((a) => a.intendedMs)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(connections.count - before).toBe(10);
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200, 503]));
    for (const a of answers) {
      expect(a.latencyUs).toBeGreaterThan(0);
      expect(a.sendLagUs).toBeGreaterThanOrEqual(0);
    }
    expect(paths.slice(-10)).toEqual(Array(10).fill('/search?x=1'));
  });

  it('sends on its own phase when given an offset: every intended time before the end', async () => {
    const answers = await runPoliteClient({ url, path: '/search?x=3', intervalMs: 100, durationSeconds: 1, connection: 'new', offsetMs: 50 });
    expect(answers.map((a) => a.intendedMs)).toEqual([50, 150, 250, 350, 450, 550, 650, 750, 850, 950]);
    await expect(runPoliteClient({ url, path: '/', intervalMs: 100, durationSeconds: 1, connection: 'new', offsetMs: 100 })).rejects.toThrow(/offset must lie in \[0, interval\)/);
  });

  it('keeps one connection alive for all of them', async () => {
    const before = connections.count;
    const answers = await runPoliteClient({ url, path: '/search?x=2', intervalMs: 100, durationSeconds: 1, connection: 'kept-alive' });
    expect(answers).toHaveLength(10);
    expect(connections.count - before).toBe(1);
  });

  it('refuses a target other than 127.0.0.1 or localhost', async () => {
    await expect(runPoliteClient({ url: 'http://example.com:80', path: '/', intervalMs: 100, durationSeconds: 1, connection: 'new' })).rejects.toThrow(/only target 127\.0\.0\.1/);
  });
});
