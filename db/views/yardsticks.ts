/**
 * The views of the yardsticks (bench/reference/): each chapter's share of the bare node:http
 * server's throughput and of nginx's, from the same rounds (table `yardstick_ratios`), its
 * share of their CPU time per answer from the same slices (`cpu_shares`: a server's figure
 * even where the load generator, not the server, set the rate), and the bytes each subject
 * put on the wire per response (hot vs hot-gzip, say).
 *
 * Registered in db/schema.ts (`VIEWS`, `BOOK_VIEWS`); the comparison machine is schema.ts's.
 */

import { inCitedSession } from './edition.ts';

/** The book-queryable names defined here. */
export const YARDSTICK_VIEW_NAMES = ['yardsticks', 'cpu_shares', 'wire_bytes'] as const;

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

/**
 * The 1-based rank k of the distribution-free interval [x(k), x(n−k+1)] of a median of n
 * values, for every n from 2 to `max` where one exists: k is the largest rank whose binomial
 * coverage 1 − 2·P(Binomial(n, ½) ≤ k−1) is still ≥ `confidence` — bench/stats/descriptive.ts
 * `orderStatisticRank`, which the bench's intervals use (yardsticks.test.ts checks they agree;
 * db/ imports nothing of bench/). Below 6 values at 95% there is none: the bench bootstraps
 * there, a view cannot, so its interval is NULL.
 */
export function orderStatisticRanks(max: number, confidence = 0.95): Array<{ n: number; k: number }> {
  const ranks: Array<{ n: number; k: number }> = [];
  for (let n = 2; n <= max; n++) {
    let term = Math.pow(0.5, n); // P(Binomial(n, ½) = k − 1)
    let below = term; // P(Binomial(n, ½) ≤ k − 1)
    let best: number | null = null;
    for (let k = 1; k <= Math.floor((n + 1) / 2) && 1 - 2 * below >= confidence; k++) {
      best = k;
      term = (term * (n - k + 1)) / k;
      below += term;
    }
    if (best !== null) ranks.push({ n, k: best });
  }
  return ranks;
}

/** The most slices a CPU share's interval is given for (a session's reference has a few dozen per scenario). */
export const CPU_SHARE_MAX_SLICES = 400;

/** The median of `value` over a group whose rows are ranked `rank` (1…`n`) by it: the middle one, or the mean of the middle two. */
const medianOf = (value: string, rank: string, n: string) => `AVG(CASE WHEN ${rank} IN ((${n} + 1) / 2, (${n} + 2) / 2) THEN ${value} END)`;

/** The sample coefficient of variation of `value` over a group (stdev with n − 1 over the mean), NULL below two values. */
const cvOf = (value: string) =>
  `CASE WHEN COUNT(${value}) > 1 THEN sqrt(max(0.0, (SUM(${value} * ${value}) - SUM(${value}) * SUM(${value}) / COUNT(${value})) / (COUNT(${value}) - 1))) / AVG(${value}) END`;

/** One yardstick's columns of cpu_shares, from the CTE `shares`. */
function cpuShareColumns(prefix: string, alias: string): string {
  return [`${alias}.share AS ${prefix}_cpu_share`, `${alias}.low AS ${prefix}_cpu_share_ci_low`, `${alias}.high AS ${prefix}_cpu_share_ci_high`, `${alias}.cv AS ${prefix}_cpu_share_cv`].join(', ');
}

/** The columns that name one subject's slices in a session (cpu_shares groups and pairs by them). */
const SLICE_GROUP = 'session_id, subject, experiment, scenario, settings_key';

