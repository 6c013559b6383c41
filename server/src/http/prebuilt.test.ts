import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelined } from '../../test/helpers.ts';
import { PrebuiltAnswers, head } from './prebuilt.ts';

/** Writes `bytes` on a fresh connection; resolves with everything received until the server closes it. */
function rawKeptExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk)).on('error', reject).on('close', () => resolve(received));
    socket.write(bytes);
  });
}

describe('head', () => {
  it('is the status line and headers node:http writes for a keep-alive JSON answer', () => {
    expect(head({ status: 503, body: '', headers: { 'retry-after': '1' } }, 12, 'Sat, 05 Dec 2026 19:00:00 GMT')).toBe(
      'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 12\r\nretry-after: 1\r\n' +
        'Date: Sat, 05 Dec 2026 19:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n',
    );
  });
});

describe('PrebuiltAnswers on a node:http server', () => {
  const body = Buffer.from('{"data":{"events":[]},"error":null}');
  let server: http.Server;
  let port: number;
  const used: boolean[] = [];

  beforeAll(async () => {
    const answers = new PrebuiltAnswers();
    server = http.createServer((_req, res) => {
      const prebuilt = answers.write(res, { status: 200, body });
      used.push(prebuilt);
      if (!prebuilt) res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers pipelined requests in order on the kept connection, HEAD without its body', async () => {
    const { answers, socket } = await pipelined(port, ['/a', '/b', '/c']);
    socket.destroy();
    expect(answers.map((a) => [a.status, a.headers['content-length'], a.headers.connection, a.body])).toEqual([
      [200, String(body.length), 'keep-alive', JSON.parse(body.toString())],
      [200, String(body.length), 'keep-alive', JSON.parse(body.toString())],
      [200, String(body.length), 'keep-alive', JSON.parse(body.toString())],
    ]);
    // HEAD on a kept connection, then a GET on the same one: the HEAD answer has no body, or the GET's would not parse.
    const headThenGet = await rawKeptExchange(port, 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const [headAnswer, getAnswer] = headThenGet.split('HTTP/1.1 ').slice(1);
    expect(headAnswer.endsWith('\r\n\r\n')).toBe(true);
    expect(headAnswer).toContain(`Content-Length: ${body.length}`);
    expect(getAnswer.endsWith(body.toString())).toBe(true);
    expect(used).toEqual([true, true, true, true, false]);
  });

  it('leaves an answer that closes the connection to node', async () => {
    used.length = 0;
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
    expect(await res.json()).toEqual(JSON.parse(body.toString()));
    expect(used).toEqual([false]);
  });
});
