import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { renderMarkdown } from '../markdown/render.ts';
import { createTestDatabase, directiveErrorOf } from './test-database.ts';

let plain: Database;
let withDemos: Database;
beforeAll(async () => {
  plain = await createTestDatabase();
  withDemos = await createTestDatabase();
  withDemos.run('CREATE TABLE demo_outputs (name TEXT, command TEXT, output TEXT)');
  withDemos.run(`INSERT INTO demo_outputs VALUES ('search', 'curl localhost:3000/search?q=<x>', 'old'), ('search', 'curl localhost:3000/search?q=<x>', '{"events": [] }'), ('bare', NULL, 'hello')`);
});

describe('@demo', () => {
  it('shows the latest recording of the named demo: command and output, escaped', async () => {
    const page = await renderMarkdown('<!-- @demo:name="search" title="One search" -->', { db: withDemos, file: 'd.md' });
    expect(page.html).toBe(
      '<figure class="demo"><pre><code><span class="demo-command">$ curl localhost:3000/search?q=&lt;x&gt;</span>\n{&quot;events&quot;: [] }</code></pre><figcaption>One search</figcaption></figure>',
    );
    expect((await renderMarkdown('<!-- @demo:name="bare" -->', { db: withDemos, file: 'd.md' })).html).toBe('<figure class="demo"><pre><code>hello</code></pre></figure>');
  });

  it('names the known demos for an unknown name, and says so when the database has no demo_outputs table', async () => {
    expect((await directiveErrorOf(renderMarkdown('<!-- @demo:name="nope" -->', { db: withDemos, file: 'd.md' }))).reason).toBe(
      'no demo named "nope" in demo_outputs (known: search, bare)',
    );
    expect((await directiveErrorOf(renderMarkdown('<!-- @demo:name="search" -->', { db: plain, file: 'd.md' }))).message).toBe(
      'd.md:1:1 @demo: @demo reads the demo_outputs table (columns name, output, optionally command), which this database does not have',
    );
  });
});
