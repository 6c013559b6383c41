/**
 * Views a build reads more than once, computed once. The book's database is a snapshot in
 * memory that no query can change, so a view's rows are the same at every query of a build;
 * yet SQLite computes a view anew for each statement that reads it, and the book's pages read
 * some views a dozen times (`fairness_targets`, `scaling_lead_time`: 0.2–0.4 s each time, of a
 * 27 s build). When a query names a view for the second time, its rows are copied into a
 * temporary table of the same name, which unqualified names resolve to before the main
 * schema's view. The first reading runs as written, so a view read once with a selective
 * WHERE keeps SQLite's pushing of that filter into the view. A query that reads the schema
 * (`pragma_table_info`) sees it as it is: the tables it could resolve to are dropped first (a
 * table made from a view has the view's columns, not their declared types) — only the views it
 * names (by a quoted name or a bound parameter) when it names them so, every table when an
 * argument is computed (`pragma_table_info(m.name)`) or it reads the temporary catalogue. A
 * pragma given the main schema (`pragma_table_info(name, 'main')`) and the main catalogue
 * (`sqlite_schema`) never see temporary tables. (Dropping every table at each of the views
 * manual's fifty `columns_of` made the build compute `fairness_targets`, 1.4–2.2 s, twice.)
 */
import type { Database } from '../../db/database.ts';
import type { SqlValue } from 'sql.js';

export interface ViewCache {
  /** Before a query (and its bound parameters): materialise each view it names that an earlier query named too. */
  prepare(sql: string, params?: readonly SqlValue[]): void;
  /** The views held as tables so far (for tests and messages). */
  readonly materialised: ReadonlySet<string>;
}

const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export function createViewCache(db: Database): ViewCache {
  const views = (db.exec("SELECT name FROM sqlite_master WHERE type = 'view'")[0]?.values ?? []).map((row) => String(row[0]));
  const byLowerName = new Map(views.map((name) => [name.toLowerCase(), name]));
  const seen = new Set<string>();
  const materialised = new Set<string>();
  return {
    materialised,
    prepare(sql: string, params: readonly SqlValue[] = []): void {
      const lower = sql.toLowerCase();
      const shadowed = schemaReading(lower, params);
      if (shadowed !== null) {
        for (const view of [...materialised]) {
          if (shadowed !== 'all' && !shadowed.has(view.toLowerCase())) continue;
          db.run(`DROP TABLE temp.${quoted(view)}`);
          materialised.delete(view);
          seen.delete(view);
        }
        return;
      }
      for (const word of new Set(lower.match(/[a-z_][a-z0-9_]*/g) ?? [])) {
        const view = byLowerName.get(word);
        if (view === undefined || materialised.has(view)) continue;
        if (!seen.has(view)) {
          seen.add(view);
          continue;
        }
        try {
          db.run(`CREATE TEMP TABLE ${quoted(view)} AS SELECT * FROM main.${quoted(view)}`);
          materialised.add(view);
        } catch {
          // A view that cannot be computed stays a view: the query that reads it reports why.
          byLowerName.delete(word);
        }
      }
    },
  };
}

/**
 * Which views a query reading the schema could see as temporary tables: null when it reads no
 * schema, 'all' when it cannot be told, else the (lower-case) names it gives its pragmas.
 */
function schemaReading(lower: string, params: readonly SqlValue[]): Set<string> | 'all' | null {
  if (/\bsqlite_temp_(?:master|schema)\b/.test(lower)) return 'all';
  const pragmas = [...lower.matchAll(/\bpragma_\w+\s*\(([^()]*)\)/g)].map((match) => match[1].trim());
  // A pragma whose arguments this does not read (nested parentheses): any table may be seen.
  if (pragmas.length < (lower.match(/\bpragma_\w+/g) ?? []).length) return 'all';
  const calls = pragmas.filter((args) => !/,\s*'main'$/.test(args));
  if (calls.length === 0) return null;
  const names = new Set<string>();
  for (const argument of calls) {
    const literal = /^'((?:[^']|'')*)'$/.exec(argument);
    if (literal) {
      names.add(literal[1].replace(/''/g, "'"));
    } else if (/^(?:\?\d*|[:@$][a-z_]\w*)$/.test(argument)) {
      // A bound name: any string parameter may be it.
      for (const value of params) if (typeof value === 'string') names.add(value.toLowerCase());
    } else {
      return 'all';
    }
  }
  return names;
}
