import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { silentLogger } from './log.ts';
import { backoffDelay, fetchDocument, Poller } from './poller.ts';

describe('backoffDelay', () => {
  it('grows exponentially with jitter between half and the full ceiling, capped', () => {
    expect(backoffDelay(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(4, 100, 10_000, () => 1)).toBe(800);
    expect(backoffDelay(40, 100, 10_000, () => 0.5)).toBe(7500);
  });
});

describe('fetchDocument against the simulator', () => {
  let simulator: Simulator;
  const limits = { connectTimeoutMs: 1000, totalTimeoutMs: 5000, maxBodyBytes: 100_000 };
  beforeAll(async () => {
    simulator = await startSimulator({ mode: 'samples' });
  });
  afterAll(() => simulator.close());
  const feed = () => new URL(`${simulator.url}/api/events`);

  it('returns the document', async () => {
    simulator.setFaults({});
    expect((await fetchDocument(feed(), limits)).toString('utf8')).toContain('<planList');
  });
  it('rejects a 503', async () => {
    simulator.setFaults({ failRate: 1 });
    await expect(fetchDocument(feed(), limits)).rejects.toThrow('HTTP 503');
  });
  it('refuses an oversize body without buffering it', async () => {
    simulator.setFaults({ oversizeBytes: 10_000_000 });
    await expect(fetchDocument(feed(), limits)).rejects.toThrow('100000-byte cap');
  });
  it('gives up on a hanging answer at its deadline', async () => {
    simulator.setFaults({ hangRate: 1 });
    await expect(fetchDocument(feed(), { ...limits, totalTimeoutMs: 100 })).rejects.toThrow('within 100 ms');
  });
  it('can be aborted', async () => {
    simulator.setFaults({ hangRate: 1 });
    const abort = new AbortController();
    const pending = fetchDocument(feed(), limits, abort.signal);
    abort.abort();
    await expect(pending).rejects.toThrow('aborted');
  });
  it('fails fast when nothing listens', async () => {
    await expect(fetchDocument(new URL('http://127.0.0.1:1/api/events'), limits)).rejects.toThrow();
  });
});

describe('Poller', () => {
  it('polls at once, one poll at a time, and stop() waits for the current one', async () => {
    const simulator = await startSimulator({ mode: 'samples', faults: { latencyMs: 30 } });
    let ingested = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const poller = new Poller({
      feedUrl: new URL(`${simulator.url}/api/events`),
      intervalMs: 1,
      limits: { connectTimeoutMs: 1000, totalTimeoutMs: 5000, maxBodyBytes: 100_000 },
      backoffBaseMs: 1,
      backoffMaxMs: 5,
      log: silentLogger,
      ingest: async () => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setTimeout(r, 5));
        concurrent--;
        ingested++;
        return true;
      },
    });
    poller.start();
    while (ingested < 4) await new Promise((r) => setTimeout(r, 5));
    await poller.stop();
    await new Promise((r) => setTimeout(r, 50)); // an aborted request may still be reaching the simulator
    const after = simulator.requests();
    await new Promise((r) => setTimeout(r, 100));
    expect(simulator.requests()).toBe(after); // nothing scheduled after stop()
    expect(simulator.maxInFlight()).toBe(1);
    expect(maxConcurrent).toBe(1);
    await simulator.close();
  });
});
