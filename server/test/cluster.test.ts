/**
 * Cluster mode (--workers n): one primary polls and writes the store, n HTTP processes answer
 * on the same port with the same data, a crashed worker is replaced, SIGTERM stops them all.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { EXPECTED_SAMPLE_EVENTS, SAMPLE_RANGE, buildPrivateBundle, request, serverCommand, startServerProcess, tempDir, waitFor, type ServerProcess } from './helpers.ts';

/** GET on a fresh TCP connection (no keep-alive), so the cluster's round robin picks a worker. */
function getOnNewConnection(url: string): Promise<any> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(JSON.parse(text)));
    }).on('error', reject);
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('with --workers 2', () => {
  let simulator: Simulator;
  let server: ServerProcess;
  const pidsSeen = new Set<number>();

  beforeAll(async () => {
    const bundle = buildPrivateBundle();
    simulator = await startSimulator({ mode: 'samples' });
    server = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir: tempDir('cluster'), pollIntervalMs: 20, extra: ['--workers', '2'] }));
    await waitFor('answers 1-3 ingested', () => simulator.requests() >= 4);
  });

  afterAll(async () => {
    await simulator.close();
  });

  it('answers from both workers, each with the same data and the primary\'s poll status', async () => {
    const workers = new Set<number>();
    await waitFor('both workers answered', async () => {
      const health = await getOnNewConnection(`${server.url}/health`);
      expect(health.data).toMatchObject({ status: 'ok', workers: 2, events: 3 });
      expect(health.data.pollsOk).toBeGreaterThanOrEqual(3);
      workers.add(health.data.worker);
      pidsSeen.add(health.data.pid);
      return workers.size === 2;
    });
    for (let i = 0; i < 4; i++) expect((await getOnNewConnection(`${server.url}/search?${SAMPLE_RANGE}`)).data.events).toEqual(EXPECTED_SAMPLE_EVENTS);
    expect([...workers].sort()).toEqual([1, 2]);
    expect(pidsSeen.has(server.child.pid!)).toBe(false); // the primary answers no requests
  });

  it('replaces a worker that crashes, and keeps answering', async () => {
    const [victim] = pidsSeen;
    process.kill(victim, 'SIGKILL');
    await waitFor('the crash noticed', () => server.logs().some((l) => l.msg === 'worker.died'));
    await waitFor('a replacement answering', async () => {
      const health = await getOnNewConnection(`${server.url}/health`);
      if (!pidsSeen.has(health.data.pid)) pidsSeen.add(health.data.pid);
      return pidsSeen.size >= 3 && health.data.status === 'ok';
    });
    expect((await request(`${server.url}/search?${SAMPLE_RANGE}`)).body.data.events).toEqual(EXPECTED_SAMPLE_EVENTS);
  });

  it('stops every process on SIGTERM, exit code 0', async () => {
    expect(await server.stop('SIGTERM')).toBe(0);
    await waitFor('workers gone', () => [...pidsSeen].every((pid) => !alive(pid)));
    expect(server.logs().some((l) => l.msg === 'shutdown.done')).toBe(true);
    // Each worker still running at the end logs its cache totals on the way out.
    const cacheLines = server.logs().filter((l) => l.msg === 'cache.stats');
    expect(new Set(cacheLines.map((l) => l.worker)).size).toBe(2);
    expect(cacheLines.every((l) => typeof l.hits === 'number' && typeof l.misses === 'number')).toBe(true);
  });
});
