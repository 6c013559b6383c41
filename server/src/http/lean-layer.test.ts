import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pipelined } from '../../test/helpers.ts';
import { fixedLimit } from '../limit/in-flight-limit.ts';
import { UNFAIR_REFUSAL } from '../limit/fair-refusal.ts';
import type { Logger } from '../log.ts';
import type { SearchSource } from './routes.ts';
import { onClientError, serverTimeouts } from './client-error.ts';
import { LeanLayer } from './lean-layer.ts';
import { createHttpMetrics, createNodeListener, type HttpMetrics } from './node-layer.ts';
import { createRouteAnswers } from './route-answers.ts';

const BODY = Buffer.from('{"data":{"events":[]},"error":null}');
const EMPTY = JSON.parse(BODY.toString());
let answer = BODY;

/** A source whose every search is the same ready answer (a cache hit). */
const source = {
  ready: () => true,
  index: () => ({ version: 1, answer: () => answer }),
  cache: { get: (_version: number, _key: string, build: () => Buffer) => build() },
  status: () => ({ status: 'ok' }),
} as unknown as SearchSource;
const quiet = { info() {}, warn() {}, error() {} } as unknown as Logger;

/** Reads answers from `socket` until it closes; each answer's status, headers (lower-cased names) and body text; the answers at `headIndexes` (to HEAD requests) have none. */
function answersUntilClosed(socket: net.Socket, headIndexes: number[] = []): Promise<{ status: number; headers: Record<string, string>; body: string }[]> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk)).on('error', reject);
    socket.on('close', () => {
      const answers: { status: number; headers: Record<string, string>; body: string }[] = [];
      while (text.length > 0) {
        const end = text.indexOf('\r\n\r\n');
        const lines = text.slice(0, end).split('\r\n');
        const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const length: number = headIndexes.includes(answers.length) ? 0 : Number(headers['content-length'] ?? 0);
        answers.push({ status: Number(lines[0].split(' ')[1]), headers, body: text.slice(end + 4, end + 4 + length) });
        text = text.slice(end + 4 + length);
      }
      resolve(answers);
    });
  });
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

