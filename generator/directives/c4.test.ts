import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { renderMarkdown } from '../markdown/render.ts';
import { c4Diagram } from './c4.ts';
import { createTestDatabase, directiveErrorOf } from './test-database.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});

const render = (source: string) => renderMarkdown(source, { db, file: 'book/c4.md' });

describe('@c4', () => {
  it('draws a C4 model as a Mermaid C4Context diagram, escaped, with a caption', async () => {
    const page = await render(
      String.raw`<!-- @c4:title="Context" model="Person(user, \"Reader\")\nSystem(book, \"Book\")\nRel(user, book, \"reads\")" -->`,
    );
    expect(page.html).toBe(
      '<figure class="mermaid-figure"><pre class="mermaid">C4Context\nPerson(user, &quot;Reader&quot;)\nSystem(book, &quot;Book&quot;)\nRel(user, book, &quot;reads&quot;)</pre><figcaption>Context</figcaption></figure>',
    );
    expect(page.usesMermaid).toBe(true);
  });

  it('takes the diagram kind from type, or from the model itself', () => {
    expect(c4Diagram('Container(api, "API")', 'C4Container')).toBe('C4Container\nContainer(api, "API")');
    expect(c4Diagram('C4Deployment\nDeployment_Node(n, "Node")')).toBe('C4Deployment\nDeployment_Node(n, "Node")');
  });

  it('takes the diagram kind from the original BookGen\'s level, by name or number', async () => {
    const html = async (level: string) => (await render(`<!-- @c4:level="${level}" diagram="Container(api, \\"API\\")" -->`)).html;
    expect(await html('container')).toContain('<pre class="mermaid">C4Container\n');
    expect(await html('Component')).toContain('<pre class="mermaid">C4Component\n');
    expect(await html('1')).toContain('<pre class="mermaid">C4Context\n');
    expect((await directiveErrorOf(render('<!-- @c4:level="code" diagram="x" -->'))).reason).toMatch(/^level "code" \(4\) is not drawn: Mermaid has no C4 code diagram/);
    expect((await directiveErrorOf(render('<!-- @c4:level="galaxy" diagram="x" -->'))).reason).toBe(
      'unknown level "galaxy" (allowed: context or 1, container or 2, component or 3, dynamic, deployment)',
    );
    expect((await directiveErrorOf(render('<!-- @c4:level="1" type="C4Context" diagram="x" -->'))).reason).toBe('give either "type" or "level", not both');
  });

  it('errors on a missing model, an unknown type and an unknown key', async () => {
    expect((await directiveErrorOf(render('<!-- @c4:title="x" -->'))).message).toBe(
      'book/c4.md:1:1 @c4: missing required key "model" (the C4 elements: Person(…), System(…), Rel(…))',
    );
    expect((await directiveErrorOf(render('<!-- @c4:model="Person(a, \\"A\\")" type="C4Zoo" -->'))).reason).toBe(
      'unknown type "C4Zoo" (allowed: C4Context, C4Container, C4Component, C4Dynamic, C4Deployment)',
    );
    expect((await directiveErrorOf(renderMarkdown('<!-- @c4:model="x" colour="red" -->', { db, file: 'book/c4.md', strict: true }))).reason).toBe(
      'unknown key "colour" (allowed: model, diagram, title, type, level)',
    );
  });
});
