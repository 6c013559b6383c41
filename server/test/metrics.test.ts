/**
 * Chapter 7: Prometheus metrics on a side port (--metrics-port). The counters move by exactly
 * the requests sent, the in-flight gauge sees requests read together, the catalogue metrics
 * follow the provider, and the side port answers nothing but /metrics.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { SAMPLE_RANGE, buildPrivateBundle, metricValue, pipelined, request, scrape, serverCommand, startServerProcess, tempDir, waitFor, type ServerProcess } from './helpers.ts';

describe('with --metrics-port 0', () => {
  let bundle: string;
  let simulator: Simulator;
  let server: ServerProcess;
  let metricsUrl: string;

  beforeAll(async () => {
    bundle = buildPrivateBundle();
    simulator = await startSimulator({ mode: 'samples' });
    server = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir: tempDir('metrics'), pollIntervalMs: 20, extra: ['--metrics-port', '0', '--turn-budget-ms', '0', '--target-ms', '0'] })); // pipelined batches all answered: no turn cut by the clock
    const metricsPort = server.logs().find((l) => l.msg === 'listening')?.metricsPort;
    expect(metricsPort).toEqual(expect.any(Number));
    expect(metricsPort).not.toBe(server.port);
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    await waitFor('answers 1-3 ingested', () => simulator.requests() >= 4);
  });

  afterAll(async () => {
    await server.stop();
    await simulator.close();
  });

  it('answers the Prometheus text format with every metric of the contract', async () => {
    const res = await scrape(metricsUrl);
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const name of ['http_requests_total', 'http_request_duration_seconds', 'http_requests_in_flight', 'event_loop_utilization', 'nodejs_eventloop_lag_p99_seconds', 'catalogue_age_seconds', 'catalogue_poll_failures_total', 'catalogue_events']) {
      expect(res.text).toContain(`# TYPE ${name} `);
    }
    expect(metricValue(res.text, 'catalogue_events')).toBe(3);
    const elu = metricValue(res.text, 'event_loop_utilization')!;
    expect(elu).toBeGreaterThanOrEqual(0);
    expect(elu).toBeLessThanOrEqual(1);
    expect(metricValue(res.text, 'catalogue_age_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('counts the requests sent, by route pattern and status, in the counter and the histogram', async () => {
    const series = [
      { route: '/search', status: '200' },
      { route: '/search', status: '400' },
      { route: '/health', status: '200' },
      { route: '/health', status: '405' },
      { route: 'unmatched', status: '404' },
    ];
    const counts = (text: string) => series.map((labels) => [metricValue(text, 'http_requests_total', labels) ?? 0, metricValue(text, 'http_request_duration_seconds_count', labels) ?? 0]);
    const before = counts((await scrape(metricsUrl)).text);
    for (let i = 0; i < 5; i++) expect((await request(`${server.url}/search?${SAMPLE_RANGE}`)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await request(`${server.url}/search?starts_at=nope`)).status).toBe(400);
    expect((await request(`${server.url}/health`)).status).toBe(200);
    expect((await request(`${server.url}/health`, { method: 'POST' })).status).toBe(405);
    for (let i = 0; i < 3; i++) expect((await request(`${server.url}/SEARCH`)).status).toBe(404);
    const after = counts((await scrape(metricsUrl)).text);
    expect(after.map(([total, histogram], i) => [total - before[i][0], histogram - before[i][1]])).toEqual([[5, 5], [2, 2], [1, 1], [1, 1], [3, 3]]);
  });

  it('keeps the histogram buckets cumulative, ending at the count', async () => {
    const text = (await scrape(metricsUrl)).text;
    const labels = { route: '/search', status: '200' };
    const buckets = text.split('\n').filter((l) => l.startsWith('http_request_duration_seconds_bucket{') && l.includes('route="/search"') && l.includes('status="200"')).map((l) => Number(l.split(' ')[1]));
    expect(buckets.length).toBeGreaterThan(2);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    expect(buckets.at(-1)).toBe(metricValue(text, 'http_request_duration_seconds_count', labels));
    expect(metricValue(text, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(metricValue(text, 'http_requests_total', labels));
  });

  it('sees requests read in the same loop turn as in flight together, and none once idle', async () => {
    // Eight pipelined requests in one write are read in one turn: the gauge (the largest such batch over the last second or two) shows them.
    await waitFor('eight requests in flight together', async () => {
      const { answers, socket } = await pipelined(server.port, Array.from({ length: 8 }, () => `/search?${SAMPLE_RANGE}`));
      socket.destroy();
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
      return (metricValue((await scrape(metricsUrl)).text, 'http_requests_in_flight') ?? 0) >= 8;
    });
    await waitFor('the gauge back to 0', async () => metricValue((await scrape(metricsUrl)).text, 'http_requests_in_flight') === 0);
  });

  it('counts failed polls and the catalogue\'s age', async () => {
    const failures = async () => metricValue((await scrape(metricsUrl)).text, 'catalogue_poll_failures_total')!;
    const before = await failures();
    simulator.setFaults({ failRate: 1 });
    await waitFor('two more failed polls', async () => (await failures()) >= before + 2);
    simulator.setFaults({});
    const text = (await scrape(metricsUrl)).text;
    expect(metricValue(text, 'catalogue_events')).toBe(3); // provider trouble never empties the catalogue
  });

  it.each([
    ['GET', '/'],
    ['GET', '/metrics/'],
    ['GET', '/search'],
    ['POST', '/metrics'],
  ])('answers 404 in the JSON error shape to %s %s on the side port', async (method, path) => {
    const res = await request(metricsUrl.replace('/metrics', path), { method });
    expect(res.status).toBe(404);
    expect(res.contentType).toBe('application/json; charset=utf-8');
    expect(res.body).toMatchObject({ data: null, error: { code: 'not_found' } });
  });

  it('closes the side port with the service on SIGTERM, exit code 0', async () => {
    expect(await server.stop('SIGTERM')).toBe(0);
    await expect(fetch(metricsUrl)).rejects.toThrow();
  });

  it.each([
    [['--metrics-port', 'abc'], '--metrics-port: "abc" is not a port number (0-65535)'],
    [['--metrics-port', '0', '--workers', '2'], '--metrics-port needs --workers 1 (got 2): the metrics describe a single process'],
  ])('refuses %j with a readable message and exit code 2', (extra, message) => {
    const run = spawnSync(process.execPath, serverCommand(bundle, { providerUrl: simulator.url, dataDir: tempDir('metrics-bad'), extra }).slice(1), { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
