/**
 * A table as data: its name, its columns (SQL declaration per column) and its
 * table constraints. From one definition come the CREATE TABLE statement, the
 * migration that adds columns an older database lacks, the TypeScript row type, and
 * the INSERT — so a new metric is one column here plus the code that produces it.
 *
 * A column's TypeScript type follows its declaration: `NOT NULL` or `PRIMARY KEY`
 * make it non-null; `DEFAULT` or `INTEGER PRIMARY KEY` make it optional when inserting.
 */
import type { Database } from 'sql.js';

export interface Column<T, D extends string = string> {
  readonly decl: D;
  /** Type marker only (never set). */
  readonly __value?: T;
}

type Required<D extends string> = D extends `${string}NOT NULL${string}` | `${string}PRIMARY KEY${string}` ? true : false;
type ValueOf<D extends string, T> = Required<D> extends true ? T : T | null;
type Optional<D extends string> = D extends `${string}DEFAULT${string}` | `${string}PRIMARY KEY${string}` ? true : Required<D> extends true ? false : true;

function column<T>(sqlType: string) {
  return <const D extends string = ''>(constraints?: D): Column<ValueOf<D, T>, D> => ({ decl: `${sqlType}${constraints ? ` ${constraints}` : ''}` as D });
}

export const integer = column<number>('INTEGER');
export const real = column<number>('REAL');
export const text = column<string>('TEXT');

export type Columns = Record<string, Column<unknown>>;

export interface Table<C extends Columns = Columns> {
  name: string;
  columns: C;
  constraints: string[];
}

export function table<C extends Columns>(name: string, columns: C, constraints: string[] = []): Table<C> {
  return { name, columns, constraints };
}

/** A full row, as read back. */
export type Row<T extends Table> = { [K in keyof T['columns']]: T['columns'][K] extends Column<infer V> ? V : never };

type OptionalKeys<C extends Columns> = { [K in keyof C]: C[K] extends Column<unknown, infer D> ? (Optional<D> extends true ? K : never) : never }[keyof C];
type Value<C extends Columns, K extends keyof C> = C[K] extends Column<infer V> ? V | (V extends number ? boolean : never) | (null extends V ? undefined : never) : never;

/** What an INSERT takes: columns with a default (or nullable) may be left out; booleans become 0/1. */
export type NewRow<T extends Table> = { [K in Exclude<keyof T['columns'], OptionalKeys<T['columns']>>]: Value<T['columns'], K> } & {
  [K in OptionalKeys<T['columns']>]?: Value<T['columns'], K>;
};

export function createTableSql(t: Table): string {
  const lines = [...Object.entries(t.columns).map(([name, c]) => `  ${name} ${c.decl}`), ...t.constraints.map((c) => `  ${c}`)];
  return `CREATE TABLE IF NOT EXISTS ${t.name} (\n${lines.join(',\n')}\n);`;
}

/** Adds the columns an older database's table lacks (ALTER TABLE ADD COLUMN); returns their names. */
export function addMissingColumns(db: Database, t: Table): string[] {
  const present = new Set(db.exec(`PRAGMA table_info(${t.name})`)[0]?.values.map((v) => String(v[1])) ?? []);
  if (present.size === 0) return [];
  const added: string[] = [];
  for (const [name, c] of Object.entries(t.columns)) {
    if (present.has(name)) continue;
    db.run(`ALTER TABLE ${t.name} ADD COLUMN ${name} ${c.decl}`);
    added.push(name);
  }
  return added;
}

type SqlValue = string | number | null;

/** NaN, ±Infinity and undefined are stored as NULL, booleans as 0/1: never a made-up value. */
export function sqlValue(v: unknown): SqlValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return v;
  throw new Error(`cannot store a ${typeof v} in SQLite`);
}

/** INSERT (or INSERT OR REPLACE) of one row by column name; returns the new rowid. */
export function insertRow<T extends Table>(db: Database, t: T, row: NewRow<T>, mode: 'insert' | 'replace' = 'insert'): number {
  const entries = Object.entries(row as Record<string, unknown>).filter(([, v]) => v !== undefined);
  for (const [name] of entries) if (!Object.hasOwn(t.columns, name)) throw new Error(`${t.name} has no column ${name}`);
  db.run(
    `INSERT${mode === 'replace' ? ' OR REPLACE' : ''} INTO ${t.name}(${entries.map(([name]) => name).join(', ')}) VALUES (${entries.map(() => '?').join(', ')})`,
    entries.map(([, v]) => sqlValue(v)),
  );
  return Number(db.exec('SELECT last_insert_rowid()')[0].values[0][0]);
}
