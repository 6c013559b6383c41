import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli/args.ts';
import { parseCliOptions } from './options.ts';

function usageError(argv: string[]): string {
  try {
    parseCliOptions(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be rejected`);
}

describe('parseCliOptions', () => {
  it('defaults to book/ → site/ from data/bench.sqlite with the chapter list beside it', () => {
    expect(parseCliOptions([])).toEqual({
      bookDir: 'book', db: 'data/bench.sqlite', chapters: 'data/chapters.json', out: 'site', input: undefined,
      keepGoing: false, strict: false, quiet: false, watch: false, help: false, port: 4173, maxRows: 5000, queryTimeoutMs: 60000, pdf: false,
      timings: false, noCache: false, maxPageBytes: 1048576,
    });
  });

  it('reads every flag', () => {
    const options = parseCliOptions(['--book-dir', 'b', '--db', 'x/y.sqlite', '--out', 'o', '--keep-going', '--strict', '--quiet']);
    expect(options).toMatchObject({ bookDir: 'b', db: 'x/y.sqlite', chapters: 'x/chapters.json', out: 'o', keepGoing: true, strict: true, quiet: true });
    expect(parseCliOptions(['--input', 'old/book.md']).input).toBe('old/book.md');
    expect(parseCliOptions(['--db', 'bench.sqlite']).chapters).toBe('chapters.json');
    expect(parseCliOptions(['--chapters', 'c.json']).chapters).toBe('c.json');
    expect(parseCliOptions(['--watch', '--port', '0'])).toMatchObject({ watch: true, port: 0 });
    expect(parseCliOptions(['-h']).help).toBe(true);
    expect(parseCliOptions(['--timings', '--no-cache'])).toMatchObject({ timings: true, noCache: true });
    expect(parseCliOptions(['--max-rows', '20', '--query-timeout', '0.5'])).toMatchObject({ maxRows: 20, queryTimeoutMs: 500 });
    expect(parseCliOptions(['--max-page-bytes', '60000000']).maxPageBytes).toBe(60_000_000);
  });

  it('names what is wrong with a bad command line, in plain words', () => {
    expect(usageError(['--bogus'])).toBe('unknown option --bogus');
    expect(usageError(['--db'])).toBe('option --db needs a value');
    expect(usageError(['--strict=yes'])).toBe('option --strict takes no value');
    expect(usageError(['book.md'])).toBe('unexpected argument "book.md" (to build one file, use --input book.md)');
    expect(usageError(['--input', 'notes.txt'])).toMatch(/--input expects a Markdown file/);
    expect(usageError(['--out', ''])).toBe('--out needs a non-empty value');
    expect(usageError(['--watch', '--port', 'http'])).toBe('--port must be an integer ≥ 0 and ≤ 65535, got "http"');
    expect(usageError(['--port', '80'])).toBe('--port only applies with --watch');
    expect(usageError(['--watch', '--input', 'a.md'])).toMatch(/cannot be combined with --input/);
    expect(usageError(['--max-rows', '0'])).toBe('--max-rows must be an integer ≥ 1, got "0"');
    expect(usageError(['--max-rows', '1.5'])).toBe('--max-rows must be an integer ≥ 1, got "1.5"');
    expect(usageError(['--max-page-bytes', '1MB'])).toBe('--max-page-bytes must be an integer ≥ 1, got "1MB"');
    expect(usageError(['--query-timeout', 'soon'])).toBe('--query-timeout must be a number ≥ 0.001 (seconds), got "soon"');
  });
});
