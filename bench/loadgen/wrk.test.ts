import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer } from '../reference/reference-server.ts';
import { readFixture, refusingUrl, startTestServer, type TestServer } from './test-support.ts';
import type { LoadSample } from './types.ts';
import { generatorWasTheLimit, SATURATION_SHARE } from '../figures/run-row.ts';
import { parseWrkReport, parseWrkText, parseWrkVersion, pathsFileOf, runWrk, SHARED_PATHS_FILE_MIN, wrkArguments, wrkGenerator, wrkPrintedRequestsPerSecond } from './wrk.ts';
import { batchExpression, WRK_READY_MARKER, WRK_REPORT_MARKER, scriptCounting, wrkLuaScript, type WrkDoneReport, type WrkScript } from './wrk-script.ts';

// Fixtures: real wrk 4.1.0 (Debian) runs recorded by fixtures/record-fixtures.ts.
describe('parseWrkReport on the JSON report of the generated script', () => {
  it('reads the hot-path run exactly', () => {
    const parsed = parseWrkReport(readFixture('wrk-4.1-done-report.txt'));
    expect(parsed).toMatchObject({
      ok: true,
      totalRequests: 38287,
      successfulRequests: 38287,
      non2xx: 0,
      socketErrors: 0,
      timeoutErrors: 0,
      bytes: 6853373,
      durationSeconds: 2.099919,
      latencyUs: { avg: 633.6609810892752, p50: 82, p90: 808, p99: 15311, max: 41680 },
    });
    expect(parsed.requestsPerSecond).toBe(38287 / 2.099919);
    // the 0.1 s left after the second whole second is no per-second sample
    expect(parsed.samples).toEqual([
      { second: 1, requestsPerSecond: 13955, errors: 0, p99LatencyUs: null },
      { second: 2, requestsPerSecond: 22357, errors: 0, p99LatencyUs: null },
    ]);
    expect(parsed.raw).toBe(readFixture('wrk-4.1-done-report.txt'));
  });

  it('counts 500s as non-2xx and keeps them out of throughput', () => {
    const parsed = parseWrkReport(readFixture('wrk-4.1-mix-500.txt'));
    expect(parsed).toMatchObject({ ok: true, successfulRequests: 12789, non2xx: 12789, totalRequests: 25578, durationSeconds: 2.100045 });
    expect(parsed.requestsPerSecond).toBe(12789 / 2.100045);
    expect(parsed.samples.map((sample) => sample.errors)).toEqual([1482, 10311]);
  });

  it('gives no latency where wrk\'s percentiles fell off its own histogram (a p99 of 0 µs), and keeps the throughput', () => {
    const parsed = parseWrkReport(readFixture('wrk-4.1-percentile-below-min.txt'));
    expect(parsed.latencyUs).toBeNull();
    expect(parsed).toMatchObject({ ok: true, successfulRequests: 41554, durationSeconds: 2.099558 });
    expect(parsed.requestsPerSecond).toBe(41554 / 2.099558);
  });

  it('throws on a report that is not JSON', () => {
    expect(() => parseWrkReport(`${WRK_REPORT_MARKER}{"format":1,`)).toThrow(/not valid JSON/);
  });
});

