import type { Database } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { bindQuery, isNamedQueryUse, parseDefinition, parseUse } from '../directives/named-queries.ts';
import { createTestDatabase, directiveErrorOf } from '../directives/test-database.ts';
import { renderMarkdown } from './render.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});

const render = (source: string, keepGoing = false) => renderMarkdown(source, { db, file: 'book/p.md', keepGoing });
const page = (...lines: string[]) => lines.join('\n');

const RPS = page('```sql rps(tag, scale = 1)', 'SELECT baseline_rps * :scale AS baseline_rps FROM versions WHERE tag = :tag', '```');

describe('named queries: the syntax', () => {
  it('tells a name from SQL', () => {
    expect(isNamedQueryUse('latest')).toBe(true);
    expect(isNamedQueryUse(" rps('v1', field = 2) ")).toBe(true);
    expect(isNamedQueryUse('SELECT 1')).toBe(false);
    expect(isNamedQueryUse('values(1)')).toBe(false);
    expect(isNamedQueryUse('with x AS (SELECT 1) SELECT * FROM x')).toBe(false);
  });

  it('writes arguments as literals, by position or by name, defaults filling the rest, never inside strings or comments', () => {
    const definition = parseDefinition("q(tag, scenario = 'hot', n = 3)", "SELECT ':tag', x -- :tag\nFROM t WHERE tag = :tag AND s = :scenario LIMIT :n");
    expect(bindQuery(definition, parseUse("q('it''s', n = 1.5e2)"))).toBe("SELECT ':tag', x -- :tag\nFROM t WHERE tag = 'it''s' AND s = 'hot' LIMIT 1.5e2");
    expect(bindQuery(definition, parseUse("q(NULL, 'cold')"))).toContain("tag = NULL AND s = 'cold' LIMIT 3");
  });

  it('refuses a value that is not a literal, so an argument can never become SQL', () => {
    expect(() => parseUse("q('v1') OR 1")).toThrow(/unexpected "OR 1"/);
    expect(() => parseUse('q(tag)')).toThrow(/expected a value \('text', a number or NULL\), found "tag\)"/);
    expect(() => parseUse('q("v1")')).toThrow(/text takes single quotes/);
  });

  it('checks the definition: parameters declared and used, each once', () => {
    expect(() => parseDefinition('q', 'SELECT :tag')).toThrow('query "q" uses :tag, which is not a parameter (it declares none; declare it: ```sql q(tag))');
    expect(() => parseDefinition('q(tag, n)', 'SELECT :tag')).toThrow('query "q" declares parameter "n" but its SQL never uses :n');
    expect(() => parseDefinition('q(a, a)', 'SELECT :a')).toThrow('parameter "a" is declared twice');
    expect(() => parseDefinition('q extra', 'SELECT 1')).toThrow(/unexpected "extra"/);
    expect(() => parseDefinition('q', '  ')).toThrow('query "q" is empty');
  });

  it('checks the use against the definition', () => {
    const definition = parseDefinition("q(tag, s = 'hot')", 'SELECT :tag, :s');
    expect(() => bindQuery(definition, parseUse('q'))).toThrow(`query q(tag, s = 'hot') needs "tag": write q(tag = …, s = …)`);
    expect(() => bindQuery(definition, parseUse("q('a', 'b', 'c')"))).toThrow("query q(tag, s = 'hot') takes 2 arguments, given 3");
    expect(() => bindQuery(definition, parseUse("q('a', x = 1)"))).toThrow(`query q(tag, s = 'hot') has no parameter "x"`);
    expect(() => bindQuery(definition, parseUse("q('a', tag = 'b')"))).toThrow('is given by position and by name');
  });
});

