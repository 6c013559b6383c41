/**
 * Views a build reads more than once, computed once. The book's database is a snapshot in
 * memory that no query can change, so a view's rows are the same at every query of a build;
 * yet SQLite computes a view anew for each statement that reads it, and the book's pages read
 * some views a dozen times (`fairness_targets`, `scaling_lead_time`: 0.2–0.4 s each time, of a
 * 27 s build). When a query names a view for the second time, its rows are copied into a
 * temporary table of the same name, which unqualified names resolve to before the main
 * schema's view. The first reading runs as written, so a view read once with a selective
 * WHERE keeps SQLite's pushing of that filter into the view. A query that reads the schema
 * (`pragma_table_info`, `sqlite_schema`) sees it as it is: the tables made so far are dropped
 * first (a table made from a view has the view's columns, not their declared types).
 */
import type { Database } from '../../db/database.ts';

export interface ViewCache {
  /** Before a query: materialise each view it names that an earlier query named too. */
  prepare(sql: string): void;
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
    prepare(sql: string): void {
      const lower = sql.toLowerCase();
      if (/\b(?:pragma_\w+|sqlite_(?:master|schema|temp_master|temp_schema))\b/.test(lower)) {
        for (const view of materialised) db.run(`DROP TABLE temp.${quoted(view)}`);
        materialised.clear();
        seen.clear();
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
