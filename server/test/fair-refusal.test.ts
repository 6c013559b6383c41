/**
 * Chapter 14: fair refusal. Past the in-flight limit, a search from a connection asking far
 * less than the others is still served; the greedy connections are refused. Deterministic, as
 * in shedding.test.ts: requests written while the server is stopped (SIGSTOP) are read in one
 * turn, in the order they arrived.
 */
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { SAMPLE_RANGE, buildPrivateBundle, pipelined, request, serverCommand, startServerProcess, stopProcess, tempDir, waitFor, type ServerProcess } from './helpers.ts';

const SEARCH = `/search?${SAMPLE_RANGE}`;
const GREEDY = 40;
const LIMIT = 10; // a tenth of it may be served past it per turn: 1

/** Established server-side sockets on `port` with unread bytes in the kernel (Linux /proc/net/tcp). */
function waitingRequests(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).filter((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '01' && parseInt(fields[4]?.split(':')[1] ?? '0', 16) > 0;
  }).length;
}

/** One search on each socket, all read by the server in one turn; the statuses in the sockets' order. */
async function oneTurn(server: ServerProcess, sockets: net.Socket[]): Promise<number[]> {
  const pid = server.child.pid!;
  let exchanges: Promise<number>[] = [];
  try {
    await stopProcess(pid);
    // Written one after the other: on loopback each write is queued at once, so the server reads them in this order.
    exchanges = sockets.map((socket) => pipelined(server.port, [SEARCH], socket).then(({ answers }) => answers[0].status));
    await waitFor('every request in the server sockets\' receive queues', () => waitingRequests(server.port) === sockets.length);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  return Promise.all(exchanges);
}

describe.each([
  ['fair', 200],
  ['unfair', 503],
])('--refusal %s, --max-in-flight 10, 40 greedy connections', (refusal, politeStatus) => {
  let bundle: string;
  let simulator: Simulator;
  let server: ServerProcess;
  const sockets: net.Socket[] = [];

  beforeAll(async () => {
    bundle = buildPrivateBundle();
    simulator = await startSimulator({ mode: 'samples' });
    server = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir: tempDir('fair-refusal'), pollIntervalMs: 50, extra: ['--limiter', 'fixed', '--max-in-flight', String(LIMIT), '--refusal', refusal] }));
    await waitFor('data loaded', async () => (await request(`${server.url}/health`)).status === 200);
    // Established connections (a connection's first request is read in a turn of its own, at accept).
    for (let i = 0; i <= GREEDY; i++) {
      const { answers, socket } = await pipelined(server.port, [SEARCH]);
      expect(answers[0].status).toBe(200);
      sockets.push(socket);
    }
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    expect(await server.stop()).toBe(0);
    await simulator.close();
  });

  it(`refuses the greedy connections past the limit and answers the polite one ${politeStatus}`, async () => {
    const greedy = sockets.slice(0, GREEDY);
    const polite = sockets[GREEDY];
    // Two turns of greedy overload: the connections past the limit get a history of asking.
    for (let turn = 0; turn < 2; turn++) {
      const statuses = await oneTurn(server, greedy);
      expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(200));
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(GREEDY - LIMIT - 1);
    }
    // Then the polite connection's one search, read last in a turn of greedy ones.
    const statuses = await oneTurn(server, [...greedy, polite]);
    expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(200));
    expect(statuses.slice(LIMIT, GREEDY)).toEqual(Array(GREEDY - LIMIT).fill(503));
    expect(statuses[GREEDY]).toBe(politeStatus);
  });
});
