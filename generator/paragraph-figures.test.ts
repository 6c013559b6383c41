/**
 * Issue 23's readability rule, checked on the shipped book as it renders from
 * data/bench.sqlite: no paragraph carries more than five figures — more belong in a table.
 * A figure is a number a measured value (`@metric`) shows, or a quantity typed in the prose ("512
 * connections", "50 ms", "2×"); a number that names something (chapter 7, session 38,
 * issue 21, p99.9, HTTP 503, RFC 3986, a date) is not one, nor is code or a claim's ✓ note.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite, type BuildResult } from './build.ts';

const ROOT = join(import.meta.dirname, '..');
const MOST_FIGURES = 5;

const NAMES =
  /\b(?:chapters?|sessions?|editions?|issues?|parts?|appendix|schema|RFC|HTTP\/|v|p)\s?\d+(?:\.\d+)?(?:\s?(?:–|-|to|,|and|or)\s?\d+)*/gi;
const STATUS = /\b(?:200|204|304|400|404|405|408|413|414|417|429|431|500|503)\b/g;
const NUMBER = /(?<![\w.,/-])\d[\d,]*(?:\.\d+)?(?![\w/-])/g;

/** The figures of one rendered paragraph's inner HTML, in order: a measured value counts once per number it shows (a sentence a query writes may hold several), and at least once. */
export function figuresIn(paragraph: string): string[] {
  const text = paragraph
    .replace(/<code>[\s\S]*?<\/code>/g, ' ')
    .replace(/<span class="claim-detail"[\s\S]*?<\/span>/g, ' ')
    .replace(/<span class="metric[ "][^>]*>([\s\S]*?)<\/span>/g, (_, inner: string) => ` ${'⟨figure⟩ '.repeat(Math.max(1, typedNumbers(inner).length))}`);
  return typedNumbers(text, '⟨figure⟩|');
}

function typedNumbers(html: string, also = ''): string[] {
  const text = html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[#\w]+;/g, ' ')
    .replace(/\d{4}-\d{2}-\d{2}/g, ' ')
    .replace(NAMES, ' ')
    .replace(STATUS, ' ');
  return text.match(new RegExp(`${also}${NUMBER.source}`, 'g')) ?? [];
}

describe('figuresIn', () => {
  it('counts measured values and typed quantities, not names, code or a check note', () => {
    expect(figuresIn('wrk on 512 connections offers 2× and 5×, 0.1× a step, 1 s each')).toEqual(['512', '2', '5', '0.1', '1']);
    expect(figuresIn('serves <span class="metric" data-field="x" title="Session 38">2,250</span> requests a second')).toEqual(['⟨figure⟩']);
    expect(figuresIn('<span class="metric" title="Session 69">97% at 1.5×, 91% at 2× in chapter 7</span>')).toEqual(['⟨figure⟩', '⟨figure⟩', '⟨figure⟩', '⟨figure⟩']);
    expect(figuresIn('<span class="metric" title="Session 69">not measured yet</span>')).toEqual(['⟨figure⟩']);
    expect(figuresIn('chapter 7 against chapters 8–13 in session 38 (issue 21): p99.9 and v17, answered 503 per RFC 3986 on 2026-12-06')).toEqual([]);
    expect(figuresIn('run <code>wrk -t1 -c512</code><span class="claim-check">✓<span class="claim-detail" role="note">the query gives 0.85, needs &lt; 0.97.</span></span>')).toEqual([]);
  });
});

let dir: string;
let result: BuildResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'book-figures-'));
  result = await buildSite({
    bookDir: join(ROOT, 'book'),
    db: join(ROOT, 'data', 'bench.sqlite'),
    chapters: join(ROOT, 'data', 'chapters.json'),
    out: dir,
    keepGoing: false,
    strict: true,
    quiet: true,
    queryTimeoutMs: 120_000,
  });
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the shipped book', () => {
  it(`has no paragraph with more than ${MOST_FIGURES} figures`, () => {
    expect(result.errors).toEqual([]);
    const pages = ['index.html', ...readdirSync(join(dir, 'server')).filter((name) => name.endsWith('.html')).map((name) => `server/${name}`)];
    expect(pages.length).toBeGreaterThan(10);
    const crowded = pages.flatMap((page) =>
      [...readFileSync(join(dir, page), 'utf8').matchAll(/<p>([\s\S]*?)<\/p>/g)]
        .map(([, paragraph]) => ({ page, figures: figuresIn(paragraph), start: paragraph.replace(/<[^>]+>/g, '').slice(0, 80) }))
        .filter((paragraph) => paragraph.figures.length > MOST_FIGURES),
    );
    expect(crowded).toEqual([]);
  });
});
