import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { readCpuSeconds } from '../proc/cpu.ts';
import { startReferenceServer } from './reference-server.ts';

/**
 * Sends raw HTTP on one TCP connection and waits for `responses` complete responses with body
 * "ok"; then reports whether the server closed the connection. `until: 'closed'` waits for the
 * server's FIN however long it takes (the test's timeout bounds it): 50 ms after the data was
 * not always enough on a loaded machine, where the server can lose the CPU between writing the
 * answer and closing. Otherwise the FIN is looked for 50 ms after the data, a check that a
 * slow machine can only make miss a close, never report one that did not happen.
 */
async function rawExchange(url: string, request: string, responses: number, until: 'closed' | 'kept-alive'): Promise<{ text: string; closedByServer: boolean }> {
  const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
  await once(socket, 'connect');
  let text = '';
  let ended = false;
  const complete = (): boolean => (text.match(/HTTP\/1\.1 200 OK[\s\S]*?\r\n\r\nok/g) ?? []).length >= responses;
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (complete()) resolve();
    });
    socket.on('end', () => { ended = true; resolve(); });
    socket.write(request);
  });
  if (until === 'closed') {
    if (!ended) await once(socket, 'end');
  } else await new Promise((resolve) => setTimeout(resolve, 50));
  const closedByServer = ended;
  socket.destroy();
  return { text, closedByServer };
}

describe('startReferenceServer', () => {
  const body = Buffer.from([0x7b, 0x22, 0xc3, 0xa9, 0x22, 0x3a, 0x31, 0x7d, 0x0a, 0x00, 0xff]); // arbitrary bytes, not only ASCII

  it('runs wrapped in a command prefix: pinned by taskset to the CPU it names', async () => {
    const cpu = /^Cpus_allowed_list:\s*(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1];
    const server = await startReferenceServer(body, {}, { wrap: ['taskset', '-c', cpu] });
    try {
      expect(/^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]).toBe(cpu);
      expect((await fetch(`${server.url}/x`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('answers any GET with exactly the given bytes and headers, from a child process', async () => {
    const server = await startReferenceServer(body, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=60', Connection: 'keep-alive' });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.pid).not.toBe(process.pid);
      for (const path of ['/', '/search?q=anything']) {
        const response = await fetch(`${server.url}${path}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('application/json');
        expect(response.headers.get('cache-control')).toBe('max-age=60');
        expect(response.headers.get('content-length')).toBe(String(body.length));
        expect(Buffer.from(await response.arrayBuffer())).toEqual(body);
      }
      expect((await fetch(server.url, { method: 'POST', body: 'x' })).status).toBe(405);
    } finally {
      await server.stop();
    }
  });

  it('keeps a connection alive for several requests, and closes it when asked to', async () => {
    const server = await startReferenceServer(Buffer.from('ok'), { 'content-type': 'text/plain' });
    try {
      const twoRequests = 'GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
      const kept = await rawExchange(server.url, twoRequests, 2, 'kept-alive');
      expect(kept.text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
      expect(kept.closedByServer).toBe(false);
      const closed = await rawExchange(server.url, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', 1, 'closed');
      expect(closed.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(closed.text.toLowerCase()).toContain('connection: close');
      expect(closed.text.endsWith('\r\n\r\nok')).toBe(true);
      expect(closed.closedByServer).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('stops: its process is gone and the port refuses connections', async () => {
    const server = await startReferenceServer(Buffer.from('ok'), {});
    await server.stop();
    await server.stop(); // idempotent
    expect(readCpuSeconds(server.pid)).toBeNull();
    await expect(fetch(server.url)).rejects.toThrow();
  });
});
