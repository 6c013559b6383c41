/**
 * The one schema of the benchmark database, shared by bench/ (which writes it)
 * and generator/ (which reads it).
 *
 * Tables hold what was measured, as measured. Views expose the names that books
 * query (see docs/spec/directives.md: versions, version_progression,
 * latest_baseline, commits, benchmark_runs, benchmark_results, and the *_series
 * names). Nothing here invents a number: a chapter that has no measurement has
 * NULL figures in `versions`, and readers must say so.
 *
 * Headline throughput (versions.baseline_rps) is defined once, here:
 *   the `rps_median` of the chapter's `hot` scenario summary (default experiment)
 *   from the most recent bench session that measured that chapter successfully.
 * improvement_percent compares that to chapter 1's headline, measured the same way
 * (preferring chapter 1 from the same session, so both come from one machine run).
 */
import type { Database } from 'sql.js';

export const SCHEMA_VERSION = 2;

/** The subject name used for the raw node:http reference server's runs. */
export const REFERENCE_SUBJECT = 'reference';

const TABLES = /* sql */ `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- The chapter list (data/chapters.json), mirrored so queries can join on it.
CREATE TABLE IF NOT EXISTS chapters (
  tag            TEXT PRIMARY KEY,
  chapter_number INTEGER NOT NULL UNIQUE,
  title          TEXT NOT NULL,
  technique      TEXT NOT NULL,
  summary        TEXT NOT NULL,
  commit_hash    TEXT NOT NULL,
  commit_message TEXT,
  commit_author  TEXT,
  committed_at   TEXT
);

-- A machine as the bench saw it; fingerprint = hash of the identifying fields.
CREATE TABLE IF NOT EXISTS machines (
  fingerprint  TEXT PRIMARY KEY,
  cpu_model    TEXT NOT NULL,
  cores        INTEGER NOT NULL,
  memory_bytes INTEGER NOT NULL,
  kernel       TEXT NOT NULL,
  os           TEXT NOT NULL,
  node_version TEXT NOT NULL,
  details_json TEXT NOT NULL DEFAULT '{}'
);

-- One invocation of the bench runner (or of the regression gate).
CREATE TABLE IF NOT EXISTS sessions (
  id                  INTEGER PRIMARY KEY,
  kind                TEXT NOT NULL DEFAULT 'bench',      -- bench | gate
  started_at          TEXT NOT NULL,                      -- ISO 8601 UTC
  finished_at         TEXT,
  status              TEXT NOT NULL DEFAULT 'running',    -- running | complete | interrupted | failed
  harness_commit      TEXT NOT NULL,
  harness_dirty       INTEGER NOT NULL DEFAULT 0,
  machine_fingerprint TEXT NOT NULL REFERENCES machines(fingerprint),
  tool                TEXT NOT NULL,
  tool_version        TEXT NOT NULL,
  settings_json       TEXT NOT NULL
);

-- One measured load run against one subject (a chapter tag, or the reference server).
CREATE TABLE IF NOT EXISTS runs (
  id                   INTEGER PRIMARY KEY,
  session_id           INTEGER NOT NULL REFERENCES sessions(id),
  subject              TEXT NOT NULL,              -- chapter tag, or 'reference'
  commit_hash          TEXT,                       -- the chapter's commit (NULL for the reference)
  experiment           TEXT NOT NULL DEFAULT '',   -- '' = the chapter as tagged
  scenario             TEXT NOT NULL,              -- hot | mix | close | sweep
  settings_key         TEXT NOT NULL,              -- canonical settings, for incremental skipping
  run_index            INTEGER NOT NULL,           -- 0-based repetition number
  sequence             INTEGER NOT NULL,           -- position in the session's interleaved order
  tool                 TEXT NOT NULL,
  tool_version         TEXT NOT NULL,
  connections          INTEGER NOT NULL,
  threads              INTEGER,
  duration_seconds     REAL NOT NULL,
  keep_alive           INTEGER NOT NULL,
  started_at           TEXT NOT NULL,
  status               TEXT NOT NULL,              -- ok | failed
  failure              TEXT,                       -- why, when status = failed
  requests_per_second  REAL,                       -- successful (2xx) responses per second
  total_requests       INTEGER,
  successful_requests  INTEGER,
  non_2xx              INTEGER,
  socket_errors        INTEGER,
  timeout_errors       INTEGER,
  bytes_transferred    INTEGER,
  avg_latency_us       REAL,
  p50_latency_us       REAL,
  p90_latency_us       REAL,
  p99_latency_us       REAL,
  max_latency_us       REAL,
  server_cpu_seconds   REAL,
  loadgen_cpu_seconds  REAL,
  loadgen_saturated    INTEGER,                    -- 1 when the load generator was the bottleneck
  littles_law_ratio    REAL,                       -- (throughput × mean latency) / connections
  raw_output           TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_subject ON runs(subject, scenario, experiment, session_id);

-- Per-second samples of a run, for time-series charts.
CREATE TABLE IF NOT EXISTS run_samples (
  run_id              INTEGER NOT NULL REFERENCES runs(id),
  second              INTEGER NOT NULL,
  requests_per_second REAL,
  p99_latency_us      REAL,
  errors              INTEGER,
  PRIMARY KEY (run_id, second)
);

-- Statistics over the runs of one subject × scenario × experiment in one session.
CREATE TABLE IF NOT EXISTS summaries (
  session_id      INTEGER NOT NULL REFERENCES sessions(id),
  subject         TEXT NOT NULL,
  experiment      TEXT NOT NULL DEFAULT '',
  scenario        TEXT NOT NULL,
  settings_key    TEXT NOT NULL,
  runs            INTEGER NOT NULL,     -- successful runs summarised
  failed_runs     INTEGER NOT NULL,
  rps_median      REAL,
  rps_ci_low      REAL,                 -- 95% confidence interval of the median
  rps_ci_high     REAL,
  rps_cv          REAL,                 -- coefficient of variation (stdev / mean)
  ratio_median    REAL,                 -- rps / reference rps of the same round
  ratio_ci_low    REAL,
  ratio_ci_high   REAL,
  ratio_cv        REAL,
  avg_latency_us  REAL,                 -- medians over runs
  p50_latency_us  REAL,
  p90_latency_us  REAL,
  p99_latency_us  REAL,
  max_latency_us  REAL,
  capacity_connections INTEGER,         -- sweep: last healthy concurrency
  capacity_rps         REAL,            -- sweep: throughput at that concurrency
  saturated_runs  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (session_id, subject, experiment, scenario, settings_key)
);

-- Schema 2: what it cost to get each subject ready in a session, outside the load
-- itself (worktree, cached install, build, start, readiness), in seconds.
CREATE TABLE IF NOT EXISTS preparations (
  session_id       INTEGER NOT NULL REFERENCES sessions(id),
  subject          TEXT NOT NULL,
  experiment       TEXT NOT NULL DEFAULT '',
  commit_hash      TEXT,
  worktree_seconds REAL,
  install_seconds  REAL,
  install_cache_hit INTEGER,
  build_seconds    REAL,
  start_seconds    REAL,                 -- spawn until the ready answer
  total_seconds    REAL,
  status           TEXT NOT NULL,        -- ok | failed
  failure          TEXT,
  PRIMARY KEY (session_id, subject, experiment)
);

-- Series that later chapters (load shedding, adaptive limits, scaling) record.
CREATE TABLE IF NOT EXISTS stress_test_samples (
  run_id INTEGER REFERENCES runs(id),
  test_type TEXT NOT NULL, elapsed_seconds REAL NOT NULL, observed_rps REAL, success_rate REAL,
  active_connections INTEGER, rejection_rate REAL, avg_latency_us REAL
);
CREATE TABLE IF NOT EXISTS adaptive_limiter_samples (
  run_id INTEGER REFERENCES runs(id),
  elapsed_seconds REAL NOT NULL, connection_limit INTEGER, observed_rps REAL, rejection_rate REAL,
  active_connections INTEGER, saturation_ratio REAL, action TEXT
);
CREATE TABLE IF NOT EXISTS scaling_signal_samples (
  run_id INTEGER REFERENCES runs(id),
  elapsed_seconds REAL NOT NULL, rejection_rate REAL, saturation_ratio REAL, needs_scaleout INTEGER,
  connection_limit INTEGER, active_connections INTEGER, observed_rps REAL
);
`;

