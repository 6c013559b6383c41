import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite, BuildError, firstH1 } from './build.ts';
import type { BuildOptions } from './options.ts';
import { writeTestDatabase } from './test-fixtures/bench-db.ts';

let dir: string;
let data: { db: string; chapters: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'book-build-'));
  data = await writeTestDatabase(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function options(bookDir: string, out: string): BuildOptions {
  return { bookDir, db: data.db, chapters: data.chapters, out, keepGoing: false, strict: false, quiet: true };
}

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

describe('buildSite', () => {
  it('titles books from their first chapter, chapters from their h1, and lists them on a generated landing page', async () => {
    const bookDir = join(dir, 'titles');
    write(join(bookDir, 'server', '00-preface.md'), '<!-- @meta:title="Fast under fire" description="The server book" -->\n# Preface\n');
    write(join(bookDir, 'server', '01-baseline.md'), '# Chapter 1 &mdash; Baseline\n\n## Design\n\n## Numbers\n');
    const out = join(dir, 'titles-site');
    const result = await buildSite(options(bookDir, out));
    expect(result.pages).toEqual(['index.html', 'server/00-preface.html', 'server/01-baseline.html', 'errata.html', 'measurements.html']);
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    expect(index).toMatch(/<h3 class="book-card-title">Fast under fire<\/h3>[\s\S]*The server book[\s\S]*2 pages/);
    const chapter = readFileSync(join(out, 'server', '01-baseline.html'), 'utf8');
    expect(chapter).toContain('<title>Chapter 1 — Baseline · Fast under fire</title>');
    expect(chapter).toContain('<a href="00-preface.html">Preface</a>');
    expect(chapter).toContain('<a href="#design">Design</a>');
    expect(chapter).toMatch(/rel="prev" href="00-preface.html"/);
    expect(existsSync(join(out, 'assets', 'mermaid.min.js'))).toBe(false);
  });

  it('copies mermaid only while a page uses it, and removes it when none does', async () => {
    const bookDir = join(dir, 'diagrams');
    const page = join(bookDir, 'b', '00-a.md');
    write(page, '# A\n\n```mermaid\nflowchart LR\n  A --> B\n```\n');
    const out = join(dir, 'diagrams-site');
    await buildSite(options(bookDir, out));
    expect(existsSync(join(out, 'assets', 'mermaid.min.js'))).toBe(true);
    write(page, '# A\n\nNo diagram any more.\n');
    await buildSite(options(bookDir, out));
    expect(existsSync(join(out, 'assets', 'mermaid.min.js'))).toBe(false);
    expect(existsSync(join(out, 'assets', 'book.js'))).toBe(true);
  });

  it('removes pages of chapters that no longer exist', async () => {
    const bookDir = join(dir, 'shrinking');
    write(join(bookDir, 'b', '00-a.md'), '# A\n');
    write(join(bookDir, 'b', '01-b.md'), '# B\n');
    const out = join(dir, 'shrinking-site');
    await buildSite(options(bookDir, out));
    expect(existsSync(join(out, 'b', '01-b.html'))).toBe(true);
    rmSync(join(bookDir, 'b', '01-b.md'));
    const result = await buildSite(options(bookDir, out));
    expect(result.pages).toEqual(['index.html', 'b/00-a.html', 'errata.html', 'measurements.html']);
    expect(existsSync(join(out, 'b', '01-b.html'))).toBe(false);
  });

  it('refuses an output folder that holds the sources, before touching anything', async () => {
    const bookDir = join(dir, 'inside');
    write(join(bookDir, 'b', '00-a.md'), '# A\n');
    await expect(buildSite(options(bookDir, dir))).rejects.toThrow(BuildError);
    await expect(buildSite(options(bookDir, bookDir))).rejects.toThrow(/refusing to write the site into/);
    await expect(buildSite(options(bookDir, join(bookDir, 'site')))).rejects.toThrow(/inside the book folder/);
    expect(existsSync(join(bookDir, 'b', '00-a.md'))).toBe(true);
  });

  it('a chapter list that is not there yet means no chapters, not an error', async () => {
    const bookDir = join(dir, 'nolist');
    write(join(bookDir, 'b', '00-a.md'), '# A\n\nplain text\n');
    const result = await buildSite({ ...options(bookDir, join(dir, 'nolist-site')), chapters: join(dir, 'missing-chapters.json') });
    expect(result.errors).toEqual([]);
    expect(result.pages).toEqual(['index.html', 'b/00-a.html', 'errata.html', 'measurements.html']);
  });
});

describe('firstH1', () => {
  it('is the text of the first h1, entities decoded and tags dropped', () => {
    expect(firstH1('<p>x</p><h1 id="a">Chapter 1 &#x26; <code>v1</code> &amp; more</h1><h1>Two</h1>')).toBe('Chapter 1 & v1 & more');
    expect(firstH1('<h2>Not a title</h2>')).toBeNull();
  });
});
