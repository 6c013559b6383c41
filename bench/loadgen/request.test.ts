import { describe, expect, it } from 'vitest';
import { autocannonGenerator } from './autocannon.ts';
import { ohaGenerator } from './oha.ts';
import { assertLocalTarget, checkRequest } from './request.ts';
import type { LoadRequest } from './types.ts';
import { wrkGenerator } from './wrk.ts';

const request = (url: string, overrides: Partial<LoadRequest> = {}): LoadRequest => ({
  url, paths: ['/'], connections: 1, durationSeconds: 1, keepAlive: true, ...overrides,
});

describe('assertLocalTarget', () => {
  it('accepts 127.0.0.1 and localhost with a port', () => {
    expect(assertLocalTarget('http://127.0.0.1:8080').port).toBe('8080');
    expect(assertLocalTarget('http://localhost:3000/').hostname).toBe('localhost');
  });
  it('refuses every other host, naming it', () => {
    expect(() => assertLocalTarget('http://example.com:80')).toThrow(/refusing to send load to "example.com".*127\.0\.0\.1 or localhost/);
    expect(() => assertLocalTarget('http://10.0.0.7:8080')).toThrow(/refusing to send load to "10.0.0.7"/);
    expect(() => assertLocalTarget('http://127.0.0.2:8080')).toThrow(/refusing/);
    expect(() => assertLocalTarget('http://[::1]:8080')).toThrow(/refusing/);
    expect(() => assertLocalTarget('http://localhost.example.com:8080')).toThrow(/refusing/);
  });
  it('refuses https, a missing port, a path in the base URL and non-URLs', () => {
    expect(() => assertLocalTarget('https://127.0.0.1:8443')).toThrow(/plain http/);
    expect(() => assertLocalTarget('http://127.0.0.1')).toThrow(/explicit port/);
    expect(() => assertLocalTarget('http://127.0.0.1:8080/search')).toThrow(/base URL/);
    expect(() => assertLocalTarget('127.0.0.1:8080')).toThrow();
    expect(() => assertLocalTarget('not a url')).toThrow(/not a URL/);
  });
});

describe('checkRequest', () => {
  it('fills in the defaults: 1 thread, 10 s per-request timeout', () => {
    const checked = checkRequest(request('http://localhost:8080'));
    expect(checked).toMatchObject({ threads: 1, timeoutSeconds: 10, origin: 'http://localhost:8080', port: 8080 });
  });
  it('rejects empty or malformed paths and nonsense numbers', () => {
    expect(() => checkRequest(request('http://127.0.0.1:1', { paths: [] }))).toThrow(/at least one path/);
    expect(() => checkRequest(request('http://127.0.0.1:1', { paths: ['search'] }))).toThrow(/must start with "\/"/);
    expect(() => checkRequest(request('http://127.0.0.1:1', { paths: ['/a b'] }))).toThrow(/whitespace/);
    expect(() => checkRequest(request('http://127.0.0.1:1', { connections: 0 }))).toThrow(/connections must be a positive integer/);
    expect(() => checkRequest(request('http://127.0.0.1:1', { durationSeconds: 0 }))).toThrow(/durationSeconds/);
    expect(() => checkRequest(request('http://127.0.0.1:1', { threads: 1.5 }))).toThrow(/threads/);
    expect(() => checkRequest(request('http://127.0.0.1:1', { timeoutSeconds: -1 }))).toThrow(/timeoutSeconds/);
  });
  it('passes extra headers on, and refuses those a tool could not send as given or that are its own to set', () => {
    expect(checkRequest(request('http://127.0.0.1:1', { headers: { 'Accept-Encoding': 'gzip, br' } })).headers).toEqual({ 'Accept-Encoding': 'gzip, br' });
    expect(checkRequest(request('http://127.0.0.1:1')).headers).toEqual({});
    expect(() => checkRequest(request('http://127.0.0.1:1', { headers: { 'Accept Encoding': 'gzip' } }))).toThrow(/not an HTTP token/);
    expect(() => checkRequest(request('http://127.0.0.1:1', { headers: { 'X-A': 'a"b' } }))).toThrow(/without quotes/);
    expect(() => checkRequest(request('http://127.0.0.1:1', { headers: { 'X-A': 'a\r\nX-B: c' } }))).toThrow(/printable ASCII/);
    expect(() => checkRequest(request('http://127.0.0.1:1', { headers: { Connection: 'close' } }))).toThrow(/load generator's to set/);
  });
});

describe('every adapter refuses a non-local target before starting any tool', () => {
  for (const generator of [autocannonGenerator, wrkGenerator, ohaGenerator]) {
    it(generator.name, async () => {
      await expect(generator.run(request('http://example.com:80'))).rejects.toThrow(/only target 127\.0\.0\.1 or localhost/);
    });
  }
});
