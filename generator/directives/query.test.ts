import { describe, expect, it } from 'vitest';
import { DirectiveProblem } from './errors.ts';
import { runReadOnlyQuery } from './query.ts';
import { createTestDatabase } from './test-database.ts';

const reasonOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DirectiveProblem);
    return (error as DirectiveProblem).reason;
  }
  throw new Error('no error');
};

describe('runReadOnlyQuery', () => {
  it('returns columns and rows', async () => {
    const db = await createTestDatabase();
    const result = runReadOnlyQuery(db, 'SELECT tag, baseline_rps FROM versions ORDER BY chapter_number');
    expect(result.columns).toEqual(['tag', 'baseline_rps']);
    expect(result.rows).toEqual([
      ['v1-baseline', 10000],
      ['v2-cache', 14230],
      ['v3-pool', null],
    ]);
  });

  it('returns column names for an empty result, and binds parameters', async () => {
    const db = await createTestDatabase();
    expect(runReadOnlyQuery(db, 'SELECT tag FROM versions WHERE tag = ?', ['nope'])).toEqual({ columns: ['tag'], rows: [] });
  });

  it('passes SQLite errors through verbatim', async () => {
    const db = await createTestDatabase();
    expect(reasonOf(() => runReadOnlyQuery(db, 'SELECT observed_rp FROM adaptive_limiter_seconds'))).toBe('no such column: observed_rp');
  });

  it('cannot write: non-SELECT statements, several statements and WITH … DELETE are refused, data intact', async () => {
    const db = await createTestDatabase();
    const count = () => db.exec('SELECT COUNT(*) FROM runs')[0].values[0][0];
    const before = count();
    expect(reasonOf(() => runReadOnlyQuery(db, 'DELETE FROM runs'))).toBe('only a read-only SELECT (or WITH … SELECT) query is allowed');
    expect(reasonOf(() => runReadOnlyQuery(db, 'PRAGMA query_only = OFF'))).toBe('only a read-only SELECT (or WITH … SELECT) query is allowed');
    expect(reasonOf(() => runReadOnlyQuery(db, 'SELECT 1; DELETE FROM runs'))).toBe('a query must be a single SQL statement');
    expect(reasonOf(() => runReadOnlyQuery(db, 'WITH doomed AS (SELECT id FROM runs) DELETE FROM runs WHERE id IN (SELECT id FROM doomed)'))).toBe(
      'attempt to write a readonly database',
    );
    expect(count()).toBe(before);
    // The connection is writable again for the code that owns it.
    db.run("INSERT INTO meta(key, value) VALUES ('after', 'ok')");
    expect(db.exec("SELECT value FROM meta WHERE key = 'after'")[0].values[0][0]).toBe('ok');
  });

  it('accepts a trailing semicolon and comments, and keeps a caller-set query_only', async () => {
    const db = await createTestDatabase();
    expect(runReadOnlyQuery(db, '-- count\nSELECT COUNT(*) AS n FROM versions; /* done */').rows).toEqual([[3]]);
    db.run('PRAGMA query_only = ON');
    runReadOnlyQuery(db, 'SELECT 1');
    expect(db.exec('PRAGMA query_only')[0].values[0][0]).toBe(1);
  });

  it('refuses an empty query', async () => {
    const db = await createTestDatabase();
    expect(reasonOf(() => runReadOnlyQuery(db, '  '))).toBe('the query is empty');
  });
});
