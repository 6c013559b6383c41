import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { renderMarkdown } from '../markdown/render.ts';
import { createTestDatabase, directiveErrorOf } from './test-database.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});

const render = (source: string) => renderMarkdown(source, { db, file: 'book/d.md' });

describe('@mermaid', () => {
  it('renders the spec example: \\n is a newline, text escaped, title as caption', async () => {
    const page = await render('<!-- @mermaid:title="Pipeline" diagram="flowchart LR\\n A --> B" -->');
    expect(page.html).toBe(
      '<figure class="mermaid-figure"><pre class="mermaid">flowchart LR\n A --&gt; B</pre><figcaption>Pipeline</figcaption></figure>',
    );
    expect(page.usesMermaid).toBe(true);
  });

  it('renders ```mermaid fences the same way, without a caption and without highlighting', async () => {
    const page = await render('```mermaid\nflowchart LR\n  A["<b>x</b>"] --> B\n```\n');
    expect(page.html).toBe(
      '<figure class="mermaid-figure"><pre class="mermaid">flowchart LR\n  A[&quot;&lt;b&gt;x&lt;/b&gt;&quot;] --&gt; B</pre></figure>',
    );
    expect(page.usesMermaid).toBe(true);
  });

  it('errors on a missing or empty diagram', async () => {
    expect((await directiveErrorOf(render('<!-- @mermaid:title="x" -->'))).reason).toBe('missing required key "diagram"');
    expect((await directiveErrorOf(render('<!-- @mermaid:diagram=" " -->'))).reason).toBe('the diagram is empty');
  });
});
