import { describe, expect, it } from 'vitest';
import { createDatabase, queryRows, type Database } from '../database.ts';
import { applySchema } from '../schema.ts';

async function database(): Promise<Database> {
  const db = await createDatabase();
  applySchema(db);
  db.run(`INSERT INTO machine_info(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version, details_json) VALUES ('m', 'EPYC', 2, 1, 'k', 'linux', 'v20', '{"arch":"x64"}')`);
  return db;
}

function addEdition(db: Database, id: number, status = 'complete'): void {
  db.run(
    `INSERT INTO sessions(id, started_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json) VALUES (?, ?, ?, 'h', 'm', 'wrk', '4', ?)`,
    [id, `2026-01-01T00:0${id}:00Z`, status, JSON.stringify({ edition: { whole_book: true } })],
  );
}

/** One capacity search's probes: every rate up to `capacity` met the objective, the next one did not (the generator behind there, when `generatorBehind`). */
function addSearch(db: Database, session: number, subject: string, experiment: string, capacity: number, generatorBehind = false): void {
  const rates = [capacity / 2, capacity, capacity * 1.1];
  rates.forEach((rate, index) => {
    const meets = rate <= capacity ? 1 : 0;
    db.run(
      `INSERT INTO capacity_probes(session_id, subject, experiment, scenario, request_set, round, probe_index, offered_rate, measured_seconds,
         objective_p99_us, objective_error_rate, meets, generator_behind, verdict) VALUES (?, ?, ?, 'capacity-mix', 'mix', 1, ?, ?, 2, 50000, 0.001, ?, ?, ?)`,
      [session, subject, experiment, index, rate, meets, !meets && generatorBehind ? 1 : 0, meets ? 'meets' : 'p99 60 ms > 50 ms'],
    );
  });
}

describe('the capacity views across editions', () => {
  it('number each subject’s capacity by edition, and measure the noise from the two latest editions only', async () => {
    const db = await database();
    for (const id of [1, 2, 3]) addEdition(db, id);
    addEdition(db, 4, 'interrupted'); // never an edition to compare with
    addSearch(db, 1, 'v1', '', 100); // the oldest edition: not in the noise
    addSearch(db, 2, 'v1', '', 1000);
    addSearch(db, 3, 'v1', '', 1000 * Math.E ** 0.2);
    addSearch(db, 2, 'v2', '', 2000);
    addSearch(db, 3, 'v2', '', 2000 * Math.E ** -0.2);
    // A lower bound in either edition (the generator behind above it): its move is not the search's.
    addSearch(db, 2, 'v4', '', 5000, true);
    addSearch(db, 3, 'v4', '', 5000 * Math.E ** 1.5);
    addSearch(db, 4, 'v1', '', 1);
    expect(queryRows(db, "SELECT session_id, edition_number FROM edition_capacities WHERE tag = 'v1' ORDER BY edition_number")).toEqual([
      { session_id: 1, edition_number: 1 },
      { session_id: 2, edition_number: 2 },
      { session_id: 3, edition_number: 3 },
    ]);
    const [noise] = queryRows(db, 'SELECT pairs, spread, band, session_id, previous_session_id FROM capacity_noise');
    // d = ±0.2 for both subjects: spread √(0.04 / 2), band e^(2√2·spread) − 1 = e^0.4 − 1
    expect(noise.pairs).toBe(2);
    expect(noise.spread).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(noise.band).toBeCloseTo(Math.expm1(0.4), 12);
    expect([noise.session_id, noise.previous_session_id]).toEqual([3, 2]);
    // Each edition's own band beside it: edition 2 against edition 1 (v1 alone, d = ln 10).
    expect(queryRows(db, 'SELECT edition_number, pairs, session_id, previous_session_id FROM edition_capacity_noise ORDER BY edition_number')).toEqual([
      { edition_number: 2, pairs: 1, session_id: 2, previous_session_id: 1 },
      { edition_number: 3, pairs: 2, session_id: 3, previous_session_id: 2 },
    ]);
    expect(queryRows(db, 'SELECT band FROM edition_capacity_noise WHERE edition_number = 2')[0].band).toBeCloseTo(Math.expm1(2 * Math.LN10), 9);
  });

  it('tell two capacities of the cited edition apart only beyond the band, and say when no noise is measured', async () => {
    const db = await database();
    addEdition(db, 1);
    addSearch(db, 1, 'v1', '', 1000);
    addSearch(db, 1, 'v2', '', 3000);
    const verdict = () => queryRows(db, "SELECT verdict FROM capacity_comparison WHERE tag = 'v2' AND experiment = '' AND other_tag = 'v1' AND other_experiment = ''")[0].verdict;
    expect(verdict()).toBe('no noise measured yet');
    addEdition(db, 2);
    addSearch(db, 2, 'v1', '', 1000 * Math.E ** 0.5); // band e^(2√2·0.5/√2) − 1 = e − 1 ≈ 1.72
    addSearch(db, 2, 'v2', '', 3000 * Math.E ** 0.5);
    addSearch(db, 2, 'v3', '', 3000 * Math.E ** 0.5 * 0.99);
    expect(queryRows(db, 'SELECT band FROM capacity_noise')[0].band).toBeCloseTo(Math.E - 1, 12);
    expect(verdict()).toBe('above'); // 3× > 2.72×
    expect(queryRows(db, "SELECT verdict FROM capacity_comparison WHERE tag = 'v1' AND other_tag = 'v2'")[0].verdict).toBe('below');
    expect(queryRows(db, "SELECT verdict, round(ratio, 2) AS ratio FROM capacity_comparison WHERE tag = 'v3' AND other_tag = 'v2'")).toEqual([{ verdict: 'not told apart', ratio: 0.99 }]);
  });
});
