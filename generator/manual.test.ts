/**
 * The generator's own manual (book/generator/) builds from the shipped database, with a
 * live example of every directive and every view a book may query read from the schema.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOK_VIEWS } from '../db/schema.ts';
import { AUTHORING_VIEWS } from '../db/views/book.ts';
import { buildSite, type BuildResult } from './build.ts';
import { DIRECTIVES } from './directives/index.ts';

const MANUAL = join(import.meta.dirname, '..', 'book', 'generator');
const DATA = join(import.meta.dirname, '..', 'data');

let dir: string;
let result: BuildResult;
const page = (name: string) => readFileSync(join(dir, 'site', 'generator', `${name}.html`), 'utf8');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'book-manual-'));
  cpSync(MANUAL, join(dir, 'book', 'generator'), { recursive: true });
  result = await buildSite({
    bookDir: join(dir, 'book'),
    db: join(DATA, 'bench.sqlite'),
    chapters: join(DATA, 'chapters.json'),
    out: join(dir, 'site'),
    keepGoing: false,
    strict: false,
    quiet: true,
    // The query time limit stops a hostile query (cli.test.ts asserts it); over the shipped
    // 87 MB database the appendix's query took over the default 5 s on a loaded 2-core
    // machine and failed this build. Here the hook's timeout bounds the build.
    queryTimeoutMs: 120_000,
  });
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the generator's manual", () => {
  it('builds from data/bench.sqlite without an error or a warning', () => {
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.pages).toEqual(expect.arrayContaining(['generator/00-introduction.html', 'generator/01-directives.html', 'generator/02-views.html', 'generator/03-errors.html']));
  });

  it('has a section for every directive, and its examples expanded beside their source', () => {
    const html = page('01-directives');
    for (const name of DIRECTIVES.keys()) expect(html).toMatch(new RegExp(`<h2 id="[^"]*"><code>@${name}</code>`));
    const examples = html.split(/<div class="directive-example(?: directive-example-wide)?">/).slice(1);
    const shownLive = new Set<string>();
    for (const example of examples) {
      const [source, output] = example.split('<div class="directive-example-output">');
      expect(source).toContain('<pre><code'); // in code: shown as text
      for (const match of source.matchAll(/&#x3C;!-- @([a-z0-9]+):/g)) shownLive.add(match[1]);
      expect(output).not.toContain('<!-- @'); // live: expanded
    }
    expect([...shownLive].sort()).toEqual([...DIRECTIVES.keys()].sort());
    expect(html).toMatch(/<span class="metric" data-tag="v1-baseline"/);
    expect(html).toContain('<figure class="chart">');
    expect(html).toContain('<figure class="table">');
    expect(html).toContain('git-timeline');
    expect(html).toContain('class="mermaid"');
  });

  it('lists every view books may query with its columns, generated from the schema', () => {
    const html = page('02-views');
    const overview = html.slice(html.indexOf('<figure class="table">'), html.indexOf('</figure>'));
    for (const view of BOOK_VIEWS) {
      expect(overview).toContain(`<tr><td>${view}</td>`);
      const section = html.slice(html.indexOf(`<h2 id="${view}"><code>${view}</code>`));
      const columns = section.slice(0, section.indexOf('</figure>'));
      expect(columns, view).toMatch(/<tbody>\n<tr><td>[a-z_]+<\/td>/);
    }
    expect(html).toMatch(/<h2 id="versions"><code>versions<\/code><\/h2>[\s\S]*?<td>machine_fingerprint<\/td>/);
  });

  it('teaches every view for authors with a live example: a directive in its section using a query of the page that reads it', () => {
    const source = readFileSync(join(MANUAL, '02-views.md'), 'utf8');
    const queries = new Map([...source.matchAll(/^```sql[ \t]+([a-z_]\w*)[^\n]*\n([\s\S]*?)^```/gm)].map((m) => [m[1], m[2]]));
    for (const view of AUTHORING_VIEWS) {
      const start = source.indexOf(`## \`${view}\``);
      expect(start, `a section on ${view}`).toBeGreaterThan(-1);
      const end = source.indexOf('\n## ', start + 1);
      const section = source.slice(start, end === -1 ? undefined : end);
      const used = [...section.matchAll(/<!-- @(?:metric|table|chart|assert):query="([a-z_]+)\b/g)].map((m) => m[1]).filter((name) => name !== 'columns_of');
      const reading = used.filter((name) => new RegExp(`\\b(?:FROM|JOIN)\\s+${view}\\b`).test(queries.get(name) ?? ''));
      expect(reading, `${view}: a live example reading it`).not.toEqual([]);
    }
  });

  it('links to the specification in the repository, not to a page of the site', () => {
    expect(page('00-introduction')).toContain('href="../../docs/spec/directives.md"');
  });
});
