import { describe, expect, it } from 'vitest';
import { parseRequestHead } from './request-head.ts';

const head = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');

describe('parseRequestHead', () => {
  it('takes a plain GET or HEAD of an origin-form target over HTTP/1.1 with a Host', () => {
    expect(parseRequestHead(head('GET /search?starts_at=2021-02-01T00:00:00Z&ends_at=2022-07-03 HTTP/1.1', 'Host: 127.0.0.1:8080'))).toEqual({
      head: false,
      target: '/search?starts_at=2021-02-01T00:00:00Z&ends_at=2022-07-03',
      acceptEncoding: undefined,
    });
    expect(parseRequestHead(head('HEAD /health HTTP/1.1', 'host: x', 'Connection: Keep-Alive', 'User-Agent: curl/7.88.1', 'Accept: */*'))).toEqual({ head: true, target: '/health', acceptEncoding: undefined });
  });

  it('gives the first Accept-Encoding, its value trimmed as node:http trims it', () => {
    expect(parseRequestHead(head('GET /search HTTP/1.1', 'Host: x', 'ACCEPT-ENCODING: \t gzip, br;q=0.5 \t', 'Accept-Encoding: identity'))?.acceptEncoding).toBe('gzip, br;q=0.5');
    expect(parseRequestHead(head('GET /search HTTP/1.1', 'Host: x', 'Accept-Encoding:'))?.acceptEncoding).toBe('');
  });

  it.each([
    ['another method', head('POST /search HTTP/1.1', 'Host: x')],
    ['CONNECT', head('CONNECT example.com:443 HTTP/1.1', 'Host: example.com:443')],
    ['HTTP/1.0', head('GET /search HTTP/1.0', 'Host: x')],
    ['no Host', head('GET /search HTTP/1.1')],
    ['Connection: close', head('GET /search HTTP/1.1', 'Host: x', 'Connection: close')],
    ['a Connection list', head('GET /search HTTP/1.1', 'Host: x', 'Connection: keep-alive, Upgrade')],
    ['a body', head('GET /search HTTP/1.1', 'Host: x', 'Content-Length: 0')],
    ['a chunked body', head('GET /search HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked')],
    ['an expectation', head('GET /search HTTP/1.1', 'Host: x', 'Expect: 100-continue')],
    ['an upgrade', head('GET /search HTTP/1.1', 'Host: x', 'Upgrade: websocket')],
    ['an absolute-form target', head('GET http://x/search HTTP/1.1', 'Host: x')],
    ['a fragment', head('GET /search#top HTTP/1.1', 'Host: x')],
    ['a byte outside RFC 3986 in the target', head('GET /search?q="x" HTTP/1.1', 'Host: x')],
    ['two spaces', head('GET  /search HTTP/1.1', 'Host: x')],
    ['a space before the colon', head('GET /search HTTP/1.1', 'Host : x')],
    ['an empty header name', head('GET /search HTTP/1.1', 'Host: x', ': x')],
    ['a folded header', head('GET /search HTTP/1.1', 'Host: x', 'X-A: 1', ' continued')],
    ['a control byte in a value', head('GET /search HTTP/1.1', 'Host: x', 'X-A: a\u0001b')],
    ['a byte above 0x7e in a value', head('GET /search HTTP/1.1', 'Host: x', 'X-A: caf\u00e9')],
    ['a bare LF', 'GET /search HTTP/1.1\nHost: x\r\n'],
    ['an empty line first', head('', 'GET /search HTTP/1.1', 'Host: x')],
    ['garbage', head('HELLO')],
  ])('leaves %s to node:http (null)', (_what, text) => {
    expect(parseRequestHead(text)).toBeNull();
  });
});
