import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { renderMarkdown } from '../markdown/render.ts';
import { holds, parseExpectation } from './assert.ts';
import { createTestDatabase, directiveErrorOf } from './test-database.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});

describe('parseExpectation', () => {
  it('reads comparisons with a number, and true', () => {
    expect(parseExpectation(undefined)).toEqual({ kind: 'true' });
    expect(parseExpectation(' TRUE ')).toEqual({ kind: 'true' });
    expect(parseExpectation('>= 2')).toEqual({ kind: 'compare', op: '>=', bound: 2 });
    expect(parseExpectation('<0.5')).toEqual({ kind: 'compare', op: '<', bound: 0.5 });
    expect(parseExpectation('== -3')).toEqual({ kind: 'compare', op: '=', bound: -3 });
    expect(parseExpectation('<> 0')).toEqual({ kind: 'compare', op: '!=', bound: 0 });
    expect(() => parseExpectation('about 2')).toThrow('is not an expectation');
    expect(() => parseExpectation('>= two')).toThrow('is not an expectation');
  });

  it('decides each comparison', () => {
    expect(holds(2, parseExpectation('>= 2'))).toBe(true);
    expect(holds(1.99, parseExpectation('>= 2'))).toBe(false);
    expect(holds(2, parseExpectation('> 2'))).toBe(false);
    expect(holds(0, parseExpectation('true'))).toBe(false);
    expect(holds(-1, parseExpectation('true'))).toBe(true);
    expect(holds(3, parseExpectation('!= 3'))).toBe(false);
    expect(holds(0.4, parseExpectation('<= 0.4'))).toBe(true);
  });
});

describe('@assert', () => {
  const claim = (expectation: string) =>
    `# Cache\n\nText.\n\n<!-- @assert:query="SELECT (SELECT baseline_rps FROM versions WHERE tag = 'v2-cache') / (SELECT baseline_rps FROM versions WHERE tag = 'v1-baseline')" expect="${expectation}" message="the cache is 40% faster" -->\n`;

  it("marks the claim it checks with a quiet ✓, the check and its figure on hover and in the page's list of checks", async () => {
    const page = await renderMarkdown(claim('>= 1.4'), { db, file: 'book/a.md', strict: true });
    const note = 'Checked against the data: the cache is 40% faster — the query gives 1.423, the claim needs &gt;= 1.4.';
    expect(page.html).toBe(
      `<h1 id="cache">Cache</h1>\n<p>Text.<span class="claim-check" tabindex="0">✓<span class="claim-detail" role="note">${note}</span></span></p>\n` +
        `<aside class="claim-notes" aria-label="Checks on this page"><p>Checks on this page</p>\n<ol>\n<li>${note}</li>\n</ol></aside>`,
    );
  });

  it('fails the build at the comment when the data no longer supports it', async () => {
    const error = await directiveErrorOf(renderMarkdown(claim('>= 1.5'), { db, file: 'book/a.md' }));
    expect(error.message).toBe('book/a.md:5:1 @assert: the data no longer supports "the cache is 40% faster": the query gives 1.423, the claim needs >= 1.5');
  });
});
