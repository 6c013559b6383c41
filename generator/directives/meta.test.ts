import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { renderMarkdown } from '../markdown/render.ts';
import { createTestDatabase, directiveErrorOf } from './test-database.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});

describe('@meta', () => {
  it('collects keys from several comments, renders nothing, and gives the page title', async () => {
    const page = await renderMarkdown(
      '<!-- @meta:title="KraftServer - High-Performance HTTP Server" -->\n<!-- @meta:author="A. Writer" description="How it got fast" -->\n\n# Chapter one\n',
      { db, file: 'book/a.md' },
    );
    expect(page.meta).toEqual({ title: 'KraftServer - High-Performance HTTP Server', author: 'A. Writer', description: 'How it got fast' });
    expect(page.title).toBe('KraftServer - High-Performance HTTP Server');
    expect(page.html).toBe('<h1 id="chapter-one">Chapter one</h1>');
  });

  it('errors on an unknown key, listing the allowed ones', async () => {
    const error = await directiveErrorOf(renderMarkdown('<!-- @meta:titel="x" -->', { db, file: 'book/a.md', strict: true }));
    expect(error.message).toBe(
      'book/a.md:1:1 @meta: unknown key "titel" (allowed: title, author, description, generated, keywords, lang, subtitle)',
    );
  });
});
