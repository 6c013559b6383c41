/**
 * Chapter 10: the scaling signals on the metrics port — the rule in words, the rejection and
 * in-flight ratios, the server-side p99 over the rule's window, and the scale-out signal, which
 * fires while the limit sheds and falls once the load is gone. Load without timing: pipelined
 * searches in one write are read in one loop turn, so a fixed limit of 2 sheds the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { SAMPLE_RANGE, buildPrivateBundle, metricValue, pipelined, request, scrape, serverCommand, startServerProcess, tempDir, waitFor, type ServerProcess } from './helpers.ts';

const SEARCH = `/search?${SAMPLE_RANGE}`;

describe('the scaling signals', () => {
  let simulator: Simulator;
  let server: ServerProcess;
  let metrics: () => Promise<string>;

  beforeAll(async () => {
    const bundle = buildPrivateBundle();
    simulator = await startSimulator({ mode: 'samples' });
    const extra = ['--metrics-port', '0', '--limiter', 'fixed', '--max-in-flight', '2', '--standing-ms', '0', '--target-ms', '0', '--scale-out-window', '1', '--scale-out-rejection-ratio', '0.2'];
    server = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir: tempDir('signals'), pollIntervalMs: 50, extra }));
    await waitFor('data loaded', async () => (await request(`${server.url}/health`)).status === 200);
    const metricsUrl = `http://127.0.0.1:${server.logs().find((l) => l.msg === 'listening')?.metricsPort as number}/metrics`;
    metrics = async () => (await scrape(metricsUrl)).text;
  });

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
    await simulator.close();
  });

  it('states the rule in words, with the thresholds given', async () => {
    const text = await metrics();
    const info = /^scale_out_rule_info\{rule="([^"]*)"\} 1$/m.exec(text);
    expect(info?.[1]).toBe(
      'scale out when each of the last 1 s has event-loop utilisation >= 0.9 or in-flight >= 0.8 x limit or p99 >= 0.025 s;' +
        ' or when >= 0.2 of the requests of the last 1 s were shed',
    );
    for (const name of ['scale_out_signal', 'rejection_ratio', 'in_flight_ratio', 'http_request_p99_seconds']) expect(text).toContain(`# TYPE ${name} gauge`);
  });

  it('fires while the limit sheds, with the ratios and the p99 of what was served, and falls once the load is gone', async () => {
    const fired = await waitFor('the scale-out signal on', async () => {
      const { answers, socket } = await pipelined(server.port, Array(6).fill(SEARCH)); // 2 served, 4 shed
      socket.destroy();
      expect(answers.map((a) => a.status)).toEqual([200, 200, 503, 503, 503, 503]);
      const text = await metrics();
      return metricValue(text, 'scale_out_signal') === 1 ? text : null;
    });
    expect(metricValue(fired, 'rejection_ratio')).toBeGreaterThanOrEqual(0.2);
    expect(metricValue(fired, 'rejection_ratio')).toBeLessThanOrEqual(1);
    expect(metricValue(fired, 'in_flight_ratio')).toBeGreaterThan(0);
    expect(metricValue(fired, 'http_request_p99_seconds')).toBeGreaterThan(0);
    // No load: the window empties, nothing is shed, the loop idles.
    await waitFor('the scale-out signal off', async () => metricValue(await metrics(), 'scale_out_signal') === 0);
  });
});
