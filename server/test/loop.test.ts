/**
 * Ingestion never blocks the loop: while a large document (about 11 MB) is being parsed,
 * merged and stored, searches keep being answered one after another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { buildPrivateBundle, request, serverCommand, startServerProcess, tempDir, waitFor, type ServerProcess } from './helpers.ts';

describe('a large document being ingested', () => {
  let simulator: Simulator;
  let server: ServerProcess;

  beforeAll(async () => {
    const bundle = buildPrivateBundle();
    simulator = await startSimulator({ mode: 'generated', seed: 3, basePlans: 10_000, plansPerBase: 4, years: 3 });
    server = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir: tempDir('loop'), pollIntervalMs: 1 }));
    await waitFor('first document ingested', () => server.logs().some((l) => l.msg === 'poll.ok'), 60_000);
  }, 90_000);

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
    await simulator.close();
  });

  it('does not stop searches from being answered', async () => {
    const sent = simulator.answers();
    await waitFor('the next document sent', () => simulator.answers() > sent, 60_000);
    const polled = server.logs().filter((l) => l.msg === 'poll.ok').length;
    // Searches one after another until that document's poll.ok. With parsing on the loop (chapter 4) a dozen
    // get through (before and after the parse); with the parse in a worker, hundreds.
    let answered = 0;
    while (server.logs().filter((l) => l.msg === 'poll.ok').length === polled) {
      const res = await request(`${server.url}/search?starts_at=2022-01-01&ends_at=2022-01-08`);
      expect(res.status).toBe(200);
      answered++;
    }
    expect(answered).toBeGreaterThanOrEqual(200); // chapter 4, parsing on the loop, answers about a dozen
  }, 90_000);
});
