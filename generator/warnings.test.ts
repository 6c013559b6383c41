import { describe, expect, it } from 'vitest';
import { foldWarnings } from './warnings.ts';

describe('foldWarnings', () => {
  it('prints one line per reason with the count and the first places', () => {
    const same = Array.from({ length: 100_000 }, (_, i) => `book/a.md:${i + 1}:5 @metric: this directive is never closed`);
    expect(foldWarnings([...same, 'book/b.md:2:1 @chart: unknown key "x", ignored'])).toEqual([
      'book/a.md:1:5 @metric: this directive is never closed (100,000 times; also at book/a.md:2:5, book/a.md:3:5, book/a.md:4:5, … 99,996 more)',
      'book/b.md:2:1 @chart: unknown key "x", ignored',
    ]);
  });

  it('keeps distinct warnings apart and a pair readable', () => {
    expect(foldWarnings(['a.md:1:1 @meta: x', 'a.md:2:1 @meta: y', 'b.md:3:3 @meta: x'])).toEqual(['a.md:1:1 @meta: x (2 times; also at b.md:3:3)', 'a.md:2:1 @meta: y']);
  });
});
