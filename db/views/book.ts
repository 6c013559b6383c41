/**
 * The selections every chapter of a book makes, defined once (spec: docs/spec/directives.md,
 * "Views for authors"), so a page asks for a figure instead of pasting the SQL that finds it:
 *
 * - `latest_edition`: which session is the latest edition of each chapter × experiment ×
 *   scenario. The ONE place that says what "latest" means; everything below builds on it.
 * - `session_figures`: a chapter's figures in every complete bench session that measured it.
 * - `edition_figures`: those of the latest edition only.
 * - `chapter_vs_parent` / `chapter_vs_first`: a chapter against the chapter before it / against
 *   chapter 1, both figures from ONE session (the latest that measured both), never a ratio of
 *   two sessions.
 * - `reference_shares`: a chapter's share of the reference server's throughput measured
 *   beside it (the reference of each scenario), latest edition.
 * - `latest_vs_earlier`: the latest chapter against every earlier one, both from the latest
 *   edition, and whether its 95% interval lies wholly below theirs (the book's "slower").
 * - `cost_per_request`: the server's CPU time per answered request in the latest edition
 *   (its recorded CPU seconds ÷ its 2xx answers, over the edition's runs), and what a million
 *   requests cost at CORE_HOUR_PRICE_USD.
 *
 * All on the comparison machine (schema.ts), so each row's `machine` says where.
 */

import { inCitedSession } from './edition.ts';

/** Summaries of complete bench sessions on the comparison machine; one row per session × subject × experiment × scenario (the summary with the most runs when settings differed). */
const SESSION_SUMMARIES = /* sql */ `
  SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.session_id, s.subject, s.experiment, s.scenario ORDER BY s.runs DESC, s.settings_key) AS pick
  FROM summaries s JOIN sessions se ON se.id = s.session_id
  WHERE se.kind = 'bench' AND se.status = 'complete' AND s.runs > 0 AND s.rps_median IS NOT NULL
    AND se.machine_fingerprint = (SELECT fingerprint FROM comparison_machine)`;

/** `chapter_vs_parent` and `chapter_vs_first` differ only in which chapter is the other one. */
function comparisonView(name: string, otherChapter: string): string {
  return /* sql */ `
CREATE VIEW ${name} AS
  SELECT f.tag, c.chapter_number, o.tag AS other_tag, f.experiment, f.scenario, f.session_id,
         f.rps_median AS rps, f_o.rps_median AS other_rps, f.rps_median / f_o.rps_median AS speedup,
         100.0 * (f.rps_median / f_o.rps_median - 1.0) AS improvement_percent,
         f.p99_latency_us, f_o.p99_latency_us AS other_p99_latency_us, f.machine
  FROM session_figures f JOIN chapters c ON c.tag = f.tag JOIN chapters o ON o.chapter_number = ${otherChapter}
  JOIN session_figures f_o ON f_o.session_id = f.session_id AND f_o.tag = o.tag AND f_o.experiment = '' AND f_o.scenario = f.scenario
  WHERE (o.tag <> f.tag OR f.experiment <> '')
    AND f.session_id = (
      SELECT MAX(g.session_id) FROM session_figures g JOIN session_figures g_o
        ON g_o.session_id = g.session_id AND g_o.tag = o.tag AND g_o.experiment = '' AND g_o.scenario = g.scenario
      WHERE g.tag = f.tag AND g.experiment = f.experiment AND g.scenario = f.scenario AND ${inCitedSession('g.session_id')});
`;
}

/**
 * The price of one CPU-hour (one CPU as the operating system counts it: a vCPU on a cloud
 * machine), in US dollars — an assumption, not a measurement: AWS's on-demand list price of
 * an m7i.large (2 vCPUs, general purpose, us-east-1, Linux) in 2026, $0.1008 an hour, halved.
 * The appendix on operating the service states it beside every cost it shows.
 */
export const CORE_HOUR_PRICE_USD = 0.0504;

