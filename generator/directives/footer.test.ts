import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { createDatabase } from '../../db/database.ts';
import { renderMarkdown } from '../markdown/render.ts';
import { createTestDatabase, directiveErrorOf } from './test-database.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});

const generatedAt = new Date('2026-11-22T06:00:00Z');

describe('@footer', () => {
  it('states generation time, build commit and the provenance of the numbers', async () => {
    const page = await renderMarkdown('<!-- @footer:generated_at -->', { db, file: 'f.md', generatedAt, buildCommit: 'abcdef0123456789' });
    expect(page.html).toBe(
      '<footer class="book-footer"><p class="book-generated">Generated <time datetime="2026-11-22T06:00:00.000Z">2026-11-22T06:00:00.000Z</time> from commit <code>abcdef0</code>.</p>' +
        '<p class="book-provenance">Numbers: 4 measured runs in 1 session; latest session 2026-11-20T10:00:00.000Z on Test CPU 3000 (2 cores), load from autocannon 9.0.0.</p></footer>',
    );
  });

  it('accepts style="default" and links the commit when the repository is known', async () => {
    const page = await renderMarkdown('<!-- @footer:style="default" -->', {
      db,
      file: 'f.md',
      generatedAt,
      buildCommit: 'abcdef0123456789',
      repoUrl: 'https://github.com/o/r',
    });
    expect(page.html).toContain('from commit <a href="https://github.com/o/r/commit/abcdef0123456789"><code>abcdef0</code></a>.');
  });

  it('says so when the database holds no measurements', async () => {
    const empty = await createDatabase();
    const page = await renderMarkdown('<!-- @footer:generated_at -->', { db: empty, file: 'f.md', generatedAt });
    expect(page.html).toContain('<p class="book-provenance">The database holds no measurements yet.</p>');
    expect(page.html).toContain('2026-11-22T06:00:00.000Z</time>.</p>');
  });

  it('style="minimal" says when and from which commit, without the measurements line', async () => {
    const page = await renderMarkdown('<!-- @footer:style="minimal" -->', { db, file: 'f.md', generatedAt: new Date('2026-11-22T06:00:00Z'), buildCommit: 'abcdef0123' });
    expect(page.html).toBe('<footer class="book-footer"><p class="book-generated">Generated <time datetime="2026-11-22T06:00:00.000Z">2026-11-22T06:00:00.000Z</time> from commit <code>abcdef0</code>.</p></footer>');
  });

  it('errors on an unknown style or key', async () => {
    expect((await directiveErrorOf(renderMarkdown('<!-- @footer:style="fancy" -->', { db, file: 'f.md' }))).reason).toBe(
      'unknown style "fancy" (allowed: default, minimal)',
    );
    expect((await directiveErrorOf(renderMarkdown('<!-- @footer:date -->', { db, file: 'f.md', strict: true }))).reason).toBe(
      'unknown key "date" (allowed: generated_at, style)',
    );
  });
});
