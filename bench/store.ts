/**
 * The only writer of the benchmark database. Every figure is stored as measured;
 * NaN and missing values become NULL. Callers save after every measured round,
 * atomically (db/database.ts), so an interrupted bench keeps what it measured.
 */
import { syncChapters, type Chapter, type CommitInfo } from '../db/chapters.ts';
import { openDatabase, queryRows, saveDatabase, type Database } from '../db/database.ts';
import { harnessTreeOf } from './provenance.ts';
import {
  machineInfo as machineInfoTable,
  preparations,
  profiles,
  profileThreads,
  gateTrialRuns,
  type GateTrialRunRow,
  runs,
  runSamples,
  SERIES_TABLES,
  sessions,
  summaries,
  yardstickRatios,
  type PreparationRow,
  type ProfileDbRow,
  type RunRow,
  type RunSampleRow,
  type SeriesKind,
  type SeriesSample,
  type SessionRow,
  type SummaryFigures,
  type SummaryKey,
  type SummaryRow,
  type YardstickRatioRow,
} from '../db/schema.ts';
import { insertRow, type NewRow } from '../db/table.ts';
import type { MachineInfo } from './machine/fingerprint.ts';

type SqlValue = string | number | null;

/** `abandoned`: left `running` by a process that died (a crash, SIGKILL); found and marked by the next writer. */
export type SessionStatus = 'running' | 'complete' | 'interrupted' | 'failed' | 'abandoned' | 'withdrawn';
export type { PreparationRow, RunRow, RunSampleRow, SummaryFigures, SummaryKey };

/** Where a series sample comes from: set once per writer, stored on every sample. */
export interface SeriesSource {
  sessionId: number;
  subject: string;
  experiment: string;
  scenario: string;
  runId?: number | null;
}