describe('LeanLayer on a node:http server', () => {
  let server: http.Server;
  let port: number;
  let metrics: HttpMetrics;
  /** Requests node:http's own listener answered (handed over); the others the lean layer answered. */
  let byNode: string[];

  beforeEach(async () => {
    metrics = createHttpMetrics();
    const answers = createRouteAnswers(source, quiet, metrics, fixedLimit(0), UNFAIR_REFUSAL);
    const nodeListener = createNodeListener(answers, metrics.turn);
    byNode = [];
    server = http.createServer(serverTimeouts(10_000), (req, res) => {
      byNode.push(`${req.method} ${req.url}`);
      nodeListener(req, res);
    });
    server.on('clientError', onClientError);
    LeanLayer.install(server, answers, metrics.turn);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
  });

  it('answers a pipelined batch itself, in order, the connection kept, and counts each in its route', async () => {
    // The same head twice in a row is parsed once (the connection keeps its last head); the answers must not tell.
    const { answers, socket } = await pipelined(port, ['/search', '/search', '/search?starts_at=2021-01-01', '/health', '/search']);
    socket.destroy();
    expect(answers.map((a) => [a.status, a.headers.connection, a.headers['keep-alive']])).toEqual([
      [200, 'keep-alive', 'timeout=5'],
      [200, 'keep-alive', 'timeout=5'],
      [200, 'keep-alive', 'timeout=5'],
      [200, 'keep-alive', 'timeout=5'],
      [200, 'keep-alive', 'timeout=5'],
    ]);
    expect(answers[1].body).toEqual(EMPTY);
    expect(answers[3].body).toEqual({ data: { status: 'ok' }, error: null });
    expect(byNode).toEqual([]);
    // The turn folds its answers in its check phase, before the turn that read them here: one more check phase is past it, however slow the machine.
    await new Promise((resolve) => setImmediate(resolve));
    const counted = [...metrics.tally.series()].map(({ route, tally }) => [route, tally.status, tally.count]);
    expect(counted).toEqual([
      ['/search', 200, 4],
      ['/health', 200, 1],
    ]);
    expect(metrics.turn.peakBatch()).toBe(5);
  });

  it('answers HEAD with the head alone, so the next answer on the connection still parses', async () => {
    const socket = net.connect(port, '127.0.0.1');
    const answers = answersUntilClosed(socket, [0]);
    socket.end('HEAD /search HTTP/1.1\r\nHost: x\r\n\r\nGET /search HTTP/1.1\r\nHost: x\r\n\r\n');
    const [headAnswer, getAnswer] = await answers;
    expect(headAnswer.headers['content-length']).toBe(String(BODY.length));
    expect(getAnswer.status).toBe(200);
    expect(JSON.parse(getAnswer.body)).toEqual(EMPTY);
    expect(byNode).toEqual([]);
  });

  it('hands the connection to node:http at the first request it does not take, bytes and order intact', async () => {
    const socket = net.connect(port, '127.0.0.1');
    const answers = answersUntilClosed(socket);
    socket.end(
      'GET /search HTTP/1.1\r\nHost: x\r\n\r\n' +
        'POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc' +
        'GET /%73earch HTTP/1.1\r\nHost: x\r\n\r\n' +
        'GET /search HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect((await answers).map((a) => [a.status, a.headers.connection])).toEqual([
      [200, 'keep-alive'],
      [405, 'keep-alive'],
      [404, 'keep-alive'],
      [200, 'close'],
    ]);
    expect(byNode).toEqual(['POST /search', 'GET /%73earch', 'GET /search']);
  });

  it('hands over a head cut across two reads: node:http reads the rest and answers it', async () => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    const answers = answersUntilClosed(socket);
    socket.write('GET /search HTTP/1.1\r\nHo');
    await sleep(50);
    socket.end('st: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect((await answers).map((a) => a.status)).toEqual([200, 200]);
    expect(byNode).toEqual(['GET /search', 'GET /health']);
  });

  it('leaves oversized heads to node:http: 431 in the JSON error shape, then closed', async () => {
    const socket = net.connect(port, '127.0.0.1');
    const answers = answersUntilClosed(socket);
    socket.write(`GET /search HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const [answer] = await answers;
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body).error.code).toBe('headers_too_large');
  });

  it.each([['GET /search HTTP/1.1 extra\r\nHost: x\r\n\r\n'], ['GET /search HTTP/1.1\r\nHost : x\r\n\r\n'], ['\u0001\u0002garbage\r\n\r\n']])('leaves a malformed request to node:http: 400 bad_request (%j)', async (bytes) => {
    const socket = net.connect(port, '127.0.0.1');
    const answers = answersUntilClosed(socket);
    socket.write(bytes);
    const [answer] = await answers;
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error.code).toBe('bad_request');
  });

  it('reads no further from a client that does not read its answers, until they drain', async () => {
    answer = Buffer.from(JSON.stringify({ data: { events: [], padding: 'x'.repeat(64 * 1024) }, error: null }));
    const serverSockets: net.Socket[] = [];
    server.on('connection', (socket: net.Socket) => serverSockets.push(socket));
    try {
      const client = net.connect(port, '127.0.0.1');
      client.pause();
      const requests = 1000; // 64 MiB of answers: more than the kernel's socket buffers hold
      client.write('GET /search HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(requests));
      await waitUntil(() => serverSockets[0]?.isPaused() === true);
      let received = 0;
      client.on('data', (chunk: Buffer) => (received += chunk.length)).resume();
      const head = (await pipelined(port, ['/search'])).answers[0]; // meanwhile another connection is answered
      expect(head.status).toBe(200);
      await waitUntil(() => received >= requests * answer.length);
      expect(serverSockets[0].isPaused()).toBe(false);
      client.destroy();
    } finally {
      answer = BODY;
    }
  });

  it('closes its idle connections when the server closes, even a client that keeps its side open', async () => {
    const { socket } = await pipelined(port, ['/search'], net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }));
    const ended = new Promise<void>((resolve) => socket.on('end', resolve));
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await ended;
    await closed; // the server's close waits for every connection: this one is closed by the server alone
    socket.destroy();
    server = http.createServer(); // afterEach closes a server
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
});
