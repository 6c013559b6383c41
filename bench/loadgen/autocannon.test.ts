import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer } from '../reference/reference-server.ts';
import { autocannonGenerator, parseAutocannonResult } from './autocannon.ts';
import { readFixture, refusingUrl, startTestServer, type TestServer } from './test-support.ts';
import type { LoadSample } from './types.ts';

// Fixtures: real autocannon 9.0.0 runs through autocannon-worker.ts, recorded by fixtures/record-fixtures.ts.
describe('parseAutocannonResult', () => {
  it('reads the worker report of the hot-path run exactly', () => {
    const parsed = parseAutocannonResult(readFixture('autocannon-9-result.json'));
    const durationSeconds = (Date.parse('2026-11-22T05:09:09.351Z') - Date.parse('2026-11-22T05:09:07.300Z')) / 1000;
    expect(parsed).toMatchObject({
      ok: true,
      totalRequests: 13333,
      successfulRequests: 13333,
      non2xx: 0,
      socketErrors: 0,
      timeoutErrors: 0,
      bytes: 2386607,
      durationSeconds,
      latencyUs: { avg: 292.1601290032251, p50: 126, p90: 305, p99: 4037, max: 52298 },
      samples: [
        { second: 1, requestsPerSecond: 6925.133550066074, errors: 0, p99LatencyUs: 3419 },
        { second: 2, requestsPerSecond: 6495.072180535274, errors: 0, p99LatencyUs: 4690 },
      ],
    });
    expect(durationSeconds).toBe(2.051);
    expect(parsed.requestsPerSecond).toBe(13333 / 2.051);
  });

  it('counts 500s as non-2xx and keeps them out of throughput', () => {
    const parsed = parseAutocannonResult(readFixture('autocannon-9-mix-500.json'));
    expect(parsed).toMatchObject({ ok: true, successfulRequests: 1058, non2xx: 1058, totalRequests: 2116, durationSeconds: 2.039 });
    expect(parsed.requestsPerSecond).toBe(1058 / 2.039);
    expect(parsed.samples.map((sample) => sample.errors)).toEqual([619, 437]);
  });

  it('reports a refused port as a failed run with its socket errors and no latency', () => {
    const parsed = parseAutocannonResult(readFixture('autocannon-9-refused.json'));
    expect(parsed).toMatchObject({
      ok: false,
      failure: 'no successful (2xx) response: 0 non-2xx responses, 1734 socket errors, 0 timeouts',
      successfulRequests: 0,
      socketErrors: 1734,
      timeoutErrors: 0,
      requestsPerSecond: null,
      latencyUs: null,
    });
  });

  it('reads a bare autocannon result (its whole-millisecond latency is too coarse: null), as object or text', () => {
    const bare = (JSON.parse(readFixture('autocannon-9-result.json')) as { autocannon: object }).autocannon;
    for (const input of [bare, JSON.stringify(bare)]) {
      const parsed = parseAutocannonResult(input);
      expect(parsed).toMatchObject({ ok: true, successfulRequests: 13333, bytes: 2386607, latencyUs: null, samples: [] });
    }
  });

  it('finds the result line among the worker\'s JSON lines, and throws when there is none', () => {
    const lines = `{"type":"start"}\n{"type":"sample","sample":{"second":1,"requestsPerSecond":1,"errors":0,"p99LatencyUs":5}}\n${readFixture('autocannon-9-result.json')}`;
    expect(parseAutocannonResult(lines).successfulRequests).toBe(13333);
    expect(() => parseAutocannonResult('{"type":"start"}\n')).toThrow(/autocannon result/);
    expect(() => parseAutocannonResult('Error: boom')).toThrow(/no result JSON/);
  });
});

describe('autocannon runs (real autocannon in a child process, local servers)', () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(); });
  afterAll(async () => { await server.close(); });

  it('detects the installed autocannon', async () => {
    const tool = await autocannonGenerator.detect();
    expect(tool?.name).toBe('autocannon');
    expect(tool?.version).toMatch(/^9\.\d+\.\d+$/);
  });

  it('loads the reference server from a child process, streaming per-second samples', async () => {
    const reference = await startReferenceServer(Buffer.from('hello\n'), { 'content-type': 'text/plain' });
    try {
      const seen: LoadSample[] = [];
      const result = await autocannonGenerator.run({ url: reference.url, paths: ['/'], connections: 2, durationSeconds: 1, keepAlive: true }, (sample) => seen.push(sample));
      expect(result.ok).toBe(true);
      expect(result.successfulRequests).toBeGreaterThan(0);
      expect(result.non2xx + result.socketErrors + result.timeoutErrors).toBe(0);
      expect(result.latencyUs?.p50).toBeGreaterThan(0);
      expect(seen).toEqual(result.samples);
      expect(result.samples.length).toBeGreaterThan(0);
      expect(result.cpuSeconds).toBeGreaterThan(0);
      expect(result.requestsPerSecond).toBe(parseAutocannonResult(result.raw).requestsPerSecond);
    } finally {
      await reference.stop();
    }
  });

  it('cycles every connection through the mix, counting 500s as non-2xx, never as throughput', async () => {
    const result = await autocannonGenerator.run({ url: server.url, paths: ['/ok', '/fail'], connections: 2, durationSeconds: 1, keepAlive: true });
    expect(result.ok).toBe(true);
    expect(result.non2xx).toBeGreaterThan(0);
    expect(Math.abs(result.successfulRequests - result.non2xx)).toBeLessThanOrEqual(2);
    const parsed = parseAutocannonResult(result.raw);
    expect(result.requestsPerSecond).toBe(result.successfulRequests / (parsed.durationSeconds as number));
  });

  it('opens a new connection per request without keep-alive', async () => {
    const before = server.connections();
    const result = await autocannonGenerator.run({ url: server.url, paths: ['/ok'], connections: 1, durationSeconds: 1, keepAlive: false });
    expect(result.ok).toBe(true);
    expect(server.connections() - before).toBeGreaterThanOrEqual(result.totalRequests);
    expect(result.latencyUs).not.toBeNull();
  });

  it('fails the run with the error of a throwing onSample callback, after the tool has finished', async () => {
    await expect(autocannonGenerator.run({ url: server.url, paths: ['/ok'], connections: 1, durationSeconds: 1, keepAlive: true }, () => {
      throw new Error('progress display broke');
    })).rejects.toThrow('progress display broke');
  });

  it('counts socket errors against a port that refuses connections: a failed run', async () => {
    const result = await autocannonGenerator.run({ url: await refusingUrl(), paths: ['/'], connections: 2, durationSeconds: 1, keepAlive: true });
    expect(result.ok).toBe(false);
    expect(result.socketErrors).toBeGreaterThan(0);
    expect(result.failure).toMatch(/^no successful \(2xx\) response: 0 non-2xx responses, \d+ socket errors/);
    expect(result.requestsPerSecond).toBeNull();
    expect(result.latencyUs).toBeNull();
  });
});
