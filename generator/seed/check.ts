/**
 * Do the books of the project this generator descends from (kraft's BookGen) render
 * against our database? Every Markdown page under a folder that holds a directive is
 * built on its own, as `npm run book -- --input <page> --keep-going` would, and its errors
 * are sorted: a chapter tag our database does not have is the seed's own story, expected;
 * anything else is something our generator or views do not serve yet.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildSite } from '../build.ts';
import type { DirectiveError } from '../directives/errors.ts';

export interface SeedCheckOptions {
  /** The benchmark database and its chapter list (absent file: not synced). */
  db: string;
  chapters: string;
}

export interface PageCheck {
  /** The page's path under the folder checked. */
  page: string;
  /** Errors naming a chapter tag the database does not have: the seed's own chapters. */
  unknownTags: DirectiveError[];
  /** Every other error. */
  errors: DirectiveError[];
}

/** Every `.md` file under `dir` (sorted, hidden folders and node_modules skipped) whose text holds a directive comment. */
export function findDirectivePages(dir: string): string[] {
  const pages: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.md') && readFileSync(path, 'utf8').includes('<!-- @')) pages.push(path);
    }
  };
  walk(dir);
  return pages;
}

const UNKNOWN_TAG = /^unknown tag (\S+) \(known: /;

/** The tag an error names as unknown, or null when the error is about something else. */
export function unknownTagOf(error: DirectiveError): string | null {
  return UNKNOWN_TAG.exec(error.reason)?.[1] ?? null;
}

/** Builds each page on its own into a temporary folder (removed after) and sorts its errors. */
export async function checkSeedPages(dir: string, pages: string[], options: SeedCheckOptions): Promise<PageCheck[]> {
  const out = mkdtempSync(join(tmpdir(), 'seed-books-'));
  try {
    const checks: PageCheck[] = [];
    for (const [i, page] of pages.entries()) {
      const result = await buildSite({
        bookDir: dir,
        db: options.db,
        chapters: options.chapters,
        out: join(out, String(i)),
        input: page,
        keepGoing: true,
        strict: false,
        quiet: true,
      });
      checks.push({
        page: relative(dir, page),
        unknownTags: result.errors.filter((e) => unknownTagOf(e) !== null),
        errors: result.errors.filter((e) => unknownTagOf(e) === null),
      });
    }
    return checks;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The report: one line a page, the other errors in full, the unknown tags once each. */
export function formatSeedReport(checks: PageCheck[]): string {
  const lines = checks.map((c) => {
    const parts = [
      c.errors.length === 0 ? 'renders' : `${c.errors.length} ${c.errors.length === 1 ? 'error' : 'errors'}`,
      ...(c.unknownTags.length === 0 ? [] : [`${c.unknownTags.length} × a chapter tag this database does not have`]),
    ];
    return `${c.page}: ${parts.join(', ')}`;
  });
  const others = checks.flatMap((c) => c.errors.map((e) => e.message));
  const tags = [...new Set(checks.flatMap((c) => c.unknownTags.map((e) => unknownTagOf(e) as string)))];
  const clean = checks.filter((c) => c.errors.length === 0).length;
  return [
    ...lines,
    ...(others.length === 0 ? [] : ['', 'Errors other than unknown chapter tags:', ...others]),
    ...(tags.length === 0 ? [] : ['', `Chapter tags of the seed this database does not have: ${tags.join(', ')}`]),
    '',
    `${clean} of ${checks.length} pages render with no error other than unknown chapter tags`,
  ].join('\n');
}
