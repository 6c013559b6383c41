/**
 * A misbehaving provider never reaches a client: with it slow, failing, truncated, oversize or
 * hanging, /search keeps answering from the last good data, and polls never overlap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { EXPECTED_SAMPLE_EVENTS, SAMPLE_RANGE, buildPrivateBundle, request, serverCommand, startServerProcess, tempDir, waitFor, type ServerProcess } from './helpers.ts';

let bundle: string;
beforeAll(() => {
  bundle = buildPrivateBundle();
});

const expectLastGoodData = async (server: ServerProcess): Promise<void> => {
  const res = await request(`${server.url}/search?${SAMPLE_RANGE}`);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ data: { events: EXPECTED_SAMPLE_EVENTS }, error: null });
  expect((await request(`${server.url}/health`)).status).toBe(200);
};

describe('with a misbehaving provider', () => {
  let simulator: Simulator;
  let server: ServerProcess;

  beforeAll(async () => {
    simulator = await startSimulator({ mode: 'samples' });
    server = await startServerProcess(
      serverCommand(bundle, {
        providerUrl: simulator.url,
        dataDir: tempDir('resilience'),
        pollIntervalMs: 20,
        // A hanging request must outlive the test; retries stay quick.
        extra: ['--poll-timeout', '60000', '--backoff-max', '50', '--max-body-bytes', '200000'],
      }),
    );
    await waitFor('answers 1-3 ingested', () => simulator.requests() >= 4);
  });

  afterAll(async () => {
    expect(await server.stop('SIGTERM')).toBe(0); // also with a hanging poll in flight
    await simulator.close();
  });

  const failuresAfter = (since: number, count: number) =>
    waitFor(`${count} more provider requests`, () => simulator.requests() >= since + count);

  it('keeps serving while the provider is slow (seconds)', async () => {
    simulator.setFaults({ latencyMs: 2000 });
    await waitFor('a slow poll in flight', () => simulator.inFlight() === 1);
    await expectLastGoodData(server);
  });

  it('keeps serving while the provider answers 503', async () => {
    simulator.setFaults({ failRate: 1 });
    await failuresAfter(simulator.requests(), 4);
    await expectLastGoodData(server);
    expect(server.logs().some((l) => l.msg === 'poll.failed' && String(l.error).includes('503'))).toBe(true);
    // Still serving, but /health says the provider has been failing.
    const health = await request(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body.data).toMatchObject({ status: 'degraded', lastError: expect.stringContaining('503') });
    expect(health.body.data.consecutiveFailures).toBeGreaterThanOrEqual(3);
    expect(health.body.data.catalogueAgeMs).toBeGreaterThanOrEqual(0);
  });

  it('drops truncated documents as a whole', async () => {
    simulator.setFaults({ truncateRate: 1 });
    await failuresAfter(simulator.requests(), 4);
    await expectLastGoodData(server);
    expect(server.logs().some((l) => l.msg === 'poll.rejected')).toBe(true);
  });

  it('refuses oversize answers', async () => {
    simulator.setFaults({ oversizeBytes: 5_000_000 });
    await failuresAfter(simulator.requests(), 3);
    await expectLastGoodData(server);
    expect(server.logs().some((l) => l.msg === 'poll.failed' && String(l.error).includes('cap'))).toBe(true);
  });

  it('recovers when the provider behaves again', async () => {
    simulator.setFaults({});
    const okBefore = server.logs().filter((l) => l.msg === 'poll.ok').length;
    await waitFor('a successful poll', () => server.logs().filter((l) => l.msg === 'poll.ok').length > okBefore);
    const health = await request(`${server.url}/health`);
    expect(health.body.data).toMatchObject({ status: 'ok', consecutiveFailures: 0 });
  });

  it('answers searches while a provider request hangs', async () => {
    simulator.setFaults({ hangRate: 1 });
    await waitFor('a hanging poll', () => simulator.inFlight() === 1);
    const requestsBefore = simulator.requests();
    await expectLastGoodData(server);
    await expectLastGoodData(server);
    // The hanging request is still open: the searches did not wait for it.
    expect(simulator.inFlight()).toBe(1);
    expect(simulator.requests()).toBe(requestsBefore);
  });

  it('never overlaps two polls', () => {
    expect(simulator.maxInFlight()).toBe(1);
  });

  it('logs structured JSON lines only', () => {
    const nonJson = server.stderr().split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'));
    expect(nonJson).toEqual([]);
  });
});

describe('poll timeout', () => {
  it('gives up on a hanging provider and polls again', async () => {
    const simulator = await startSimulator({ mode: 'samples', faults: { hangRate: 1 } });
    const server = await startServerProcess(
      serverCommand(bundle, { providerUrl: simulator.url, dataDir: tempDir('timeout'), pollIntervalMs: 20, extra: ['--poll-timeout', '200', '--backoff-max', '50'] }),
    );
    try {
      expect((await request(`${server.url}/health`)).status).toBe(503);
      expect((await request(`${server.url}/health`)).body.error.code).toBe('not_ready');
      // No data yet and the provider failing: a search cannot be told from "no match", so it is 503 too.
      const search = await request(`${server.url}/search?${SAMPLE_RANGE}`);
      expect(search.status).toBe(503);
      expect(search.body).toEqual({ error: { code: 'not_ready', message: expect.any(String) }, data: null });
      await waitFor('a timed-out poll', () => server.logs().some((l) => l.msg === 'poll.failed' && String(l.error).includes('within 200 ms')));
      simulator.setFaults({});
      await waitFor('ready after the provider recovers', async () => (await request(`${server.url}/health`)).status === 200);
      expect(simulator.maxInFlight()).toBe(1);
    } finally {
      await server.stop();
      await simulator.close();
    }
  });
});