const VIEWS = /* sql */ `
DROP VIEW IF EXISTS headline;
CREATE VIEW headline AS
  SELECT s.subject AS tag, s.session_id, s.rps_median, s.rps_ci_low, s.rps_ci_high, s.rps_cv,
         s.ratio_median, s.avg_latency_us, s.p50_latency_us, s.p90_latency_us, s.p99_latency_us,
         s.max_latency_us, s.runs
  FROM summaries s
  WHERE s.scenario = 'hot' AND s.experiment = '' AND s.runs > 0 AND s.rps_median IS NOT NULL
    AND s.session_id = (
      SELECT MAX(s2.session_id) FROM summaries s2
      WHERE s2.subject = s.subject AND s2.scenario = 'hot' AND s2.experiment = ''
        AND s2.runs > 0 AND s2.rps_median IS NOT NULL);

DROP VIEW IF EXISTS versions;
CREATE VIEW versions AS
  SELECT c.tag, c.chapter_number, c.title, c.summary AS description, c.commit_hash,
         h.rps_median AS baseline_rps,
         CASE WHEN h.rps_median IS NULL THEN NULL
              ELSE 100.0 * (h.rps_median / COALESCE(
                     (SELECT s1.rps_median FROM summaries s1
                        WHERE s1.session_id = h.session_id AND s1.scenario = 'hot' AND s1.experiment = ''
                          AND s1.subject = (SELECT tag FROM chapters ORDER BY chapter_number LIMIT 1)),
                     (SELECT h1.rps_median FROM headline h1
                        WHERE h1.tag = (SELECT tag FROM chapters ORDER BY chapter_number LIMIT 1))) - 1.0)
         END AS improvement_percent,
         c.technique,
         h.rps_ci_low, h.rps_ci_high, h.rps_cv, h.ratio_median AS reference_ratio,
         h.avg_latency_us, h.p50_latency_us, h.p90_latency_us, h.p99_latency_us, h.max_latency_us,
         h.runs AS measured_runs, h.session_id
  FROM chapters c LEFT JOIN headline h ON h.tag = c.tag;

DROP VIEW IF EXISTS version_progression;
CREATE VIEW version_progression AS
  SELECT v.chapter_number, v.tag, v.title, v.technique, v.baseline_rps, v.improvement_percent,
         LAG(v.baseline_rps) OVER (ORDER BY v.chapter_number) AS previous_rps,
         v.baseline_rps - LAG(v.baseline_rps) OVER (ORDER BY v.chapter_number) AS rps_delta
  FROM versions v;

DROP VIEW IF EXISTS latest_baseline;
CREATE VIEW latest_baseline AS
  SELECT * FROM versions ORDER BY chapter_number DESC LIMIT 1;

DROP VIEW IF EXISTS commits;
CREATE VIEW commits AS
  SELECT commit_hash AS hash, tag, commit_message AS message, commit_author AS author,
         committed_at AS created_at
  FROM chapters;

DROP VIEW IF EXISTS benchmark_runs;
CREATE VIEW benchmark_runs AS
  SELECT r.id, r.commit_hash, r.scenario AS run_type, m.cpu_model || ' / ' || m.cores || ' cores / ' || m.kernel AS environment,
         r.started_at, r.duration_seconds, r.threads, r.connections, r.keep_alive,
         r.subject AS tag, r.tool, r.tool_version, r.session_id, r.status
  FROM runs r JOIN sessions s ON s.id = r.session_id JOIN machines m ON m.fingerprint = s.machine_fingerprint;

DROP VIEW IF EXISTS benchmark_results;
CREATE VIEW benchmark_results AS
  SELECT r.id AS run_id, r.requests_per_second, r.total_requests, r.bytes_transferred,
         r.avg_latency_us, r.p50_latency_us, r.p90_latency_us, r.p99_latency_us, r.max_latency_us,
         r.socket_errors, r.timeout_errors, r.non_2xx, r.subject AS tag, r.scenario
  FROM runs r WHERE r.status = 'ok';

DROP VIEW IF EXISTS stress_test_series;
CREATE VIEW stress_test_series AS
  SELECT test_type, elapsed_seconds, observed_rps, success_rate, active_connections, rejection_rate, avg_latency_us
  FROM stress_test_samples;

DROP VIEW IF EXISTS adaptive_limiter_series;
CREATE VIEW adaptive_limiter_series AS
  SELECT elapsed_seconds, connection_limit, observed_rps, rejection_rate, active_connections, saturation_ratio, action
  FROM adaptive_limiter_samples;

DROP VIEW IF EXISTS scaling_signals_series;
CREATE VIEW scaling_signals_series AS
  SELECT elapsed_seconds, rejection_rate, saturation_ratio, needs_scaleout, connection_limit, active_connections, observed_rps
  FROM scaling_signal_samples;
`;

/** Creates (or upgrades) every table and view. Idempotent. */
export function applySchema(db: Database): void {
  const current = schemaVersionOf(db);
  if (current !== null && current > SCHEMA_VERSION) {
    throw new Error(
      `database schema version ${current} is newer than this code understands (${SCHEMA_VERSION}); update the repository`,
    );
  }
  db.run('PRAGMA foreign_keys = ON');
  db.exec(TABLES);
  db.exec(VIEWS);
  db.run("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", [String(SCHEMA_VERSION)]);
}

export function schemaVersionOf(db: Database): number | null {
  const hasMeta = db.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
  if (hasMeta.length === 0) return null;
  const rows = db.exec("SELECT value FROM meta WHERE key = 'schema_version'");
  const value = rows[0]?.values[0]?.[0];
  return value === undefined ? null : Number(value);
}

/** The view names books may query (spec: directives.md). */
export const BOOK_VIEWS = [
  'versions',
  'version_progression',
  'latest_baseline',
  'commits',
  'benchmark_runs',
  'benchmark_results',
  'stress_test_series',
  'adaptive_limiter_series',
  'scaling_signals_series',
] as const;
