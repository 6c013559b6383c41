/**
 * `npm run book:seed -- <folder>`: renders every page under <folder> that holds a directive
 * (e.g. a checkout of kraft, whose books live in docs/) against data/bench.sqlite and says
 * which render. Exit status: 0 every page renders but for chapter tags this database does
 * not have, 1 some page has another error, 2 bad command line.
 */
import { existsSync, statSync } from 'node:fs';
import { parseFlags, UsageError } from '../../cli/args.ts';
import { chaptersBeside } from '../options.ts';
import { checkSeedPages, findDirectivePages, formatSeedReport } from './check.ts';

const USAGE = `Usage: npm run book:seed -- <folder> [--db <file>] [--chapters <file>]

Renders every Markdown page under <folder> holding a directive comment (<!-- @…), each on
its own as npm run book -- --input <page> --keep-going would, and reports which render.
Errors naming a chapter tag the database does not have are counted apart: a book written
for another project's chapters has them.

  --db <file>         benchmark database to read       (default: data/bench.sqlite)
  --chapters <file>   chapter list                     (default: chapters.json beside --db)`;

async function main(argv: string[]): Promise<number> {
  let folder: string;
  let db: string;
  let chapters: string;
  try {
    const { values, positionals } = parseFlags({
      args: argv,
      allowPositionals: true,
      options: { db: { type: 'string' }, chapters: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'name the folder to check' : `one folder, not ${positionals.length}`);
    folder = positionals[0];
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`${folder} is not a folder`);
    db = values.db ?? 'data/bench.sqlite';
    chapters = values.chapters ?? chaptersBeside(db);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`book:seed: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  const pages = findDirectivePages(folder);
  if (pages.length === 0) {
    process.stderr.write(`book:seed: no Markdown page under ${folder} holds a directive\n`);
    return 1;
  }
  const checks = await checkSeedPages(folder, pages, { db, chapters });
  process.stdout.write(`${formatSeedReport(checks)}\n`);
  return checks.every((c) => c.errors.length === 0) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`book:seed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
