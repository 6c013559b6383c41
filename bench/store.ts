/**
 * The only writer of the benchmark database. Every figure is stored as measured;
 * NaN and missing values become NULL. Callers save after every measured round,
 * atomically (db/database.ts), so an interrupted bench keeps what it measured.
 */
import { syncChapters, type Chapter, type CommitInfo } from '../db/chapters.ts';
import { openDatabase, queryRows, saveDatabase, type Database } from '../db/database.ts';
import type { MachineInfo } from './machine/fingerprint.ts';
import type { SummaryFigures } from './summarize.ts';

type SqlValue = string | number | null;

const value = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);
const flag = (v: boolean | null | undefined): number | null => (v === null || v === undefined ? null : v ? 1 : 0);

export type SessionStatus = 'running' | 'complete' | 'interrupted' | 'failed';

export interface SessionRecord {
  startedAt: string;
  harnessCommit: string;
  harnessDirty: boolean;
  machineFingerprint: string;
  tool: string;
  toolVersion: string;
  settings: unknown;
}

export interface RunRecord {
  sessionId: number;
  subject: string;
  commitHash: string | null;
  experiment: string;
  scenario: string;
  settingsKey: string;
  runIndex: number;
  sequence: number;
  tool: string;
  toolVersion: string;
  connections: number;
  threads: number | null;
  durationSeconds: number;
  keepAlive: boolean;
  startedAt: string;
  status: 'ok' | 'failed';
  failure: string | null;
  requestsPerSecond: number | null;
  totalRequests: number | null;
  successfulRequests: number | null;
  non2xx: number | null;
  socketErrors: number | null;
  timeoutErrors: number | null;
  bytes: number | null;
  avgLatencyUs: number | null;
  p50LatencyUs: number | null;
  p90LatencyUs: number | null;
  p99LatencyUs: number | null;
  maxLatencyUs: number | null;
  serverCpuSeconds: number | null;
  loadgenCpuSeconds: number | null;
  loadgenSaturated: boolean | null;
  littlesLawRatio: number | null;
  rawOutput: string;
}

export interface SampleRecord {
  second: number;
  requestsPerSecond: number | null;
  p99LatencyUs: number | null;
  errors: number | null;
}

export interface PreparationRecord {
  sessionId: number;
  subject: string;
  experiment: string;
  commitHash: string | null;
  worktreeSeconds: number | null;
  installSeconds: number | null;
  installCacheHit: boolean | null;
  buildSeconds: number | null;
  startSeconds: number | null;
  totalSeconds: number | null;
  status: 'ok' | 'failed';
  failure: string | null;
}

export interface SummaryKey {
  sessionId: number;
  subject: string;
  experiment: string;
  scenario: string;
  settingsKey: string;
}

export class BenchStore {
  private constructor(
    readonly db: Database,
    readonly path: string,
  ) {}

  static async open(path: string): Promise<BenchStore> {
    return new BenchStore(await openDatabase(path, { create: true }), path);
  }

  /** Atomic write of the whole database (temp file + fsync + rename). */
  save(): void {
    saveDatabase(this.db, this.path);
  }

  rows(sql: string, params: SqlValue[] = []): Record<string, unknown>[] {
    return queryRows(this.db, sql, params);
  }

  recordMachine(m: MachineInfo): void {
    this.db.run(
      `INSERT INTO machines(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version, details_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(fingerprint) DO UPDATE SET details_json = excluded.details_json`,
      [m.fingerprint, m.cpu_model, m.cores, m.memory_bytes, m.kernel, m.os, m.node_version, m.details_json],
    );
  }

  syncChapters(chapters: Chapter[], commits: Map<string, CommitInfo>): void {
    syncChapters(this.db, chapters, commits);
  }

  startSession(s: SessionRecord): number {
    this.db.run(
      `INSERT INTO sessions(kind, started_at, status, harness_commit, harness_dirty, machine_fingerprint, tool, tool_version, settings_json)
       VALUES ('bench', ?, 'running', ?, ?, ?, ?, ?, ?)`,
      [s.startedAt, s.harnessCommit, s.harnessDirty ? 1 : 0, s.machineFingerprint, s.tool, s.toolVersion, JSON.stringify(s.settings)],
    );
    return Number(this.rows('SELECT last_insert_rowid() AS id')[0].id);
  }

  updateSessionSettings(sessionId: number, settings: unknown): void {
    this.db.run('UPDATE sessions SET settings_json = ? WHERE id = ?', [JSON.stringify(settings), sessionId]);
  }

  finishSession(sessionId: number, status: SessionStatus, finishedAt = new Date().toISOString()): void {
    this.db.run('UPDATE sessions SET status = ?, finished_at = ? WHERE id = ?', [status, finishedAt, sessionId]);
  }

