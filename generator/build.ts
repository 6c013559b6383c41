/**
 * One build of the site: find the pages, open the database (in memory, never saved),
 * render every page with the core's renderMarkdown, lay the pages out with the menu,
 * table of contents and previous/next links, and write them with the assets.
 * Nothing is written unless every page rendered (or --keep-going was asked for), and
 * the site is swapped in whole (write-site.ts). Its side effects come from `effects`.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, relative, resolve, sep } from 'node:path';
import { DEFAULT_LIMITS, type QueryLimits } from './directives/query.ts';
import { MEASUREMENTS_PAGE } from './appendix/measurements.ts';
import { clientBundle } from './client-bundle.ts';
import { discoverBook, singleSource, type SourcePage } from './discover.ts';
import { ASSETS, renderPage, type PageView } from './layout/page.ts';
import { addAppendix, bookPageViews, printView, singlePageView, type CachedPage, type RenderedSource } from './page-views.ts';
import { buildStylesheet } from './layout/stylesheet.ts';
import type { RenderedPage } from './markdown/render.ts';
import { DirectiveError } from './directives/errors.ts';
import { stampPage, type BuildStamp } from './directives/footer.ts';
import type { BuildOptions } from './options.ts';
import { findProvenance } from './provenance.ts';
import type { PrintJob } from './pdf.ts';
import { PageCache } from './page-cache.ts';
import { sha256 } from './launch/fingerprint.mjs';
import { nodeEffects, type BuildEffects, type BuildFs } from './effects.ts';
import { DEFAULT_MAX_PAGE_BYTES, pageRefusal } from './markdown/bounds.ts';
import { discardStaging, finishStaging, isInside, stageSite, swapIn } from './write-site.ts';

export { DirectiveError } from './directives/errors.ts';

export interface BuildResult {
  outDir: string;
  /** Site-root-relative paths of the pages written. */
  pages: string[];
  charts: number;
  /** Directive errors drawn as boxes (only with keepGoing; without it the first one is thrown). */
  errors: DirectiveError[];
  /** Ignored unknown keys (outside --strict). */
  warnings: string[];
  /** Markdown pages (and the generated appendix) rendered by this build, and reused from the page cache. */
  rendered: number;
  reused: number;
  /** How long each phase took (--timings). */
  phases: Phase[];
  durationMs: number;
}

export interface Phase {
  phase: string;
  ms: number;
}

/** A problem with the build's inputs (missing database, bad folder…): message only, no stack. */
export class BuildError extends Error {
  override name = 'BuildError';
}

/** The measurements page and the errata, generated from the data alone. */
const APPENDIX_PAGES = 2;

interface Appendix {
  measurements: string;
  errata: string;
}

/** One page to build: its source, its Markdown, and what rendering it depends on besides the data. */
interface PageJob {
  source: SourcePage;
  markdown: string;
  /** A page over --max-page-bytes (not read) or nested too deeply; with --keep-going it is drawn as this error. */
  refused?: DirectiveError;
  render: { file: string; measurementsHref?: string; keepGoing: boolean; strict: boolean; repoUrl?: string; maxPageBytes: number };
  /** `render` and the query limits, as part of the page's cache key. */
  settings: string;
}

