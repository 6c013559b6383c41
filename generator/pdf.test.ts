/**
 * The PDF edition built by the real CLI path (buildSite with pdf) and read back with
 * pdftotext: every chapter title, a measured number, page numbers, a wide table inside the
 * page's margins; linked from the landing page.
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

    // Beta's ten-column table wraps to the page between words: its headings and figures are printed
    // whole, and no word of any page ends past the right margin (16 mm; 1 pt for glyph bounds), where it would be cut.
    const boxes = execFileSync('pdftotext', ['-bbox', join(out, 'beta.pdf'), '-'], { encoding: 'utf8' });
    const pages = [...boxes.matchAll(/<page width="([\d.]+)"[\s\S]*?<\/page>/g)];
    expect(pages.length).toBeGreaterThan(0);
    const words = pages.flatMap(([page, width]) =>
      [...page.matchAll(/<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<\/word>/g)].map(([, xMax, word]) => ({ word, past: Number(xMax) - (Number(width) - (16 / 25.4) * 72) })),
    );
    expect(words.map((w) => w.word)).toEqual(expect.arrayContaining(['Improvement', 'Average', 'Maximum', '1,010', '99.01', '1,500', '3,000', '9,000']));
    expect(words.filter((w) => w.past > 1)).toEqual([]);

    const landing = readFileSync(join(out, 'index.html'), 'utf8');
    expect(landing).toContain('<p class="book-card-pdf"><a href="alpha.pdf">PDF edition</a></p>');
  }, 120_000);
});