describe('named queries on a page', () => {
  it('serves @metric, @table, @chart and @assert by name, defined before or after the use, and renders no block', async () => {
    const html = (
      await render(
        page(
          "v1: <!-- @metric:query=\"rps('v1-baseline')\" format=\"comma\" -->, v2: <!-- @metric:query=\"rps(tag = 'v2-cache')\" format=\"comma\" -->",
          '',
          '<!-- @table:query="both" -->',
          '',
          '<!-- @chart:query="both" type="bar" -->',
          '',
          '<!-- @assert:query="gain" expect=">= 1.4" message="chapter 2 is 1.4 times chapter 1" -->',
          '',
          RPS,
          '',
          '```sql both',
          "SELECT tag, baseline_rps FROM versions WHERE tag IN ('v1-baseline', 'v2-cache') ORDER BY chapter_number",
          '```',
          '',
          '```sql gain',
          "SELECT (SELECT baseline_rps FROM versions WHERE tag = 'v2-cache') / (SELECT baseline_rps FROM versions WHERE tag = 'v1-baseline')",
          '```',
        ),
      )
    ).html;
    expect(html).toContain('v1: <span class="metric" data-field="baseline_rps">10,000</span>, v2: <span class="metric" data-field="baseline_rps">14,230</span>');
    expect(html).toContain('<td>v2-cache</td>');
    expect(html).toContain('<figure class="chart">');
    expect(html).not.toContain('<pre>');
    expect(html).not.toContain('SELECT');
  });

  it('keeps a plain ```sql block (no name) as code', async () => {
    expect((await render('```sql\nSELECT 1\n```')).html).toBe('<pre><code class="hljs language-sql"><span class="hljs-keyword">SELECT</span> <span class="hljs-number">1</span>\n</code></pre>');
  });

  it('names the use and every definition of the page for an unknown name', async () => {
    const error = await directiveErrorOf(render(page(RPS, '', 'x <!-- @metric:query="rsp(\'v1-baseline\')" -->')));
    expect(error.message).toBe('book/p.md:5:3 @metric: unknown query "rsp": this page defines rps (book/p.md:1:1) (define it in a fenced block: ```sql rsp)');
  });

  it('names both definitions of a name defined twice', async () => {
    const error = await directiveErrorOf(render(page(RPS, '', RPS, '', 'x <!-- @metric:query="rps(\'v1-baseline\')" -->')));
    expect(error.message).toBe('book/p.md:5:1 @query: query "rps" is defined twice: here and at book/p.md:1:1 (one name, one query on a page: rename one)');
  });

  it('names an unused definition', async () => {
    const error = await directiveErrorOf(render(page('text', '', RPS)));
    expect(error.message).toBe('book/p.md:3:1 @query: query "rps" is defined but no @metric, @chart, @table or @assert on this page uses it (use it: query="rps", or delete it)');
  });

  it('names the definition in errors of the use: a missing argument, a SQL error', async () => {
    const missing = await directiveErrorOf(render(page(RPS, '', 'x <!-- @metric:query="rps" -->')));
    expect(missing.message).toBe(`book/p.md:5:3 @metric: query rps(tag, scale = 1) needs "tag": write rps(tag = …, scale = …) (defined at book/p.md:1:1)`);
    const broken = await directiveErrorOf(render(page('```sql bad', 'SELECT nope FROM versions', '```', '', '<!-- @table:query="bad" -->')));
    expect(broken.message).toBe('book/p.md:5:1 @table: no such column: nope (in query "bad" defined at book/p.md:1:1)');
  });

  it('counts a use whose directive fails for another reason as a use (one error, not two)', async () => {
    const rendered = await render(page('x <!-- @table:query="rps(\'v1-baseline\')" -->', '', RPS), true);
    expect(rendered.errors.map((error) => error.reason)).toEqual(['@table is a block: put it on its own line(s), not inside a paragraph, list text or table cell']);
  });

  it('with keep going, shows each error where it happened and renders the rest', async () => {
    const rendered = await render(page(RPS, '', 'x <!-- @metric:query="nope" -->', '', '```sql unused', 'SELECT 1', '```', '', 'y <!-- @metric:query="rps(\'v2-cache\')" -->'), true);
    expect(rendered.errors.map((error) => `${error.line}:${error.column} ${error.directive}`)).toEqual(['5:3 metric', '7:1 query']);
    expect(rendered.html).toContain('<div class="directive-error" role="alert">book/p.md:7:1 @query: query &quot;unused&quot; is defined but');
    expect(rendered.html).toContain('14,230');
  });
});
