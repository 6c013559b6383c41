import { describe, expect, it } from 'vitest';
import { createDatabase, queryRows } from '../../db/database.ts';
import { profiles } from '../../db/schema.ts';
import { insertRow } from '../../db/table.ts';
import type { ProfileRow } from './reduce.ts';
import { toDbRows } from './schema.ts';

const rows: ProfileRow[] = [
  { process: 'main', rank: 1, function: 'searchEvents', file: 'server/src/search.ts', line: 42, selfShare: 0.6, totalShare: 0.9, selfMs: 600 },
  { process: 'main', rank: 2, function: '(3 other functions)', file: '(rest)', line: null, selfShare: 0.4, totalShare: null, selfMs: 400 },
];
const context = { sessionId: 7, subject: 'ch01', experiment: '', scenario: 'hot' };

describe('the profiles table', () => {
  it('stores reduced rows and gives them back, NULLs included', async () => {
    const db = await createDatabase();
    db.run('PRAGMA foreign_keys = OFF');
    for (const row of toDbRows(rows, context)) insertRow(db, profiles, row);
    expect(queryRows(db, 'SELECT rank, function, file, line, self_share, total_share, self_ms, process FROM profiles WHERE session_id = 7 AND subject = ? ORDER BY rank', ['ch01'])).toEqual([
      { rank: 1, function: 'searchEvents', file: 'server/src/search.ts', line: 42, self_share: 0.6, total_share: 0.9, self_ms: 600, process: 'main' },
      { rank: 2, function: '(3 other functions)', file: '(rest)', line: null, self_share: 0.4, total_share: null, self_ms: 400, process: 'main' },
    ]);
    expect(() => insertRow(db, profiles, toDbRows(rows, context)[0])).toThrow(/UNIQUE/);
    db.close();
  });
});
