/**
 * The book command: builds the site once (or, with --watch, serves it and rebuilds on
 * change). Exit status: 0 built, 1 a page could not be built, 2 bad command line.
 * Errors are printed as messages, never as stack traces (BOOK_DEBUG=1 shows them).
 * Started by cli.ts.
 */
import { relative } from 'node:path';
import { buildSite, DirectiveError, type BuildResult } from './build.ts';
import { UsageError } from '../cli/args.ts';
import { parseCliOptions, USAGE, type CliOptions } from './options.ts';

export async function main(argv: string[]): Promise<number> {
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
    result = await buildSite(options);
  } catch (error) {
    process.stderr.write(`${describeFailure(error)}\n`);
    return 1;
  }
  if (result.warnings.length > 0) {
    process.stderr.write(`${result.warnings.map((w) => `${w} (warning; an error with --strict)`).join('\n')}\n`);
  }
  if (result.errors.length > 0) {
    process.stderr.write(
      `${result.errors.map((e) => e.message).join('\n')}\n` +
        `book: ${result.errors.length} directive ${result.errors.length === 1 ? 'error' : 'errors'} (drawn as red boxes in the pages: --keep-going)\n`,
    );
  }
  if (!options.quiet) process.stdout.write(`${summary(result)}\n`);
  return result.errors.length > 0 ? 1 : 0;
}

function summary(result: BuildResult): string {
  const pages = `${result.pages.length} ${result.pages.length === 1 ? 'page' : 'pages'}`;
  const charts = `${result.charts} ${result.charts === 1 ? 'chart' : 'charts'}`;
  const rel = relative(process.cwd(), result.outDir);
  const where = rel === '' ? '.' : rel.startsWith('..') ? result.outDir : rel;
  return `book: ${pages}, ${charts} in ${(result.durationMs / 1000).toFixed(2)} s → ${where}/`;
}

export function describeFailure(error: unknown): string {
  if (error instanceof DirectiveError) return error.message; // file:line:col @name: reason
  if (process.env.BOOK_DEBUG && error instanceof Error && error.stack) return error.stack;
  return `book: ${error instanceof Error ? error.message : String(error)}`;
}
