/**
 * Command-line options of `npm run book`: parsing and validation only (pure).
 * A bad flag is a UsageError; the CLI prints its message with the usage and exits 2.
 */
import { numberFlag, parseFlags, UsageError } from '../cli/args.ts';
import { DEFAULT_LIMITS } from './directives/query.ts';
import { DEFAULT_MAX_PAGE_BYTES, MAX_NESTING } from './markdown/bounds.ts';
import type { PageCacheOptions } from './page-cache.ts';

export interface BuildOptions {
  /** Folder holding index.md and one folder per book. */
  bookDir: string;
  /** The benchmark database (read into memory, never written). */
  db: string;
  /** The chapter list mirrored into the in-memory database; default: chapters.json beside the database. */
  chapters: string;
  /** Output folder. */
  out: string;
  /** Build this one Markdown file instead of the book folder. */
  input?: string;
  /** Preview mode: draw directive errors as boxes, keep building, still fail at the end. */
  keepGoing: boolean;
  /** CI mode: a chapter without measurement is an error. */
  strict: boolean;
  quiet: boolean;
  /** Also print each book to <out>/<book>.pdf (Chromium through puppeteer). */
  pdf?: boolean;
  /** A query returning more rows fails (default DEFAULT_LIMITS.maxRows). */
  maxRows?: number;
  /** A query running longer is stopped (default DEFAULT_LIMITS.timeoutMs). */
  queryTimeoutMs?: number;
  /** A longer Markdown page is refused unread (default DEFAULT_MAX_PAGE_BYTES). */
  maxPageBytes?: number;
  /** Reuse pages rendered by earlier builds (page-cache.ts); absent: render every page. */
  cache?: PageCacheOptions;
}

export interface CliOptions extends BuildOptions {
  help: boolean;
  watch: boolean;
  /** Port of the --watch server; 0 = any free port. */
  port: number;
  /** Print how long each phase took (stderr). */
  timings: boolean;
  /** --no-cache: render every page (and keep nothing for the next build). */
  noCache: boolean;
}

export const USAGE = `Usage: npm run book -- [options]

Builds the book: book/index.md and book/<book>/*.md → site/ (static HTML, works from file://).

Options:
  --book-dir <dir>    folder of the book's Markdown              (default: book)
  --db <file>         benchmark database to read                 (default: data/bench.sqlite)
  --chapters <file>   chapter list                               (default: chapters.json beside --db)
  --out <dir>         output folder                              (default: site)
  --input <file.md>   build this one Markdown file to <out>/<name>.html instead of the book
  --keep-going        preview: show directive errors as red boxes in the pages, exit 1 at the end
  --strict            a chapter without measurement is an error (for CI)
  --max-rows <n>      a query for a table or chart may return at most n rows   (default: ${DEFAULT_LIMITS.maxRows})
  --query-timeout <s> a query running longer than s seconds is stopped       (default: ${DEFAULT_LIMITS.timeoutMs / 1000})
  --max-page-bytes <n>
                      a longer Markdown page is refused unread              (default: ${DEFAULT_MAX_PAGE_BYTES})
                      (a page may also nest at most ${MAX_NESTING} block quotes and list items)
  --pdf               also print each book to <out>/<book>.pdf (needs Chromium)
  --no-cache          render every page again (by default a page whose Markdown and data are
                      unchanged is reused from .cache/book-pages/)
  --timings           print how long each phase of the build took (stderr)
  --watch             serve the site on localhost and rebuild on changes to book/, data/, generator/
  --port <n>          port for --watch                           (default: 4173, 0 = any free port)
  --quiet             print nothing but errors
  -h, --help          show this help

Exit status: 0 built, 1 a page could not be built (directive errors are listed as
file:line:col @directive: reason), 2 bad command line.`;

const DEFAULTS = { bookDir: 'book', db: 'data/bench.sqlite', out: 'site', port: 4173 } as const;

/** Parses argv (without node and script); throws UsageError for anything it does not understand. */
export function parseCliOptions(argv: string[]): CliOptions {
  const { values, positionals } = parseFlags({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      'book-dir': { type: 'string' },
      db: { type: 'string' },
      chapters: { type: 'string' },
      out: { type: 'string' },
      input: { type: 'string' },
      'keep-going': { type: 'boolean' },
      strict: { type: 'boolean' },
      watch: { type: 'boolean' },
      port: { type: 'string' },
      'max-rows': { type: 'string' },
      pdf: { type: 'boolean' },
      'query-timeout': { type: 'string' },
      'max-page-bytes': { type: 'string' },
      quiet: { type: 'boolean' },
      'no-cache': { type: 'boolean' },
      timings: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}" (to build one file, use --input ${positionals[0]})`);
  }
  for (const key of ['book-dir', 'db', 'chapters', 'out', 'input'] as const) {
    const value = values[key];
    if (typeof value === 'string' && value.trim() === '') throw new UsageError(`--${key} needs a non-empty value`);
  }
  if (typeof values.input === 'string' && !values.input.toLowerCase().endsWith('.md')) {
    throw new UsageError(`--input expects a Markdown file ending in .md, got "${values.input}"`);
  }
  let port: number = DEFAULTS.port;
  if (values.port !== undefined) {
    if (!values.watch) throw new UsageError('--port only applies with --watch');
    port = numberFlag('--port', values.port, { integer: true, min: 0, max: 65535 });
  }
  const maxRows = numberFlag('--max-rows', values['max-rows'], { integer: true, min: 1, fallback: DEFAULT_LIMITS.maxRows });
  // At least a millisecond: the limit is kept in whole milliseconds.
  const queryTimeoutSeconds = numberFlag('--query-timeout', values['query-timeout'], { min: 0.001, hint: 'seconds', fallback: DEFAULT_LIMITS.timeoutMs / 1000 });
  const maxPageBytes = numberFlag('--max-page-bytes', values['max-page-bytes'], { integer: true, min: 1, fallback: DEFAULT_MAX_PAGE_BYTES });
  if (values.watch && values.input) throw new UsageError('--watch builds the whole book; it cannot be combined with --input');

  const db = (values.db as string | undefined) ?? DEFAULTS.db;
  return {
    bookDir: (values['book-dir'] as string | undefined) ?? DEFAULTS.bookDir,
    db,
    chapters: (values.chapters as string | undefined) ?? chaptersBeside(db),
    out: (values.out as string | undefined) ?? DEFAULTS.out,
    input: values.input as string | undefined,
    keepGoing: values['keep-going'] === true,
    strict: values.strict === true,
    quiet: values.quiet === true,
    pdf: values.pdf === true,
    maxRows,
    queryTimeoutMs: Math.round(queryTimeoutSeconds * 1000),
    maxPageBytes,
    watch: values.watch === true,
    help: values.help === true,
    port,
    timings: values.timings === true,
    noCache: values['no-cache'] === true,
  };
}

/** data/bench.sqlite → data/chapters.json (the pair the bench keeps together). */
export function chaptersBeside(db: string): string {
  const slash = Math.max(db.lastIndexOf('/'), db.lastIndexOf('\\'));
  return slash < 0 ? 'chapters.json' : `${db.slice(0, slash + 1)}chapters.json`;
}
