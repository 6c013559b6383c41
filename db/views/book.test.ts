import type { Database } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { syncChapters } from '../chapters.ts';
import { createDatabase } from '../database.ts';
import { CORE_HOUR_PRICE_USD } from './book.ts';

/** TEST values: v1 and v2 in session 1, v1 alone in session 2, v2 in an interrupted session 3, and one session on another machine. */
let db: Database;
beforeAll(async () => {
  db = await createDatabase();
  syncChapters(db, [
    { number: 1, tag: 'v1', commit: '1'.repeat(40), title: 'One', technique: 'a', summary: '' },
    { number: 2, tag: 'v2', commit: '2'.repeat(40), title: 'Two', technique: 'b', summary: '' },
  ]);
  for (const fingerprint of ['m1', 'm2']) {
    db.run(`INSERT INTO machines(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version) VALUES (?, 'CPU', 2, 1, 'k', 'linux', 'v20')`, [fingerprint]);
  }
  const session = (id: number, status: string, machine = 'm1') =>
    db.run(
      `INSERT INTO sessions(id, started_at, finished_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json)
       VALUES (?, ?, NULL, ?, 'h', ?, 'wrk', '4', '{}')`,
      [id, `2026-11-2${id}T10:00:00Z`, status, machine],
    );
  const summary = (sessionId: number, subject: string, rps: number, extra: { runs?: number; settings?: string; ratio?: number | null; note?: string | null } = {}) =>
    db.run(
      `INSERT INTO summaries(session_id, subject, scenario, settings_key, runs, failed_runs, rps_median, rps_ci_low, rps_ci_high, ratio_median, ratio_note, p99_latency_us)
       VALUES (?, ?, 'hot', ?, ?, 0, ?, ?, ?, ?, ?, ?)`,
      [sessionId, subject, extra.settings ?? 'k', extra.runs ?? 3, rps, rps - 10, rps + 10, extra.ratio ?? null, extra.note ?? null, 1_000_000 / rps],
    );
  session(1, 'complete');
  summary(1, 'v1', 1000, { ratio: 0.05 });
  summary(1, 'v2', 3000, { ratio: 0.15 });
  summary(1, 'v2', 9999, { runs: 1, settings: 'other' }); // fewer runs under other settings: not the session's figure
  session(2, 'complete');
  summary(2, 'v1', 1500, { note: 'the load generator was the limit' });
  session(3, 'interrupted');
  summary(3, 'v2', 5000);
  session(4, 'complete', 'm2');
  db.run("INSERT INTO meta(key, value) VALUES ('comparison_machine', 'm1')");
  summary(4, 'v2', 7000);
  // v1's runs in its edition (session 2): 3 s of server CPU for 30,000 answers in all; a failed run and one without CPU time do not count.
  const run = (sessionId: number, subject: string, status: string, cpuSeconds: number | null, answered: number) =>
    db.run(
      `INSERT INTO runs(session_id, subject, scenario, settings_key, run_index, sequence, tool, tool_version, connections, duration_seconds, keep_alive, started_at, status, successful_requests, server_cpu_seconds)
       VALUES (?, ?, 'hot', 'k', 0, 0, 'wrk', '4', 1, 1, 1, 't', ?, ?, ?)`,
      [sessionId, subject, status, answered, cpuSeconds],
    );
  run(2, 'v1', 'ok', 1, 10_000);
  run(2, 'v1', 'ok', 2, 20_000);
  run(2, 'v1', 'failed', 50, 1);
  run(2, 'v1', 'ok', null, 5_000);
  run(1, 'v1', 'ok', 100, 1); // an older session: not the edition
});

const rows = (sql: string) => {
  const [result] = db.exec(sql);
  return result ? result.values.map((values) => Object.fromEntries(result.columns.map((column, i) => [column, values[i]]))) : [];
};

