import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { createTestDatabase, directiveErrorOf } from '../directives/test-database.ts';
import { DirectiveError, renderMarkdown } from './render.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});

const render = (source: string, keepGoing = false) => renderMarkdown(source, { db, file: 'book/p.md', keepGoing });
const METRIC = '<!-- @metric:tag="v1-baseline" -->';
/** A chapter's headline as rendered: the value with its provenance on hover. */
const VALUE = '<span class="metric" data-tag="v1-baseline" data-field="baseline_rps" title="Session 1, 2026-11-20; autocannon 9.0.0; Test CPU 3000 (2 cores); median of 2 runs">10,000</span>';

describe('renderMarkdown: where directives are found', () => {
  it('expands inline directives in emphasis, links, list items, blockquotes and table cells', async () => {
    const page = await render(
      [
        `**Result: ${METRIC} requests/second**`,
        '',
        `- item _${METRIC}_`,
        '',
        `> quoted ${METRIC}`,
        '',
        '| chapter | rps |',
        '|---|--:|',
        `| v1 | ${METRIC} |`,
      ].join('\n'),
    );
    expect(page.html).toContain(`<p><strong>Result: ${VALUE} requests/second</strong></p>`);
    expect(page.html).toContain(`<li>item <em>${VALUE}</em></li>`);
    expect(page.html).toContain(`<p>quoted ${VALUE}</p>`);
    expect(page.html).toContain(`<td align="right">${VALUE}</td>`);
  });

  it('reads \\| in a table cell as a pipe inside a directive, as GitHub tables require', async () => {
    const page = await render('| a |\n|---|\n| <!-- @metric:query="SELECT \'x\\|y\' AS label" --> |');
    expect(page.html).toContain('<td><span class="metric" data-field="label">x|y</span></td>');
  });

  it('leaves directives in fenced, indented and inline code literal (and highlights fenced code)', async () => {
    const page = await render(
      [
        'Inline `<!-- @metric:tag="v9-x" -->` code.',
        '',
        '```html',
        '<!-- @chart:query="SELECT nope" -->',
        '```',
        '',
        '    <!-- @table:query="SELECT nope" -->',
      ].join('\n'),
    );
    expect(page.errors).toEqual([]);
    expect(page.html).toContain('<code>&#x3C;!-- @metric:tag="v9-x" --></code>');
    expect(page.html).toContain('<pre><code class="hljs language-html"><span class="hljs-comment">&#x3C;!-- @chart:query="SELECT nope" --></span>');
    expect(page.html).toContain('<pre><code>&#x3C;!-- @table:query="SELECT nope" -->');
    expect(page.usesCharts).toBe(false);
  });

  it('keeps ordinary comments and other HTML as they are', async () => {
    const page = await render('<!-- a note for editors -->\n\nText <!-- inline note --> and <kbd>Ctrl</kbd>.\n\n<div class="x">raw</div>');
    expect(page.html).toBe('<!-- a note for editors -->\n<p>Text <!-- inline note --> and <kbd>Ctrl</kbd>.</p>\n<div class="x">raw</div>');
  });

  it('reads a line that starts with an inline directive as running text, joined with the next line', async () => {
    const page = await render(`${METRIC} requests/second, **fast**\non one core.\n\n- ${METRIC} in a list\n\n${METRIC}\n`);
    expect(page.html).toBe(
      `<p>${VALUE} requests/second, <strong>fast</strong>\non one core.</p>\n<ul>\n<li>${VALUE} in a list</li>\n</ul>\n<p>${VALUE}</p>`,
    );
  });

  it('continues the paragraph that a line starting with an inline directive interrupts', async () => {
    const page = await render(`Chapter one serves\n${METRIC} requests/second\n${METRIC} again\nand more.\n\nNext.`);
    expect(page.html).toBe(`<p>Chapter one serves\n${VALUE} requests/second\n${VALUE} again\nand more.</p>\n<p>Next.</p>`);
  });

  it('expands a multi-line directive and several directives on one line', async () => {
    const page = await render(`<!-- @metric:\n  tag="v1-baseline"\n  format="short" -->\n\n${METRIC} ${METRIC}`);
    expect(page.html).toContain('>10K</span>');
    expect(page.html).toContain(`${VALUE} ${VALUE}`);
  });
});

