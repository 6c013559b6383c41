import type { Database } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { orderStatisticRank } from '../../bench/stats/descriptive.ts';
import { syncChapters } from '../chapters.ts';
import { createDatabase, queryRows } from '../database.ts';
import { CPU_SHARE_MAX_SLICES, orderStatisticRanks } from './yardsticks.ts';

/**
 * TEST values, one machine. Session 1: nginx's slices at places 0, 10, 20 (10, 40 and 40 µs of
 * server CPU per answer), node:http's at 1, 11, 21 (20 µs each), v1's three clean slices at 5,
 * 15, 25 (40, 20, 40 µs; one more disturbed, one failed), v2's six at 30–35. Session 2: v3
 * beside node:http only (nginx not installed).
 */
let db: Database;
beforeAll(async () => {
  db = await createDatabase();
  syncChapters(db, [1, 2, 3].map((n) => ({ number: n, tag: `v${n}`, commit: String(n).repeat(40), title: `T${n}`, technique: 't', summary: '' })));
  db.run(`INSERT INTO machines(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version) VALUES ('m1', 'CPU', 2, 1, 'k', 'linux', 'v20')`);
  for (const id of [1, 2]) {
    db.run(
      `INSERT INTO sessions(id, started_at, finished_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json)
       VALUES (?, ?, NULL, 'complete', 'h', 'm1', 'wrk', '4', '{}')`,
      [id, `2026-12-0${id}T10:00:00Z`],
    );
  }
  let round = 0;
  /** One slice: `microseconds` of server CPU per answer over 100,000 answers in one second; `extra` marks it otherwise. */
  const slice = (sessionId: number, subject: string, position: number, microseconds: number, extra: { status?: string; disturbance?: string; saturated?: number } = {}) =>
    db.run(
      `INSERT INTO runs(session_id, subject, scenario, settings_key, run_index, sequence, tool, tool_version, connections, duration_seconds, keep_alive, started_at,
                        status, requests_per_second, successful_requests, server_cpu_seconds, loadgen_saturated, disturbance)
       VALUES (?, ?, 'hot', 'k', ?, ?, 'wrk', '4', 8, 1, 1, 't', ?, 100000, 100000, ?, ?, ?)`,
      [sessionId, subject, round++, position, extra.status ?? 'ok', microseconds / 10, extra.saturated ?? 0, extra.disturbance ?? null],
    );
  const ratioRow = (sessionId: number, subject: string, yardstick: string, ratio: number | null, note: string | null = null) =>
    db.run(
      `INSERT INTO yardstick_ratios(session_id, subject, scenario, settings_key, yardstick, ratio_median, ratio_note) VALUES (?, ?, 'hot', 'k', ?, ?, ?)`,
      [sessionId, subject, yardstick, ratio, note],
    );
  slice(1, 'nginx', 0, 10, { saturated: 1 });
  slice(1, 'nginx', 10, 40, { saturated: 1 });
  slice(1, 'nginx', 20, 40);
  for (const position of [1, 11, 21]) slice(1, 'reference', position, 20);
  slice(1, 'v1', 5, 40); // nginx here: √(10 × 40) = 20 µs (log-linear), so 0.5
  slice(1, 'v1', 12, 1, { disturbance: 'steal' }); // left out
  slice(1, 'v1', 13, 1, { status: 'failed' }); // left out
  slice(1, 'v1', 15, 20); // 40 / 20 = 2
  slice(1, 'v1', 25, 40); // after nginx's last slice: the nearer one, 40 / 40 = 1
  [0.5, 1, 1.5, 2, 2.5, 3].forEach((share, i) => slice(1, 'v2', 30 + i, 40 / share));
  for (const subject of ['v1', 'v2']) {
    ratioRow(1, subject, 'reference', 0.6);
    ratioRow(1, subject, 'nginx', null, 'not comparable: the load generator was the limit');
  }
  ratioRow(1, 'nginx', 'reference', null, 'not comparable: the load generator was the limit');
  ratioRow(1, 'reference', 'nginx', null, 'not comparable: the load generator was the limit');
  slice(2, 'reference', 0, 30);
  slice(2, 'v3', 1, 60);
  ratioRow(2, 'v3', 'reference', 0.5);
});

const shares = (tag: string) => queryRows(db, 'SELECT * FROM cpu_shares WHERE tag = ?', [tag]);

describe('cpu_shares', () => {
  it("pairs each slice with the yardstick's CPU per answer at its place: log-linear between its neighbours, the nearer one at the ends", () => {
    const [v1] = shares('v1');
    expect(v1).toMatchObject({ kind: 'chapter', slices: 3, saturated_slices: 0, session_id: 1, node_ratio: 0.6, nginx_ratio: null });
    expect(v1.nginx_cpu_share).toBeCloseTo(1, 12); // median of 0.5, 2 and 1
    expect(v1.node_cpu_share).toBeCloseTo(0.5, 12); // median of 0.5, 1 and 0.5
    expect(v1.cpu_us_per_request).toBeCloseTo(40, 9); // median of 40, 20, 40
    expect(v1.server_busy).toBeCloseTo(4, 9); // 4 s of CPU in the second of load
    expect(v1.nginx_cpu_share_ci_low).toBeNull(); // three slices: no order-statistic interval
  });

  it('gives the distribution-free 95% interval of the median from six slices on', () => {
    const [v2] = shares('v2');
    expect(v2.slices).toBe(6);
    expect(v2.nginx_cpu_share).toBeCloseTo(1.75, 12);
    expect(v2.nginx_cpu_share_ci_low).toBeCloseTo(0.5, 12);
    expect(v2.nginx_cpu_share_ci_high).toBeCloseTo(3, 12);
    expect(v2.nginx_cpu_share_cv).toBeGreaterThan(0);
  });

  it("keeps a yardstick's slices where the load generator set the rate, and counts them", () => {
    const [nginx] = shares('nginx');
    expect(nginx).toMatchObject({ kind: 'yardstick', slices: 3, saturated_slices: 2, saturated_text: '2 of 3', nginx_cpu_share: 1 });
    expect(nginx.node_cpu_share).toBeCloseTo(0.5, 12); // 20 / 40 at the median slice
  });

  it('has no nginx share where nginx did not run in that session', () => {
    const [v3] = shares('v3');
    expect(v3).toMatchObject({ session_id: 2, slices: 1, nginx_cpu_share: null });
    expect(v3.node_cpu_share).toBeCloseTo(0.5, 12);
  });
});

describe('orderStatisticRanks', () => {
  it("agrees with the bench's order-statistic rank for every count the view covers", () => {
    const ranks = new Map(orderStatisticRanks(CPU_SHARE_MAX_SLICES).map(({ n, k }) => [n, k]));
    for (let n = 2; n <= CPU_SHARE_MAX_SLICES; n++) expect(ranks.get(n) ?? null, `n = ${n}`).toBe(orderStatisticRank(n));
  });
});
