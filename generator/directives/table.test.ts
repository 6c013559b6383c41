import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { renderMarkdown } from '../markdown/render.ts';
import { renderTable } from './table.ts';
import { createTestDatabase, directiveErrorOf } from './test-database.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});

const render = (source: string) => renderMarkdown(source, { db, file: 'book/t.md' });

describe('@table', () => {
  it("renders the spec's example (printf and COALESCE over versions)", async () => {
    const page = await render(
      `<!-- @table:query="SELECT tag as Version, technique as Technique, baseline_rps as RPS, COALESCE(printf('+%.1f%%', improvement_percent), 'Baseline') as Improvement FROM versions ORDER BY chapter_number" title="Performance Evolution" -->`,
    );
    expect(page.html).toContain('<figure class="table"><table>');
    expect(page.html).toContain(
      '<thead><tr><th scope="col">Version</th><th scope="col">Technique</th><th scope="col">RPS</th><th scope="col">Improvement</th></tr></thead>',
    );
    expect(page.html).toContain('<tr><td>v2-cache</td><td>LRU cache</td><td>14,230</td><td>+42.3%</td></tr>');
    // NULL (unmeasured) is shown as missing, never as a number.
    expect(page.html).toContain('<tr><td>v3-pool</td><td>connection pool</td><td class="missing">—</td>');
    expect(page.html).toMatch(/<\/table><figcaption>Performance Evolution<\/figcaption><\/figure>$/);
  });

  it('applies label, class, align and format from columns', async () => {
    const page = await render(
      `<!-- @table:query="SELECT tag, baseline_rps, p99_latency_us FROM versions WHERE tag = 'v2-cache'" columns='{"baseline_rps": {"label": "Req/s", "format": "short", "align": "right", "class": "num"}, "p99_latency_us": {"format": "comma"}}' -->`,
    );
    expect(page.html).toContain('<th scope="col" class="num" style="text-align: right">Req/s</th>');
    expect(page.html).toContain('<tr><td>v2-cache</td><td class="num" style="text-align: right">14.2K</td><td>1,235</td></tr>');
    expect(page.html).not.toContain('<figcaption>');
  });

  it('escapes every cell and header', () => {
    const html = renderTable(
      { columns: ['<th>'], rows: [['<script>alert(1)</script>'], ['</script>&']] },
      {},
    );
    expect(html).not.toMatch(/<script|<\/script|<th>/);
    expect(html).toContain('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(html).toContain('<td>&lt;/script&gt;&amp;</td>');
  });

  it('errors on columns naming no column, unknown keys, bad align and bad format', async () => {
    const q = `query="SELECT tag, baseline_rps FROM versions"`;
    expect((await directiveErrorOf(render(`<!-- @table:${q} columns='{"rps": {}}' -->`))).reason).toBe(
      '"columns" names "rps", which the query does not return (columns: tag, baseline_rps)',
    );
    expect((await directiveErrorOf(render(`<!-- @table:${q} columns='{"tag": {"colour": "red"}}' -->`))).reason).toBe(
      '"columns" entry "tag" has unknown key "colour" (allowed: label, class, align, format)',
    );
    expect((await directiveErrorOf(render(`<!-- @table:${q} columns='{"tag": {"align": "middle"}}' -->`))).reason).toBe(
      '"columns" entry "tag": align must be one of left, right, center',
    );
    expect((await directiveErrorOf(render(`<!-- @table:${q} columns='{"tag": {"format": "x"}}' -->`))).reason).toMatch(
      /^unknown format "x"/,
    );
    expect((await directiveErrorOf(render(`<!-- @table:${q} columns='[1]' -->`))).reason).toBe('"columns" must be a JSON object');
  });

  it('errors on an empty result and on a missing query, with the location', async () => {
    const empty = await directiveErrorOf(render(`Text\n\n<!-- @table:query="SELECT tag FROM versions WHERE 0" -->`));
    expect(empty.message).toBe('book/t.md:3:1 @table: query returned no rows');
    const missing = await directiveErrorOf(render(`<!-- @table:title="x" -->`));
    expect(missing.message).toBe('book/t.md:1:1 @table: missing required key "query"');
  });
});
