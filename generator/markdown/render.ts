/**
 * Markdown → HTML for one book page:
 *   remark-parse + remark-gfm → directive expansion (mdast) → remark-rehype
 *   (raw HTML kept, so directive output passes) → rehype-highlight → rehype-stringify.
 * The processor is built once per process; per-page state travels in the VFile's data.
 * A page over the size limit or nested too deeply (bounds.ts), or left with a merge conflict
 * (conflict.ts), is refused before parsing.
 */
import rehypeHighlight from 'rehype-highlight';
import rehypeStringify from 'rehype-stringify';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import type { Database } from 'sql.js';
import { unified } from 'unified';
import type { Root } from 'mdast';
import type { VFile } from 'vfile';
import { DirectiveError, errorBox } from '../directives/errors.ts';
import { stampPage } from '../directives/footer.ts';
import { directQueries, type QueryRunner } from '../directives/query.ts';
import { DEFAULT_MAX_PAGE_BYTES, pageRefusal } from './bounds.ts';
import { findConflict } from './conflict.ts';
import { expandPage, type Heading, type PageRun } from './expand.ts';
import { PageQueries } from './page-queries.ts';

export { DirectiveError } from '../directives/errors.ts';
export type { Heading } from './expand.ts';

export interface RenderOptions {
  /** Already opened; author queries run read-only, in this thread (no time limit). */
  db?: Database;
  /** Where queries run instead of `db` (the build's worker, which enforces the time limit). */
  queries?: QueryRunner;
  /** Row limit for queries on `db`. */
  maxRows?: number;
  /** Path shown in errors, e.g. "book/server/01-baseline.md". */
  file: string;
  /** Preview mode: draw a visible error box (class "directive-error") instead of throwing; errors still returned. */
  keepGoing?: boolean;
  /** An unmeasured chapter (NULL figure) is an error instead of a "no measurement yet" note. */
  strict?: boolean;
  /** e.g. https://github.com/owner/repo — @git links each tag to `${repoUrl}/tree/${tag}`. */
  repoUrl?: string;
  /** The commit the book is built from (for @footer). */
  buildCommit?: string;
  /** For @footer; default: now. */
  generatedAt?: Date;
  /**
   * Leave @footer's "generated at / from commit" line as its placeholder (the build fills
   * it in with stampPage after the page cache); default: filled in from the two above.
   */
  deferStamp?: boolean;
  /** Relative link to the measurements appendix, when the build writes one: measured numbers link to their session. */
  measurementsHref?: string;
  /** A longer page is refused (default DEFAULT_MAX_PAGE_BYTES; --max-page-bytes). */
  maxPageBytes?: number;
}

export interface RenderedPage {
  /** Body fragment (no <html>/<head>). */
  html: string;
  /** From @meta. */
  meta: Record<string, string>;
  /** @meta title, else the first h1's text. */
  title: string | null;
  /** h2/h3 with their ids, for a table of contents. */
  headings: Heading[];
  /** Non-empty only with keepGoing. */
  errors: DirectiveError[];
  /** Unknown keys that were ignored (outside strict mode), as `file:line:col @name: reason`. */
  warnings: string[];
  usesCharts: boolean;
  usesMermaid: boolean;
}

const PAGE_RUN = 'bookPageRun';

function remarkBookDirectives() {
  return (tree: Root, file: VFile): void => {
    expandPage(tree, file.data[PAGE_RUN] as PageRun);
  };
}

const processor = unified()
  .use(remarkParse)
  .use(remarkGfm)
  .use(remarkBookDirectives)
  .use(remarkRehype, { allowDangerousHtml: true })
  .use(rehypeHighlight)
  .use(rehypeStringify, { allowDangerousHtml: true })
  .freeze();

export async function renderMarkdown(source: string, options: RenderOptions): Promise<RenderedPage> {
  const refusal = pageRefusal(Buffer.byteLength(source), options.maxPageBytes ?? DEFAULT_MAX_PAGE_BYTES, source) ?? findConflict(source);
  if (refusal) return refusedPage(new DirectiveError(options.file, refusal.line, refusal.column, '', refusal.reason), options.keepGoing === true);
  try {
    return await renderWithinBounds(source, options);
  } catch (error) {
    // A nesting the line scan cannot see (e.g. inline) that still overflows a recursive walk.
    if (!(error instanceof RangeError && /call stack/i.test(error.message))) throw error;
    const reason = `the page is nested too deeply to render (${error.message}); flatten it`;
    return refusedPage(new DirectiveError(options.file, 1, 1, '', reason), options.keepGoing === true);
  }
}

/**
 * A page that is not rendered: its error is thrown, or with keepGoing the page is that
 * error's box alone (the rest of the book is still built).
 */
export function refusedPage(error: DirectiveError, keepGoing: boolean): RenderedPage {
  if (!keepGoing) throw error;
  return { html: errorBox(error), meta: {}, title: null, headings: [], errors: [error], warnings: [], usesCharts: false, usesMermaid: false };
}

async function renderWithinBounds(source: string, options: RenderOptions): Promise<RenderedPage> {
  const meta: Record<string, string> = {};
  const run: PageRun = {
    file: options.file,
    keepGoing: options.keepGoing === true,
    context: {
      queries: options.queries ?? directQueries(requireDatabase(options.db), options.maxRows),
      strict: options.strict === true,
      repoUrl: options.repoUrl?.replace(/\/+$/, ''),
      measurementsHref: options.measurementsHref,
      meta,
      cache: new Map(),
    },
    errors: [],
    warnings: [],
    usesCharts: false,
    usesMermaid: false,
    headings: [],
    firstH1: null,
    namedQueries: new PageQueries(options.file),
    claimNotes: [],
  };
  const file = await processor.process({ value: source, path: options.file, data: { [PAGE_RUN]: run } });
  const html = String(file);
  return {
    html: options.deferStamp ? html : stampPage(html, { generatedAt: options.generatedAt ?? new Date(), buildCommit: options.buildCommit, repoUrl: run.context.repoUrl }),
    meta,
    title: meta.title ?? run.firstH1,
    headings: run.headings,
    errors: run.errors,
    warnings: run.warnings,
    usesCharts: run.usesCharts,
    usesMermaid: run.usesMermaid,
  };
}

function requireDatabase(db: Database | undefined): Database {
  if (!db) throw new Error('renderMarkdown needs a database (db) or a query runner (queries)');
  return db;
}