const CPU_SHARES_VIEW = /* sql */ `
-- Each subject's CPU time per answer as a share of each yardstick's, from the slices of the
-- session the yardsticks view cites for it (its throughput ratios' session): per slice, the
-- yardstick's server CPU seconds per 2xx answer at that slice's place in the session's order
-- (log-linear between the yardstick's slices before and after it, the nearer at the ends, as
-- bench/stats/paired-ratio.ts pairs throughputs) over the subject's own; the median of those
-- slice ratios, its order-statistic 95% interval (NULL below 6 slices) and CV. > 1: the subject
-- spends less CPU per answer than the yardstick. A server's figure even where the load generator
-- set the rate (no slice is withheld for it; saturated_slices counts them), but at less than a
-- full core a server batches less per loop turn and pays more per answer: server_busy (its CPU
-- seconds per second of load, the window including the generator's start and stop) says how
-- busy each was. Clean slices only (status ok, not disturbed, CPU time recorded).
CREATE VIEW cpu_shares AS
  WITH ranks(n, k) AS (VALUES ${orderStatisticRanks(CPU_SHARE_MAX_SLICES).map(({ n, k }) => `(${n}, ${k})`).join(', ')}),
  slices AS MATERIALIZED (
    SELECT r.session_id, r.subject, r.experiment, r.scenario, r.settings_key, r.sequence AS position,
           r.server_cpu_seconds / r.successful_requests AS cpu, COALESCE(r.loadgen_saturated, 0) AS saturated,
           r.server_cpu_seconds * r.requests_per_second / r.successful_requests AS busy
    FROM runs r
    WHERE r.session_id IN (SELECT session_id FROM yardsticks) AND r.status = 'ok' AND r.disturbance IS NULL
      AND r.server_cpu_seconds > 0 AND r.successful_requests > 0 AND r.requests_per_second > 0),
  around AS (
    SELECT s.*, y.yardstick,
           MAX(CASE WHEN s.subject = y.yardstick AND s.experiment = '' THEN s.position END) OVER (
             PARTITION BY y.yardstick, s.session_id, s.scenario, s.settings_key ORDER BY s.position ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS before_position,
           MIN(CASE WHEN s.subject = y.yardstick AND s.experiment = '' THEN s.position END) OVER (
             PARTITION BY y.yardstick, s.session_id, s.scenario, s.settings_key ORDER BY s.position ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS after_position
    FROM slices s CROSS JOIN (SELECT 'nginx' AS yardstick UNION ALL SELECT 'reference') y),
  paired AS (
    SELECT a.yardstick, a.session_id, a.subject, a.experiment, a.scenario, a.settings_key,
           CASE WHEN b.cpu IS NULL THEN f.cpu WHEN f.cpu IS NULL OR f.position = b.position THEN b.cpu
                ELSE exp(ln(b.cpu) + (a.position - b.position) * (ln(f.cpu) - ln(b.cpu)) / (f.position - b.position)) END / a.cpu AS share
    FROM around a
    LEFT JOIN slices b ON b.session_id = a.session_id AND b.subject = a.yardstick AND b.experiment = '' AND b.scenario = a.scenario
      AND b.settings_key = a.settings_key AND b.position = a.before_position
    LEFT JOIN slices f ON f.session_id = a.session_id AND f.subject = a.yardstick AND f.experiment = '' AND f.scenario = a.scenario
      AND f.settings_key = a.settings_key AND f.position = a.after_position
    WHERE a.before_position IS NOT NULL OR a.after_position IS NOT NULL),
  ranked AS (
    SELECT p.*, ROW_NUMBER() OVER (PARTITION BY p.yardstick, ${SLICE_GROUP} ORDER BY p.share) AS i,
           COUNT(*) OVER (PARTITION BY p.yardstick, ${SLICE_GROUP}) AS n
    FROM paired p),
  shares AS (
    SELECT r.yardstick, ${SLICE_GROUP.split(', ').map((c) => `r.${c}`).join(', ')}, ${medianOf('r.share', 'r.i', 'r.n')} AS share,
           MAX(CASE WHEN r.i = k.k THEN r.share END) AS low, MAX(CASE WHEN r.i = r.n - k.k + 1 THEN r.share END) AS high, ${cvOf('r.share')} AS cv
    FROM ranked r LEFT JOIN ranks k ON k.n = r.n
    GROUP BY r.yardstick, ${SLICE_GROUP.split(', ').map((c) => `r.${c}`).join(', ')}),
  own AS (
    SELECT ${SLICE_GROUP}, COUNT(*) AS slices, SUM(saturated) AS saturated_slices,
           ${medianOf('cpu', 'cpu_rank', 'n')} AS cpu, ${medianOf('busy', 'busy_rank', 'n')} AS busy, ${cvOf('cpu')} AS cpu_cv,
           ROW_NUMBER() OVER (PARTITION BY session_id, subject, experiment, scenario ORDER BY COUNT(*) DESC, settings_key) AS pick
    FROM (SELECT s.*, ROW_NUMBER() OVER (PARTITION BY ${SLICE_GROUP} ORDER BY s.cpu) AS cpu_rank,
                 ROW_NUMBER() OVER (PARTITION BY ${SLICE_GROUP} ORDER BY s.busy) AS busy_rank, COUNT(*) OVER (PARTITION BY ${SLICE_GROUP}) AS n
          FROM slices s)
    GROUP BY ${SLICE_GROUP})
  SELECT y.tag, y.chapter_number, y.kind, y.experiment, y.scenario, o.slices, o.saturated_slices,
         printf('%d of %d', o.saturated_slices, o.slices) AS saturated_text,
         1e6 * o.cpu AS cpu_us_per_request, o.cpu_cv, o.busy AS server_busy,
         ${cpuShareColumns('nginx', 'ng')}, ${cpuShareColumns('node', 'nd')},
         y.nginx_ratio, y.node_ratio, y.session_id, y.machine
  FROM yardsticks y
  JOIN own o ON o.session_id = y.session_id AND o.subject = y.tag AND o.experiment = y.experiment AND o.scenario = y.scenario AND o.pick = 1
  LEFT JOIN shares ng ON ng.yardstick = 'nginx' AND ng.session_id = o.session_id AND ng.subject = o.subject AND ng.experiment = o.experiment
    AND ng.scenario = o.scenario AND ng.settings_key = o.settings_key
  LEFT JOIN shares nd ON nd.yardstick = 'reference' AND nd.session_id = o.session_id AND nd.subject = o.subject AND nd.experiment = o.experiment
    AND nd.scenario = o.scenario AND nd.settings_key = o.settings_key;
`;

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
${CPU_SHARES_VIEW}
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
