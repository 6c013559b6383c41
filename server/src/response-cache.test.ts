import { describe, expect, it } from 'vitest';
import { ResponseCache } from './response-cache.ts';

const body = (text: string) => () => Buffer.from(text);

describe('ResponseCache', () => {
  it('answers a repeated key from the cache and counts hits and misses', () => {
    const cache = new ResponseCache(1000);
    let built = 0;
    const build = () => {
      built++;
      return Buffer.from('answer');
    };
    expect(cache.get(1, 'k', build).toString()).toBe('answer');
    expect(cache.get(1, 'k', build).toString()).toBe('answer');
    expect(built).toBe(1);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, hitRate: 0.5, entries: 1, bytes: 'answer'.length + 1 });
  });

  it('empties itself when the catalogue version changes', () => {
    const cache = new ResponseCache(1000);
    cache.get(1, 'k', body('old'));
    expect(cache.get(2, 'k', body('new')).toString()).toBe('new');
    expect(cache.stats()).toMatchObject({ misses: 2, hits: 0, invalidations: 1, entries: 1 });
  });

  it('stays within its memory bound, evicting the least recently used', () => {
    const cache = new ResponseCache(100);
    for (let i = 0; i < 50; i++) cache.get(1, `key${i}`, body('x'.repeat(20)));
    const stats = cache.stats();
    expect(stats.bytes).toBeLessThanOrEqual(100);
    expect(stats.peakBytes).toBeLessThanOrEqual(100);
    expect(stats.evictions).toBeGreaterThan(40);
    // the most recent key is still there, the first is gone
    let rebuilt = 0;
    cache.get(1, 'key49', () => (rebuilt++, Buffer.from('y')));
    cache.get(1, 'key0', () => (rebuilt++, Buffer.from('y')));
    expect(rebuilt).toBe(1);
  });

  it('never keeps an answer larger than the bound', () => {
    const cache = new ResponseCache(10);
    expect(cache.get(1, 'k', body('x'.repeat(100))).length).toBe(100);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('with a bound of 0 builds every answer', () => {
    const cache = new ResponseCache(0);
    let built = 0;
    for (let i = 0; i < 3; i++) cache.get(1, 'k', () => (built++, Buffer.from('a')));
    expect(built).toBe(3);
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 3, entries: 0, maxBytes: 0 });
  });
});
