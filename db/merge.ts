/**
 * Merging the benchmark database of one machine into another database
 * (`npm run bench -- --merge <files…>`): the CI measures on several runner kinds, each
 * into its own file, and the book reads one database holding them all.
 *
 * Never mixes machines: a row is copied only together with the session it belongs to,
 * and a session keeps its machine fingerprint. Idempotent: a session is identified by
 * machine fingerprint + started_at + kind, and a session already in the target is not
 * copied again (nor anything that belongs to it). So a session is taken as it was at its
 * first merge: merge a machine's file after its bench finished (the CI merges into a fresh
 * checkout of the committed database on every run).
 *
 * Generic over the schema, so tables and columns added later need no edit here: the
 * tables and columns are read from sqlite_master / PRAGMA table_info, and
 *   - a table whose rows reference sessions (directly or through runs, …) is "owned":
 *     its rows follow their session, with every reference remapped to the new ids. A
 *     reference is a declared foreign key to another table's INTEGER PRIMARY KEY, or a
 *     column named session_id / run_id;
 *   - any other table (machines, chapters) is shared: a row is added unless an
 *     identical row or a row with the same key is already there (the target's wins).
 */
import { queryRows, type Database } from './database.ts';

type SqlValue = string | number | Uint8Array | null;

/** Each database's own bookkeeping (schema version), never copied. */
const OWN_TABLES = new Set(['meta']);
const SESSIONS = 'sessions';
/** References by naming convention, for columns that do not declare their foreign key. */
const CONVENTIONAL_REFERENCES: Record<string, string> = { session_id: 'sessions', run_id: 'runs' };

interface TableShape {
  name: string;
  /** Columns present in both databases, in the target's order. */
  columns: string[];
  /** The INTEGER PRIMARY KEY column (a rowid alias whose values are renumbered on copy), if any. */
  idColumn: string | null;
  /** Column → the table whose id it holds. */
  references: Map<string, string>;
}

export interface MergeReport {
  sessionsAdded: number;
  sessionsPresent: number;
  /** Fingerprints of the machines whose sessions were added. */
  machines: string[];
  /** Rows added per table (sessions included). */
  rowsAdded: Record<string, number>;
  /** Rows of owned tables that reference no session at all, so no machine: not copied. */
  rowsWithoutSession: Record<string, number>;
}

/** Rows with their SQLite values (sql.js returns TEXT, numbers, BLOBs as Uint8Array, NULL). */
const rows = (db: Database, sql: string, params: SqlValue[] = []) => queryRows(db, sql, params) as Record<string, SqlValue>[];

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

function tableNames(db: Database): string[] {
  return rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").map((r) => String(r.name));
}

function columnsOf(db: Database, table: string): { name: string; type: string; pk: number }[] {
  return rows(db, `PRAGMA table_info(${quote(table)})`).map((r) => ({ name: String(r.name), type: String(r.type).toUpperCase(), pk: Number(r.pk) }));
}

function idColumnOf(db: Database, table: string): string | null {
  const keys = columnsOf(db, table).filter((c) => c.pk > 0);
  return keys.length === 1 && keys[0].type === 'INTEGER' ? keys[0].name : null;
}

/** The tables both databases share, with their common columns and id references. */
function describeTables(target: Database, source: Database): TableShape[] {
  const sourceTables = new Set(tableNames(source));
  const targetTables = tableNames(target).filter((name) => sourceTables.has(name) && !OWN_TABLES.has(name));
  const ids = new Map(targetTables.map((name) => [name, idColumnOf(target, name)]));
  return targetTables.map((name) => {
    const sourceColumns = new Set(columnsOf(source, name).map((c) => c.name));
    const columns = columnsOf(target, name).map((c) => c.name).filter((c) => sourceColumns.has(c));
    const references = new Map<string, string>();
    for (const fk of rows(target, `PRAGMA foreign_key_list(${quote(name)})`)) {
      const referenced = String(fk.table);
      if (ids.get(referenced) && (fk.to === null || fk.to === ids.get(referenced))) references.set(String(fk.from), referenced);
    }
    for (const column of columns) {
      const referenced = CONVENTIONAL_REFERENCES[column];
      if (referenced && referenced !== name && ids.has(referenced) && !references.has(column)) references.set(column, referenced);
    }
    return { name, columns, idColumn: ids.get(name) ?? null, references };
  });
}

/**
 * Tables whose rows belong to a session, in an order where every referenced table
 * comes first (sessions, runs, then what references runs, …).
 */
function ownedInOrder(tables: TableShape[]): TableShape[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  if (!byName.has(SESSIONS)) throw new Error('merge: the databases have no sessions table');
  const owned = tables.filter((t) => isOwned(byName, t.name));
  const ordered: TableShape[] = [];
  const placed = new Set<string>();
  const ready = (t: TableShape) => [...t.references.values()].every((r) => r === t.name || placed.has(r) || !isOwned(byName, r));
  while (ordered.length < owned.length) {
    const next = owned.find((t) => !placed.has(t.name) && ready(t));
    if (!next) throw new Error(`merge: circular references between ${owned.filter((t) => !placed.has(t.name)).map((t) => t.name).join(', ')}`);
    ordered.push(next);
    placed.add(next.name);
  }
  return ordered;
}