export async function buildSite(options: BuildOptions, effects: BuildEffects = nodeEffects()): Promise<BuildResult> {
  const started = performance.now();
  const { fs } = effects;
  const cwd = effects.cwd();
  const mark = phaseTimer();
  const outDir = resolve(cwd, options.out);
  const sources = options.input
    ? { index: null, books: [], single: singleSource(options.input) }
    : { ...discoverBook(options.bookDir), single: null };
  if (options.input) assertSafeOutDir(outDir, dirname(options.input), cwd, { outMayBeInsideSources: true });
  else assertSafeOutDir(outDir, options.bookDir, cwd, { outMayBeInsideSources: false });
  assertDataFiles(options, fs);
  const provenance = findProvenance(cwd);
  const jobs = planJobs(sources, options, { repoUrl: provenance.repoUrl, cwd, fs });
  mark('sources');

  const cache = options.cache ? new PageCache(options.cache) : null;
  const lookUp = (dataKey: string) => ({
    pages: new Map(jobs.all.map((j) => [j, cacheEntry<CachedPage>(j.refused ? null : cache, [dataKey, j.settings, j.markdown])])),
    appendix: jobs.withAppendix ? cacheEntry<Appendix>(cache, [dataKey, JSON.stringify({ appendix: MEASUREMENTS_PAGE, limits: jobs.limits })]) : null,
  });
  const read: { bytes?: Buffer } = {};
  const dataKeyOf = (force: boolean) => (cache ? `${cache.databaseFingerprint(resolve(options.db), read, force)}:${chaptersKey(options.chapters, fs)}` : '');
  let entries = lookUp(dataKeyOf(false));
  mark('cache');
  let rendered = { pages: 0, errorsOf: new Map<PageJob, DirectiveError[]>() };
  if (!isComplete(entries)) {
    // Something to render: the database's bytes, hashed as read, so the entries written describe exactly them.
    if (cache && !read.bytes) entries = lookUp(dataKeyOf(true));
    rendered = await renderMissing(entries, { bytes: read.bytes ?? readDatabase(options.db, fs), options, limits: jobs.limits, cwd }, mark);
  }
  cache?.prune();

  const stamp: BuildStamp = { generatedAt: effects.now(), buildCommit: provenance.buildCommit, repoUrl: provenance.repoUrl };
  const renderedSource = (j: PageJob): RenderedSource => {
    const value = entries.pages.get(j)?.value as CachedPage;
    const page = { ...value, html: stampPage(value.html, stamp), errors: rendered.errorsOf.get(j) ?? [] };
    return { source: j.source, page, navTitle: firstH1(page.html) ?? page.title ?? j.source.name };
  };
  const result = {
    index: jobs.index ? renderedSource(jobs.index) : null,
    single: jobs.single ? renderedSource(jobs.single) : null,
    books: jobs.books.map((book) => ({ name: book.name, chapters: book.chapters.map(renderedSource) })),
  };
  const site = await layOutSite(result, entries.appendix?.value ?? { measurements: '', errata: '' }, options.pdf === true);
  mark('layout+assets');
  await writeSite(outDir, site, effects, mark);

  const all = [result.index, result.single, ...result.books.flatMap((b) => b.chapters)].filter((r): r is RenderedSource => r !== null);
  return {
    outDir,
    pages: site.views.map((view) => view.outPath),
    charts: all.reduce((sum, r) => sum + countCharts(r.page.html), 0),
    errors: all.flatMap((r) => r.page.errors),
    warnings: all.flatMap((r) => r.page.warnings),
    rendered: rendered.pages,
    reused: jobs.all.length + (jobs.withAppendix ? APPENDIX_PAGES : 0) - rendered.pages,
    phases: mark.phases,
    durationMs: performance.now() - started,
  };
}

/**
 * The new site staged beside the old one (with the PDFs printed into it), then swapped
 * in whole; a failure on the way leaves the old site as it was.
 */
async function writeSite(outDir: string, site: { files: Map<string, string | { copyFrom: string }>; printJobs: PrintJob[] }, effects: BuildEffects, mark: (phase: string) => void): Promise<void> {
  let staging: string;
  try {
    staging = stageSite(outDir, site.files, effects);
  } catch (error) {
    throw cannotWrite(outDir, error);
  }
  try {
    if (site.printJobs.length > 0) {
      mark('write');
      const { printPdfs } = await import('./pdf.ts');
      await printPdfs(staging, site.printJobs);
      mark('pdf');
    }
    finishStaging(staging, site.files, site.printJobs.map((job) => job.pdf), effects.fs);
    await swapIn(staging, outDir, effects);
  } catch (error) {
    discardStaging(staging, effects.fs);
    throw cannotWrite(outDir, error);
  }
  if (site.printJobs.length === 0) mark('write');
}

/** A file-system refusal (EACCES, ENOSPC…) said in words; anything else as it is. */
function cannotWrite(outDir: string, error: unknown): unknown {
  if (!(error instanceof Error) || typeof (error as NodeJS.ErrnoException).code !== 'string') return error;
  return new BuildError(`cannot write the site ${outDir}: ${error.message} (the new site is written beside it, in ${dirname(outDir)}, then renamed into its place)`);
}

