import { describe, expect, it } from 'vitest';
import { pathsKey, pathsSetting } from './steady.ts';

describe('pathsSetting', () => {
  it('keeps a short list of paths as it is', () => {
    expect(pathsSetting(['/search?a=1', '/health'])).toEqual(['/search?a=1', '/health']);
  });

  it('records a long list by count, distinct paths, full hash and first paths, the hash the settings key shortens', () => {
    const paths = Array.from({ length: 1000 }, (_, i) => `/search?n=${i % 10}`);
    const setting = pathsSetting(paths) as { count: number; distinct: number; sha256: string; first: string[] };
    expect(setting).toMatchObject({ count: 1000, distinct: 10, first: ['/search?n=0', '/search?n=1', '/search?n=2'] });
    expect(setting.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(pathsKey(paths)).toBe(`paths${setting.sha256.slice(0, 8)}`);
  });
});