/** Whether a table references sessions, directly or through other tables. */
function isOwned(byName: Map<string, TableShape>, name: string, seen = new Set<string>()): boolean {
  if (name === SESSIONS) return true;
  if (seen.has(name)) return false;
  seen.add(name);
  const table = byName.get(name);
  return table !== undefined && [...table.references.values()].some((t) => isOwned(byName, t, seen));
}

function insert(target: Database, table: TableShape, columns: string[], values: SqlValue[], orIgnore = false): number {
  target.run(
    `INSERT ${orIgnore ? 'OR IGNORE ' : ''}INTO ${quote(table.name)} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    values,
  );
  return target.getRowsModified();
}

/** Shared rows (machines, chapters): add what is not there; on a key conflict the target's row stays. */
function copyShared(target: Database, source: Database, table: TableShape): number {
  const match = table.columns.map((c) => `${quote(c)} IS ?`).join(' AND ');
  let added = 0;
  for (const row of rows(source, `SELECT ${table.columns.map(quote).join(', ')} FROM ${quote(table.name)}`)) {
    const values = table.columns.map((c) => row[c]);
    if (rows(target, `SELECT 1 FROM ${quote(table.name)} WHERE ${match} LIMIT 1`, values).length > 0) continue;
    added += insert(target, table, table.columns, values, true);
  }
  return added;
}

const SESSION_IDENTITY = ['machine_fingerprint', 'started_at', 'kind'];

/** Sessions not yet in the target, copied under new ids; returns old id → new id. */
function copySessions(target: Database, source: Database, table: TableShape, report: MergeReport): Map<number, number> {
  const ids = new Map<number, number>();
  const id = table.idColumn ?? 'id';
  const columns = table.columns.filter((c) => c !== id);
  const identity = SESSION_IDENTITY.map((c) => `${quote(c)} IS ?`).join(' AND ');
  for (const row of rows(source, `SELECT * FROM ${quote(SESSIONS)} ORDER BY ${quote(id)}`)) {
    const key = SESSION_IDENTITY.map((c) => row[c]);
    if (rows(target, `SELECT 1 FROM ${quote(SESSIONS)} WHERE ${identity} LIMIT 1`, key).length > 0) {
      report.sessionsPresent += 1;
      continue;
    }
    insert(target, table, columns, columns.map((c) => row[c]));
    ids.set(Number(row[id]), lastInsertId(target));
    report.sessionsAdded += 1;
    const machine = String(row.machine_fingerprint);
    if (!report.machines.includes(machine)) report.machines.push(machine);
  }
  return ids;
}

function lastInsertId(db: Database): number {
  return Number(rows(db, 'SELECT last_insert_rowid() AS id')[0].id);
}

/**
 * Rows of an owned table whose references all lead to rows copied in this merge,
 * with the references renumbered; returns how many were added and skipped as orphans.
 */
function copyOwned(target: Database, source: Database, table: TableShape, idMaps: Map<string, Map<number, number>>): { added: number; withoutSession: number } {
  const ownIds = new Map<number, number>();
  idMaps.set(table.name, ownIds); // before the rows: a table may reference itself
  const columns = table.columns.filter((c) => c !== table.idColumn);
  let added = 0;
  let withoutSession = 0;
  const order = table.idColumn ? quote(table.idColumn) : 'rowid';
  for (const row of rows(source, `SELECT * FROM ${quote(table.name)} ORDER BY ${order}`)) {
    const refs = [...table.references].filter(([column, referenced]) => idMaps.has(referenced) && row[column] !== null && row[column] !== undefined);
    if (refs.length === 0) {
      withoutSession += 1;
      continue;
    }
    const remapped = { ...row };
    let belongsToCopiedSession = true;
    for (const [column, referenced] of refs) {
      const newId = idMaps.get(referenced)?.get(Number(row[column]));
      if (newId === undefined) belongsToCopiedSession = false;
      else remapped[column] = newId;
    }
    if (!belongsToCopiedSession) continue; // its session was already in the target
    added += insert(target, table, columns, columns.map((c) => remapped[c]));
    if (table.idColumn) ownIds.set(Number(row[table.idColumn]), lastInsertId(target));
  }
  return { added, withoutSession };
}

/** Copies every session of `source` not yet in `target`, with everything that belongs to it, in one transaction. */
export function mergeDatabase(target: Database, source: Database): MergeReport {
  const tables = describeTables(target, source);
  const owned = ownedInOrder(tables);
  const ownedNames = new Set(owned.map((t) => t.name));
  const report: MergeReport = { sessionsAdded: 0, sessionsPresent: 0, machines: [], rowsAdded: {}, rowsWithoutSession: {} };
  target.run('BEGIN');
  try {
    // Shared rows first: sessions reference machines.
    for (const table of tables.filter((t) => !ownedNames.has(t.name))) report.rowsAdded[table.name] = copyShared(target, source, table);
    const idMaps = new Map<string, Map<number, number>>();
    for (const table of owned) {
      if (table.name === SESSIONS) {
        idMaps.set(SESSIONS, copySessions(target, source, table, report));
        report.rowsAdded[SESSIONS] = report.sessionsAdded;
        continue;
      }
      const { added, withoutSession } = copyOwned(target, source, table, idMaps);
      report.rowsAdded[table.name] = added;
      if (withoutSession > 0) report.rowsWithoutSession[table.name] = withoutSession;
    }
    target.run('COMMIT');
  } catch (error) {
    target.run('ROLLBACK');
    throw error;
  }
  return report;
}
