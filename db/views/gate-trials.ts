/**
 * The view of the gate's trials (bench/gate/trials.ts, table gate_trial_runs): how often the
 * regression gate alarms on identical trees and how often it catches a head made slower.
 * Registered in db/schema.ts (`VIEWS`, `BOOK_VIEWS`).
 */
export const GATE_TRIAL_VIEW_NAMES = ['gate_trials'] as const;

export const GATE_TRIAL_VIEWS = /* sql */ `
-- Every complete trials session on the comparison machine, one row per case: its gate runs and
-- their verdicts, how many the instruction count decided, the range of the head/base
-- instruction and throughput ratios, and the slowest run. target is what the trials ran on: the
-- server at a commit (--server) or the tiny work server. Newest session first.
CREATE VIEW gate_trials AS
  SELECT g.session_id, se.started_at, se.finished_at, se.harness_commit,
         COALESCE(json_extract(se.settings_json, '$.server_commit'), 'the tiny work server') AS target,
         g.case_name, MAX(g.slowdown) AS slowdown, COUNT(*) AS runs,
         SUM(g.verdict = 'fail') AS fails, SUM(g.verdict = 'pass') AS passes, SUM(g.verdict = 'inconclusive') AS inconclusive,
         SUM(g.verdict NOT IN ('fail', 'pass', 'inconclusive')) AS errors, SUM(g.decided_by = 'instructions') AS decided_by_instructions,
         MIN(g.instructions_ratio) AS instructions_ratio_low, MAX(g.instructions_ratio) AS instructions_ratio_high,
         MIN(g.throughput_ratio) AS throughput_ratio_low, MAX(g.throughput_ratio) AS throughput_ratio_high,
         MAX(g.seconds) AS slowest_seconds, cm.machine
  FROM gate_trial_runs g JOIN sessions se ON se.id = g.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  WHERE se.kind = 'gate-trials' AND se.status = 'complete'
  GROUP BY g.session_id, g.case_name
  ORDER BY g.session_id DESC, MAX(g.slowdown);
`;
