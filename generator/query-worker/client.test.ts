import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { DirectiveProblem } from '../directives/errors.ts';
import { createTestDatabase } from '../directives/test-database.ts';
import { WorkerQueries } from './client.ts';

const ENDLESS = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r';

describe('WorkerQueries', () => {
  let db: Database;
  let queries: WorkerQueries;
  beforeAll(async () => {
    db = await createTestDatabase();
    // Long enough that an ordinary query never reaches it on a loaded machine (start-up is not counted).
    queries = new WorkerQueries({ bytes: db.export() }, { maxRows: 3, timeoutMs: 2000 });
  });
  afterAll(() => {
    queries.close();
    db.close();
  });

  it('answers read-only queries from its copy of the database', () => {
    expect(queries.run('SELECT tag FROM versions ORDER BY chapter_number').rows).toEqual([['v1-baseline'], ['v2-cache'], ['v3-pool']]);
    expect(queries.run('SELECT ? + 1', [41]).rows).toEqual([[42]]);
    expect(() => queries.run('DELETE FROM runs')).toThrow('only a read-only SELECT');
  });

  it('stops a query that never ends, then answers the next one from a fresh thread', () => {
    let problem: unknown;
    try {
      queries.run(ENDLESS);
    } catch (error) {
      problem = error;
    }
    expect(problem).toBeInstanceOf(DirectiveProblem);
    expect((problem as DirectiveProblem).reason).toMatch(/^the query did not finish within 2 s and was stopped/);
    expect(queries.run('SELECT count(*) FROM chapters').rows).toEqual([[3]]);
  });

  it('answers a query asked again from its first answer, which nobody can change', () => {
    const first = queries.run('SELECT tag FROM versions ORDER BY chapter_number');
    expect(queries.run('SELECT tag FROM versions ORDER BY chapter_number')).toBe(first);
    expect(queries.run('SELECT ? + 1', [1]).rows).toEqual([[2]]);
    expect(queries.run('SELECT ? + 1', [2]).rows).toEqual([[3]]);
    expect(() => (first.rows as unknown[][]).push(['x'])).toThrow(TypeError);
    expect(() => (first.rows[0] as unknown[]).splice(0, 1)).toThrow(TypeError);
  });

  it('refuses more rows than the limit', () => {
    expect(() => queries.run('SELECT value FROM json_each(\'[1,2,3,4]\')')).toThrow('the query returned more than 3 rows');
    expect(queries.run('SELECT value FROM json_each(\'[1,2,3]\')').rows).toHaveLength(3);
  });
});
