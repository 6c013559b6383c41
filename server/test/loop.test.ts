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
    const pollsOk = () => server.logs().filter((l) => l.msg === 'poll.ok');
    const polled = pollsOk().length;
    // Searches one after another until that document's poll.ok, each answer's time noted.
    const answeredAt: number[] = [];
    while (pollsOk().length === polled) {
      const res = await request(`${server.url}/search?starts_at=2022-01-01&ends_at=2022-01-08`);
      expect(res.status).toBe(200);
      answeredAt.push(Date.now());
    }
    // The ingest (parse, merge, store) ran in [end - durationMs, end] by the server's own clock, the same
    // machine's as ours. With parsing on the loop (chapter 4) no answer comes out while it parses: one gap
    // covers most of that window. With the parse in a worker the longest gap is one search's time, however
    // slow this machine is today, so the bound is a share of the ingest's own duration, not a fixed time.
    const done = pollsOk()[polled]!;
    const end = Date.parse(String(done.time));
    const durationMs = Number(done.durationMs);
    expect(durationMs).toBeGreaterThan(0);
    expect(longestGap(answeredAt, end - durationMs, end)).toBeLessThan(durationMs / 2);
  }, 90_000);
});

/** The longest time within [from, to] with no answer, the window's edges counting as answers. */
function longestGap(times: number[], from: number, to: number): number {
  const inside = [from, ...times.filter((t) => t > from && t < to), to];
  return Math.max(...inside.slice(1).map((t, i) => t - inside[i]!));
}
