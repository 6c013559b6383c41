import { describe, expect, it } from 'vitest';
import { loadSqlJs } from '../../db/database.ts';
import { runReadOnlyQuery } from '../directives/query.ts';
import { createViewCache } from './view-cache.ts';

async function database() {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run(`
    CREATE TABLE runs (id INTEGER PRIMARY KEY, subject TEXT, rps REAL);
    INSERT INTO runs (subject, rps) VALUES ('a', 10), ('a', 30), ('b', 5);
    CREATE VIEW totals AS SELECT subject, CAST(SUM(rps) AS INTEGER) AS total, MIN(id) AS first_id FROM runs GROUP BY subject;
    CREATE VIEW ids AS SELECT id, subject FROM runs;
    CREATE VIEW broken AS SELECT subject FROM runs WHERE no_such_column = 1;
  `);
  return db;
}

/** A query as a page runs it: the cache first, then the read-only query. */
const read = (db: Awaited<ReturnType<typeof database>>, cache: ReturnType<typeof createViewCache>, sql: string) => {
  cache.prepare(sql);
  return runReadOnlyQuery(db, sql).rows;
};

describe('createViewCache', () => {
  it('computes a view once it is read a second time, and every reading gives the same rows', async () => {
    const db = await database();
    const cache = createViewCache(db);
    const first = read(db, cache, "SELECT total FROM totals WHERE subject = 'a'");
    expect(cache.materialised.has('totals')).toBe(false); // read once: as written, filter pushed into the view
    const second = read(db, cache, "SELECT total FROM Totals WHERE subject = 'a'");
    expect(cache.materialised.has('totals')).toBe(true);
    expect(second).toEqual(first);
    expect(read(db, cache, 'SELECT subject, total, first_id FROM totals ORDER BY subject')).toEqual([['a', 40, 1], ['b', 5, 3]]);
    // The table is the view's rows, not a copy of the underlying table's changes: the database is a snapshot.
    expect(db.exec("SELECT type FROM sqlite_temp_master WHERE name = 'totals'")[0].values).toEqual([['table']]);
  });

  it('lets a query that reads the schema see the views as declared, not the tables made of them', async () => {
    const db = await database();
    const cache = createViewCache(db);
    const schema = "SELECT name, type FROM pragma_table_info('ids')";
    const declared = runReadOnlyQuery(db, schema).rows;
    expect(declared).toEqual([['id', 'INTEGER'], ['subject', 'TEXT']]);
    read(db, cache, 'SELECT * FROM ids');
    read(db, cache, 'SELECT * FROM ids');
    expect(cache.materialised.size).toBe(1);
    // What the table made of the view would say (its columns' types as CREATE TABLE … AS gives them):
    expect(runReadOnlyQuery(db, schema).rows).not.toEqual(declared);
    expect(read(db, cache, schema)).toEqual(declared);
    expect(cache.materialised.size).toBe(0);
    expect(read(db, cache, "SELECT id FROM ids WHERE subject = 'b'")).toEqual([[3]]);
  });

  it('drops only the tables a schema query names, all of them when it cannot tell, none for the main schema', async () => {
    const db = await database();
    const cache = createViewCache(db);
    const twice = (sql: string) => { read(db, cache, sql); read(db, cache, sql); };
    twice('SELECT * FROM ids');
    twice('SELECT * FROM totals');
    expect([...cache.materialised].sort()).toEqual(['ids', 'totals']);
    // A bound name (the manual's columns_of): that view's table only, and the declared types.
    cache.prepare('SELECT name, type FROM pragma_table_info(:view)', ['ids']);
    expect([...cache.materialised]).toEqual(['totals']);
    expect(runReadOnlyQuery(db, 'SELECT name, type FROM pragma_table_info(?)', ['ids']).rows).toEqual([['id', 'INTEGER'], ['subject', 'TEXT']]);
    // The main schema asked for, or only the main catalogue read: nothing to drop.
    read(db, cache, "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name, 'main') p WHERE m.name IN ('ids', 'totals')");
    read(db, cache, "SELECT name FROM sqlite_schema WHERE type = 'view'");
    expect([...cache.materialised]).toEqual(['totals']);
    // A computed name: any table may be it.
    read(db, cache, "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.name IN ('ids', 'totals')");
    expect(cache.materialised.size).toBe(0);
  });

  it('leaves a view it cannot compute to the query, which reports why', async () => {
    const db = await database();
    const cache = createViewCache(db);
    expect(() => read(db, cache, 'SELECT * FROM broken')).toThrow(/no such column/);
    expect(() => read(db, cache, 'SELECT * FROM broken')).toThrow(/no such column/);
    expect(cache.materialised.size).toBe(0);
  });
});
