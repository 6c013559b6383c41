/**
 * The cost client on a real server (node:http on an ephemeral port, not under callgrind:
 * what it checks is the client's, whatever runs the server).
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SequentialClient } from './client.ts';

let server: Server;
let url: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url!);
    if (req.url === '/teapot') {
      res.writeHead(418);
      res.end('short and stout');
    } else res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('SequentialClient', () => {
  it('sends exactly N requests cycling through the paths on one connection, the prime outside the cycle', async () => {
    seen.length = 0;
    const client = new SequentialClient(url, ['/a', '/b', '/c']);
    try {
      expect(await client.send(4)).toEqual({ answered: 4, bodyBytes: 8 });
      await client.prime();
      expect(await client.send(2)).toEqual({ answered: 2, bodyBytes: 4 });
      expect(seen).toEqual(['/a', '/b', '/c', '/a', '/b', '/b', '/c']);
      expect(client.connectionsOpened).toBe(1);
    } finally {
      client.close();
    }
  });

  it('stops on the first answer that is not a 200, saying which request and what the server answered', async () => {
    const client = new SequentialClient(url, ['/a', '/teapot']);
    try {
      await expect(client.send(5)).rejects.toThrow(/^request 2 of 5: GET \/teapot answered 418: short and stout$/);
    } finally {
      client.close();
    }
  });

  it('refuses a count that is not a whole number, and no paths', () => {
    expect(() => new SequentialClient(url, [])).toThrow('no request paths');
    return expect(new SequentialClient(url, ['/a']).send(2.5)).rejects.toThrow('request count must be a whole number, got 2.5');
  });

  it('sends the prime again on a new connection when the server closed the kept-alive one as it went out, and fails on any other error', async () => {
    // Answers the first request of each connection with keep-alive, and resets the connection on its second.
    const requestsOn = new Map<Socket, number>();
    const tcp = createTcpServer((socket) => {
      socket.on('data', () => {
        const n = (requestsOn.get(socket) ?? 0) + 1;
        requestsOn.set(socket, n);
        if (n === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
        else socket.resetAndDestroy();
      });
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const client = new SequentialClient(`http://127.0.0.1:${(tcp.address() as AddressInfo).port}`, ['/a']);
    try {
      expect(await client.send(1)).toEqual({ answered: 1, bodyBytes: 2 });
      await client.prime(); // reset on the kept-alive connection, answered on a new one
      expect(client.connectionsOpened).toBe(2);
      await expect(client.send(1)).rejects.toThrow(/request 1 of 1: .*ECONNRESET|request 1 of 1: the kept-alive connection was closed/);
    } finally {
      client.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    }
  });
});
