/**
 * One build of the site: find the pages, open the database (in memory, never saved),
 * render every page with the core's renderMarkdown, lay the pages out with the menu,
 * table of contents and previous/next links, and write them with the assets.
 * Nothing is written unless every page rendered (or --keep-going was asked for).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { openDatabase, queryRows, type Database } from '../db/database.ts';
import { DEFAULT_LIMITS } from './directives/query.ts';
import { WorkerQueries } from './query-worker/client.ts';
import { measurementsFragment, MEASUREMENTS_PAGE, MEASUREMENTS_TITLE } from './appendix/measurements.ts';
import { errataFragment, ERRATA_PAGE, ERRATA_TITLE } from './appendix/errata.ts';
import { readChapterList, readCommitDetails, syncChapters, type Chapter, type CommitInfo } from '../db/chapters.ts';
import { writeFileAtomic } from '../db/atomic-write.ts';
import { clientBundle } from './client-bundle.ts';
import { discoverBook, singleSource, type SourcePage } from './discover.ts';
import { ASSETS, renderPage, type BookCard, type NavLink, type PageView, type SiteNav } from './layout/page.ts';
import { buildStylesheet } from './layout/stylesheet.ts';
import { renderMarkdown, DirectiveError, type RenderedPage } from './markdown/render.ts';
import type { BuildOptions } from './options.ts';
import { findProvenance } from './provenance.ts';
import { printPdfs, type PrintJob } from './pdf.ts';
import { escapeHtml } from './directives/escape.ts';

export { DirectiveError } from './markdown/render.ts';

export interface BuildResult {
  outDir: string;
  /** Site-root-relative paths of the pages written. */
  pages: string[];
  charts: number;
  /** Directive errors drawn as boxes (only with keepGoing; without it the first one is thrown). */
  errors: DirectiveError[];
  /** Ignored unknown keys (outside --strict). */
  warnings: string[];
  durationMs: number;
}

/** A problem with the build's inputs (missing database, bad folder…): message only, no stack. */
export class BuildError extends Error {
  override name = 'BuildError';
}

/** Records what a build wrote, so the next build removes exactly its own old files. */
const MANIFEST = '.book-files.json';

interface RenderedSource {
  source: SourcePage;
  page: RenderedPage;
  /** The page's own heading, for menus: its first h1, else its @meta title, else the file name. */
  navTitle: string;
}

