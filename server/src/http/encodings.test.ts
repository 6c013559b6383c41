import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EncodedAnswers, acceptEncodingOf, preferredCoding } from './encodings.ts';

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

describe('EncodedAnswers', () => {
  const body = Buffer.from(JSON.stringify({ data: { events: Array.from({ length: 50 }, (_, i) => ({ id: i, title: 'Los Morancos' })) }, error: null }));

  it('sends identity with Vary until the answer is seen again and compressed, then the form the client prefers', async () => {
    const answers = new EncodedAnswers();
    expect(answers.choose(200, body, 'gzip')).toEqual({ status: 200, body, headers: { vary: 'Accept-Encoding' } });
    expect(answers.choose(200, body, 'gzip').body).toBe(body); // second sighting: compression starts, off this call
    // Both forms are compressed in the thread pool; poll until they are in (the deadline only guards a hang).
    for (let waited = 0; answers.choose(200, body, 'br').headers?.['content-encoding'] !== 'br' || answers.choose(200, body, 'gzip').headers?.['content-encoding'] !== 'gzip'; waited += 10) {
      if (waited > 20_000) throw new Error('compression never finished');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const gz = answers.choose(200, body, 'gzip');
    expect(gz.headers).toEqual({ vary: 'Accept-Encoding', 'content-encoding': 'gzip' });
    expect(gunzipSync(gz.body as Buffer)).toEqual(body);
    const br = answers.choose(200, body, 'br, gzip');
    expect(br.headers).toEqual({ vary: 'Accept-Encoding', 'content-encoding': 'br' });
    expect(brotliDecompressSync(br.body as Buffer)).toEqual(body);
    expect(answers.choose(200, body, undefined)).toEqual({ status: 200, body, headers: { vary: 'Accept-Encoding' } });
    expect(answers.choose(200, body, 'gzip')).toBe(gz); // built once
  });

  it('never compresses a body seen once', async () => {
    const answers = new EncodedAnswers();
    const once = Buffer.from(body);
    answers.choose(200, once, 'gzip');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answers.choose(200, Buffer.from(body), 'gzip').headers).toEqual({ vary: 'Accept-Encoding' });
  });
});
