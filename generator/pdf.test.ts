/**
 * The PDF edition built by the real CLI path (buildSite with pdf) and read back with
 * pdftotext: every chapter title, a measured number, page numbers; linked from the
 * landing page.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSite } from './build.ts';
import { writeFixtureBook } from './test-fixtures/book.ts';
import { writeTestDatabase } from './test-fixtures/bench-db.ts';

describe('npm run book -- --pdf', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'book-pdf-test-'));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('prints each book with its chapters, numbers and page numbers, linked from the landing page', async () => {
    writeFixtureBook(join(workDir, 'book'));
    const data = await writeTestDatabase(workDir);
    const out = join(workDir, 'site');
    await buildSite({ bookDir: join(workDir, 'book'), db: data.db, chapters: data.chapters, out, keepGoing: false, strict: false, quiet: true, pdf: true });

    const text = execFileSync('pdftotext', ['-layout', join(out, 'alpha.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toContain('Contents');
    for (const title of ['Introduction', 'More']) expect(text).toContain(title);
    expect(text).toContain('1,010'); // v1-baseline's measured throughput, from the table
    expect(text).toMatch(/\b1 ?\/ ?\d+\b/); // page numbers in the footer ("1 / 4")
    expect(execFileSync('pdftotext', [join(out, 'beta.pdf'), '-'], { encoding: 'utf8' })).toContain('Beta');

    const landing = readFileSync(join(out, 'index.html'), 'utf8');
    expect(landing).toContain('<p class="book-card-pdf"><a href="alpha.pdf">PDF edition</a></p>');
  }, 120_000);
});
