import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { renderMarkdown } from '../markdown/render.ts';
import { createTestDatabase, directiveErrorOf } from './test-database.ts';

let empty: Database;
let captured: Database;
let bookgen: Database;
beforeAll(async () => {
  empty = await createTestDatabase();
  captured = await createTestDatabase();
  captured.run(
    `INSERT INTO demo_outputs(demo_number, name, title, description, command, output, captured_at) VALUES
       (1, 'search', 'One search', 'The hot search, by hand', 'curl localhost:3000/search?q=<x>', 'old', '2026-01-01T00:00:00Z'),
       (2, NULL, 'Health', '', NULL, '{"status": "ok"}', '2026-01-01T00:00:00Z')`,
  );
  // A database in the original BookGen's own shape (its docs/dsl/schema.sql): no name, no command.
  const { loadSqlJs } = await import('../../db/database.ts');
  bookgen = new (await loadSqlJs()).Database();
  bookgen.run('CREATE TABLE demo_outputs (demo_number INTEGER PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL, output TEXT NOT NULL, captured_at TEXT)');
  bookgen.run(`INSERT INTO demo_outputs VALUES (3, 'Retries', 'A step fails twice', 'attempt 1 failed\nattempt 2 failed\nattempt 3 ok', '2025-01-01')`);
});

const render = (markdown: string, db: Database, strict = false) => renderMarkdown(markdown, { db, file: 'd.md', strict });

describe('@demo', () => {
  it('num: the numbered demo, captioned with its number, title and description; output and command escaped', async () => {
    expect((await render('<!-- @demo:num="1" -->', captured)).html).toBe(
      '<figure class="demo"><pre><code><span class="demo-command">$ curl localhost:3000/search?q=&lt;x&gt;</span>\nold</code></pre>' +
        '<figcaption>Demo 1: One search <span class="demo-description">The hot search, by hand</span></figcaption></figure>',
    );
    expect((await render('<!-- @demo:num=2 title="Is it up?" -->', captured)).html).toBe(
      '<figure class="demo"><pre><code>{&quot;status&quot;: &quot;ok&quot;}</code></pre><figcaption>Demo 2: Is it up?</figcaption></figure>',
    );
    expect((await render('<!-- @demo:num="3" -->', bookgen)).html).toBe(
      '<figure class="demo"><pre><code>attempt 1 failed\nattempt 2 failed\nattempt 3 ok</code></pre><figcaption>Demo 3: Retries <span class="demo-description">A step fails twice</span></figcaption></figure>',
    );
  });

  it('name: the latest capture of that name, with its command, captioned by the title (given, or the row\'s) and the description', async () => {
    expect((await render('<!-- @demo:name="search" title="By hand" -->', captured)).html).toBe(
      '<figure class="demo"><pre><code><span class="demo-command">$ curl localhost:3000/search?q=&lt;x&gt;</span>\nold</code></pre>' +
        '<figcaption>By hand <span class="demo-description">The hot search, by hand</span></figcaption></figure>',
    );
    expect((await render('<!-- @demo:name="search" -->', captured)).html).toContain('<figcaption>One search <span class="demo-description">');
  });

  it('says in words that nothing was captured, with --strict too (an edition captures no demo)', async () => {
    expect((await render('<!-- @demo:num="7" -->', empty)).html).toBe(
      '<p class="demo demo-missing"><span class="metric-missing">Demo 7: no output captured yet.</span></p>',
    );
    expect((await render('<!-- @demo:name="nope" -->', captured)).html).toBe(
      '<p class="demo demo-missing"><span class="metric-missing">Demo &quot;nope&quot;: no output captured yet.</span></p>',
    );
    const strict = await render('<!-- @demo:num="7" -->', captured, true);
    expect([strict.html, strict.errors]).toEqual(['<p class="demo demo-missing"><span class="metric-missing">Demo 7: no output captured yet.</span></p>', []]);
  });

  it('errors on a missing or doubled key, a number that is not one, and a table without the columns needed', async () => {
    expect((await directiveErrorOf(render('<!-- @demo:title="x" -->', captured))).reason).toBe('missing required key "num" (or "name")');
    expect((await directiveErrorOf(render('<!-- @demo:num="1" name="search" -->', captured))).reason).toBe('give "num" or "name", not both');
    expect((await directiveErrorOf(render('<!-- @demo:num="one" -->', captured))).reason).toBe('num="one" is not a demo number (a whole number, e.g. num="3")');
    expect((await directiveErrorOf(render('<!-- @demo:name="search" -->', bookgen))).reason).toBe(
      'demo_outputs needs the columns name, output (it has: demo_number, title, description, output, captured_at)',
    );
  });
});
