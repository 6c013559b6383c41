import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { createDatabase } from '../../db/database.ts';
import { renderMarkdown } from '../markdown/render.ts';
import { createTestDatabase, directiveErrorOf } from './test-database.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});

describe('@git', () => {
  it('lists the chapters in order with tag link, short commit, title and throughput', async () => {
    const page = await renderMarkdown('<!-- @git:show="branches" -->', { db, file: 'book/g.md', repoUrl: 'https://github.com/o/r/' });
    const items = page.html.match(/<li[^]*?<\/li>/g) ?? [];
    expect(page.html.startsWith('<ol class="git-timeline">')).toBe(true);
    expect(items).toHaveLength(3);
    expect(items[0]).toBe(
      '<li class="git-chapter" data-chapter="1"><a class="git-tag" href="https://github.com/o/r/tree/v1-baseline">v1-baseline</a> <code class="git-commit">1111111</code> <span class="git-title">Baseline</span> <span class="git-throughput"><span class="metric" data-tag="v1-baseline" data-field="baseline_rps">10,000</span> req/s</span></li>',
    );
    expect(items[1]).toContain('>14,230</span> req/s');
    expect(items[2]).toContain('<span class="metric metric-missing" data-tag="v3-pool" data-field="baseline_rps">no measurement yet</span>');
  });

  it('accepts the timeline under the names timeline and tags and with no show at all, and lists the chapter commits with show="commits"', async () => {
    const branches = (await renderMarkdown('<!-- @git:show="branches" -->', { db, file: 'g.md' })).html;
    expect((await renderMarkdown('<!-- @git:show="timeline" -->', { db, file: 'g.md' })).html).toBe(branches);
    expect((await renderMarkdown('<!-- @git:show="tags" -->', { db, file: 'g.md' })).html).toBe(branches);
    expect((await renderMarkdown('<!-- @git: -->', { db, file: 'g.md' })).html, 'no show: the branches').toBe(branches);
    expect((await renderMarkdown('<!-- @git:show=branches -->', { db, file: 'g.md' })).html).toBe(branches);
    const commits = (await renderMarkdown('<!-- @git:show="commits" -->', { db, file: 'g.md', repoUrl: 'https://github.com/o/r' })).html;
    expect(commits.startsWith('<ol class="git-timeline git-commits">')).toBe(true);
    expect(commits).toContain('<a class="git-commit" href="https://github.com/o/r/commit/1111111111111111111111111111111111111111"><code>1111111</code></a> <span class="git-tag">v1-baseline</span>');
    expect(commits.match(/<li/g)).toHaveLength(3);
  });

  it('shows no link without a repository URL', async () => {
    const page = await renderMarkdown('<!-- @git:show="branches" -->', { db, file: 'book/g.md' });
    expect(page.html).not.toContain('<a ');
    expect(page.html).toContain('<span class="git-tag">v2-cache</span> <code class="git-commit">2222222</code>');
  });

  it('in strict mode an unmeasured chapter is an error', async () => {
    const error = await directiveErrorOf(renderMarkdown('<!-- @git:show="branches" -->', { db, file: 'book/g.md', strict: true }));
    expect(error.message).toBe('book/g.md:1:1 @git: v3-pool has no measurement yet (run npm run bench)');
  });

  it('errors on an unknown show value and on a database without chapters', async () => {
    expect((await directiveErrorOf(renderMarkdown('<!-- @git:show="forks" -->', { db, file: 'g.md' }))).reason).toBe(
      'unknown show="forks" (allowed: branches, timeline, tags, commits)',
    );
    const empty = await createDatabase();
    expect((await directiveErrorOf(renderMarkdown('<!-- @git:show="branches" -->', { db: empty, file: 'g.md' }))).reason).toBe(
      'the database lists no chapters (is data/chapters.json synced?)',
    );
  });
});
