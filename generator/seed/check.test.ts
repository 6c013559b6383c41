import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveDatabase } from '../../db/database.ts';
import { kraftDatabase, loadRun, rampRound, stressRound } from '../../db/views/kraft-fixture.ts';
import { checkSeedPages, findDirectivePages, formatSeedReport } from './check.ts';

/** Two small books of our own in the original BookGen's style (its schema, its forms). */
const SEED_BOOKS = fileURLToPath(new URL('../test-fixtures/seed-books', import.meta.url));

let dir: string;
let options: { db: string; chapters: string };
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seed-check-'));
  const db = await kraftDatabase();
  db.run(`INSERT INTO summaries(session_id, subject, scenario, settings_key, runs, failed_runs, rps_median) VALUES (2, 'v1-first', 'hot', 'k', 3, 0, 12345.6)`);
  db.run(
    `INSERT INTO runs(session_id, subject, commit_hash, scenario, settings_key, run_index, sequence, tool, tool_version, connections, duration_seconds, keep_alive, started_at, status, requests_per_second)
     VALUES (2, 'v1-first', ?, 'hot', 'k', 0, 0, 'wrk', '4', 32, 10, 1, '2026-01-01T02:00:00Z', 'ok', 12345.6)`,
    ['1'.repeat(40)],
  );
  // Three rounds per commit × concurrency: kraft's books expect one row of benchmark_results for each.
  for (const [subject, connections] of [['v1-first', 32], ['v1-first', 64], ['v8-shed', 32], ['v8-shed', 64]] as const) {
    for (const round of [1, 2, 3]) loadRun(db, { session: 2, subject, connections, rps: 1000 * round, p99: connections * round });
  }
  for (const experiment of ['none', '', 'connlimit']) stressRound(db, 2, 'v8-shed', experiment, 3, 100);
  rampRound(db, 'adaptive_limiter_samples', 2, 'v9-adapt', '', 100, (s) => s);
  rampRound(db, 'scaling_signal_samples', 2, 'v10-signal', '', 100, (s) => s * 4);
  options = { db: join(dir, 'bench.sqlite'), chapters: join(dir, 'no-chapters.json') };
  saveDatabase(db, options.db);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the seed books check', () => {
  it('finds the Markdown pages that hold a directive', () => {
    expect(findDirectivePages(SEED_BOOKS).map((p) => p.slice(SEED_BOOKS.length + 1))).toEqual(['docs/durable/book.md', 'docs/load/book.md', 'docs/server/book.md']);
  });

  it('renders seed-style books: the series views, benchmark_results per commit × concurrency, @demo:num, a bare @git, unquoted values; a tag of the seed counted apart', async () => {
    const checks = await checkSeedPages(SEED_BOOKS, findDirectivePages(SEED_BOOKS), options);
    expect(checks.map((c) => ({ page: c.page, errors: c.errors.map((e) => e.message), tags: c.unknownTags.map((e) => `${e.line}:${e.column} ${e.reason.split(' (')[0]}`) }))).toEqual([
      { page: 'docs/durable/book.md', errors: [], tags: [] },
      { page: 'docs/load/book.md', errors: [], tags: [] },
      { page: 'docs/server/book.md', errors: [], tags: ['12:16 unknown tag v0-framework'] },
    ]);
    expect(formatSeedReport(checks)).toBe(
      [
        'docs/durable/book.md: renders',
        'docs/load/book.md: renders',
        'docs/server/book.md: renders, 1 × a chapter tag this database does not have',
        '',
        'Chapter tags of the seed this database does not have: v0-framework',
        '',
        '3 of 3 pages render with no error other than unknown chapter tags',
      ].join('\n'),
    );
  }, 60_000);

  it('reports any other error in full: a table of the seed our database does not have', async () => {
    const books = join(dir, 'books');
    cpSync(SEED_BOOKS, books, { recursive: true });
    writeFileSync(join(books, 'docs', 'stress.md'), '# Stress\n\n<!-- @chart:query="SELECT concurrency, rps FROM stress_results" -->\n');
    const checks = await checkSeedPages(books, [join(books, 'docs', 'stress.md')], options);
    expect(formatSeedReport(checks)).toBe(
      [
        'docs/stress.md: 1 error',
        '',
        'Errors other than unknown chapter tags:',
        `${join(books, 'docs', 'stress.md')}:3:1 @chart: no such table: stress_results`,
        '',
        '0 of 1 pages render with no error other than unknown chapter tags',
      ].join('\n'),
    );
  }, 60_000);
});
