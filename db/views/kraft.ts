/**
 * The views the original BookGen's books query (kraft, docs/schema.sql there), in the one
 * shape per view those books assume: one series, no session or subject to pick.
 *
 *   stress_test_series      chapter 8's overload run, one row per second per test_type:
 *                           no_protection (experiment `none`), app_level (the chapter as
 *                           tagged: the in-application limit), kernel_level (`connlimit`)
 *   adaptive_limiter_series chapter 9's adaptive ramp, its latest run only
 *   scaling_signals_series  chapter 10's scaling ramp, its latest run only
 *
 * Each comes from the latest complete bench session on the comparison machine that ran it
 * (the latest edition of that chapter's experiment), and within
 * that session from the last round (the series of a round are written in one go, so a
 * round's rows are the ones from its first second on). Our own views keep every session,
 * subject and experiment: stress_test_seconds, adaptive_limiter_seconds,
 * scaling_signals_seconds (db/schema.ts).
 *
 * And benchmark_results: one row per chapter commit × concurrency (kraft's benchmark results:
 * a commit's figure at each load): the hot search as tagged (scenarios hot and sweep,
 * experiment ''), from the latest complete session on the comparison machine that ran it at
 * that concurrency, each figure the MEDIAN over that session's ok runs (rounds; a disturbed
 * run left out, as in summaries), so a session with one concurrency gives
 * summaries.rps_median. `run_id` is the last of those runs: its benchmark_runs row names the
 * commit, as kraft's join expects; `id` (kraft's row id) is the same run, one per row.
 * Every run, one row each: run_results.
 *
 * `active_connections` is what the open-loop generator measures instead of sockets: the
 * requests outstanding at the end of the second — the client's count in the stress test,
 * the server's in-flight gauge in the ramps (the connections in use: one request at a
 * time each). A scaling second without that gauge is left out rather than shown as 0.
 */

/** The chapters whose runs the views show (by number: tags may be renamed, numbers stay). */
export const KRAFT_CHAPTERS = { loadShedding: 8, adaptiveLimit: 9, scalingSignals: 10 } as const;

/** kraft's test_type of each experiment of the load-shedding chapter. */
export const STRESS_TEST_TYPES = { none: 'no_protection', '': 'app_level', connlimit: 'kernel_level' } as const;

/** A complete bench session on the comparison machine (alias se): an edition, not a run cut short. */
const EDITION_SESSION = `se.kind = 'bench' AND se.status = 'complete' AND se.machine_fingerprint = (SELECT fingerprint FROM comparison_machine)`;

/**
 * The samples of one chapter's `scenario` in `table` from complete sessions on the comparison machine, with their
 * rowid as `id` (aliased `t`), the latest session only: a CTE body named by the caller.
 */
function latestSessionOf(table: string, chapter: number, scenario: string, experiments: string): string {
  const of = `t.subject = (SELECT tag FROM chapters WHERE chapter_number = ${chapter}) AND t.scenario = '${scenario}' AND t.experiment IN (${experiments})`;
  return `SELECT t.rowid AS id, t.* FROM ${table} t JOIN sessions se ON se.id = t.session_id
    WHERE ${of} AND ${EDITION_SESSION}
      AND t.session_id = (SELECT MAX(t.session_id) FROM ${table} t JOIN sessions se ON se.id = t.session_id WHERE ${of} AND ${EDITION_SESSION})`;
}

/** Keeps, per experiment, the rows of the last round of `latest`: from its last first-second row on. */
const LAST_ROUND = `JOIN (SELECT experiment, MAX(id) AS first_id FROM latest l
      WHERE elapsed_seconds = (SELECT MIN(elapsed_seconds) FROM latest l2 WHERE l2.experiment = l.experiment)
      GROUP BY experiment) r ON r.experiment = t.experiment AND t.id >= r.first_id`;

const typeOfExperiment = `CASE t.experiment ${Object.entries(STRESS_TEST_TYPES)
  .map(([experiment, type]) => `WHEN '${experiment}' THEN '${type}'`)
  .join(' ')} END`;

const experimentList = Object.keys(STRESS_TEST_TYPES)
  .map((experiment) => `'${experiment}'`)
  .join(', ');