describe('renderMarkdown: errors', () => {
  it('locates an unknown directive', async () => {
    const error = await directiveErrorOf(render('# T\n\nfirst\n\n<!-- @metrics:tag="v1-baseline" -->'));
    expect(error).toBeInstanceOf(DirectiveError);
    expect(error.message).toBe('book/p.md:5:1 @metrics: unknown directive @metrics (known: assert, c4, chart, demo, footer, git, mermaid, meta, metric, table)');
  });

  it('locates a syntax error inside a block of several comments', async () => {
    const error = await directiveErrorOf(render('Para\n\n<!-- ok --> <!-- @metric:tag=it\'s -->'));
    expect(error.message).toBe('book/p.md:3:13 @metric: the value of "tag" holds a quote: quote the whole value with " or \'');
  });

  it('locates an error on a later line of a multi-line HTML block', async () => {
    // One block: a comment over two lines, then the directive on the second line.
    const error = await directiveErrorOf(render('Intro\n\n<!-- note for\n editors --> <!-- @metric:tag="v9-x" -->'));
    expect([error.line, error.column]).toEqual([4, 14]);
  });

  it('refuses a block directive that shares its line with text, explaining why', async () => {
    const error = await directiveErrorOf(render('<!-- @chart:query="SELECT 1, 2" --> and text'));
    expect(error.message).toMatch(
      /^book\/p\.md:1:1 @chart: a directive comment must be alone in its HTML block, but it shares it with "and text"/,
    );
  });

  it('locates errors in a line that starts with a directive (re-read as a paragraph)', async () => {
    const error = await directiveErrorOf(render(`Intro\n\n${METRIC} and <!-- @metric:tag="v9-x" -->`));
    expect([error.line, error.column]).toEqual([3, 40]); // 34-character METRIC + " and "
  });

  it('treats "@metric" without a colon as a typo, but leaves other @words in comments alone', async () => {
    const error = await directiveErrorOf(render('Value: <!-- @metric tag="v1-baseline" -->'));
    expect(error.message).toBe('book/p.md:1:8 @metric: missing ":" after @metric (write <!-- @metric:key="value" -->)');
    const page = await render('<!-- @todo check this -->\n\n<!-- @metrics are great -->');
    expect(page.html).toBe('<!-- @todo check this -->\n<!-- @metrics are great -->');
  });

  it('unknown keys: an error with the allowed ones in strict mode, otherwise a located warning and ignored', async () => {
    const source = 'Value: <!-- @metric:tag="v1-baseline" fromat="short" -->';
    const error = await directiveErrorOf(renderMarkdown(source, { db, file: 'book/p.md', strict: true }));
    expect(error.message).toBe('book/p.md:1:8 @metric: unknown key "fromat" (allowed: tag, field, format, query)');
    const page = await renderMarkdown(source, { db, file: 'book/p.md' });
    expect(page.warnings).toEqual(['book/p.md:1:8 @metric: unknown key "fromat" (allowed: tag, field, format, query), ignored']);
    expect(page.html).toContain('>10,000</span>');
  });

  it('keepGoing: renders escaped error boxes (div for blocks, span inline), collects every error, renders the rest', async () => {
    const page = await render(
      ['<!-- @chart:query="SELECT <x>" -->', '', 'Inline <!-- @metric:tag="v9-x" --> here and ' + METRIC].join('\n'),
      true,
    );
    expect(page.errors.map((e) => e.message)).toEqual([
      'book/p.md:1:1 @chart: near "<": syntax error',
      'book/p.md:3:8 @metric: unknown tag v9-x (known: v1-baseline, v2-cache, v3-pool)',
    ]);
    expect(page.html).toContain('<div class="directive-error" role="alert">book/p.md:1:1 @chart: near &quot;&lt;&quot;: syntax error</div>');
    expect(page.html).toContain('<span class="directive-error" role="alert">book/p.md:3:8 @metric: unknown tag v9-x');
    expect(page.html).toContain(VALUE);
  });

  it('without keepGoing, the first error stops the render', async () => {
    await expect(render('<!-- @metric:tag="v9-x" -->')).rejects.toThrow(DirectiveError);
  });
});

describe('renderMarkdown: page data', () => {
  it('gives headings unique ids, lists h2/h3, and takes the title from the first h1', async () => {
    const page = await render(
      ['# The Book', '', '## Setup & Run', '', '### Notes', '', '## Setup & Run', '', `## Result ${METRIC}`, '', '#### Deep'].join('\n'),
    );
    expect(page.title).toBe('The Book');
    expect(page.headings).toEqual([
      { depth: 2, text: 'Setup & Run', id: 'setup--run' },
      { depth: 3, text: 'Notes', id: 'notes' },
      { depth: 2, text: 'Setup & Run', id: 'setup--run-1' },
      { depth: 2, text: 'Result 10,000', id: 'result' }, // the id ignores the live number: links survive a re-bench
    ]);
    expect(page.html).toContain('<h1 id="the-book">The Book</h1>');
    expect(page.html).toContain('<h2 id="setup--run-1">Setup &#x26; Run</h2>');
    expect(page.html).toContain('<h4 id="deep">Deep</h4>');
  });

  it('has no title without @meta title or h1, and reports chart/mermaid use', async () => {
    const page = await render('## Only h2\n\n<!-- @chart:query="SELECT tag, chapter_number FROM versions" -->\n\n```mermaid\ngraph TD\nA-->B\n```');
    expect(page.title).toBeNull();
    expect(page.usesCharts).toBe(true);
    expect(page.usesMermaid).toBe(true);
  });

  it('renders GitHub tables, strikethrough and task lists (remark-gfm)', async () => {
    const page = await render('~~old~~\n\n- [x] done');
    expect(page.html).toContain('<del>old</del>');
    expect(page.html).toContain('<input type="checkbox" checked disabled>');
  });
});