/** Each page's Markdown and what its rendering depends on besides the data; a page over the bounds (size unread, nesting) is refused here. */
function planJobs(
  sources: { index: SourcePage | null; books: { name: string; chapters: SourcePage[] }[]; single: SourcePage | null },
  options: BuildOptions,
  project: { repoUrl: string | undefined; cwd: string; fs: BuildFs },
) {
  const { repoUrl, cwd, fs } = project;
  // A book gets the measurements appendix its numbers link to; a page built alone (--input) does not.
  const withAppendix = sources.single === null;
  const limits = { maxRows: options.maxRows ?? DEFAULT_LIMITS.maxRows, timeoutMs: options.queryTimeoutMs ?? DEFAULT_LIMITS.timeoutMs };
  const maxPageBytes = options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES;
  const job = (source: SourcePage): PageJob => {
    const render = {
      file: displayPath(source.file, cwd),
      measurementsHref: withAppendix ? relativeHref(source.outPath, MEASUREMENTS_PAGE) : undefined,
      keepGoing: options.keepGoing,
      strict: options.strict,
      repoUrl,
      maxPageBytes,
    };
    const settings = JSON.stringify({ ...render, limits });
    const bytes = fs.statSync(source.file).size;
    const markdown = bytes > maxPageBytes ? '' : fs.readFileSync(source.file, 'utf8');
    const bound = pageRefusal(bytes, maxPageBytes, markdown);
    if (bound) {
      const refused = new DirectiveError(render.file, bound.line, bound.column, '', bound.reason);
      if (!options.keepGoing) throw refused; // at once: before the database is opened or any page rendered
      return { source, markdown: '', refused, render, settings };
    }
    return { source, markdown, render, settings };
  };
  const index = sources.index ? job(sources.index) : null;
  const single = sources.single ? job(sources.single) : null;
  const books = sources.books.map((book) => ({ name: book.name, chapters: book.chapters.map(job) }));
  const all = [index, single, ...books.flatMap((book) => book.chapters)].filter((j): j is PageJob => j !== null);
  return { index, single, books, all, withAppendix, limits };
}

interface CacheLookup {
  pages: Map<PageJob, CacheEntry<CachedPage>>;
  appendix: CacheEntry<Appendix> | null;
}

function isComplete(entries: CacheLookup): boolean {
  return [...entries.pages.values()].every((entry) => entry.value) && (entries.appendix === null || entries.appendix.value !== undefined);
}

/**
 * Renders the pages (and the appendix) the cache did not have, from the database's
 * bytes, and keeps them. The query thread and the renderer are loaded only here: a build
 * that reuses every page does not pay for them.
 */
async function renderMissing(
  entries: CacheLookup,
  input: { bytes: Uint8Array; options: BuildOptions; limits: QueryLimits; cwd: string },
  mark: (phase: string) => void,
): Promise<{ pages: number; errorsOf: Map<PageJob, DirectiveError[]> }> {
  const { bytes, options, limits } = input;
  const { WorkerQueries } = await import('./query-worker/client.ts');
  const queries = new WorkerQueries({ bytes, label: options.db, chapters: options.chapters, repoDir: input.cwd }, limits);
  let pages = 0;
  /** Errors of the pages rendered now (never cached: such a page is rendered again). */
  const errorsOf = new Map<PageJob, DirectiveError[]>();
  try {
    // Loading the renderer (unified, highlight.js…) overlaps with the thread opening the database.
    const { refusedPage, renderMarkdown } = await import('./markdown/render.ts');
    mark('load renderer');
    try {
      queries.ready();
    } catch (error) {
      throw new BuildError((error as Error).message);
    }
    mark('open database');
    for (const [j, entry] of entries.pages) {
      if (entry.value) continue;
      const page = j.refused ? refusedPage(j.refused, true) : await renderMarkdown(j.markdown, { ...j.render, queries, deferStamp: true });
      entry.value = withoutErrors(page);
      errorsOf.set(j, page.errors);
      if (page.errors.length === 0) entry.store(entry.value);
      pages++;
    }
    if (entries.appendix && !entries.appendix.value) {
      const { measurementsFragment } = await import('./appendix/measurements.ts');
      const { errataFragment } = await import('./appendix/errata.ts');
      entries.appendix.value = { measurements: measurementsFragment(queries), errata: errataFragment(queries, MEASUREMENTS_PAGE) };
      entries.appendix.store(entries.appendix.value);
      pages += APPENDIX_PAGES;
    }
  } finally {
    queries.close();
  }
  mark('render');
  return { pages, errorsOf };
}