describe('views for authors', () => {
  it('latest_edition: the latest complete bench session on the comparison machine', () => {
    expect(rows("SELECT tag, session_id FROM latest_edition WHERE scenario = 'hot' ORDER BY tag")).toEqual([
      { tag: 'v1', session_id: 2 },
      { tag: 'v2', session_id: 1 },
    ]);
  });

  it('edition_figures: that session\'s summary with the most runs, its interval as text', () => {
    expect(rows("SELECT tag, session_id, rps_median, rps_ci FROM edition_figures ORDER BY tag")).toEqual([
      { tag: 'v1', session_id: 2, rps_median: 1500, rps_ci: '1,490 to 1,510' },
      { tag: 'v2', session_id: 1, rps_median: 3000, rps_ci: '2,990 to 3,010' },
    ]);
  });

  it('chapter_vs_parent and chapter_vs_first: both figures from one session, never a ratio of two', () => {
    const expected = [{ tag: 'v2', other_tag: 'v1', session_id: 1, rps: 3000, other_rps: 1000, speedup: 3, improvement_percent: 200 }];
    const columns = 'tag, other_tag, session_id, rps, other_rps, speedup, improvement_percent';
    expect(rows(`SELECT ${columns} FROM chapter_vs_parent`)).toEqual(expected);
    expect(rows(`SELECT ${columns} FROM chapter_vs_first`)).toEqual(expected);
  });

  it('reference_shares: the share of the latest edition, or why it is withheld', () => {
    expect(rows('SELECT tag, share, share_text FROM reference_shares ORDER BY tag')).toEqual([
      { tag: 'v1', share: null, share_text: 'withheld — the load generator was the limit' },
      { tag: 'v2', share: 0.15, share_text: '15.0%' },
    ]);
  });

  it("cost_per_request: the edition's server CPU seconds over its answers, and a million of them at the stated price", () => {
    const [cost] = rows("SELECT tag, session_id, runs, cpu_seconds_per_request, core_hour_price_usd, usd_per_million_requests FROM cost_per_request WHERE tag = 'v1'");
    expect(cost).toMatchObject({ tag: 'v1', session_id: 2, runs: 2, cpu_seconds_per_request: 1e-4, core_hour_price_usd: CORE_HOUR_PRICE_USD });
    expect(cost.usd_per_million_requests).toBeCloseTo((100 / 3600) * CORE_HOUR_PRICE_USD, 12);
  });
});

describe('latest_vs_earlier', () => {
  /** TEST values, one complete session: v3 is the latest chapter; on hot every figure has a ratio, on mix v2's is withheld. */
  let edition: Database;
  beforeAll(async () => {
    edition = await createDatabase();
    syncChapters(edition, [1, 2, 3].map((n) => ({ number: n, tag: `v${n}`, commit: String(n).repeat(40), title: `T${n}`, technique: 't', summary: '' })));
    edition.run(`INSERT INTO machines(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version) VALUES ('m1', 'CPU', 2, 1, 'k', 'linux', 'v20')`);
    edition.run(
      `INSERT INTO sessions(id, started_at, finished_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json)
       VALUES (1, '2026-12-01T10:00:00Z', NULL, 'complete', 'h', 'm1', 'wrk', '4', '{}')`,
    );
    const summary = (subject: string, scenario: string, rps: [number, number, number], ratio: [number, number, number] | null) =>
      edition.run(
        `INSERT INTO summaries(session_id, subject, scenario, settings_key, runs, failed_runs, rps_median, rps_ci_low, rps_ci_high, ratio_median, ratio_ci_low, ratio_ci_high)
         VALUES (1, ?, ?, 'k', 8, 0, ?, ?, ?, ?, ?, ?)`,
        [subject, scenario, ...rps, ...(ratio ?? [null, null, null])],
      );
    summary('v1', 'hot', [100, 90, 110], [0.1, 0.09, 0.11]);
    summary('v2', 'hot', [1000, 900, 1100], [1.0, 0.95, 1.05]); // the latest's ratio interval wholly below: slower
    summary('v3', 'hot', [950, 600, 1200], [0.9, 0.85, 0.94]); // its rps interval overlaps v2's: the ratio decides
    summary('v1', 'mix', [100, 90, 110], [0.1, 0.09, 0.11]);
    summary('v2', 'mix', [1000, 900, 1100], null); // withheld: requests per second decide, and overlap
    summary('v3', 'mix', [950, 899, 1200], [0.9, 0.85, 0.94]);
  });

  it("compares the latest chapter with each earlier one by the paired ratio's interval where both have one, else by requests per second", () => {
    const [result] = edition.exec('SELECT tag, scenario, other_tag, basis, slower FROM latest_vs_earlier ORDER BY scenario, other_chapter_number');
    expect(result.values).toEqual([
      ['v3', 'hot', 'v1', 'ratio', 0],
      ['v3', 'hot', 'v2', 'ratio', 1],
      ['v3', 'mix', 'v1', 'ratio', 0],
      ['v3', 'mix', 'v2', 'rps', 0],
    ]);
  });
});
