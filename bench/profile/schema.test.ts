import initSqlJs from 'sql.js';
import { describe, expect, it } from 'vitest';
import type { ProfileRow } from './reduce.ts';
import { INSERT_PROFILE_SQL, PROFILES_TABLE_SQL, toDbRows, type ProfileDbRow } from './schema.ts';

const rows: ProfileRow[] = [
  { process: 'main', rank: 1, function: 'searchEvents', file: 'server/src/search.ts', line: 42, selfShare: 0.6, totalShare: 0.9, selfMs: 600 },
  { process: 'main', rank: 2, function: '(3 other functions)', file: '(rest)', line: null, selfShare: 0.4, totalShare: null, selfMs: 400 },
];
const context = { sessionId: 7, subject: 'ch01', experiment: '', scenario: 'hot' };

/** A row as sql.js binds it: named parameters with their ':' prefix. */
const bindings = (row: ProfileDbRow) => Object.fromEntries(Object.entries(row).map(([k, v]) => [`:${k}`, v]));

describe('the profiles table', () => {
  it('stores reduced rows and gives them back, NULLs included', async () => {
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.run('CREATE TABLE sessions (id INTEGER PRIMARY KEY)');
    db.run(PROFILES_TABLE_SQL);
    for (const row of toDbRows(rows, context)) db.run(INSERT_PROFILE_SQL, bindings(row));
    const result = db.exec('SELECT rank, function, file, line, self_share, total_share, self_ms, process FROM profiles WHERE session_id = 7 AND subject = ? ORDER BY rank', ['ch01']);
    expect(result[0].values).toEqual([
      [1, 'searchEvents', 'server/src/search.ts', 42, 0.6, 0.9, 600, 'main'],
      [2, '(3 other functions)', '(rest)', null, 0.4, null, 400, 'main'],
    ]);
    expect(() => db.run(INSERT_PROFILE_SQL, bindings(toDbRows(rows, context)[0]))).toThrow(/UNIQUE/);
    db.close();
  });
});
