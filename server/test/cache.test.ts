/**
 * The response cache never changes an answer: a server with it and one without answer the
 * same bytes for the same windows, and a catalogue change is seen at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../simulator/prng.ts';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { EXPECTED_SAMPLE_EVENTS, SAMPLE_RANGE, buildPrivateBundle, request, serverCommand, startServerProcess, tempDir, waitFor, type ServerProcess } from './helpers.ts';

let bundle: string;
beforeAll(() => {
  bundle = buildPrivateBundle();
});

const bytes = async (url: string): Promise<Buffer> => Buffer.from(await (await fetch(url)).arrayBuffer());

/** Windows like the bench's mix: seeded, skewed (a few often, many once), some spelled differently. */
function mixWindows(count: number, seed: number): string[] {
  const random = mulberry32(seed);
  const day = (d: number) => new Date(Date.UTC(2021, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
  const distinct = Array.from({ length: 60 }, () => {
    const start = Math.floor(random() * 1000);
    return [day(start), day(start + 7 + Math.floor(random() * 84))];
  });
  return Array.from({ length: count }, () => {
    const [starts, ends] = distinct[Math.floor(distinct.length * random() ** 3)];
    return random() < 0.3 ? `starts_at=${starts}T00:00:00Z&ends_at=${ends}` : `starts_at=${starts}&ends_at=${ends}T00:00:00%2B00:00`;
  });
}

describe('cached and uncached answers', () => {
  const simulators: Simulator[] = [];
  let cached: ServerProcess;
  let uncached: ServerProcess;

  beforeAll(async () => {
    // One simulator each, one poll each (the interval outlasts the test): both hold answer 1 of the same seeded feed.
    const start = async (extra: string[]) => {
      const simulator = await startSimulator({ mode: 'generated', seed: 42, basePlans: 120, plansPerBase: 4, years: 3 });
      simulators.push(simulator);
      return startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir: tempDir('cache'), pollIntervalMs: 600_000, extra }));
    };
    // One HTTP process for the cached one: its /health then counts every hit (caches are per worker).
    [cached, uncached] = await Promise.all([start(['--workers', '1']), start(['--cache-max-bytes', '0'])]);
    await waitFor('both ready', async () => (await request(`${cached.url}/health`)).status === 200 && (await request(`${uncached.url}/health`)).status === 200);
  });

  afterAll(async () => {
    await cached.stop();
    await uncached.stop();
    await Promise.all(simulators.map((s) => s.close()));
  });

  it('are byte-identical under a skewed mix of windows', async () => {
    expect(simulators.map((s) => s.answers())).toEqual([1, 1]);
    for (const query of mixWindows(400, 20260601)) {
      const [a, b] = await Promise.all([bytes(`${cached.url}/search?${query}`), bytes(`${uncached.url}/search?${query}`)]);
      if (!a.equals(b)) expect(a.toString()).toBe(b.toString());
    }
    const health = (await request(`${cached.url}/health`)).body.data.cache;
    expect(health.hits).toBeGreaterThan(200);
    expect(health.hitRate).toBeGreaterThan(0.5);
    expect(health.peakBytes).toBeGreaterThan(0);
    expect((await request(`${uncached.url}/health`)).body.data.cache).toMatchObject({ hits: 0, entries: 0, maxBytes: 0 });
  });
});

describe('a catalogue change', () => {
  it('is answered at once, never from a stale cache entry', async () => {
    const simulator = await startSimulator({ mode: 'samples' });
    // The next poll comes 2 s after answer 1: time enough to make the provider fail first.
    const server = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir: tempDir('cache-change'), pollIntervalMs: 2000, extra: ['--backoff-max', '50'] }));
    try {
      await waitFor('ready on answer 1', async () => (await request(`${server.url}/health`)).status === 200);
      simulator.setFaults({ failRate: 1 }); // hold the service at answer 1
      expect(simulator.answers()).toBe(1);
      const first = await request(`${server.url}/search?${SAMPLE_RANGE}`);
      expect((await request(`${server.url}/search?${SAMPLE_RANGE}`)).body).toEqual(first.body); // now cached
      expect(first.body.data.events).not.toEqual(EXPECTED_SAMPLE_EVENTS);
      simulator.setFaults({});
      await waitFor('answer 3 ingested', () => simulator.answers() >= 3);
      await waitFor('answer 3 served', async () => (await request(`${server.url}/health`)).body.data.pollsOk >= 3);
      expect((await request(`${server.url}/search?${SAMPLE_RANGE}`)).body.data.events).toEqual(EXPECTED_SAMPLE_EVENTS);
    } finally {
      await server.stop();
      await simulator.close();
    }
  });
});