  recordPreparation(p: PreparationRecord): void {
    this.db.run(
      `INSERT OR REPLACE INTO preparations(session_id, subject, experiment, commit_hash, worktree_seconds, install_seconds, install_cache_hit, build_seconds, start_seconds, total_seconds, status, failure)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [p.sessionId, p.subject, p.experiment, p.commitHash, value(p.worktreeSeconds), value(p.installSeconds), flag(p.installCacheHit), value(p.buildSeconds), value(p.startSeconds), value(p.totalSeconds), p.status, p.failure],
    );
  }

  /** Inserts a run and its per-second samples in one transaction; returns the run id. */
  recordRun(r: RunRecord, samples: SampleRecord[]): number {
    this.db.run('BEGIN');
    try {
      this.db.run(
        `INSERT INTO runs(session_id, subject, commit_hash, experiment, scenario, settings_key, run_index, sequence, tool, tool_version,
           connections, threads, duration_seconds, keep_alive, started_at, status, failure, requests_per_second, total_requests,
           successful_requests, non_2xx, socket_errors, timeout_errors, bytes_transferred, avg_latency_us, p50_latency_us,
           p90_latency_us, p99_latency_us, max_latency_us, server_cpu_seconds, loadgen_cpu_seconds, loadgen_saturated,
           littles_law_ratio, raw_output)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          r.sessionId, r.subject, r.commitHash, r.experiment, r.scenario, r.settingsKey, r.runIndex, r.sequence, r.tool, r.toolVersion,
          r.connections, r.threads, r.durationSeconds, r.keepAlive ? 1 : 0, r.startedAt, r.status, r.failure, value(r.requestsPerSecond),
          value(r.totalRequests), value(r.successfulRequests), value(r.non2xx), value(r.socketErrors), value(r.timeoutErrors), value(r.bytes),
          value(r.avgLatencyUs), value(r.p50LatencyUs), value(r.p90LatencyUs), value(r.p99LatencyUs), value(r.maxLatencyUs),
          value(r.serverCpuSeconds), value(r.loadgenCpuSeconds), flag(r.loadgenSaturated), value(r.littlesLawRatio), r.rawOutput,
        ],
      );
      const id = Number(this.rows('SELECT last_insert_rowid() AS id')[0].id);
      for (const s of samples) {
        this.db.run('INSERT OR REPLACE INTO run_samples(run_id, second, requests_per_second, p99_latency_us, errors) VALUES (?, ?, ?, ?, ?)', [
          id, s.second, value(s.requestsPerSecond), value(s.p99LatencyUs), value(s.errors),
        ]);
      }
      this.db.run('COMMIT');
      return id;
    } catch (error) {
      this.db.run('ROLLBACK');
      throw error;
    }
  }

  upsertSummary(key: SummaryKey, f: SummaryFigures): void {
    this.db.run(
      `INSERT OR REPLACE INTO summaries(session_id, subject, experiment, scenario, settings_key, runs, failed_runs, rps_median, rps_ci_low,
         rps_ci_high, rps_cv, ratio_median, ratio_ci_low, ratio_ci_high, ratio_cv, avg_latency_us, p50_latency_us, p90_latency_us,
         p99_latency_us, max_latency_us, capacity_connections, capacity_rps, saturated_runs)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        key.sessionId, key.subject, key.experiment, key.scenario, key.settingsKey, f.runs, f.failedRuns, value(f.rpsMedian), value(f.rpsCiLow),
        value(f.rpsCiHigh), value(f.rpsCv), value(f.ratioMedian), value(f.ratioCiLow), value(f.ratioCiHigh), value(f.ratioCv),
        value(f.avgLatencyUs), value(f.p50LatencyUs), value(f.p90LatencyUs), value(f.p99LatencyUs), value(f.maxLatencyUs),
        value(f.capacityConnections), value(f.capacityRps), f.saturatedRuns,
      ],
    );
  }

  /**
   * Whether this subject × scenario × settings already has a complete summary
   * (every requested run succeeded) measured on this machine.
   */
  isMeasured(fingerprint: string, subject: string, experiment: string, scenario: string, settingsKey: string, runs: number): boolean {
    return (
      this.rows(
        `SELECT 1 FROM summaries su JOIN sessions se ON se.id = su.session_id
         WHERE se.machine_fingerprint = ? AND su.subject = ? AND su.experiment = ? AND su.scenario = ? AND su.settings_key = ?
           AND su.runs >= ? AND su.failed_runs = 0 AND su.rps_median IS NOT NULL LIMIT 1`,
        [fingerprint, subject, experiment, scenario, settingsKey, runs],
      ).length > 0
    );
  }

  /** The latest summary with measurements of every subject × experiment × scenario. */
  latestSummaries(): LatestSummary[] {
    return this.rows(
      `SELECT su.*, se.started_at, se.machine_fingerprint FROM summaries su JOIN sessions se ON se.id = su.session_id
       WHERE su.runs > 0 AND su.session_id = (
         SELECT MAX(s2.session_id) FROM summaries s2
         WHERE s2.subject = su.subject AND s2.experiment = su.experiment AND s2.scenario = su.scenario AND s2.runs > 0)
       ORDER BY su.subject, su.experiment, su.scenario`,
    ) as unknown as LatestSummary[];
  }
}

/** A summaries row (column names as in db/schema.ts) with its session's start time. */
export interface LatestSummary {
  session_id: number;
  subject: string;
  experiment: string;
  scenario: string;
  settings_key: string;
  runs: number;
  failed_runs: number;
  rps_median: number | null;
  rps_ci_low: number | null;
  rps_ci_high: number | null;
  rps_cv: number | null;
  ratio_median: number | null;
  ratio_ci_low: number | null;
  ratio_ci_high: number | null;
  ratio_cv: number | null;
  avg_latency_us: number | null;
  p50_latency_us: number | null;
  p90_latency_us: number | null;
  p99_latency_us: number | null;
  max_latency_us: number | null;
  capacity_connections: number | null;
  capacity_rps: number | null;
  saturated_runs: number;
  started_at: string;
  machine_fingerprint: string;
}