/** Appends the samples of one series (one row per second, say) for one subject of a session. */
export interface SeriesWriter<K extends SeriesKind> {
  write(sample: SeriesSample<K>): void;
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
    const known = this.rows('SELECT 1 FROM machine_info WHERE fingerprint = ?', [m.fingerprint]).length > 0;
    if (known) this.db.run('UPDATE machine_info SET details_json = ? WHERE fingerprint = ?', [m.details_json, m.fingerprint]);
    else insertRow(this.db, machineInfoTable, m);
  }

  syncChapters(chapters: Chapter[], commits: Map<string, CommitInfo>): void {
    syncChapters(this.db, chapters, commits);
  }

  /**
   * What a writer does before it starts a session, holding the database's lock: marks the
   * sessions a dead process left running, records this machine, brings the chapters up to date,
   * and gives older sessions their harness tree (fillHarnessTrees).
   */
  prepareForSession(machine: MachineInfo, chapters: Chapter[], commits: Map<string, CommitInfo>, notice: (message: string) => void, treeOf: (commit: string) => string | null = harnessTreeOf): void {
    this.abandonRunningSessions(notice);
    this.recordMachine(machine);
    this.syncChapters(chapters, commits);
    this.fillHarnessTrees(treeOf);
  }

  /**
   * Gives every clean session recorded without a harness tree (before the column, or merged from
   * an older database) the tree of its commit, where git knows the commit. Returns how many
   * commits got one.
   */
  fillHarnessTrees(treeOf: (commit: string) => string | null): number {
    const commits = this.rows('SELECT DISTINCT harness_commit FROM sessions WHERE harness_tree IS NULL AND harness_dirty = 0').map((r) => String(r.harness_commit));
    let filled = 0;
    for (const commit of commits) {
      const tree = treeOf(commit);
      if (tree === null) continue;
      this.db.run('UPDATE sessions SET harness_tree = ? WHERE harness_commit = ? AND harness_tree IS NULL AND harness_dirty = 0', [tree, commit]);
      filled++;
    }
    return filled;
  }

  startSession(s: Omit<SessionRow, 'id' | 'status' | 'settings_json'> & { settings: unknown }): number {
    const { settings, ...row } = s;
    return insertRow(this.db, sessions, { ...row, status: 'running', settings_json: JSON.stringify(settings) });
  }

  updateSessionSettings(sessionId: number, settings: unknown): void {
    this.db.run('UPDATE sessions SET settings_json = ? WHERE id = ?', [JSON.stringify(settings), sessionId]);
  }

  /**
   * Marks `abandoned` every session still `running`. Call it holding the database's lock:
   * then no live process is writing one, so a `running` session is a dead process's. Its
   * runs stay; finished_at stays NULL (when it died is not known). Returns their ids.
   */
  abandonRunningSessions(notice: (message: string) => void = () => {}): number[] {
    const ids = this.rows("SELECT id FROM sessions WHERE status = 'running' ORDER BY id").map((r) => r.id as number);
    if (ids.length > 0) this.db.run("UPDATE sessions SET status = 'abandoned' WHERE status = 'running'");
    for (const id of ids) notice(`session ${id} was left running by a process that died; marked abandoned (its runs are kept)`);
    return ids;
  }

  finishSession(sessionId: number, status: SessionStatus, finishedAt = new Date().toISOString()): void {
    this.db.run('UPDATE sessions SET status = ?, finished_at = ? WHERE id = ?', [status, finishedAt, sessionId]);
  }

  recordPreparation(p: NewRow<typeof preparations>): void {
    insertRow(this.db, preparations, p, 'replace');
  }

  /** Inserts a run and its per-second samples in one transaction; returns the run id. */
  recordRun(r: RunRow, samples: RunSampleRow[]): number {
    return this.transaction(() => {
      const id = insertRow(this.db, runs, r);
      for (const sample of samples) insertRow(this.db, runSamples, { ...sample, run_id: id }, 'replace');
      return id;
    });
  }

  /** One reduced CPU profile (every process's table of one subject × scenario), in one transaction. */
  recordProfile(rows: ProfileDbRow[]): void {
    this.transaction(() => {
      for (const row of rows) insertRow(this.db, profiles, row);
    });
  }

  /** One gate run of a trials session (table gate_trial_runs), saved at once by the caller. */
  recordGateTrialRun(row: GateTrialRunRow): void {
    insertRow(this.db, gateTrialRuns, row, 'replace');
  }

  /** A profiled run's CPU by thread (table profile_threads): what its V8 profile cannot sample. */
  recordProfileThreads(key: { sessionId: number; subject: string; experiment: string; scenario: string }, threads: { windowSeconds: number; loopCpuSeconds: number; otherCpuSeconds: number }): void {
    insertRow(this.db, profileThreads, {
      session_id: key.sessionId, subject: key.subject, experiment: key.experiment, scenario: key.scenario,
      window_seconds: threads.windowSeconds, loop_cpu_seconds: threads.loopCpuSeconds, other_cpu_seconds: threads.otherCpuSeconds,
    }, 'replace');
  }

  upsertSummary(key: SummaryKey, figures: SummaryFigures): void {
    insertRow(this.db, summaries, { ...figures, ...key }, 'replace');
  }

  /** A summary's paired ratio to one yardstick of its rounds (table yardstick_ratios). */
  upsertYardstickRatio(row: YardstickRatioRow): void {
    insertRow(this.db, yardstickRatios, row, 'replace');
  }

  /**
   * A writer of one series table (stress test, adaptive limiter, scaling signals) for one
   * subject of a session: the scenario calls `write` once per sample (per second).
   */
  seriesWriter<K extends SeriesKind>(kind: K, source: SeriesSource): SeriesWriter<K> {
    const t = SERIES_TABLES[kind];
    const context = { session_id: source.sessionId, subject: source.subject, experiment: source.experiment, scenario: source.scenario, run_id: source.runId ?? null };
    return {
      write: (sample) => {
        insertRow(this.db, t, { ...(sample as object), ...context } as unknown as NewRow<typeof t>);
      },
    };
  }

  private transaction<T>(work: () => T): T {
    this.db.run('BEGIN');
    try {
      const result = work();
      this.db.run('COMMIT');
      return result;
    } catch (error) {
      this.db.run('ROLLBACK');
      throw error;
    }
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
           AND su.runs >= ? AND su.failed_runs = 0 AND (su.rps_median IS NOT NULL OR su.capacity_rps IS NOT NULL) LIMIT 1`,
        [fingerprint, subject, experiment, scenario, settingsKey, runs],
      ).length > 0
    );
  }

  /** The latest summary with measurements of every subject × experiment × scenario, on the comparison machine (db/schema.ts). */
  latestSummaries(): LatestSummary[] {
    return this.rows(
      `SELECT su.*, se.started_at, se.machine_fingerprint FROM summaries su JOIN sessions se ON se.id = su.session_id
       WHERE su.runs > 0 AND se.machine_fingerprint = (SELECT fingerprint FROM comparison_machine) AND su.session_id = (
         SELECT MAX(s2.session_id) FROM summaries s2 JOIN sessions se2 ON se2.id = s2.session_id
         WHERE s2.subject = su.subject AND s2.experiment = su.experiment AND s2.scenario = su.scenario AND s2.runs > 0
           AND se2.machine_fingerprint = se.machine_fingerprint)
       ORDER BY su.subject, su.experiment, su.scenario`,
    ) as unknown as LatestSummary[];
  }
}

/** A summaries row with its session's start time and machine. */
export type LatestSummary = SummaryRow & { started_at: string; machine_fingerprint: string };
