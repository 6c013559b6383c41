/**
 * Chapter 13: gzip and brotli forms of ready answers, compressed once off the request path,
 * negotiated by Accept-Encoding, with Vary on every form.
 */
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { SAMPLE_RANGE, buildPrivateBundle, serverCommand, startServerProcess, tempDir, waitFor, type ServerProcess } from './helpers.ts';

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request with node:http (no automatic decompression, unlike fetch). */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    http
      .request(url, { method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject)
      .end();
  });
}

describe('compressed answers', () => {
  let simulator: Simulator;
  let server: ServerProcess;
  let url: string;

  beforeAll(async () => {
    const bundle = buildPrivateBundle();
    simulator = await startSimulator({ mode: 'samples' });
    server = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir: tempDir('compression') }));
    url = `${server.url}/search?${SAMPLE_RANGE}`;
    await waitFor('answers 1-3 ingested', () => simulator.requests() >= 4);
  });

  afterAll(async () => {
    await server.stop();
    await simulator.close();
  });

  it('sends the identity form with Vary first, then the coding the client prefers, the same JSON once decoded', async () => {
    const identity = await get(url);
    expect(identity.status).toBe(200);
    expect(identity.headers.vary).toBe('Accept-Encoding');
    expect(identity.headers['content-encoding']).toBeUndefined();
    const gz = await waitFor('the gzip form', async () => {
      const answer = await get(url, { 'accept-encoding': 'gzip' });
      return answer.headers['content-encoding'] === 'gzip' ? answer : null;
    });
    expect(gz.headers.vary).toBe('Accept-Encoding');
    expect(Number(gz.headers['content-length'])).toBe(gz.body.length);
    expect(gunzipSync(gz.body)).toEqual(identity.body);
    const br = await waitFor('the brotli form', async () => {
      const answer = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
      return answer.headers['content-encoding'] === 'br' ? answer : null;
    });
    expect(brotliDecompressSync(br.body)).toEqual(identity.body);
    const refused = await get(url, { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect([refused.headers['content-encoding'], refused.body]).toEqual([undefined, identity.body]);
  });

  it('answers HEAD with the headers of the coded form and no body', async () => {
    await waitFor('the gzip form', async () => (await get(url, { 'accept-encoding': 'gzip' })).headers['content-encoding'] === 'gzip');
    const head = await get(url, { 'accept-encoding': 'gzip' }, 'HEAD');
    expect([head.status, head.headers['content-encoding'], head.headers.vary, head.body.length]).toEqual([200, 'gzip', 'Accept-Encoding', 0]);
  });

  it('never codes an error answer', async () => {
    const bad = await get(`${server.url}/search?starts_at=nope`, { 'accept-encoding': 'gzip' });
    expect([bad.status, bad.headers['content-encoding'], JSON.parse(bad.body.toString()).error.code]).toEqual([400, undefined, 'invalid_parameter']);
  });
});
