/**
 * The book command: builds the site once (or, with --watch, serves it and rebuilds on
 * change). Exit status: 0 built, 1 a page could not be built, 2 bad command line.
 * Errors are printed as messages, never as stack traces (BOOK_DEBUG=1 shows them).
 * Started by book.mjs, from the generator's bundle.
 */
import { relative } from 'node:path';
import { buildSite, DirectiveError, type BuildResult, type Phase } from './build.ts';
import { UsageError } from '../cli/args.ts';
import { parseCliOptions, USAGE, type CliOptions } from './options.ts';
import { foldWarnings } from './warnings.ts';

/** What the launcher (book.mjs) knows: the bundle's version, and how long starting took. */
export interface Runtime {
  generatorVersion: string;
  launchPhases: Phase[];
  /** Set by main: how many pages this build rendered (the launcher then refreshes V8's code cache). */
  rendered?: number;
}

/** Rendered pages are kept here, beside the project being built (like site/ and data/). */
const CACHE_DIR = '.cache/book-pages';

export async function main(argv: string[], runtime: Runtime): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCliOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`book: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (options.watch) {
    const { watchAndServe } = await import('./serve.ts');
    await watchAndServe(options, argv);
    return 0; // not reached: the server runs until interrupted
  }

  let result: BuildResult;
  try {
    result = await buildSite(options.noCache ? options : { ...options, cache: { dir: CACHE_DIR, generatorVersion: runtime.generatorVersion } });
  } catch (error) {
    process.stderr.write(`${describeFailure(error)}\n`);
    return 1;
  }
  if (result.warnings.length > 0) {
    process.stderr.write(`${foldWarnings(result.warnings).map((w) => `${w} (warning; an error with --strict)`).join('\n')}\n`);
  }
  if (result.errors.length > 0) {
    process.stderr.write(
      `${foldWarnings(result.errors.map((e) => e.message)).join('\n')}\n` +
        `book: ${result.errors.length} directive ${result.errors.length === 1 ? 'error' : 'errors'} (drawn as red boxes in the pages: --keep-going)\n`,
    );
  }
  runtime.rendered = result.rendered;
  if (!options.quiet) process.stdout.write(`${summary(result)}\n`);
  if (options.timings) process.stderr.write(timings([...runtime.launchPhases, ...result.phases]));
  return result.errors.length > 0 ? 1 : 0;
}

function summary(result: BuildResult): string {
  const pages = `${result.pages.length} ${result.pages.length === 1 ? 'page' : 'pages'}`;
  const charts = `${result.charts} ${result.charts === 1 ? 'chart' : 'charts'}`;
  const rel = relative(process.cwd(), result.outDir);
  const where = rel === '' ? '.' : rel.startsWith('..') ? result.outDir : rel;
  return `book: ${pages}, ${charts} in ${(result.durationMs / 1000).toFixed(2)} s → ${where}/ (${result.rendered} rendered, ${result.reused} reused)`;
}

/** One line a phase, then the total since node started (what a user waits for, minus npm). */
function timings(phases: Phase[]): string {
  const lines = phases.map(({ phase, ms }) => `book: ${phase.padEnd(18)} ${ms.toFixed(1).padStart(7)} ms`);
  lines.push(`book: ${'total (node start)'.padEnd(18)} ${performance.now().toFixed(1).padStart(7)} ms`);
  return `${lines.join('\n')}\n`;
}

export function describeFailure(error: unknown): string {
  if (error instanceof DirectiveError) return error.message; // file:line:col @name: reason
  if (process.env.BOOK_DEBUG && error instanceof Error && error.stack) return error.stack;
  return `book: ${error instanceof Error ? error.message : String(error)}`;
}