export async function buildSite(options: BuildOptions, now: Date = new Date()): Promise<BuildResult> {
  const started = performance.now();
  const outDir = resolve(options.out);
  const sources = options.input
    ? { index: null, books: [], single: singleSource(options.input) }
    : { ...discoverBook(options.bookDir), single: null };
  if (options.input) assertSafeOutDir(outDir, dirname(options.input), { outMayBeInsideSources: true });
  else assertSafeOutDir(outDir, options.bookDir, { outMayBeInsideSources: false });

  const mark = profiler();
  const db = await openBookDatabase(options);
  const limits = { maxRows: options.maxRows ?? DEFAULT_LIMITS.maxRows, timeoutMs: options.queryTimeoutMs ?? DEFAULT_LIMITS.timeoutMs };
  const queries = new WorkerQueries(db.export(), limits);
  db.close(); // the query thread has its own copy; nothing is ever saved back
  mark('database');
  let rendered: { index: RenderedSource | null; books: { name: string; chapters: RenderedSource[] }[]; single: RenderedSource | null };
  // A book gets the measurements appendix its numbers link to; a page built alone (--input) does not.
  const withAppendix = sources.single === null;
  let appendix = '';
  let errata = '';
  try {
    const provenance = findProvenance(process.cwd());
    mark('provenance');
    const render = async (source: SourcePage): Promise<RenderedSource> => {
      const markdown = readFileSync(source.file, 'utf8');
      const page = await renderMarkdown(markdown, {
        queries,
        measurementsHref: withAppendix ? relativeHref(source.outPath, MEASUREMENTS_PAGE) : undefined,
        file: displayPath(source.file),
        keepGoing: options.keepGoing,
        strict: options.strict,
        ...provenance,
        generatedAt: now,
      });
      return { source, page, navTitle: firstH1(page.html) ?? page.title ?? source.name };
    };
    rendered = {
      index: sources.index ? await render(sources.index) : null,
      books: [],
      single: sources.single ? await render(sources.single) : null,
    };
    for (const book of sources.books) {
      const chapters: RenderedSource[] = [];
      for (const chapter of book.chapters) chapters.push(await render(chapter));
      rendered.books.push({ name: book.name, chapters });
    }
    if (withAppendix) appendix = measurementsFragment(queries);
    if (withAppendix) errata = errataFragment(queries, MEASUREMENTS_PAGE);
  } finally {
    queries.close();
  }
  mark('render');

  const printing = options.pdf === true && rendered.single === null;
  const views = rendered.single ? [singlePageView(rendered.single)] : addAppendix(bookPageViews(rendered, printing), appendix, errata);
  const files = new Map<string, string | { copyFrom: string }>();
  for (const view of views) files.set(view.outPath, renderPage(view));
  const printJobs: PrintJob[] = [];
  if (printing) {
    for (const book of rendered.books) {
      const view = printView(book);
      files.set(view.outPath, renderPage(view));
      printJobs.push({ printPage: view.outPath, pdf: `${book.name}.pdf` });
    }
  }
  files.set(ASSETS.css, buildStylesheet());
  files.set(ASSETS.script, (await clientBundle()).code);
  files.set(ASSETS.favicon, { copyFrom: fileURLToPath(new URL('./layout/favicon.svg', import.meta.url)) });
  if (views.some((view) => view.usesMermaid)) {
    files.set(ASSETS.mermaid, { copyFrom: createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js') });
  }
  mark('layout+assets');
  writeSite(outDir, files);
  mark('write');
  await printPdfs(outDir, printJobs);
  if (printJobs.length > 0) mark('pdf');

  const all = [rendered.index, rendered.single, ...rendered.books.flatMap((b) => b.chapters)].filter((r): r is RenderedSource => r !== null);
  return {
    outDir,
    pages: views.map((view) => view.outPath),
    charts: all.reduce((sum, r) => sum + countCharts(r.page.html), 0),
    errors: all.flatMap((r) => r.page.errors),
    warnings: all.flatMap((r) => r.page.warnings),
    durationMs: performance.now() - started,
  };
}

/** BOOK_PROFILE=1 prints how long each phase took (to stderr). */
function profiler(): (phase: string) => void {
  if (!process.env.BOOK_PROFILE) return () => undefined;
  let last = performance.now();
  return (phase) => {
    const now = performance.now();
    process.stderr.write(`book: ${phase} ${(now - last).toFixed(0)} ms\n`);
    last = now;
  };
}

async function openBookDatabase(options: BuildOptions): Promise<Database> {
  if (!existsSync(options.db)) {
    throw new BuildError(
      `database not found: ${options.db}\n` +
        `  The book's numbers come from this file. A fresh clone has it in data/; to measure and create it, run: npm run bench\n` +
        `  (or point to another database with --db <file>)`,
    );
  }
  let db: Database;
  try {
    db = await openDatabase(options.db);
  } catch (error) {
    throw new BuildError((error as Error).message);
  }
  try {
    // The chapter list decides which chapters exist, measured or not; synced into the in-memory copy only.
    if (existsSync(options.chapters)) {
      const chapters = readChapterList(options.chapters);
      const known = new Set(
        queryRows(db, 'SELECT commit_hash FROM chapters WHERE commit_message IS NOT NULL').map((row) => String(row.commit_hash)),
      );
      syncChapters(db, chapters, commitInfo(chapters.filter((c) => !known.has(c.commit))));
    }
  } catch (error) {
    db.close();
    throw new BuildError((error as Error).message);
  }
  return db;
}

/** Commits never change, so what git said about them is kept here between builds. */
// Named for its date: caches of the author date (before the bench and the book agreed on %cI) are not read.
const COMMIT_CACHE = fileURLToPath(new URL('../.cache/book-commits-committer-date.json', import.meta.url));

/**
 * Message, author and date of each chapter's commit the database does not know yet:
 * from the cache, else from one git call. Empty outside a checkout.
 */
function commitInfo(chapters: Chapter[]): Map<string, CommitInfo> {
  const info = new Map<string, CommitInfo>();
  if (chapters.length === 0) return info;
  let cache: Record<string, CommitInfo> = {};
  try {
    cache = JSON.parse(readFileSync(COMMIT_CACHE, 'utf8')) as Record<string, CommitInfo>;
  } catch {
    // no cache yet
  }
  const missing = chapters.map((c) => c.commit).filter((hash) => !cache[hash]);
  if (missing.length > 0) {
    try {
      for (const [hash, details] of readCommitDetails(process.cwd(), missing)) cache[hash] = details;
      mkdirSync(dirname(COMMIT_CACHE), { recursive: true });
      writeFileAtomic(COMMIT_CACHE, JSON.stringify(cache));
    } catch {
      // Not a checkout: what the database knows is kept. (Commits a shallow clone lacks are simply not found.)
    }
  }
  for (const chapter of chapters) if (cache[chapter.commit]) info.set(chapter.commit, cache[chapter.commit]);
  return info;
}

/** A book's print page: its title, a table of contents, then every chapter, each starting a new page. */
function printView(book: { name: string; chapters: RenderedSource[] }): PageView {
  const title = book.chapters[0].page.meta.title ?? book.chapters[0].navTitle ?? book.name;
  const contents = book.chapters.map((chapter, i) => `<li><a href="#chapter-${i + 1}">${escapeHtml(chapter.navTitle)}</a></li>`).join('\n');
  const chapters = book.chapters.map((chapter, i) => `<section class="print-chapter" id="chapter-${i + 1}">\n${chapter.page.html}\n</section>`).join('\n');
  return {
    outPath: `${book.name}.print.html`,
    title,
    html: `<h1 class="print-title">${escapeHtml(title)}</h1>\n<nav class="print-toc"><h2>Contents</h2>\n<ol>\n${contents}\n</ol></nav>\n${chapters}`,
    headings: [],
    usesMermaid: book.chapters.some((chapter) => chapter.page.usesMermaid),
  };
}

function bookPageViews(rendered: { index: RenderedSource | null; books: { name: string; chapters: RenderedSource[] }[] }, printing: boolean): PageView[] {
  const bookTitle = (book: { name: string; chapters: RenderedSource[] }) => {
    const first = book.chapters[0];
    return first.page.meta.title ?? first.navTitle ?? book.name;
  };
  const siteTitle = rendered.index ? (rendered.index.page.title ?? 'The book') : 'Books';
  const nav: SiteNav = {
    siteTitle,
    home: { title: 'Home', outPath: 'index.html' },
    books: rendered.books.map((book) => ({
      name: book.name,
      title: bookTitle(book),
      chapters: book.chapters.map((c): NavLink => ({ title: c.navTitle, outPath: c.source.outPath })),
    })),
  };
  const cards: BookCard[] = rendered.books.map((book) => ({
    title: bookTitle(book),
    description: book.chapters[0].page.meta.description,
    chapterCount: book.chapters.length,
    outPath: book.chapters[0].source.outPath,
    pdf: printing ? `${book.name}.pdf` : undefined,
  }));

  const views: PageView[] = [];
  const index = rendered.index;
  views.push({
    outPath: 'index.html',
    title: siteTitle,
    description: index?.page.meta.description,
    author: index?.page.meta.author,
    keywords: index?.page.meta.keywords,
    lang: index?.page.meta.lang,
    html: index ? index.page.html : `<h1>${siteTitle}</h1>`,
    headings: index?.page.headings ?? [],
    usesMermaid: index?.page.usesMermaid ?? false,
    nav,
    cards,
    next: cards[0] ? { title: cards[0].title, outPath: cards[0].outPath } : undefined,
  });
  for (const book of rendered.books) {
    const title = bookTitle(book);
    book.chapters.forEach((chapter, i) => {
      const link = (c: RenderedSource | undefined): NavLink | undefined => (c ? { title: c.navTitle, outPath: c.source.outPath } : undefined);
      views.push({
        outPath: chapter.source.outPath,
        title: chapter.navTitle,
        bookTitle: title,
        description: chapter.page.meta.description,
        author: chapter.page.meta.author,
        keywords: chapter.page.meta.keywords,
        lang: chapter.page.meta.lang,
        html: chapter.page.html,
        headings: chapter.page.headings,
        usesMermaid: chapter.page.usesMermaid,
        nav,
        previous: link(book.chapters[i - 1]),
        next: link(book.chapters[i + 1]),
      });
    });
  }
  return views;
}

/** Adds the generated appendix to the site (errata, measurements), listed in the menu after the books. */
function addAppendix(views: PageView[], measurements: string, errata: string): PageView[] {
  const nav = views[0].nav as SiteNav;
  const pages = [
    { outPath: ERRATA_PAGE, title: ERRATA_TITLE, html: errata, description: 'Each chapter\'s latest measurement against the previous one on the same machine.' },
    { outPath: MEASUREMENTS_PAGE, title: MEASUREMENTS_TITLE, html: measurements, description: 'Every benchmark session behind the numbers of this book, with its machine, tool and settings.' },
  ];
  nav.books.push({ name: 'appendix', title: 'Appendix', chapters: pages.map((page): NavLink => ({ title: page.title, outPath: page.outPath })) });
  return [...views, ...pages.map((page): PageView => ({ ...page, headings: [], usesMermaid: false, nav }))];
}

/** A link from the page at `fromOutPath` to the site-root-relative `target`. */
function relativeHref(fromOutPath: string, target: string): string {
  const depth = fromOutPath.split('/').length - 1;
  return `${'../'.repeat(depth)}${target}`;
}

function singlePageView(single: RenderedSource): PageView {
  return {
    outPath: single.source.outPath,
    title: single.page.title ?? single.navTitle,
    description: single.page.meta.description,
    author: single.page.meta.author,
    keywords: single.page.meta.keywords,
    lang: single.page.meta.lang,
    html: single.page.html,
    headings: single.page.headings,
    usesMermaid: single.page.usesMermaid,
  };
}

/**
 * Writes the new files, then removes what the previous build wrote and this one did
 * not (from the manifest) and any other old page (*.html) in the output folder.
 * Files that are not pages and were not written by a build are left alone.
 */
function writeSite(outDir: string, files: Map<string, string | { copyFrom: string }>): void {
  mkdirSync(outDir, { recursive: true });
  const previous = readManifest(outDir);
  const stale = new Set([...previous, ...oldPages(outDir)]);
  for (const [path, content] of files) {
    const target = join(outDir, path);
    stale.delete(path);
    // Unchanged files are left alone: cheaper than rewriting, and their mtimes stay meaningful.
    if (typeof content === 'string') {
      if (sameText(target, content)) continue;
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    } else {
      if (sameCopy(content.copyFrom, target)) continue;
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(content.copyFrom, target);
    }
  }
  for (const path of stale) {
    const target = join(outDir, path);
    if (!isInside(outDir, target)) continue;
    rmSync(target, { force: true });
    removeEmptyParents(outDir, dirname(target));
  }
  writeFileSync(join(outDir, MANIFEST), `${JSON.stringify([...files.keys()].sort(), null, 1)}\n`);
}

function sameText(file: string, content: string): boolean {
  try {
    return statSync(file).size === Buffer.byteLength(content) && readFileSync(file, 'utf8') === content;
  } catch {
    return false;
  }
}

/** A copy made by an earlier build: same size, and not older than its source. */
function sameCopy(source: string, copy: string): boolean {
  try {
    const [from, to] = [statSync(source), statSync(copy)];
    return from.size === to.size && to.mtimeMs >= from.mtimeMs;
  } catch {
    return false;
  }
}

function readManifest(outDir: string): string[] {
  try {
    const list = JSON.parse(readFileSync(join(outDir, MANIFEST), 'utf8')) as unknown;
    return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}

/** *.html at the output root and one folder down (where book pages live). */
function oldPages(outDir: string): string[] {
  const pages: string[] = [];
  for (const entry of readdirSync(outDir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.html')) pages.push(entry.name);
    else if (entry.isDirectory() && !entry.name.startsWith('.')) {
      for (const inner of readdirSync(join(outDir, entry.name), { withFileTypes: true })) {
        if (inner.isFile() && inner.name.endsWith('.html')) pages.push(`${entry.name}/${inner.name}`);
      }
    }
  }
  return pages;
}

function removeEmptyParents(outDir: string, dir: string): void {
  while (dir !== outDir && isInside(outDir, dir)) {
    try {
      if (readdirSync(dir).length > 0) return;
      rmdirSync(dir);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}

function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`..${sep}`);
}

/** The output folder is cleaned of old pages: never let it be a folder that holds the sources. */
function assertSafeOutDir(outDir: string, sourceDir: string, rules: { outMayBeInsideSources: boolean }): void {
  const book = resolve(sourceDir);
  if (outDir === book || isInside(outDir, book) || outDir === process.cwd() || outDir === dirname(outDir)) {
    throw new BuildError(`refusing to write the site into ${outDir}: old pages there are deleted, and it holds the book's sources or the project; choose another --out`);
  }
  if (!rules.outMayBeInsideSources && isInside(book, outDir)) throw new BuildError(`--out ${outDir} is inside the book folder ${book}; choose a folder outside it`);
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel.startsWith('..') ? resolve(file) : rel.split(sep).join('/');
}

/** The text of the page's first h1 (the rendered fragment is the core's well-formed HTML). */
export function firstH1(html: string): string | null {
  const match = /<h1\b[^>]*>([\s\S]*?)<\/h1>/.exec(html);
  if (!match) return null;
  const text = decodeEntities(match[1].replace(/<[^>]*>/g, '')).trim();
  return text === '' ? null : text;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

function countCharts(html: string): number {
  return html.match(/<figure class="chart"/g)?.length ?? 0;
}