describe('parseWrkText (wrk without the script)', () => {
  it('gives no latency where wrk printed its percentiles as 0.00us (fallen off its own histogram)', () => {
    const parsed = parseWrkText(readFixture('wrk-4.1-percentile-below-min.txt'));
    expect(parsed.latencyUs).toBeNull();
    expect(parsed.successfulRequests).toBe(41554);
  });

  it('reads wrk\'s plain summary with --latency, converting units', () => {
    const parsed = parseWrkText(readFixture('wrk-4.1-text.txt'));
    expect(parsed).toMatchObject({ ok: true, successfulRequests: 28177, totalRequests: 28177, non2xx: 0, durationSeconds: 2.01 });
    expect(parsed.bytes).toBeCloseTo(4.81 * 1024 * 1024, 6);
    expect(parsed.requestsPerSecond).toBe(28177 / 2.01);
    expect(parsed.latencyUs?.avg).toBeCloseTo(1410, 6);
    expect(parsed.latencyUs?.p50).toBeCloseTo(91, 6);
    expect(parsed.latencyUs?.p90).toBeCloseTo(2770, 6);
    expect(parsed.latencyUs?.p99).toBeCloseTo(25720, 6);
    expect(parsed.latencyUs?.max).toBeCloseTo(52970, 6);
    expect(parsed.samples).toEqual([]);
    expect(wrkPrintedRequestsPerSecond(readFixture('wrk-4.1-text.txt'))).toBe(14051.52);
  });

  it('agrees with the JSON report on counts for the same run', () => {
    const text = readFixture('wrk-4.1-mix-500.txt').split('\n').filter((line) => !line.startsWith(WRK_REPORT_MARKER)).join('\n');
    const parsed = parseWrkText(text);
    expect(parsed).toMatchObject({ successfulRequests: 12789, non2xx: 12789, durationSeconds: 2.1 });
    expect(parsed.latencyUs?.p50).toBeCloseTo(105, 6);
  });

  it('reads socket errors, k-suffixed rates, and leaves latency null without a distribution', () => {
    const text = [
      'Running 1s test @ http://127.0.0.1:8080/',
      '  1 threads and 2 connections',
      '  Thread Stats   Avg      Stdev     Max   +/- Stdev',
      '    Latency     1.23ms  200.00us   1.50s    90.00%',
      '    Req/Sec     1.20k   100.00     1.30k    80.00%',
      '  1200 requests in 1.00s, 100.00KB read',
      '  Socket errors: connect 1, read 2, write 3, timeout 4',
      '  Non-2xx or 3xx responses: 200',
      'Requests/sec:  12.34k',
      'Transfer/sec:    100.00KB',
    ].join('\n');
    const parsed = parseWrkText(text);
    expect(parsed).toMatchObject({ successfulRequests: 1000, non2xx: 200, socketErrors: 6, timeoutErrors: 4, totalRequests: 1210, bytes: 102400 });
    expect(parsed.requestsPerSecond).toBe(1000);
    expect(parsed.latencyUs).toBeNull();
    expect(wrkPrintedRequestsPerSecond(text)).toBeCloseTo(12340, 6);
  });

  it('throws on output without a summary', () => {
    expect(() => parseWrkReport(readFixture('wrk-4.1-refused.txt'))).toThrow(/requests in/);
  });
});

