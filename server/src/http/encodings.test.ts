import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { OnDemandAnswers, SecondSightAnswers, acceptEncodingOf, preferredCoding } from './encodings.ts';

describe('preferredCoding', () => {
  it.each([
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['*', 'br'],
    ['*;q=0, gzip;q=0.1', 'gzip'],
    ['identity', null],
    ['gzip;q=0, br;q=0', null],
    ['', null],
    ['deflate', null],
  ])('%j → %s', (header, coding) => {
    expect(preferredCoding(header)).toBe(coding);
  });
});

describe('acceptEncodingOf', () => {
  it('reads the header from the raw headers, whatever its case', () => {
    expect(acceptEncodingOf(['Host', 'x', 'Accept-Encoding', 'gzip'])).toBe('gzip');
    expect(acceptEncodingOf(['host', 'x', 'accept-encoding', 'br'])).toBe('br');
    expect(acceptEncodingOf(['Host', 'x'])).toBeUndefined();
  });
});

/** Polls `ready` every 10 ms (the compression runs in the thread pool); the deadline only guards a hang. */
async function until(what: string, ready: () => boolean): Promise<void> {
  for (let waited = 0; !ready(); waited += 10) {
    if (waited > 20_000) throw new Error(`${what} never happened`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const body = Buffer.from(JSON.stringify({ data: { events: Array.from({ length: 50 }, (_, i) => ({ id: i, title: 'Los Morancos' })) }, error: null }));
const IDENTITY = { status: 200, body, headers: { vary: 'Accept-Encoding' } };

describe('OnDemandAnswers', () => {
  it('never compresses for a client that asks for no coding, however often', async () => {
    const answers = new OnDemandAnswers(2, 1 << 20);
    for (let i = 0; i < 10; i++) expect(answers.choose(200, body, undefined)).toEqual(IDENTITY);
    for (let i = 0; i < 10; i++) expect(answers.choose(200, body, 'identity, deflate')).toEqual(IDENTITY);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answers.heldBytes).toBe(0);
    expect(answers.choose(200, body, 'gzip').headers).toEqual({ vary: 'Accept-Encoding' }); // the first request asking
  });

  it('compresses the coding asked for at the k-th request asking for one, then sends it; the other coding only when asked', async () => {
    const answers = new OnDemandAnswers(3, 1 << 20);
    expect(answers.choose(200, body, 'gzip')).toEqual(IDENTITY);
    expect(answers.choose(200, body, 'gzip')).toEqual(IDENTITY);
    expect(answers.choose(200, body, 'gzip')).toEqual(IDENTITY); // the third: compression starts, off this call
    await until('the gzip form', () => answers.choose(200, body, 'gzip').headers?.['content-encoding'] === 'gzip');
    const gz = answers.choose(200, body, 'gzip');
    expect(gz.headers).toEqual({ vary: 'Accept-Encoding', 'content-encoding': 'gzip' });
    expect(gunzipSync(gz.body as Buffer)).toEqual(body);
    expect(answers.choose(200, body, 'gzip')).toBe(gz); // built once
    expect(answers.heldBytes).toBe((gz.body as Buffer).length);
    // A brotli client: the count is past k, so its first request starts brotli.
    expect(answers.choose(200, body, 'br')).toEqual(IDENTITY);
    await until('the brotli form', () => answers.choose(200, body, 'br').headers?.['content-encoding'] === 'br');
    expect(brotliDecompressSync(answers.choose(200, body, 'gzip;q=0.5, br').body as Buffer)).toEqual(body);
    expect(answers.choose(200, body, undefined)).toEqual(IDENTITY);
  });

  it('negotiates by q-value: the preferred coding is the one compressed and sent', async () => {
    const answers = new OnDemandAnswers(1, 1 << 20);
    answers.choose(200, body, 'br;q=0.2, gzip;q=0.9');
    await until('the gzip form', () => answers.choose(200, body, 'gzip').headers?.['content-encoding'] === 'gzip');
    expect(answers.choose(200, body, 'br;q=0, gzip').headers?.['content-encoding']).toBe('gzip');
    expect(answers.choose(200, body, 'br;q=0.2, gzip;q=0.9').headers?.['content-encoding']).toBe('gzip');
    expect(answers.choose(200, body, 'gzip;q=0').headers).toEqual({ vary: 'Accept-Encoding' });
  });

  it('builds no form past its byte budget, and one compression at a time', async () => {
    const tight = new OnDemandAnswers(1, body.length - 1);
    tight.choose(200, body, 'gzip');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(tight.choose(200, body, 'gzip').headers).toEqual({ vary: 'Accept-Encoding' });
    expect(tight.heldBytes).toBe(0);

    const answers = new OnDemandAnswers(1, 1 << 20);
    const other = Buffer.from(body);
    answers.choose(200, body, 'gzip'); // in the thread pool
    answers.choose(200, other, 'gzip'); // waits: the next request asking starts it
    await until('the first form', () => answers.choose(200, body, 'gzip').headers?.['content-encoding'] === 'gzip');
    expect(answers.choose(200, other, 'gzip').headers).toEqual({ vary: 'Accept-Encoding' }); // this one starts it
    await until('the second form', () => answers.choose(200, other, 'gzip').headers?.['content-encoding'] === 'gzip');
  });
});

describe('SecondSightAnswers (chapter 13, the experiment)', () => {
  it('sends identity with Vary until the answer is seen again and compressed, then the form the client prefers', async () => {
    const answers = new SecondSightAnswers();
    expect(answers.choose(200, body, undefined)).toEqual(IDENTITY);
    expect(answers.choose(200, body, undefined).body).toBe(body); // second sighting, no coding asked: both forms start anyway
    await until('both forms', () => answers.choose(200, body, 'br').headers?.['content-encoding'] === 'br' && answers.choose(200, body, 'gzip').headers?.['content-encoding'] === 'gzip');
    const gz = answers.choose(200, body, 'gzip');
    expect(gunzipSync(gz.body as Buffer)).toEqual(body);
    expect(brotliDecompressSync(answers.choose(200, body, 'br, gzip').body as Buffer)).toEqual(body);
    expect(answers.choose(200, body, 'gzip')).toBe(gz); // built once
  });

  it('never compresses a body seen once', async () => {
    const answers = new SecondSightAnswers();
    answers.choose(200, Buffer.from(body), 'gzip');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answers.choose(200, Buffer.from(body), 'gzip').headers).toEqual({ vary: 'Accept-Encoding' });
  });
});
