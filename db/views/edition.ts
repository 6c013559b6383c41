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

/**
 * The rows of the session the book cites, for a view whose rows carry `column` (a session id):
 * the cited edition's (view `cited_edition`) once one exists; before the first complete edition
 * of the comparison machine, every session's, so each view keeps its older choice (the latest
 * session per subject, as history) and the pages say that no edition is cited yet. The switch
 * to the edition needs no step: committing a complete edition makes every book view read it.
 */
export function inCitedSession(column: string): string {
  return `${column} = COALESCE((SELECT session_id FROM cited_edition), ${column})`;
}

/**
 * What a view needs of an edition's record (settings_json.edition), kept small in `meta`
 * under the key `edition:<session id>`: whole_book, plan_seconds, cost_session_id and the cost
 * sessions per chapter. Why not read settings_json in the views: an edition's settings carry
 * every part's settings, the mix's 100,000 paths among them (28 MB in session 32), and SQLite
 * reads a value that large whole (about half a second here) every time a view looks at it,
 * so a page of queries over `cited_edition` took minutes. The triggers keep the marks as the
 * bench writes a session (a merge inserts sessions, and so marks them too; `meta` itself is
 * never merged); `EDITION_MARKS_BACKFILL` marks the sessions written before them, once.
 */
const EDITION_MARK = (row: string) =>
  `json_object('whole_book', json_extract(${row}.settings_json, '$.edition.whole_book'), 'plan_seconds', json(json_extract(${row}.settings_json, '$.edition.plan_seconds')),
     'cost_session_id', json_extract(${row}.settings_json, '$.edition.cost_session_id'), 'cost_sessions', json(json_extract(${row}.settings_json, '$.edition.cost.sessions')))`;
const IS_EDITION_SETTINGS = (row: string) => `${row}.settings_json LIKE '{"edition":{%'`;

export const EDITION_MARKS_SQL = /* sql */ `
CREATE TRIGGER edition_mark_insert AFTER INSERT ON sessions WHEN ${IS_EDITION_SETTINGS('NEW')} BEGIN
  INSERT OR REPLACE INTO meta(key, value) VALUES ('edition:' || NEW.id, ${EDITION_MARK('NEW')});
END;
CREATE TRIGGER edition_mark_update AFTER UPDATE OF settings_json ON sessions WHEN ${IS_EDITION_SETTINGS('NEW')} BEGIN
  INSERT OR REPLACE INTO meta(key, value) VALUES ('edition:' || NEW.id, ${EDITION_MARK('NEW')});
END;
CREATE TRIGGER edition_mark_delete AFTER DELETE ON sessions BEGIN
  DELETE FROM meta WHERE key = 'edition:' || OLD.id;
END;
CREATE VIEW edition_marks AS
  SELECT CAST(substr(key, 9) AS INTEGER) AS session_id, json_extract(value, '$.whole_book') AS whole_book,
         json_extract(value, '$.plan_seconds') AS plan_seconds, json_extract(value, '$.cost_session_id') AS cost_session_id,
         json_extract(value, '$.cost_sessions') AS cost_sessions_json
  FROM meta WHERE key LIKE 'edition:%';
`;

/** Marks the editions among sessions not yet looked at (meta 'edition_marks_through': the highest id looked at). */
export const EDITION_MARKS_BACKFILL = /* sql */ `
INSERT OR REPLACE INTO meta(key, value)
  SELECT 'edition:' || se.id, ${EDITION_MARK('se')} FROM sessions se
  WHERE se.id > COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'edition_marks_through'), 0) AND ${IS_EDITION_SETTINGS('se')};
INSERT OR REPLACE INTO meta(key, value) SELECT 'edition_marks_through', MAX(id) FROM sessions HAVING MAX(id) IS NOT NULL;
`;