export const AUTHORING_VIEWS_SQL = /* sql */ `
-- What "the latest edition" is: the session of the edition the book cites (cited_edition) for
-- every chapter × experiment × scenario it measured; before the first complete edition, the
-- latest complete bench session on the comparison machine that measured each (history).
CREATE VIEW latest_edition AS
  SELECT subject AS tag, experiment, scenario, MAX(session_id) AS session_id
  FROM (${SESSION_SUMMARIES}) WHERE ${inCitedSession('session_id')} GROUP BY subject, experiment, scenario;

CREATE VIEW session_figures AS
  SELECT s.subject AS tag, ch.chapter_number, s.experiment, s.scenario, s.session_id, s.runs,
         s.rps_median, s.rps_ci_low, s.rps_ci_high,
         CASE WHEN s.rps_ci_low IS NULL OR s.rps_ci_high IS NULL THEN NULL
              ELSE printf('%,d to %,d', round(s.rps_ci_low), round(s.rps_ci_high)) END AS rps_ci,
         s.rps_cv, s.ratio_median AS reference_ratio, s.ratio_ci_low, s.ratio_ci_high, s.ratio_note,
         s.avg_latency_us, s.p50_latency_us, s.p90_latency_us, s.p99_latency_us, s.max_latency_us,
         s.capacity_connections, s.capacity_rps, cm.machine
  FROM (${SESSION_SUMMARIES}) s LEFT JOIN chapters ch ON ch.tag = s.subject CROSS JOIN comparison_machine cm
  WHERE s.pick = 1;

CREATE VIEW edition_figures AS
  SELECT f.* FROM session_figures f
  JOIN latest_edition le ON le.tag = f.tag AND le.experiment = f.experiment AND le.scenario = f.scenario AND le.session_id = f.session_id;

${comparisonView('chapter_vs_parent', 'c.chapter_number - 1')}
${comparisonView('chapter_vs_first', '(SELECT MIN(chapter_number) FROM chapters)')}

CREATE VIEW reference_shares AS
  SELECT tag, chapter_number, experiment, scenario, session_id, reference_ratio AS share,
         100.0 * reference_ratio AS percent, ratio_ci_low AS share_ci_low, ratio_ci_high AS share_ci_high, ratio_note AS note,
         CASE WHEN reference_ratio IS NOT NULL THEN printf('%.1f%%', 100.0 * reference_ratio)
              WHEN ratio_note IS NOT NULL THEN 'withheld — ' || ratio_note END AS share_text,
         machine
  FROM edition_figures WHERE tag <> 'reference';

-- The latest chapter (the last of the chapter list) against each earlier chapter, the chapters as
-- tagged, per scenario, both from edition_figures. slower = 1 when the latest chapter's 95%
-- interval lies wholly below the earlier one's: the paired ratio to the reference where both have
-- one (basis 'ratio'), else requests per second (basis 'rps'). No rows until the latest chapter
-- is measured.
CREATE VIEW latest_vs_earlier AS
  SELECT l.tag, l.chapter_number, l.scenario, e.tag AS other_tag, e.chapter_number AS other_chapter_number,
         CASE WHEN l.ratio_ci_high IS NOT NULL AND e.ratio_ci_low IS NOT NULL THEN 'ratio' ELSE 'rps' END AS basis,
         l.reference_ratio AS ratio, l.ratio_ci_low, l.ratio_ci_high,
         e.reference_ratio AS other_ratio, e.ratio_ci_low AS other_ratio_ci_low, e.ratio_ci_high AS other_ratio_ci_high,
         l.rps_median AS rps, l.rps_ci_low, l.rps_ci_high, e.rps_median AS other_rps, e.rps_ci_low AS other_rps_ci_low, e.rps_ci_high AS other_rps_ci_high,
         CASE WHEN l.ratio_ci_high IS NOT NULL AND e.ratio_ci_low IS NOT NULL THEN l.ratio_ci_high < e.ratio_ci_low
              ELSE l.rps_ci_high < e.rps_ci_low END AS slower,
         l.session_id, e.session_id AS other_session_id, l.machine
  FROM edition_figures l JOIN edition_figures e ON e.experiment = '' AND e.scenario = l.scenario AND e.chapter_number < l.chapter_number
  WHERE l.experiment = '' AND l.chapter_number = (SELECT MAX(chapter_number) FROM chapters);

-- CPU time the server used per 2xx answer: the run's server CPU seconds (its whole process
-- tree, user + system) over its successful requests, summed over the edition's runs.
CREATE VIEW cost_per_request AS
  SELECT le.tag, ch.chapter_number, le.experiment, le.scenario, le.session_id, COUNT(*) AS runs,
         SUM(r.server_cpu_seconds) AS server_cpu_seconds, SUM(r.successful_requests) AS requests,
         SUM(r.server_cpu_seconds) / SUM(r.successful_requests) AS cpu_seconds_per_request,
         ${CORE_HOUR_PRICE_USD} AS core_hour_price_usd,
         1e6 * SUM(r.server_cpu_seconds) / SUM(r.successful_requests) / 3600.0 * ${CORE_HOUR_PRICE_USD} AS usd_per_million_requests,
         cm.machine
  FROM latest_edition le
  JOIN runs r ON r.session_id = le.session_id AND r.subject = le.tag AND r.experiment = le.experiment AND r.scenario = le.scenario
  LEFT JOIN chapters ch ON ch.tag = le.tag CROSS JOIN comparison_machine cm
  WHERE r.status = 'ok' AND r.server_cpu_seconds IS NOT NULL AND r.successful_requests > 0
  GROUP BY le.tag, le.experiment, le.scenario, le.session_id;
`;

/** The names above, for the list of views books may query (schema.ts BOOK_VIEWS). */
export const AUTHORING_VIEWS = ['latest_edition', 'session_figures', 'edition_figures', 'chapter_vs_parent', 'chapter_vs_first', 'reference_shares', 'latest_vs_earlier', 'cost_per_request'] as const;