describe('wrk command line and script', () => {
  it('parses the version wrk prints', () => {
    expect(parseWrkVersion('wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer\nUsage: wrk')).toBe('debian/4.1.0-3+b2');
    expect(parseWrkVersion('wrk 4.2.0 [epoll] Copyright (C) 2012 Will Glozer')).toBe('4.2.0');
    expect(parseWrkVersion('nothing here')).toBeNull();
  });

  it('builds the arguments: threads, connections, whole seconds, latency, script, first path', () => {
    const args = wrkArguments(
      { url: 'http://127.0.0.1:9000', paths: ['/search?q=a', '/health'], connections: 8, durationSeconds: 5, keepAlive: true, threads: 2, timeoutSeconds: 2.5 },
      '/tmp/x.lua',
    );
    expect(args).toEqual(['--threads', '2', '--connections', '8', '--duration', '5s', '--timeout', '3s', '--latency', '--script', '/tmp/x.lua', 'http://127.0.0.1:9000/search?q=a']);
  });

  it('asks the next whole second for a fraction of one (the run is interrupted), and refuses fewer connections than threads', () => {
    const base = { url: 'http://127.0.0.1:9000', paths: ['/'], keepAlive: true };
    expect(wrkArguments({ ...base, connections: 2, durationSeconds: 1.5 }, 's.lua')).toContain('2s');
    expect(() => wrkArguments({ ...base, connections: 1, durationSeconds: 1, threads: 2 }, 's.lua')).toThrow(/one connection per thread/);
  });

  it('writes a long list of paths to one file per process, a short one beside each run\'s script', () => {
    const runDir = mkdtempSync(join(tmpdir(), 'wrk-paths-test-'));
    try {
      const long = Array.from({ length: SHARED_PATHS_FILE_MIN }, (_, i) => `/p${i}`);
      const first = pathsFileOf(long, runDir);
      expect(pathsFileOf(long, runDir)).toBe(first);
      expect(readFileSync(first, 'utf8')).toBe(`${long.join('\n')}\n`);
      expect(dirname(first)).not.toBe(runDir);
      const other = [...long];
      expect(pathsFileOf(other, runDir)).not.toBe(first);
      long.push('/grown');
      const grown = pathsFileOf(long, runDir);
      expect(grown).not.toBe(first);
      expect(readFileSync(grown, 'utf8').trimEnd().split('\n').at(-1)).toBe('/grown');
      // Only the latest lists keep their file: the oldest one's is removed.
      const lists = Array.from({ length: 8 }, (_, k) => long.map((path) => `${path}/${k}`));
      const files = lists.map((list) => pathsFileOf(list, runDir));
      expect(existsSync(grown)).toBe(false);
      expect(files.every((file) => existsSync(file))).toBe(true);
      expect(pathsFileOf(['/a', '/b'], runDir)).toBe(join(runDir, 'paths.txt'));
      expect(readFileSync(join(runDir, 'paths.txt'), 'utf8')).toBe('/a\n/b\n');
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });

  const script = (options: Partial<WrkScript> = {}) => wrkLuaScript({ pathsFile: '/tmp/p.txt', keepAlive: true, connectionsPerThread: 8, ...options });

  it('reads the paths from their file, says when it is ready, and sends Connection: close without keep-alive', () => {
    const hot = script();
    expect(hot).toContain('io.lines("/tmp/p.txt")');
    expect(hot).toContain(`io.write("${WRK_READY_MARKER}", "\\n")`);
    expect(hot).toContain('function request()');
    expect(hot).not.toContain('Connection');
    expect(script({ keepAlive: false })).toContain('wrk.headers["Connection"] = "close"');
    expect(script({ headers: { 'Accept-Encoding': 'gzip, br' } })).toContain('wrk.headers["Accept-Encoding"] = "gzip, br"');
    expect(script({ pipeline: 4 })).toMatch(/local depth = 4/);
    // one concatenation a batch, its requests the rotation's next paths
    expect(batchExpression(2)).toBe('head .. paths[(k + 0) % n + 1] .. tail .. head .. paths[(k + 1) % n + 1] .. tail');
    expect(script({ pipeline: 4 })).toContain(`lg_requests[i] = ${batchExpression(4)}`);
  });

  it('counts answers in request() for the steady load, and in response() (statuses) only when paced', () => {
    expect(scriptCounting({})).toBe('batches');
    expect(script()).not.toContain('function response(');
    expect(script()).toContain('lg_unanswered = 8');
    const paced = script({ pacedRps: 2500 });
    expect(scriptCounting({ pacedRps: 2500 })).toBe('statuses');
    expect(paced).toContain('function response(');
    expect(paced).toContain('function delay()');
    expect(paced).toContain('local lg_rate = 2500');
  });

  it('paces the sends with delay() only when a rate is given, and refuses a rate that is none', () => {
    expect(script()).not.toContain('function delay()');
    expect(() => script({ pacedRps: 0 })).toThrow(/positive rate/);
  });
});

describe('wrk runs (real wrk, local servers)', () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(); });
  afterAll(async () => { await server.close(); });

  it('detects the installed wrk', async () => {
    const tool = await wrkGenerator.detect();
    expect(tool).toMatchObject({ name: 'wrk', path: '/usr/bin/wrk' });
    expect(tool?.version).toMatch(/\d+\.\d+\.\d+/);
  });

  it('loads the reference server and reports 2xx throughput, latency, samples and its own CPU', async () => {
    const reference = await startReferenceServer(Buffer.from('hello\n'), { 'content-type': 'text/plain' });
    try {
      const seen: LoadSample[] = [];
      const result = await wrkGenerator.run({ url: reference.url, paths: ['/'], connections: 2, durationSeconds: 1, keepAlive: true }, (sample) => seen.push(sample));
      expect(result.ok).toBe(true);
      expect(result.successfulRequests).toBeGreaterThan(0);
      expect(result.non2xx + result.socketErrors + result.timeoutErrors).toBe(0);
      expect(result.requestsPerSecond).toBe(parseWrkReport(result.raw).requestsPerSecond);
      expect(result.latencyUs?.p50).toBeGreaterThan(0);
      expect(result.samples.length).toBeGreaterThan(0);
      expect(seen).toEqual(result.samples);
      expect(result.cpuSeconds).not.toBeNull();
      expect(result.raw).toContain(WRK_REPORT_MARKER);
    } finally {
      await reference.stop();
    }
  });

  it('ends a run of a fraction of a second early, by SIGINT, with its report (a settle shorter than wrk\'s whole second)', async () => {
    const result = await wrkGenerator.run({ url: server.url, paths: ['/ok'], connections: 2, durationSeconds: 0.2, keepAlive: true });
    expect(result.ok).toBe(true);
    expect(result.successfulRequests).toBeGreaterThan(0);
    // wrk's own measure of its run: interrupted, so short of the whole second it was asked for
    expect(parseWrkReport(result.raw).durationSeconds).toBeLessThan(1);
  });

  it('cycles through a mix, counting the 500s as non-2xx, never as throughput', async () => {
    const result = await wrkGenerator.run({ url: server.url, paths: ['/ok', '/fail'], connections: 2, durationSeconds: 1, keepAlive: true });
    expect(result.ok).toBe(true);
    expect(result.non2xx).toBeGreaterThan(0);
    // strict rotation per thread: the two paths alternate (in-flight requests at the end differ by at most one per connection)
    expect(Math.abs(result.successfulRequests - result.non2xx)).toBeLessThanOrEqual(2);
    // counted in request(), a second cannot tell 2xx from 500: with any error there are no samples
    expect(result.samples).toEqual([]);
    const parsed = parseWrkReport(result.raw);
    expect(result.requestsPerSecond).toBe(result.successfulRequests / (parsed.durationSeconds as number));
  });

  it('pipelines: several requests per write on each connection, every response counted, the mix still rotating', async () => {
    const before = server.connections();
    const result = await wrkGenerator.run({ url: server.url, paths: ['/ok', '/fail'], connections: 2, durationSeconds: 1, keepAlive: true, pipeline: 4 });
    expect(result.ok).toBe(true);
    expect(server.connections() - before).toBeLessThan(result.totalRequests / 4);
    expect(result.successfulRequests).toBeGreaterThan(0);
    expect(Math.abs(result.successfulRequests - result.non2xx)).toBeLessThanOrEqual(2 * 4);
    await expect(wrkGenerator.run({ url: server.url, paths: ['/ok'], connections: 1, durationSeconds: 1, keepAlive: false, pipeline: 2 })).rejects.toThrow(/pipelining needs keep-alive/);
  });

  it.each([1, 2])('sends a mix in its order at %i request(s) a write: every path once per pass, never the same path twice in a row', async (pipeline) => {
    const seen: string[] = [];
    const recorder = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      res.end('ok');
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    try {
      const paths = ['/a', '/b', '/c', '/d', '/e'];
      const url = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
      const result = await wrkGenerator.run({ url, paths, connections: 1, durationSeconds: 1, keepAlive: true, pipeline });
      expect(result.ok).toBe(true);
      expect(seen.length).toBeGreaterThan(10);
      // One connection, one thread: the server sees the rotation itself (overlapping batches sent a b, b c, c d, …),
      // from wherever wrk's check of the script left it (it calls request() once before the run).
      const start = paths.indexOf(seen[0]);
      seen.forEach((path, i) => expect(path).toBe(paths[(start + i) % paths.length]));
    } finally {
      await new Promise((resolve) => recorder.close(resolve));
    }
  });

  it('counts the answers per second in request(): the seconds add up to wrk\'s own count, short of at most the batches in flight at the end', async () => {
    const reference = await startReferenceServer(Buffer.from('hello\n'), { 'content-type': 'text/plain' });
    try {
      for (const threads of [1, 2]) { // wrk checks the script in thread 1's state only, from its main thread
        const result = await wrkGenerator.run({ url: reference.url, paths: ['/a', '/b', '/c'], connections: 4, threads, durationSeconds: 1, keepAlive: true, pipeline: 2 });
        expect(result.ok).toBe(true);
        expect(result.raw.split('\n').filter((line) => line === WRK_READY_MARKER)).toHaveLength(threads);
        const report = JSON.parse(result.raw.split('\n').find((line) => line.startsWith(WRK_REPORT_MARKER))!.slice(WRK_REPORT_MARKER.length)) as WrkDoneReport;
        expect(report.counting).toBe('batches');
        const counted = report.seconds.reduce((sum, second) => sum + second.success, 0);
        // wrk's check of the script and each connection's first batch are not answers (never counted); a batch
        // answered as wrk stopped may not ask for its successor (not counted): 4 connections × 2 at most.
        expect(counted).toBeLessThanOrEqual(report.summary.requests);
        expect(counted).toBeGreaterThanOrEqual(report.summary.requests - 4 * 2);
        expect(result.successfulRequests).toBe(report.summary.requests);
      }
    } finally {
      await reference.stop();
    }
  });

  it('counts wrk\'s CPU and wall time from its ready line: a 200 000-path mix built before the load is not the load\'s cost', async () => {
    // Every answer waits 50 ms and costs the server nothing: over the load, wrk is all but idle, whatever its start-up took.
    const slow = http.createServer((request, response) => { setTimeout(() => response.end('ok'), 50); });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
      const paths = Array.from({ length: 200_000 }, (_, i) => `/search?window=${i}`);
      const result = await runWrk({ url, paths, connections: 2, durationSeconds: 1, keepAlive: true, pipeline: 4 }, {});
      expect(result.ok).toBe(true);
      expect(result.raw).toContain(WRK_READY_MARKER);
      expect(result.cpuSeconds).not.toBeNull();
      expect(result.cpuSeconds! / result.wallSeconds).toBeLessThan(0.5 * SATURATION_SHARE);
      expect(generatorWasTheLimit(result, 1, { seconds: 0, cores: 1 })).toBe(false);
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it('opens a new connection per request without keep-alive', async () => {
    const before = server.connections();
    const result = await wrkGenerator.run({ url: server.url, paths: ['/ok'], connections: 1, durationSeconds: 1, keepAlive: false });
    expect(result.ok).toBe(true);
    expect(server.connections() - before).toBeGreaterThanOrEqual(result.totalRequests);
  });

  it('sends the extra headers on every request, and counts the bytes read (headers and body) per response', async () => {
    const seen = new Set<string>();
    const checker = http.createServer((request, response) => {
      seen.add(String(request.headers['accept-encoding']));
      response.writeHead(request.headers['accept-encoding'] === 'gzip, br' ? 200 : 400, { 'content-length': '2' });
      response.end('ok');
    });
    await new Promise<void>((resolve) => checker.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(checker.address() as AddressInfo).port}`;
      const result = await wrkGenerator.run({ url, paths: ['/a', '/b'], connections: 2, durationSeconds: 1, keepAlive: true, headers: { 'Accept-Encoding': 'gzip, br' } });
      expect(result.ok).toBe(true);
      expect(result.non2xx).toBe(0);
      expect([...seen]).toEqual(['gzip, br']);
      // "HTTP/1.1 200 OK", Content-Length, Date, Connection and the body: the same bytes every time.
      expect(result.bytes / result.totalRequests).toBeGreaterThan(2);
      expect(Number.isInteger(result.bytes / result.totalRequests)).toBe(true);
    } finally {
      checker.closeAllConnections();
      await new Promise((resolve) => checker.close(resolve));
    }
  });

  it('reports a port that refuses connections as a failed run', async () => {
    const result = await wrkGenerator.run({ url: await refusingUrl(), paths: ['/'], connections: 2, durationSeconds: 1, keepAlive: true });
    expect(result.ok).toBe(false);
    expect(result.failure).toMatch(/wrk exited with code 1: unable to connect to 127\.0\.0\.1:\d+ Connection refused/);
    expect(result.requestsPerSecond).toBeNull();
    expect(result.latencyUs).toBeNull();
  });
});
