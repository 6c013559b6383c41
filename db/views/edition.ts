/**
 * Views over editions (bench/edition/): an edition is one bench session that measured
 * everything the book cites, at one harness commit, marked by `settings_json.edition`
 * (its plan, its parts, the cost session it ran). The book compares only within the
 * latest complete edition of the comparison machine; older editions stay as history,
 * and the spread of a figure between editions is the noise an erratum is judged against.
 *
 * Names agreed with the book's views (helper "authoring" builds on them): `edition`,
 * `edition_summaries`, `edition_ratios`.
 */

/** Sessions that are editions (alias se). */
const IS_EDITION = `json_extract(se.settings_json, '$.edition') IS NOT NULL`;

export const EDITION_VIEWS_SQL = /* sql */ `
-- One row per edition, newest first: its session, machine, harness commit, whether it is
-- complete (every planned part measured, and the plan was the whole book's), and whether it is the one the book cites (the
-- latest complete edition of the comparison machine).
CREATE VIEW edition AS
  SELECT se.id AS session_id, se.id AS edition_id, se.status,
         se.status = 'complete' AND json_extract(se.settings_json, '$.edition.whole_book') = 1 AS complete,
         json_extract(se.settings_json, '$.edition.whole_book') AS whole_book,
         se.started_at, se.finished_at, se.harness_commit, se.harness_dirty,
         json_extract(se.settings_json, '$.edition.plan_seconds') AS planned_seconds,
         json_extract(se.settings_json, '$.edition.cost_session_id') AS cost_session_id,
         (SELECT COUNT(*) FROM runs r WHERE r.session_id = se.id) AS runs,
         (SELECT COUNT(*) FROM runs r WHERE r.session_id = se.id AND r.disturbance IS NOT NULL) AS disturbed_runs,
         se.machine_fingerprint, m.cpu_model || ' · ' || m.cores || ' cores · ' || COALESCE(json_extract(m.details_json, '$.arch'), m.os) AS machine,
         m.cpu_model, m.cores,
         se.id IS (SELECT se2.id FROM sessions se2
                    WHERE json_extract(se2.settings_json, '$.edition.whole_book') = 1 AND se2.status = 'complete'
                      AND se2.machine_fingerprint = (SELECT fingerprint FROM comparison_machine)
                    ORDER BY se2.started_at DESC, se2.id DESC LIMIT 1) AS is_cited
  FROM sessions se JOIN machine_info m ON m.fingerprint = se.machine_fingerprint
  WHERE ${IS_EDITION}
  ORDER BY se.started_at DESC, se.id DESC;

-- Every summary of the edition the book cites (the latest complete edition of the
-- comparison machine): the one source of a page's comparisons.
CREATE VIEW edition_summaries AS
  SELECT s.*, e.started_at AS edition_started_at, e.harness_commit, e.machine, e.machine_fingerprint
  FROM summaries s JOIN edition e ON e.session_id = s.session_id
  WHERE e.is_cited = 1;

-- Each subject's ratio to the reference in every complete edition of the comparison machine,
-- numbered from the oldest (edition_number 1): what an erratum compares, edition with edition,
-- against the spread of the same figure over the editions.
CREATE VIEW edition_ratios AS
  SELECT s.subject, s.experiment, s.scenario, s.ratio_median, s.ratio_ci_low, s.ratio_ci_high, s.ratio_note,
         s.rps_median, s.session_id, e.started_at, e.harness_commit,
         (SELECT COUNT(*) FROM edition e2 WHERE e2.complete = 1 AND e2.machine_fingerprint = e.machine_fingerprint
            AND (e2.started_at < e.started_at OR (e2.started_at = e.started_at AND e2.session_id <= e.session_id))) AS edition_number,
         e.machine, e.machine_fingerprint
  FROM summaries s JOIN edition e ON e.session_id = s.session_id
  WHERE e.complete = 1 AND e.machine_fingerprint = (SELECT fingerprint FROM comparison_machine) AND s.subject <> 'reference';
`;

export const EDITION_VIEWS = ['edition', 'edition_summaries', 'edition_ratios'] as const;
