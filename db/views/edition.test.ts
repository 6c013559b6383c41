import { describe, expect, it } from 'vitest';
import { createDatabase, queryRows, type Database } from '../database.ts';
import { applySchema } from '../schema.ts';

async function database(): Promise<Database> {
  const db = await createDatabase();
  applySchema(db);
  db.run(`INSERT INTO machine_info(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version, details_json) VALUES ('m', 'EPYC', 2, 1, 'k', 'linux', 'v20', '{"arch":"x64"}')`);
  return db;
}

function addSession(db: Database, id: number, status: string, edition: object | null): void {
  db.run(
    `INSERT INTO sessions(id, started_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json) VALUES (?, ?, ?, 'h', 'm', 'wrk', '4', ?)`,
    [id, `2026-01-01T00:0${id}:00Z`, status, JSON.stringify(edition === null ? {} : { edition })],
  );
  db.run(`INSERT INTO summaries(session_id, subject, scenario, settings_key, runs, failed_runs, rps_median, ratio_median) VALUES (?, 'v1', 'hot', 'k', 6, 0, 100, ?)`, [id, 0.03 + id / 1000]);
}

describe('the edition views', () => {
  it('cite the latest complete edition of the whole book: not a plain session, a partial edition or an interrupted one', async () => {
    const db = await database();
    addSession(db, 1, 'complete', { whole_book: true });
    addSession(db, 2, 'complete', { whole_book: true });
    addSession(db, 3, 'complete', { whole_book: false });
    addSession(db, 4, 'interrupted', { whole_book: true });
    addSession(db, 5, 'complete', null);
    expect(queryRows(db, 'SELECT session_id, complete, is_cited, machine FROM edition')).toEqual([
      { session_id: 4, complete: 0, is_cited: 0, machine: 'EPYC · 2 cores · x64' },
      { session_id: 3, complete: 0, is_cited: 0, machine: 'EPYC · 2 cores · x64' },
      { session_id: 2, complete: 1, is_cited: 1, machine: 'EPYC · 2 cores · x64' },
      { session_id: 1, complete: 1, is_cited: 0, machine: 'EPYC · 2 cores · x64' },
    ]);
    expect(queryRows(db, 'SELECT session_id, subject, ratio_median FROM edition_summaries')).toEqual([{ session_id: 2, subject: 'v1', ratio_median: 0.032 }]);
    expect(queryRows(db, 'SELECT session_id, edition_number, ratio_median FROM edition_ratios ORDER BY edition_number')).toEqual([
      { session_id: 1, edition_number: 1, ratio_median: 0.031 },
      { session_id: 2, edition_number: 2, ratio_median: 0.032 },
    ]);
  });
});
