/**
 * The views of the yardsticks (bench/reference/): each chapter's share of the bare node:http
 * server's throughput and of nginx's, from the same rounds (table `yardstick_ratios`), and
 * the bytes each subject put on the wire per response (hot vs hot-gzip, say).
 *
 * Registered in db/schema.ts (`VIEWS`, `BOOK_VIEWS`); the comparison machine is schema.ts's.
 */

import { inCitedSession } from './edition.ts';

/** The book-queryable names defined here. */
export const YARDSTICK_VIEW_NAMES = ['yardsticks', 'wire_bytes'] as const;

/** One ratio column group of the yardsticks view, for the yardstick whose runs have subject `yardstick`. */
function ratioColumns(prefix: string, yardstick: string): string {
  const of = (column: string) => `MAX(CASE WHEN y.yardstick = '${yardstick}' THEN y.${column} END)`;
  return [
    `${of('ratio_median')} AS ${prefix}_ratio`,
    `${of('ratio_ci_low')} AS ${prefix}_ratio_ci_low`,
    `${of('ratio_ci_high')} AS ${prefix}_ratio_ci_high`,
    `${of('ratio_note')} AS ${prefix}_ratio_note`,
  ].join(', ');
}

export const YARDSTICK_VIEWS = /* sql */ `
-- Each subject's paired ratio to both yardsticks, the latest session per subject × experiment ×
-- scenario on the comparison machine that ran a yardstick beside it. node_ratio is against the
-- bare node:http server ('reference'), nginx_ratio against nginx ('nginx'); NULL with a note
-- when not comparable, NULL without one when that yardstick did not run (nginx not installed).
-- The yardsticks appear too (kind 'yardstick'): nginx's node_ratio is the machine's headroom.
CREATE VIEW yardsticks AS
  SELECT y.subject AS tag, ch.chapter_number, CASE WHEN ch.tag IS NULL THEN 'yardstick' ELSE 'chapter' END AS kind,
         y.experiment, y.scenario,
         ${ratioColumns('node', 'reference')},
         ${ratioColumns('nginx', 'nginx')},
         (SELECT s.rps_median FROM summaries s WHERE s.session_id = y.session_id AND s.subject = y.subject AND s.experiment = y.experiment
            AND s.scenario = y.scenario AND s.settings_key = y.settings_key) AS rps_median,
         y.session_id, cm.machine, cm.fingerprint AS machine_fingerprint
  FROM yardstick_ratios y JOIN sessions se ON se.id = y.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  LEFT JOIN chapters ch ON ch.tag = y.subject
  WHERE y.session_id = (
    SELECT MAX(y2.session_id) FROM yardstick_ratios y2 JOIN sessions se2 ON se2.id = y2.session_id
    WHERE y2.subject = y.subject AND y2.experiment = y.experiment AND y2.scenario = y.scenario
      AND se2.machine_fingerprint = se.machine_fingerprint AND ${inCitedSession('y2.session_id')})
  GROUP BY y.session_id, y.subject, y.experiment, y.scenario, y.settings_key;

-- Bytes on the wire per response (HTTP headers and body as the load generator read them),
-- over the successful runs of the latest session per subject × experiment × scenario on the
-- comparison machine: what compression saves (hot against hot-gzip).
CREATE VIEW wire_bytes AS
  SELECT r.subject AS tag, ch.chapter_number, r.experiment, r.scenario,
         1.0 * SUM(r.bytes_transferred) / SUM(r.total_requests) AS bytes_per_response,
         SUM(r.total_requests) AS responses, COUNT(*) AS runs, r.session_id, cm.machine
  FROM runs r JOIN sessions se ON se.id = r.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  LEFT JOIN chapters ch ON ch.tag = r.subject
  WHERE r.status = 'ok' AND r.bytes_transferred IS NOT NULL AND r.total_requests > 0
    AND r.session_id = (
      SELECT MAX(r2.session_id) FROM runs r2 JOIN sessions se2 ON se2.id = r2.session_id
      WHERE r2.subject = r.subject AND r2.experiment = r.experiment AND r2.scenario = r.scenario AND r2.status = 'ok'
        AND se2.machine_fingerprint = se.machine_fingerprint AND ${inCitedSession('r2.session_id')})
  GROUP BY r.session_id, r.subject, r.experiment, r.scenario;
`;
