/**
 * Chapters 13 and 15: gzip and brotli forms of ready answers, compressed once off the request
 * path, negotiated by Accept-Encoding, with Vary on every form; since chapter 15 only for
 * clients that ask for a coding, once an answer was asked for one often enough, within a budget.
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

/** Requests `url` `times` times, one after another; the last answer. */
async function repeat(times: number, url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  let answer = await get(url, headers);
  for (let i = 1; i < times; i++) answer = await get(url, headers);
  return answer;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('compression that pays (chapter 15)', () => {
  let simulator: Simulator;
  const servers: ServerProcess[] = [];
  let bundle: string;

  const start = async (extra: string[]): Promise<string> => {
    const server = await startServerProcess(serverCommand(bundle, { providerUrl: simulator.url, dataDir: tempDir('compression-policy'), extra }));
    servers.push(server);
    await waitFor('the server ready', async () => (await get(`${server.url}/health`)).status === 200);
    // The sample provider's documents arrive over the first polls and change the answer's
    // body; the tests compare bodies, so they start once two answers 300 ms apart agree.
    let last: Buffer = Buffer.alloc(0);
    await waitFor('the catalogue settled', async () => {
      await pause(300);
      const body = (await get(`${server.url}/search?${SAMPLE_RANGE}`)).body;
      const settled = body.equals(last);
      last = body;
      return settled;
    });
    return server.url;
  };

  beforeAll(async () => {
    bundle = buildPrivateBundle();
    simulator = await startSimulator({ mode: 'samples' });
  });

  afterAll(async () => {
    for (const server of servers) await server.stop();
    await simulator.close();
  });

  it('does no compression for clients that send no Accept-Encoding: the first request asking for gzip still gets identity', async () => {
    const url = `${await start(['--compress-after', '2'])}/search?${SAMPLE_RANGE}`;
    const plain = await repeat(20, url);
    expect([plain.status, plain.headers.vary, plain.headers['content-encoding']]).toEqual([200, 'Accept-Encoding', undefined]);
    await pause(200); // time enough for any compression the plain requests had started
    const first = await get(url, { 'accept-encoding': 'gzip' });
    expect([first.headers.vary, first.headers['content-encoding'], first.body]).toEqual(['Accept-Encoding', undefined, plain.body]);
    const gz = await waitFor('the gzip form, from the second request asking', async () => {
      const answer = await get(url, { 'accept-encoding': 'gzip' });
      return answer.headers['content-encoding'] === 'gzip' ? answer : null;
    });
    expect(gunzipSync(gz.body)).toEqual(plain.body);
    // Forms are per coding and per client's choice: a client refusing both still gets identity, Vary included.
    const refused = await get(url, { 'accept-encoding': 'gzip;q=0, br;q=0, identity' });
    expect([refused.headers.vary, refused.headers['content-encoding'], refused.body]).toEqual(['Accept-Encoding', undefined, plain.body]);
  });

  it('compresses the coding the client prefers by q-value, not the other', async () => {
    const url = `${await start(['--compress-after', '1'])}/search?${SAMPLE_RANGE}`;
    const preferGzip = { 'accept-encoding': 'br;q=0.1, gzip;q=0.9' };
    const gz = await waitFor('the gzip form', async () => {
      const answer = await get(url, preferGzip);
      return answer.headers['content-encoding'] === 'gzip' ? answer : null;
    });
    expect(gz.headers.vary).toBe('Accept-Encoding');
    // Brotli was never asked for first: its first request starts it and gets identity.
    expect((await get(url, { 'accept-encoding': 'br' })).headers['content-encoding']).toBeUndefined();
    await waitFor('the brotli form', async () => (await get(url, { 'accept-encoding': 'br' })).headers['content-encoding'] === 'br');
  });

  it('builds no form past its byte budget', async () => {
    const url = `${await start(['--compress-after', '1', '--compression-max-bytes', '1'])}/search?${SAMPLE_RANGE}`;
    for (let i = 0; i < 5; i++) {
      const answer = await get(url, { 'accept-encoding': 'gzip, br' });
      expect([answer.status, answer.headers.vary, answer.headers['content-encoding']]).toEqual([200, 'Accept-Encoding', undefined]);
      await pause(50);
    }
  });

  it('keeps chapter 13\'s policy as the experiment: answers seen twice are compressed though nobody asked', async () => {
    // --compress-after is on-demand's: were it in force, no request below would ever be compressed.
    const url = `${await start(['--compression', 'second-sight', '--compress-after', '1000000'])}/search?${SAMPLE_RANGE}`;
    await repeat(2, url);
    const first = await waitFor('the gzip form', async () => {
      const answer = await get(url, { 'accept-encoding': 'gzip' });
      return answer.headers['content-encoding'] === 'gzip' ? answer : null;
    });
    expect(first.headers.vary).toBe('Accept-Encoding');
  });
});
