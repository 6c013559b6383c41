/**
 * Chapter 11's "also fixed": one spelling per resource, every protocol-level error in the JSON
 * error shape with its own status (417, 408, 405 for CONNECT), and malformed requests kept out
 * of the route counters.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { SAMPLE_RANGE, buildPrivateBundle, metricValue, parseRawAnswer, rawExchange, scrape, serverCommand, startServerProcess, tempDir, waitFor, type ServerProcess } from './helpers.ts';

/** Every sample of http_requests_total, summed. */
function requestsCounted(text: string): number {
  return text.split('\n').filter((l) => l.startsWith('http_requests_total{')).reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

describe('protocol-level errors and spellings', () => {
  let simulator: Simulator;
  let server: ServerProcess;
  let metricsUrl: string;

  beforeAll(async () => {
    const bundle = buildPrivateBundle();
    simulator = await startSimulator({ mode: 'samples' });
    server = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir: tempDir('protocol'), extra: ['--metrics-port', '0', '--headers-timeout', '500'] }));
    metricsUrl = `http://127.0.0.1:${server.logs().find((l) => l.msg === 'listening')?.metricsPort}/metrics`;
    await waitFor('ready', async () => (await fetch(`${server.url}/health`)).status === 200);
  });

  afterAll(async () => {
    await server.stop();
    await simulator.close();
  });

  it.each([['/%73earch'], ['/%68ealth'], ['/search%2F'], ['/%2Fsearch']])('has one spelling per resource: %s is 404', async (route) => {
    const answer = parseRawAnswer(await rawExchange(server.port, `GET ${route}?${SAMPLE_RANGE} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: { code: 'not_found', message: expect.any(String) }, data: null });
  });

  it('answers an Expect it cannot meet with 417 in the JSON error shape', async () => {
    const answer = parseRawAnswer(await rawExchange(server.port, `GET /search?${SAMPLE_RANGE} HTTP/1.1\r\nHost: x\r\nExpect: foo\r\n\r\n`));
    expect(answer.status).toBe(417);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    expect(answer.body).toEqual({ error: { code: 'expectation_failed', message: expect.any(String) }, data: null });
  });

  it('answers CONNECT with 405 in the JSON error shape, naming the methods allowed', async () => {
    const text = await rawExchange(server.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    const answer = parseRawAnswer(text);
    expect(answer.status).toBe(405);
    expect(text).toMatch(/\r\nAllow: GET, HEAD\r\n/i);
    expect(answer.body).toEqual({ error: { code: 'method_not_allowed', message: expect.any(String) }, data: null });
  });

  it('answers a header that never ends with 408 in the JSON error shape, then closes', async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write('GET /search HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    await closed;
    const answer = parseRawAnswer(received);
    expect(answer.status).toBe(408);
    expect(answer.body).toEqual({ error: { code: 'request_timeout', message: expect.any(String) }, data: null });
  });

  it('keeps malformed requests out of the route counters', async () => {
    const before = requestsCounted((await scrape(metricsUrl)).text);
    for (const target of ['/x%ZZ', '/search%zz']) {
      const answer = parseRawAnswer(await rawExchange(server.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('bad_request');
    }
    const answer = parseRawAnswer(await rawExchange(server.port, `GET /search?${SAMPLE_RANGE} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    expect(answer.status).toBe(200);
    const after = (await scrape(metricsUrl)).text;
    expect(requestsCounted(after) - before).toBe(1);
    expect(metricValue(after, 'http_requests_total', { route: 'unmatched', status: '400' })).toBeUndefined();
  });
});