export const EDITION_VIEWS_SQL = /* sql */ `
-- One row per edition, newest first: its session, machine, harness commit, whether it is
-- complete (every planned part measured, and the plan was the whole book's), and whether it is the one the book cites (the
-- latest complete edition of the comparison machine).
CREATE VIEW edition AS
  SELECT se.id AS session_id, se.id AS edition_id, se.status,
         se.status = 'complete' AND em.whole_book = 1 AS complete,
         em.whole_book,
         se.started_at, se.finished_at, se.harness_commit, se.harness_dirty,
         em.plan_seconds AS planned_seconds,
         em.cost_session_id,
         (SELECT COUNT(*) FROM runs r WHERE r.session_id = se.id) AS runs,
         (SELECT COUNT(*) FROM runs r WHERE r.session_id = se.id AND r.disturbance IS NOT NULL) AS disturbed_runs,
         se.machine_fingerprint, m.cpu_model || ' · ' || m.cores || ' cores · ' || COALESCE(json_extract(m.details_json, '$.arch'), m.os) AS machine,
         m.cpu_model, m.cores,
         se.id IS (SELECT session_id FROM cited_edition) AS is_cited
  FROM edition_marks em JOIN sessions se ON se.id = em.session_id JOIN machine_info m ON m.fingerprint = se.machine_fingerprint
  ORDER BY se.started_at DESC, se.id DESC;

-- The edition the book cites, one row, none before the first complete edition of the comparison
-- machine: every comparison on a page comes from this session (inCitedSession), and its cost
-- counts from the cost sessions it names per chapter (cost_sessions_json: {"tag": session}).
CREATE VIEW cited_edition AS
  SELECT se.id AS session_id, se.started_at, se.finished_at, se.harness_commit, se.harness_dirty, se.machine_fingerprint,
         m.cpu_model || ' · ' || m.cores || ' cores · ' || COALESCE(json_extract(m.details_json, '$.arch'), m.os) AS machine,
         em.cost_session_id, em.cost_sessions_json,
         'the edition of ' || substr(se.started_at, 1, 10) || ' (session ' || se.id || ', ' || m.cpu_model || ')' AS label
  FROM edition_marks em JOIN sessions se ON se.id = em.session_id JOIN machine_info m ON m.fingerprint = se.machine_fingerprint
  WHERE em.whole_book = 1 AND se.status = 'complete' AND se.machine_fingerprint = (SELECT fingerprint FROM comparison_machine)
  ORDER BY se.started_at DESC, se.id DESC LIMIT 1;

-- Every summary of the edition the book cites (the latest complete edition of the
-- comparison machine): the one source of a page's comparisons.
CREATE VIEW edition_summaries AS
  SELECT s.*, e.started_at AS edition_started_at, e.harness_commit, e.machine, e.machine_fingerprint
  FROM summaries s JOIN cited_edition e ON e.session_id = s.session_id;

-- The complete editions of the comparison machine, numbered from the oldest (edition_number 1):
-- what a page or the errata compares edition with edition (edition_ratios, edition_capacities).
-- harness: the harness tree where recorded, else the commit — two editions with the same one
-- measured with the same harness, whatever else changed between their commits.
CREATE VIEW comparison_editions AS
  SELECT se.id AS session_id, se.started_at, se.harness_commit, COALESCE(se.harness_tree, se.harness_commit) AS harness, se.machine_fingerprint,
         ROW_NUMBER() OVER (ORDER BY se.started_at, se.id) AS edition_number
    FROM edition_marks em JOIN sessions se ON se.id = em.session_id
   WHERE em.whole_book = 1 AND se.status = 'complete' AND se.machine_fingerprint = (SELECT fingerprint FROM comparison_machine);

-- Each subject's ratio to the reference in every complete edition of the comparison machine:
-- what an erratum compares, edition with edition, against the spread of the same figure
-- between editions.
CREATE VIEW edition_ratios AS
  SELECT s.subject, s.experiment, s.scenario, s.ratio_median, s.ratio_ci_low, s.ratio_ci_high, s.ratio_note,
         s.rps_median, s.session_id, c.started_at, c.harness_commit, c.harness, c.edition_number,
         m.cpu_model || ' · ' || m.cores || ' cores · ' || COALESCE(json_extract(m.details_json, '$.arch'), m.os) AS machine, c.machine_fingerprint
  FROM summaries s JOIN comparison_editions c ON c.session_id = s.session_id JOIN machine_info m ON m.fingerprint = c.machine_fingerprint
  WHERE s.subject <> 'reference';
`;

export const EDITION_VIEWS = ['edition', 'cited_edition', 'edition_summaries', 'comparison_editions', 'edition_ratios'] as const;
