/**
 * Opening and saving the SQLite database file through sql.js (SQLite compiled to
 * WebAssembly: no native build, same bytes on every machine).
 *
 * sql.js keeps the whole database in memory; saving writes a temporary file in the
 * same directory, fsyncs it and renames it over the original, so a crash or Ctrl-C
 * at any point leaves either the old or the new database, never a torn one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
import { writeFileAtomic } from './atomic-write.ts';
import { applySchema } from './schema.ts';

export type { Database } from 'sql.js';

let sqlJs: Promise<SqlJsStatic> | undefined;

/** Loads the sql.js WebAssembly module once per process. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  if (!sqlJs) {
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('sql.js/dist/sql-wasm.wasm');
    // SQLite's own math functions (sqrt: the fairness view's Wilson interval), not sql.js's
    // deprecated extension functions, which warn on every call (sql.js 1.13+, its PR 647).
    const config = { wasmBinary: readFileSync(wasmPath) as unknown as ArrayBuffer, useOldExtensionFunctions: false };
    sqlJs = initSqlJs(config as Parameters<typeof initSqlJs>[0]);
  }
  return sqlJs;
}

/** An empty in-memory database with the schema applied (tests, fresh starts). */
export async function createDatabase(): Promise<Database> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  applySchema(db);
  return db;
}

export interface OpenOptions {
  /** Create an empty database when the file does not exist (the bench); otherwise a missing file is an error. */
  create?: boolean;
}

/** Opens a database file into memory and brings its schema up to date. */
export async function openDatabase(path: string, options: OpenOptions = {}): Promise<Database> {
  const SQL = await loadSqlJs();
  if (!existsSync(path)) {
    if (!options.create) throw new Error(`database not found: ${path}`);
    const db = new SQL.Database();
    applySchema(db);
    return db;
  }
  return openDatabaseBytes(readFileSync(path), path);
}

/** Opens a database from its file's bytes (`label` names it in errors) and brings its schema up to date. */
export async function openDatabaseBytes(bytes: Uint8Array, label: string): Promise<Database> {
  const SQL = await loadSqlJs();
  let db: Database;
  try {
    db = new SQL.Database(bytes);
    db.exec('SELECT count(*) FROM sqlite_master');
  } catch (error) {
    throw new Error(`${label} is not a readable SQLite database: ${(error as Error).message}`);
  }
  applySchema(db);
  return db;
}

/** Writes the database to `path` atomically (temp file + fsync + rename). */
export function saveDatabase(db: Database, path: string): void {
  const bytes = db.export();
  // sql.js's export() resets connection-level pragmas; keep foreign keys enforced.
  db.run('PRAGMA foreign_keys = ON');
  writeFileAtomic(path, bytes, { durable: true });
}

/** Rows of a query as plain objects (column name → value). */
export function queryRows(db: Database, sql: string, params: (string | number | Uint8Array | null)[] = []): Record<string, unknown>[] {
  const statement = db.prepare(sql);
  try {
    statement.bind(params);
    const rows: Record<string, unknown>[] = [];
    while (statement.step()) rows.push(statement.getAsObject() as Record<string, unknown>);
    return rows;
  } finally {
    statement.free();
  }
}
