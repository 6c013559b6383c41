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

export const KRAFT_VIEWS = /* sql */ `
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
export const KRAFT_BOOK_VIEWS = ['stress_test_series', 'adaptive_limiter_series', 'scaling_signals_series'] as const;