/** Every page laid out with its menus and links, the print pages (--pdf) and the assets: the files to write. */
async function layOutSite(
  result: { index: RenderedSource | null; single: RenderedSource | null; books: { name: string; chapters: RenderedSource[] }[] },
  appendix: Appendix,
  pdf: boolean,
): Promise<{ views: PageView[]; files: Map<string, string | { copyFrom: string }>; printJobs: PrintJob[] }> {
  const printing = pdf && result.single === null;
  const views = result.single ? [singlePageView(result.single)] : addAppendix(bookPageViews(result, printing), appendix.measurements, appendix.errata);
  const files = new Map<string, string | { copyFrom: string }>();
  for (const view of views) files.set(view.outPath, renderPage(view));
  const printJobs: PrintJob[] = [];
  if (printing) {
    for (const book of result.books) {
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
  return { views, files, printJobs };
}

function withoutErrors(page: RenderedPage): CachedPage {
  const { errors: _errors, ...rest } = page;
  return rest;
}

interface CacheEntry<T> {
  value: T | undefined;
  store(value: T): void;
}

function cacheEntry<T>(cache: PageCache | null, parts: string[]): CacheEntry<T> {
  if (!cache) return { value: undefined, store: () => undefined };
  const key = cache.key(parts);
  return { value: cache.get<T>(key), store: (value) => cache.set(key, value) };
}

/** The chapter list is synced into the database the pages are rendered from: part of the data. */
function chaptersKey(file: string, fs: BuildFs): string {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return 'none';
  }
}

/** Each phase's duration, in order (printed by --timings). */
function phaseTimer(): ((phase: string) => void) & { phases: Phase[] } {
  let last = performance.now();
  const phases: Phase[] = [];
  const mark = (phase: string) => {
    const now = performance.now();
    phases.push({ phase, ms: now - last });
    last = now;
  };
  return Object.assign(mark, { phases });
}

/** The database and the chapter list must be files: say which flag is wrong, never a raw EISDIR. */
function assertDataFiles(options: BuildOptions, fs: BuildFs): void {
  if (!fs.existsSync(options.db)) {
    throw new BuildError(
      `database not found: ${options.db}\n` +
        `  The book's numbers come from this file. A fresh clone has it in data/; to measure and create it, run: npm run bench\n` +
        `  (or point to another database with --db <file>)`,
    );
  }
  if (fs.statSync(options.db).isDirectory()) {
    throw new BuildError(`--db ${options.db} is a folder; it must name the benchmark database file (e.g. data/bench.sqlite)`);
  }
  if (fs.existsSync(options.chapters) && fs.statSync(options.chapters).isDirectory()) {
    throw new BuildError(`--chapters ${options.chapters} is a folder; it must name the chapter list file (e.g. data/chapters.json)`);
  }
}

function readDatabase(db: string, fs: BuildFs): Buffer {
  try {
    return fs.readFileSync(db);
  } catch (error) {
    throw new BuildError(`cannot read the database ${db}: ${(error as Error).message}`);
  }
}

/** A link from the page at `fromOutPath` to the site-root-relative `target`. */
function relativeHref(fromOutPath: string, target: string): string {
  const depth = fromOutPath.split('/').length - 1;
  return `${'../'.repeat(depth)}${target}`;
}

/** The output folder is cleaned of old pages: never let it be a folder that holds the sources. */
function assertSafeOutDir(outDir: string, sourceDir: string, cwd: string, rules: { outMayBeInsideSources: boolean }): void {
  const book = resolve(sourceDir);
  if (outDir === book || isInside(outDir, book) || outDir === cwd || outDir === dirname(outDir)) {
    throw new BuildError(`refusing to write the site into ${outDir}: old pages there are deleted, and it holds the book's sources or the project; choose another --out`);
  }
  if (!rules.outMayBeInsideSources && isInside(book, outDir)) throw new BuildError(`--out ${outDir} is inside the book folder ${book}; choose a folder outside it`);
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, resolve(cwd, file));
  return rel.startsWith('..') ? resolve(cwd, file) : rel.split(sep).join('/');
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
