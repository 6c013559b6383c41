/**
 * State survives restarts and crashes: the store is replaced atomically, a corrupt one is set
 * aside (never silently emptied), and a restarted server answers from disk before any poll.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { decodeStore } from '../src/store.ts';
import { EXPECTED_SAMPLE_EVENTS, SAMPLE_RANGE, buildPrivateBundle, request, serverCommand, startServerProcess, tempDir, waitFor } from './helpers.ts';

let bundle: string;
beforeAll(() => {
  bundle = buildPrivateBundle();
});

describe('restart', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startSimulator({ mode: 'samples' });
  });
  afterAll(() => simulator.close());

  it('serves the same answers from disk before the first poll', async () => {
    const dataDir = tempDir('restart');
    const first = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir, pollIntervalMs: 20 }));
    await waitFor('answers 1-3 ingested', () => simulator.requests() >= 4);
    const before = await request(`${first.url}/search?${SAMPLE_RANGE}`);
    expect(before.body.data.events).toEqual(EXPECTED_SAMPLE_EVENTS);
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.logs().some((l) => l.msg === 'shutdown.done')).toBe(true);

    simulator.setFaults({ hangRate: 1 }); // the restarted server can only answer from disk
    const second = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir }));
    try {
      expect((await request(`${second.url}/health`)).status).toBe(200);
      const after = await request(`${second.url}/search?${SAMPLE_RANGE}`);
      expect(after.body).toEqual(before.body);
      expect(second.logs().some((l) => l.msg === 'poll.ok')).toBe(false);
    } finally {
      expect(await second.stop('SIGINT')).toBe(0);
    }
  });

  it('reports degraded after a restart with the provider down, still serving from disk', async () => {
    const dataDir = tempDir('restart-degraded');
    simulator.setFaults({});
    const first = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir, pollIntervalMs: 60_000 }));
    await waitFor('ready', async () => (await request(`${first.url}/health`)).status === 200);
    expect(await first.stop('SIGTERM')).toBe(0);

    simulator.setFaults({ failRate: 1 });
    const second = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir, extra: ['--backoff-max', '20'] }));
    try {
      const health = await waitFor('degraded', async () => {
        const res = await request(`${second.url}/health`);
        return res.body.data.status === 'degraded' ? res : null;
      });
      expect(health.status).toBe(200);
      expect(health.body.data).toMatchObject({ pollsOk: 0, lastPollAt: null, lastError: expect.stringContaining('503') });
      expect(health.body.data.catalogueAgeMs).toBeGreaterThanOrEqual(0);
      expect((await request(`${second.url}/search`)).status).toBe(200);
    } finally {
      await second.stop();
      simulator.setFaults({});
    }
  });

  it('sets a corrupt store aside, reports it, and rebuilds from the provider', async () => {
    const dataDir = tempDir('corrupt');
    writeFileSync(path.join(dataDir, 'store.json'), '{"format":"event-search-store","version":1,"plans":[{"basePl');
    simulator.setFaults({ hangRate: 1 });
    const server = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir, extra: ['--poll-timeout', '300'] }));
    try {
      expect((await request(`${server.url}/health`)).status).toBe(503);
      const setAside = readdirSync(dataDir).filter((name) => name.startsWith('store.json.corrupt-'));
      expect(setAside).toHaveLength(1);
      expect(readFileSync(path.join(dataDir, setAside[0]), 'utf8')).toContain('"basePl');
      expect(server.logs().some((l) => l.msg === 'store.corrupt' && l.level === 'error')).toBe(true);
      simulator.setFaults({});
      await waitFor('ready from the provider', async () => (await request(`${server.url}/health`)).status === 200);
    } finally {
      await server.stop();
    }
  });
});

describe('crash (SIGKILL) during writes', () => {
  it('never leaves an unreadable or emptier store', async () => {
    const simulator = await startSimulator({ mode: 'generated', seed: 7, basePlans: 30, plansPerBase: 3, growthPerAnswer: 8 });
    const dataDir = tempDir('crash');
    const storeFile = path.join(dataDir, 'store.json');
    let previousPlans = 0;
    try {
      for (let cycle = 0; cycle < 6; cycle++) {
        const server = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir, pollIntervalMs: 1 }));
        const target = simulator.answers() + 3 + cycle;
        await waitFor('more answers', () => simulator.answers() >= target);
        // Kill at an arbitrary point of the poll/write cycle.
        await new Promise((r) => setTimeout(r, cycle * 3));
        expect(await server.stop('SIGKILL')).toBe('SIGKILL');
        const state = decodeStore(readFileSync(storeFile, 'utf8'));
        expect(state.plans.size).toBeGreaterThanOrEqual(previousPlans);
        previousPlans = state.plans.size;
      }
      expect(previousPlans).toBeGreaterThan(90);

      // And the crashed store serves straight away, temp files cleaned up.
      simulator.setFaults({ hangRate: 1 });
      const server = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir }));
      try {
        expect((await request(`${server.url}/health`)).status).toBe(200);
        const all = await request(`${server.url}/search`);
        expect(all.body.data.events.length).toBeGreaterThan(0);
        expect(readdirSync(dataDir).filter((n) => n.includes('.tmp-'))).toEqual([]);
      } finally {
        await server.stop();
      }
    } finally {
      await simulator.close();
    }
  });
});

describe('command line', () => {
  const run = async (args: string[]) => {
    const { spawnSync } = await import('node:child_process');
    return spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  };

  it('prints --help and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--poll-interval');
    expect(result.stdout).toContain('PROVIDER_URL');
  });

  it.each([
    [['--port', 'eighty', '--provider-url', 'http://127.0.0.1:1'], '--port'],
    [['--provider-url', 'http://127.0.0.1:1', '--bogus'], '--bogus'],
    [['--port', '8080'], '--provider-url'],
    [['--provider-url', 'ftp://example'], '--provider-url'],
    [['--provider-url', 'http://127.0.0.1:1', '--poll-interval', '0'], '--poll-interval'],
  ])('rejects %j with a readable message and exit code 2', async (args, mentioned) => {
    const result = await run(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(mentioned);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
