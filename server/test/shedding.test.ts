/**
 * Chapter 8: load shedding. Searches beyond --max-in-flight in one event-loop turn are answered
 * 503 overloaded at once, keeping the connection; --max-connections closes sockets at accept.
 * The load is made deterministic, without timing: pipelined requests in one write are read in
 * one turn, and connections opened while the server is stopped (SIGSTOP) are read together.
 * The limit on every turn, by count, is `--standing-ms 0 --target-ms 0`; by default it waits for a standing queue
 * (chapter 18) and then refuses by the turn's time (chapter 19).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { SAMPLE_RANGE, buildPrivateBundle, metricValue, pipelined, request, scrape, requestsInOneTurn, serverCommand, startServerProcess, tempDir, waitFor, type ServerProcess } from './helpers.ts';

const SEARCH = `/search?${SAMPLE_RANGE}`;

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with what the server sent before it closed the socket (or reset it). */
function untilClosed(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => resolve(received));
  });
}

describe('with a tiny limit', () => {
  let bundle: string;
  let simulator: Simulator;

  beforeAll(async () => {
    bundle = buildPrivateBundle();
    simulator = await startSimulator({ mode: 'samples' });
  });

  afterAll(async () => {
    await simulator.close();
  });

  const start = async (extra: string[]): Promise<{ server: ServerProcess; metricsUrl: string }> => {
    const server = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir: tempDir('shedding'), pollIntervalMs: 50, extra: ['--metrics-port', '0', ...extra] }));
    await waitFor('data loaded', async () => (await request(`${server.url}/health`)).status === 200);
    const metricsPort = server.logs().find((l) => l.msg === 'listening')?.metricsPort as number;
    return { server, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
  };

  describe('--max-in-flight 2', () => {
    let server: ServerProcess;
    let metricsUrl: string;

    beforeAll(async () => {
      ({ server, metricsUrl } = await start(['--limiter', 'fixed', '--max-in-flight', '2', '--standing-ms', '0', '--target-ms', '0']));
    });

    afterAll(async () => {
      expect(await server.stop()).toBe(0);
    });

    it('answers the searches beyond the limit 503 overloaded at once, Retry-After 1, and keeps the connection', async () => {
      const counters = async () => {
        const text = (await scrape(metricsUrl)).text;
        return [metricValue(text, 'http_requests_shed_total', { reason: 'max_in_flight' }) ?? 0, metricValue(text, 'http_requests_total', { route: '/search', status: '503' }) ?? 0];
      };
      const before = await counters();
      const { answers, socket } = await pipelined(server.port, Array(6).fill(SEARCH));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 503, 503, 503, 503]);
      for (const shed of answers.slice(2)) {
        expect(shed.headers['retry-after']).toBe('1');
        expect(shed.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(shed.body).toEqual({ error: { code: 'overloaded', message: expect.any(String) }, data: null });
      }
      // The same connection, in a later turn: served.
      const again = await pipelined(server.port, [SEARCH], socket);
      expect(again.answers.map((a) => a.status)).toEqual([200]);
      socket.destroy();
      const after = await counters();
      expect([after[0] - before[0], after[1] - before[1]]).toEqual([4, 4]);
      expect(metricValue((await scrape(metricsUrl)).text, 'concurrency_limit')).toBe(2);
    });

    it('never sheds /health', async () => {
      const { answers, socket } = await pipelined(server.port, Array(5).fill('/health'));
      socket.destroy();
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    });

    it('sheds among connections whose requests were waiting together', async () => {
      // Established connections (a connection's first request is read in a turn of its own, at accept).
      const sockets: net.Socket[] = [];
      for (let i = 0; i < 6; i++) {
        const { answers, socket } = await pipelined(server.port, [SEARCH]);
        expect(answers[0].status).toBe(200);
        sockets.push(socket);
      }
      const statuses = await requestsInOneTurn(server, sockets, SEARCH);
      sockets.forEach((socket) => socket.destroy());
      expect(statuses.sort()).toEqual([200, 200, 503, 503, 503, 503]); // read in one turn: the first two served
    });
  });

  describe('--max-in-flight 2 with the default standing queue (chapter 18)', () => {
    let server: ServerProcess;

    beforeAll(async () => {
      // An interval no test run spans: one burst can never make a standing queue.
      ({ server } = await start(['--limiter', 'fixed', '--max-in-flight', '2', '--standing-ms', '60000']));
    });

    afterAll(async () => {
      expect(await server.stop()).toBe(0);
    });

    it('serves a burst read past the limit in one turn: the loop is not behind', async () => {
      const { answers, socket } = await pipelined(server.port, Array(6).fill(SEARCH));
      socket.destroy();
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    });
  });

  describe('--max-connections 1', () => {
    let server: ServerProcess;
    let metricsUrl: string;

    beforeAll(async () => {
      ({ server, metricsUrl } = await start(['--max-in-flight', '0', '--max-connections', '1']));
    });

    afterAll(async () => {
      expect(await server.stop()).toBe(0);
    });

    it('closes the extra socket at accept, and counts it', async () => {
      await waitFor('the readiness probe\'s connection gone', async () => metricValue((await scrape(metricsUrl)).text, 'concurrency_limit') === 1 && (await pipelined(server.port, [SEARCH]).then(({ socket }) => (socket.destroy(), true), () => false)));
      const dropped = async () => metricValue((await scrape(metricsUrl)).text, 'http_connections_dropped_total') ?? 0;
      const before = await dropped();
      const held = await pipelined(server.port, [SEARCH]); // answered: this connection is open and counted
      expect(held.answers[0].status).toBe(200);
      const extra = await connect(server.port);
      const closed = untilClosed(extra);
      extra.write(`GET ${SEARCH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, () => {});
      expect(await closed).toBe(''); // closed without a byte of answer
      expect((await pipelined(server.port, [SEARCH], held.socket)).answers[0].status).toBe(200); // the open one still served
      expect(await dropped()).toBe(before + 1);
      held.socket.destroy();
      await waitFor('a new connection served once the old one is gone', async () => pipelined(server.port, [SEARCH]).then(({ answers, socket }) => (socket.destroy(), answers[0].status === 200), () => false));
    });
  });
});
