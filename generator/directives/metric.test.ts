import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { renderMarkdown } from '../markdown/render.ts';
import { createTestDatabase, directiveErrorOf } from './test-database.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});

const render = (source: string, strict = false) => renderMarkdown(source, { db, file: 'book/m.md', strict });

describe('@metric', () => {
  it('shows a chapter headline with the default (comma) format', async () => {
    const page = await render('Throughput: <!-- @metric:tag="v2-cache" --> req/s');
    expect(page.html).toBe(
      '<p>Throughput: <span class="metric" data-tag="v2-cache" data-field="baseline_rps" title="Session 1, 2026-11-20; autocannon 9.0.0; Test CPU 3000 (2 cores); median of 2 runs">14,230</span> req/s</p>',
    );
  });

  it('applies field defaults and explicit formats', async () => {
    const page = await render(
      [
        '<!-- @metric:tag="v2-cache" field="improvement_percent" -->',
        '<!-- @metric:tag="v2-cache" field="p99_latency_us" -->',
        '<!-- @metric:tag="v2-cache" format="short" -->',
        '<!-- @metric:tag="v2-cache" format="decimal" field="p99_latency_us" -->',
        '<!-- @metric:tag="v2-cache" field="title" -->',
      ].join(' '),
    );
    expect([...page.html.matchAll(/>([^<]*)<\/span>/g)].map((m) => m[1])).toEqual(['+42.3%', '1.23 ms', '14.2K', '1,234.5', 'Caching']);
  });

  it('says "no measurement yet" for a known chapter without one, and fails in strict mode', async () => {
    const page = await render('v3: <!-- @metric:tag="v3-pool" -->');
    expect(page.html).toContain('<span class="metric metric-missing" data-tag="v3-pool" data-field="baseline_rps">no measurement yet</span>');
    const error = await directiveErrorOf(render('v3: <!-- @metric:tag="v3-pool" -->', true));
    expect(error.message).toBe('book/m.md:1:5 @metric: v3-pool has no measurement yet (run npm run bench)');
  });

  it('reads one value from a query', async () => {
    const page = await render('<!-- @metric:query="SELECT MAX(requests_per_second) AS top_rps FROM run_results" format="short" -->');
    expect(page.html).toContain('<span class="metric" data-field="top_rps">14.2K</span>');
  });

  it('errors on an unknown tag, naming the known ones, at the comment position', async () => {
    const error = await directiveErrorOf(render('Intro.\n\nSee **<!-- @metric:tag="v9-x" -->** here.'));
    expect(error.message).toBe('book/m.md:3:7 @metric: unknown tag v9-x (known: v1-baseline, v2-cache, v3-pool)');
    expect([error.file, error.line, error.column, error.directive]).toEqual(['book/m.md', 3, 7, 'metric']);
  });

  it('errors on an unknown field, listing the valid ones', async () => {
    const error = await directiveErrorOf(render('<!-- @metric:tag="v1-baseline" field="rps" -->'));
    expect(error.reason).toMatch(/^unknown field "rps" \(fields of versions: tag, chapter_number, title, .*baseline_rps, improvement_percent/);
  });

  it('errors on a query that returns no rows, several rows or several columns', async () => {
    const noRows = await directiveErrorOf(render('x\n\n<!-- @metric:query="SELECT baseline_rps FROM versions WHERE tag = \'nope\'" -->'));
    expect(noRows.message).toBe('book/m.md:3:1 @metric: query returned no rows');
    const manyRows = await directiveErrorOf(render('<!-- @metric:query="SELECT tag FROM versions" -->'));
    expect(manyRows.reason).toBe('query must return exactly one row and one column (got 3 rows × 1 columns)');
    const manyColumns = await directiveErrorOf(render('<!-- @metric:query="SELECT 1, 2" -->'));
    expect(manyColumns.reason).toBe('query must return exactly one row and one column (got 1 rows × 2 columns)');
  });

  it('errors without tag or query, with both, and on a bad format', async () => {
    expect((await directiveErrorOf(render('<!-- @metric:format="short" -->'))).reason).toBe('needs "tag" (a chapter tag) or "query"');
    expect((await directiveErrorOf(render('<!-- @metric:tag="v1-baseline" query="SELECT 1" -->'))).reason).toBe(
      'give either "tag" or "query", not both',
    );
    expect((await directiveErrorOf(render('<!-- @metric:tag="v1-baseline" format="huge" -->'))).reason).toMatch(/^unknown format "huge"/);
    expect((await directiveErrorOf(render('<!-- @metric:tag="v1-baseline" field="title" format="short" -->'))).reason).toBe(
      'format "short" needs a number, but title is the text "Baseline"',
    );
  });

  it('escapes text values from the database', async () => {
    const hostile = await createTestDatabase();
    hostile.run("UPDATE chapters SET title = '<script>alert(1)</script>' WHERE tag = 'v1-baseline'");
    const page = await renderMarkdown('<!-- @metric:tag="v1-baseline" field="title" -->', { db: hostile, file: 'x.md' });
    expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.html).not.toContain('<script>');
  });
});
