/**
 * Writing a chapter is writing prose: in every page of book/, directive comments are at
 * most a quarter of the source, and no directive carries more than 300 characters of SQL
 * (longer queries are named queries: ```sql name blocks, docs/spec/directives.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bookPages, measureDirectiveShare } from './directive-share.ts';

const BOOK = join(import.meta.dirname, '..', 'book');

describe('measureDirectiveShare', () => {
  it('counts directive comments, named query blocks and the longest inline SQL; code examples are prose', () => {
    const source = [
      'Text <!-- @metric:query="SELECT 1 AS one" --> and <!-- @metric:query="one_row" -->.', // 40 + 32 directive characters
      '',
      '```sql one_row',
      'SELECT 1',
      '```',
      '',
      '`<!-- @metric:query="SELECT 12345" -->` is shown, not run.',
    ].join('\n');
    const share = measureDirectiveShare(source);
    expect(share).toEqual({ total: source.length, directive: 40 + 32, definitions: 27, longestInlineSql: 15 });
  });
});

describe('the book', () => {
  for (const page of bookPages(BOOK)) {
    it(`${page}: directives are at most 25% of the source, inline SQL at most 300 characters`, () => {
      const share = measureDirectiveShare(readFileSync(join(BOOK, page), 'utf8'));
      expect(share.directive / share.total, `${share.directive} of ${share.total} characters`).toBeLessThanOrEqual(0.25);
      expect(share.longestInlineSql).toBeLessThanOrEqual(300);
    });
  }
});
