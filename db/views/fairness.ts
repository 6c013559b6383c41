/**
 * The view of the fairness scenario (bench/scenarios/fairness.ts, table fairness_steps):
 * whether a polite client is still answered while a greedy one overloads the server.
 * Registered in db/schema.ts (`VIEWS`, `BOOK_VIEWS`).
 */
import { inCitedSession } from './edition.ts';

export const FAIRNESS_VIEW_NAMES = ['fairness_summary'] as const;

export const FAIRNESS_VIEWS = /* sql */ `
-- Each fairness step of the latest session per subject × experiment on the comparison machine,
-- its rounds pooled: the polite client's share answered 200 within polite_within_ms (summed over
-- rounds) and the greedy client's goodput (median is not in SQLite: the mean over rounds, with
-- the lowest and highest). counts = 0 when the generator was behind in some round of the step.
CREATE VIEW fairness_summary AS
  SELECT f.subject AS tag, ch.chapter_number, f.experiment, f.scenario, f.step_multiplier, f.polite_connection,
         COUNT(*) AS rounds, AVG(f.capacity_rps) AS capacity_rps, MIN(f.capacity_source) AS capacity_source,
         SUM(f.polite_sent) AS polite_sent, SUM(f.polite_ok_fast) AS polite_ok_fast,
         CASE WHEN SUM(f.polite_sent) > 0 THEN 1.0 * SUM(f.polite_ok_fast) / SUM(f.polite_sent) END AS polite_share,
         MAX(f.polite_p99_us) AS polite_p99_us_worst, MAX(f.polite_within_ms) AS polite_within_ms,
         AVG(f.offered_rps) AS offered_rps, AVG(f.goodput_rps) AS goodput_rps, MIN(f.goodput_rps) AS goodput_rps_low,
         MAX(f.goodput_rps) AS goodput_rps_high, AVG(f.rejection_rate) AS rejection_rate, MAX(f.p99_served_us) AS p99_served_us_worst,
         MAX(f.generator_behind) AS generator_behind, 1 - MAX(f.generator_behind) AS counts, f.session_id, cm.machine
  FROM fairness_steps f JOIN sessions se ON se.id = f.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  LEFT JOIN chapters ch ON ch.tag = f.subject
  WHERE f.session_id = (
    SELECT MAX(f2.session_id) FROM fairness_steps f2 JOIN sessions se2 ON se2.id = f2.session_id
    WHERE f2.subject = f.subject AND f2.experiment = f.experiment AND f2.scenario = f.scenario
      AND se2.machine_fingerprint = se.machine_fingerprint AND ${inCitedSession('f2.session_id')})
  GROUP BY f.session_id, f.subject, f.experiment, f.scenario, f.step_multiplier, f.polite_connection;
`;
