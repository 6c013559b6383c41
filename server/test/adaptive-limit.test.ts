/**
 * Chapter 9: the adaptive concurrency limit (the default, --limiter adaptive). It starts at
 * --max-in-flight, decides the same 503 overloaded answers as chapter 8's fixed limit, learns
 * from the searches it serves, and exports its limit and its two RTT estimates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { SAMPLE_RANGE, buildPrivateBundle, metricValue, pipelined, request, scrape, serverCommand, startServerProcess, tempDir, waitFor, type ServerProcess } from './helpers.ts';

const SEARCH = `/search?${SAMPLE_RANGE}`;

describe('the adaptive limit', () => {
  let bundle: string;
  let simulator: Simulator;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    bundle = buildPrivateBundle();
    simulator = await startSimulator({ mode: 'samples' });
  });

  afterAll(async () => {
    for (const server of servers) expect(await server.stop()).toBe(0);
    await simulator.close();
  });

  const start = async (extra: string[]): Promise<{ server: ServerProcess; metrics: () => Promise<string> }> => {
    const server = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir: tempDir('adaptive'), pollIntervalMs: 50, extra: ['--metrics-port', '0', ...extra] }));
    servers.push(server);
    await waitFor('data loaded', async () => (await request(`${server.url}/health`)).status === 200);
    const metricsUrl = `http://127.0.0.1:${server.logs().find((l) => l.msg === 'listening')?.metricsPort as number}/metrics`;
    return { server, metrics: async () => (await scrape(metricsUrl)).text };
  };

  it('is the default: it starts at --max-in-flight and learns its RTTs from the searches served', async () => {
    const { server, metrics } = await start([]);
    const text = await metrics();
    expect(metricValue(text, 'concurrency_limit')).toBe(64);
    expect(metricValue(text, 'limiter_rtt_seconds')).toBeNaN(); // no search served yet
    expect(metricValue(text, 'limiter_rtt_noload_seconds')).toBeNaN();
    const rtts = await waitFor('a window with searches', async () => {
      expect((await request(`${server.url}${SEARCH}`)).status).toBe(200);
      const now = await metrics();
      const rtt = metricValue(now, 'limiter_rtt_seconds');
      return rtt !== undefined && rtt > 0 ? { rtt, noLoad: metricValue(now, 'limiter_rtt_noload_seconds') } : null;
    });
    expect(rtts.noLoad).toBeGreaterThan(0);
    expect(Number.isFinite(rtts.rtt) && Number.isFinite(rtts.noLoad)).toBe(true);
  });

  it('sheds the searches of a loop turn beyond its limit, as the fixed limit does', async () => {
    const { server, metrics } = await start(['--max-in-flight', '2', '--limit-min', '2', '--limit-max', '2', '--standing-ms', '0', '--target-ms', '0']);
    const { answers, socket } = await pipelined(server.port, Array(5).fill(SEARCH));
    socket.destroy();
    expect(answers.map((a) => a.status)).toEqual([200, 200, 503, 503, 503]);
    expect(answers[4].body).toEqual({ error: { code: 'overloaded', message: expect.any(String) }, data: null });
    expect(metricValue(await metrics(), 'http_requests_shed_total', { reason: 'max_in_flight' })).toBe(3);
  });

  it('raises its limit while turns fill it and latency stays at its no-load level', async () => {
    const { server, metrics } = await start(['--max-in-flight', '4', '--limit-min', '2', '--limit-max', '64', '--turn-budget-ms', '0', '--target-ms', '0']); // counts only: no turn cut by the clock
    const limit = await waitFor('the limit raised above its start', async () => {
      const current = metricValue(await metrics(), 'concurrency_limit') ?? 0;
      // One turn of `current` searches, all within the limit: the limiter sees it full.
      const { answers, socket } = await pipelined(server.port, Array(current).fill(SEARCH));
      socket.destroy();
      expect(answers.every((a) => a.status === 200)).toBe(true);
      return current > 4 ? current : null;
    });
    expect(limit).toBeLessThanOrEqual(64);
  });

  it('is replaced by chapter 8\'s fixed limit with --limiter fixed: no RTT estimates', async () => {
    const { metrics } = await start(['--limiter', 'fixed']);
    const text = await metrics();
    expect(metricValue(text, 'concurrency_limit')).toBe(64);
    expect(text).not.toContain('limiter_rtt_seconds');
  });
});