/** The figures of benchmark_results, each the median over the runs of one chapter × concurrency. */
const MEDIAN_FIGURES = ['requests_per_second', 'avg_latency_us', 'p50_latency_us', 'p90_latency_us', 'p99_latency_us', 'max_latency_us'] as const;
const PER_COMMIT_AND_CONCURRENCY = 'PARTITION BY subject, connections';

/** Each figure's rank among the group's non-NULL values (NULLs last) and how many there are. */
const medianRanks = MEDIAN_FIGURES.map(
  (f) => `ROW_NUMBER() OVER (${PER_COMMIT_AND_CONCURRENCY} ORDER BY ${f} IS NULL, ${f}) AS ${f}_rank, COUNT(${f}) OVER (${PER_COMMIT_AND_CONCURRENCY}) AS ${f}_n`,
).join(',\n         ');

/** The median as bench/stats computes it: the middle value, or the mean of the two middle ones; NULL without values. */
const median = (f: string) => `AVG(CASE WHEN ${f}_rank IN ((${f}_n + 1) / 2, (${f}_n + 2) / 2) THEN ${f} END)`;

export const KRAFT_VIEWS = /* sql */ `
CREATE VIEW benchmark_results AS
  WITH measured AS (
    SELECT r.*, ch.chapter_number, MAX(r.session_id) OVER (PARTITION BY r.subject, r.connections) AS latest_session
    FROM runs r JOIN sessions se ON se.id = r.session_id JOIN chapters ch ON ch.tag = r.subject
    WHERE ${EDITION_SESSION} AND r.scenario IN ('hot', 'sweep') AND r.experiment = '' AND r.status = 'ok'
      AND r.disturbance IS NULL AND r.requests_per_second IS NOT NULL),
  ranked AS (
    SELECT m.*, ${medianRanks}
    FROM measured m WHERE m.session_id = m.latest_session)
  SELECT MAX(id) AS id, MAX(id) AS run_id, connections AS concurrency,
         ${median('requests_per_second')} AS requests_per_sec, ${median('requests_per_second')} AS requests_per_second,
         ${MEDIAN_FIGURES.slice(1).map((f) => `${median(f)} AS ${f}`).join(', ')},
         COUNT(*) AS runs, SUM(COALESCE(loadgen_saturated, 0)) AS saturated_runs,
         subject AS tag, chapter_number, commit_hash, group_concat(DISTINCT scenario) AS scenarios, session_id, cm.machine, cm.fingerprint AS machine_fingerprint
  FROM ranked CROSS JOIN comparison_machine cm
  GROUP BY subject, connections;

CREATE VIEW stress_test_series AS
  WITH latest AS (${latestSessionOf('stress_test_samples', KRAFT_CHAPTERS.loadShedding, 'overload', experimentList)})
  SELECT t.id, ${typeOfExperiment} AS test_type, t.elapsed_seconds, t.observed_rps, t.success_rate,
         t.in_flight AS active_connections, t.rejection_rate, t.avg_latency_us,
         t.session_id, t.subject, t.experiment, cm.machine
  FROM latest t ${LAST_ROUND} JOIN comparison_machine cm;

CREATE VIEW adaptive_limiter_series AS
  WITH latest AS (${latestSessionOf('adaptive_limiter_samples', KRAFT_CHAPTERS.adaptiveLimit, 'adaptive-ramp', `''`)})
  SELECT t.id, t.elapsed_seconds, t.connection_limit, t.observed_rps, t.rejection_rate,
         t.in_flight AS active_connections, t.saturation_ratio, t.action,
         t.session_id, t.subject, t.experiment, cm.machine
  FROM latest t ${LAST_ROUND} JOIN comparison_machine cm;

CREATE VIEW scaling_signals_series AS
  WITH latest AS (${latestSessionOf('scaling_signal_samples', KRAFT_CHAPTERS.scalingSignals, 'scaling-ramp', `''`)})
  SELECT t.id, t.elapsed_seconds, t.rejection_rate, t.saturation_ratio, t.needs_scaleout, t.connection_limit,
         t.in_flight AS active_connections, t.observed_rps,
         t.session_id, t.subject, t.experiment, cm.machine
  FROM latest t ${LAST_ROUND} JOIN comparison_machine cm
  WHERE t.in_flight IS NOT NULL;
`;

/** The names above, for the list of views books may query. */
export const KRAFT_BOOK_VIEWS = ['benchmark_results', 'stress_test_series', 'adaptive_limiter_series', 'scaling_signals_series'] as const;
