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

  it("make every book view read the cited edition's session once there is one, and each subject's latest session before (history)", async () => {
    const db = await database();
    addSession(db, 1, 'complete', null);
    addSession(db, 2, 'complete', null);
    const latest = () => queryRows(db, "SELECT session_id FROM latest_edition WHERE tag = 'v1' AND scenario = 'hot'");
    expect(queryRows(db, 'SELECT * FROM cited_edition')).toEqual([]);
    expect(latest()).toEqual([{ session_id: 2 }]);
    addSession(db, 3, 'complete', { whole_book: true, cost: { sessions: { v1: 1 } }, cost_session_id: 1 });
    addSession(db, 4, 'complete', null); // a later plain session is history, never cited
    expect(queryRows(db, 'SELECT session_id, cost_session_id, cost_sessions_json, label FROM cited_edition')).toEqual([
      { session_id: 3, cost_session_id: 1, cost_sessions_json: '{"v1":1}', label: 'the edition of 2026-01-01 (session 3, EPYC)' },
    ]);
    expect(latest()).toEqual([{ session_id: 3 }]);
    expect(queryRows(db, "SELECT session_id FROM session_figures WHERE tag = 'v1' ORDER BY session_id").map((r) => r.session_id)).toEqual([1, 2, 3, 4]);
  });

  it('mark an edition when the bench rewrites its settings, and mark the sessions of an older database once when opened', async () => {
    const db = await database();
    addSession(db, 1, 'complete', null);
    db.run(`UPDATE sessions SET settings_json = ? WHERE id = 1`, [JSON.stringify({ edition: { whole_book: true }, paths: ['/search?x'] })]);
    expect(queryRows(db, 'SELECT session_id, whole_book FROM edition_marks')).toEqual([{ session_id: 1, whole_book: 1 }]);
    db.run("DELETE FROM meta WHERE key LIKE 'edition%'");
    applySchema(db);
    expect(queryRows(db, 'SELECT session_id, whole_book FROM edition_marks')).toEqual([{ session_id: 1, whole_book: 1 }]);
    expect(queryRows(db, "SELECT value FROM meta WHERE key = 'edition_marks_through'")).toEqual([{ value: '1' }]);
  });

  it('tell the repeated ramps of one session apart by where their seconds start again (their rows carry no run id)', async () => {
    const db = await database();
    addSession(db, 1, 'complete', null);
    for (const ramp of [1, 2]) {
      for (const second of [1, 2, 3]) {
        db.run(`INSERT INTO adaptive_limiter_samples(session_id, subject, experiment, scenario, elapsed_seconds, connection_limit) VALUES (1, 'v1', '', 'adaptive-ramp', ?, ?)`, [second, 10 * ramp + second]);
      }
    }
    const last = queryRows(db, 'SELECT elapsed_seconds, connection_limit FROM adaptive_limiter_seconds WHERE run_key = (SELECT MAX(run_key) FROM adaptive_limiter_seconds) ORDER BY elapsed_seconds');
    expect(last).toEqual([
      { elapsed_seconds: 1, connection_limit: 21 },
      { elapsed_seconds: 2, connection_limit: 22 },
      { elapsed_seconds: 3, connection_limit: 23 },
    ]);
    expect(queryRows(db, 'SELECT COUNT(DISTINCT run_key) AS ramps FROM adaptive_limiter_seconds')).toEqual([{ ramps: 2 }]);
  });
});
