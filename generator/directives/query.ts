/**
 * Runs an author's SQL against the benchmark database, read-only.
 *
 * Two locks: only a single SELECT / WITH / VALUES statement is accepted, and it runs
 * with `PRAGMA query_only = ON` (so even a `WITH … DELETE` cannot write). SQLite's
 * own error message becomes the reason verbatim ("no such column: observed_rp").
 * A result longer than the row limit is an error (it would make a page of megabytes);
 * the time limit needs a thread that can be stopped: query-worker/.
 */
import type { Database, SqlValue } from 'sql.js';
import { DirectiveProblem } from './errors.ts';

export interface QueryResult {
  columns: string[];
  rows: SqlValue[][];
}

/** What directives run their queries through (in this thread, or in a worker with a time limit). */
export interface QueryRunner {
  run(sql: string, params?: SqlValue[]): QueryResult;
}

export interface QueryLimits {
  /** A query returning more rows fails. */
  maxRows: number;
  /** A query running longer is stopped (only where the runner can stop it: the worker). */
  timeoutMs: number;
}

// The time limit stops a query that never ends (a recursive CTE without a bound); it is wall
// time, so it must sit far above any real query on a busy machine: at a load average of 20 on
// 2 cores one of the book's queries (quiet: well under a second) passed 5 s and failed a test.
export const DEFAULT_LIMITS: QueryLimits = { maxRows: 5000, timeoutMs: 60_000 };

/** Queries in this thread: the row limit applies, the time limit cannot. */
export function directQueries(db: Database, maxRows: number = DEFAULT_LIMITS.maxRows): QueryRunner {
  return { run: (sql, params) => runReadOnlyQuery(db, sql, params, maxRows) };
}

export function tooManyRows(maxRows: number): DirectiveProblem {
  return new DirectiveProblem(`the query returned more than ${maxRows} rows (the row limit: narrow the query, or raise the limit with --max-rows)`);
}

const READING_STATEMENT = /^(select|with|values)\b/i;

/** Strips leading whitespace, semicolons and SQL comments, to see the statement's first keyword. */
function firstKeywordText(sql: string): string {
  let rest = sql;
  for (;;) {
    const trimmed = rest.replace(/^[\s;]+/, '');
    if (trimmed.startsWith('--')) {
      const newline = trimmed.indexOf('\n');
      rest = newline === -1 ? '' : trimmed.slice(newline + 1);
    } else if (trimmed.startsWith('/*')) {
      const close = trimmed.indexOf('*/');
      rest = close === -1 ? '' : trimmed.slice(close + 2);
    } else {
      return trimmed;
    }
  }
}

export function runReadOnlyQuery(db: Database, sql: string, params: SqlValue[] = [], maxRows = Infinity): QueryResult {
  const text = sql.trim();
  if (text.length === 0) throw new DirectiveProblem('the query is empty');
  if (!READING_STATEMENT.test(firstKeywordText(text))) {
    throw new DirectiveProblem('only a read-only SELECT (or WITH … SELECT) query is allowed');
  }
  // Restore whatever the caller had set, rather than assuming it was off.
  const wasQueryOnly = db.exec('PRAGMA query_only')[0]?.values[0]?.[0] === 1;
  db.run('PRAGMA query_only = ON');
  try {
    const statements = db.iterateStatements(text);
    const first = statements.next();
    if (first.done) throw new DirectiveProblem('the query is empty');
    const statement = first.value;
    try {
      if (firstKeywordText(statements.getRemainingSQL()).length > 0) {
        throw new DirectiveProblem('a query must be a single SQL statement');
      }
      if (params.length > 0) statement.bind(params);
      const columns = statement.getColumnNames();
      const rows: SqlValue[][] = [];
      while (statement.step()) {
        if (rows.length >= maxRows) throw tooManyRows(maxRows);
        rows.push(statement.get());
      }
      return { columns, rows };
    } finally {
      statement.free();
    }
  } catch (error) {
    if (error instanceof DirectiveProblem) throw error;
    throw new DirectiveProblem((error as Error).message);
  } finally {
    if (!wasQueryOnly) db.run('PRAGMA query_only = OFF');
  }
}
