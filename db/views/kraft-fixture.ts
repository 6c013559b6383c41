/**
 * A small database for the tests of the original BookGen's views and of the seed books'
 * check: chapters 1, 8, 9 and 10, sessions on two machines, series written round by round
 * as the bench writes them. Every figure is a made-up TEST value, never shown in the book.
 */
import { syncChapters, type Chapter } from '../chapters.ts';
import { createDatabase, type Database } from '../database.ts';

const chapter = (number: number, tag: string): Chapter => ({ number, tag, commit: String(number % 10).repeat(40), title: tag, technique: 't', summary: 's' });
const CHAPTERS = [chapter(1, 'v1-first'), chapter(8, 'v8-shed'), chapter(9, 'v9-adapt'), chapter(10, 'v10-signal')];

/** Sessions 1 and 2 on machine `here` (the comparison machine: the latest complete session), 3 on `there`, earlier. */
export async function kraftDatabase(): Promise<Database> {
  const db = await createDatabase();
  syncChapters(db, CHAPTERS);
  for (const machine of ['here', 'there']) {
    db.run(`INSERT INTO machine_info(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version) VALUES (?, 'cpu', 2, 1, 'k', 'linux', 'v20')`, [machine]);
  }
  for (const [id, machine, at] of [[1, 'here', '2026-01-01T01:00:00Z'], [2, 'here', '2026-01-01T02:00:00Z'], [3, 'there', '2026-01-01T00:00:00Z']]) {
    db.run(
      `INSERT INTO sessions(id, started_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json) VALUES (?, ?, 'complete', 'c', ?, 'wrk', '4', '{}')`,
      [id, at, machine],
    );
  }
  return db;
}

/** One round of `seconds` stress samples; observed_rps = base + second, in_flight = second × 10. */
export function stressRound(db: Database, session: number, subject: string, experiment: string, seconds: number, base: number): void {
  for (let s = 1; s <= seconds; s++) {
    db.run(
      `INSERT INTO stress_test_samples(session_id, subject, experiment, scenario, test_type, elapsed_seconds, observed_rps, in_flight, success_rate, rejection_rate, avg_latency_us)
       VALUES (?, ?, ?, 'overload', 'overload', ?, ?, ?, 1, 0, 100)`,
      [session, subject, experiment, s, base + s, s * 10],
    );
  }
}

export function rampRound(db: Database, table: 'adaptive_limiter_samples' | 'scaling_signal_samples', session: number, subject: string, experiment: string, base: number, inFlight: (second: number) => number | null): void {
  const scenario = table === 'adaptive_limiter_samples' ? 'adaptive-ramp' : 'scaling-ramp';
  for (let s = 1; s <= 3; s++) {
    db.run(`INSERT INTO ${table}(session_id, subject, experiment, scenario, elapsed_seconds, observed_rps, connection_limit, in_flight) VALUES (?, ?, ?, ?, ?, ?, 64, ?)`, [
      session, subject, experiment, scenario, s, base + s, inFlight(s),
    ]);
  }
}


export interface LoadRun {
  session: number;
  subject: string;
  connections: number;
  rps: number;
  p99: number;
  scenario?: string;
  experiment?: string;
  status?: 'ok' | 'failed';
  disturbance?: string;
}

let runSequence = 0;

/** One closed-loop run of a chapter (its commit from `chapters`), as the bench records a round of `hot` or a step of `sweep`. */
export function loadRun(db: Database, run: LoadRun): void {
  runSequence++;
  db.run(
    `INSERT INTO runs(session_id, subject, commit_hash, experiment, scenario, settings_key, run_index, sequence, tool, tool_version, connections, duration_seconds, keep_alive, started_at, status, requests_per_second, p99_latency_us, disturbance)
     VALUES (?, ?, (SELECT commit_hash FROM chapters WHERE tag = ?), ?, ?, 'k', ?, ?, 'wrk', '4', ?, 10, 1, '2026-01-01T02:00:00Z', ?, ?, ?, ?)`,
    [run.session, run.subject, run.subject, run.experiment ?? '', run.scenario ?? 'hot', runSequence, runSequence, run.connections, run.status ?? 'ok', run.rps, run.p99, run.disturbance ?? null],
  );
}
