/**
 * Issue 23's tables and views: capacity against the service's objective, the latency tail,
 * the soak. Registered in db/schema.ts (its tables are series kinds, its views are created
 * with the others). Written by the scenarios capacity-*, soak, overload-mix and
 * ingest-mix-overload (bench/scenarios/); every latency from the open-loop generator, from
 * the request's intended send time (no coordinated omission).
 */
import { integer, real, table, text } from '../table.ts';
import { inCitedSession } from './edition.ts';

/** Where a sample comes from (the same columns as every series of db/schema.ts). */
const source = {
  run_id: integer('REFERENCES runs(id)'),
  session_id: integer('REFERENCES sessions(id)'),
  subject: text(),
  experiment: text("NOT NULL DEFAULT ''"),
  scenario: text(),
};

/** One rate the capacity search offered (open loop, one step), and whether it met the objective. */
export const capacityProbes = table('capacity_probes', {
  ...source,
  request_set: text('NOT NULL'), // hot | mix | wide: which requests were offered
  round: integer('NOT NULL'), // the session's round (one search per round)
  probe_index: integer('NOT NULL'), // order within the round's search
  offered_rate: real('NOT NULL'), // planned requests per second
  measured_seconds: integer('NOT NULL'), // the step's seconds after its settling ones
  goodput_rps: real(), // 2xx per second over the measured seconds
  error_rate: real(), // (offered − 2xx) / offered over the measured seconds: rejections, failures and the unanswered
  p99_latency_us: real(), // of the served requests of the measured seconds
  p999_latency_us: real(),
  max_latency_us: real(),
  objective_p99_us: real('NOT NULL'),
  objective_error_rate: real('NOT NULL'),
  meets: integer('NOT NULL'), // 1: p99 and errors within the objective, generator on time
  generator_behind: integer('NOT NULL'), // 1: the generator sent late: the probe is its figure, not the server's (meets = 0)
  verdict: text('NOT NULL'), // why it did or did not meet the objective
  max_send_lag_us: real(), // the worst send behind its intended time in the measured seconds (the generator's lateness under its tolerance too); NULL before 2026-12-07
  generator_cpu_share: real(), // the generator thread's CPU seconds ÷ the probe's wall seconds; NULL before 2026-12-07
});

/**
 * A latency histogram of one open-loop run: HdrHistogram log-linear buckets (1 significant
 * digit, ~6% wide), every served request counted. `part` says which part of a scenario it is
 * (capacity: the probe at the capacity; soak: the whole soak).
 */
export const latencyHistograms = table('latency_histograms', {
  ...source,
  part: text('NOT NULL'),
  lower_us: real('NOT NULL'), // bucket [lower_us, upper_us)
  upper_us: real('NOT NULL'),
  count: integer('NOT NULL'),
});

/** The soak, one row a second: the client's view beside the server's memory and cache. */
export const soakSamples = table('soak_samples', {
  ...source,
  elapsed_seconds: real('NOT NULL'), // end of the second, from the first send
  offered_rps: real(),
  completed_rps: real(),
  error_rate: real(), // non-2xx and failures / requests that ended in the second
  p99_latency_us: real(),
  p999_latency_us: real(),
  max_latency_us: real(),
  server_rss_bytes: integer(), // resident memory of the server's processes (summed), read at the end of the second
  cache_entries: integer(), // the response cache's size from the server's report (/health data.cache), NULL without one
  cache_bytes: integer(),
  generator_behind: integer(), // 1: the generator sent late in this second: not the server's figure
});

export const TAILS_SERIES = { capacity_probes: capacityProbes, latency_histogram: latencyHistograms, soak: soakSamples } as const;

export const TAILS_VIEW_NAMES = [
  'objective_capacity',
  'mix_capacity',
  'edition_capacities',
  'edition_capacity_noise',
  'capacity_noise',
  'capacity_comparison',
  'capacity_probe_series',
  'latency_histogram',
  'soak_series',
] as const;

export const TAILS_VIEWS = /* sql */ `
-- Each chapter's capacity against the objective per request set: the highest offered rate that
-- met it, per round of the latest session per subject × experiment × request set on the
-- comparison machine — the cited edition's when there is one, so the capacities beside its
-- other figures are its own (mean over rounds, and the rounds' range). NULL when no rate met it.
CREATE VIEW objective_capacity AS
  SELECT p.subject AS tag, ch.chapter_number, p.experiment, p.request_set, p.scenario,
         MAX(p.objective_p99_us) / 1000.0 AS objective_p99_ms, MAX(p.objective_error_rate) AS objective_error_rate,
         COUNT(DISTINCT p.round) AS rounds, MIN(best.rate) AS capacity_low, MAX(best.rate) AS capacity_high,
         AVG(best.rate) AS capacity_mean, MAX(p.generator_behind) AS generator_limited, p.session_id, cm.machine
  FROM capacity_probes p JOIN sessions se ON se.id = p.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  LEFT JOIN chapters ch ON ch.tag = p.subject
  LEFT JOIN (SELECT session_id, subject, experiment, scenario, round, MAX(offered_rate) AS rate FROM capacity_probes WHERE meets = 1
             GROUP BY session_id, subject, experiment, scenario, round) best
    ON best.session_id = p.session_id AND best.subject = p.subject AND best.experiment = p.experiment AND best.scenario = p.scenario
       AND best.round = p.round
  WHERE p.session_id = (
    SELECT MAX(p2.session_id) FROM capacity_probes p2 JOIN sessions se2 ON se2.id = p2.session_id
    WHERE p2.subject = p.subject AND p2.experiment = p.experiment AND p2.request_set = p.request_set
      AND se2.machine_fingerprint = se.machine_fingerprint AND ${inCitedSession('p2.session_id')})
  GROUP BY p.session_id, p.subject, p.experiment, p.request_set, p.scenario;

-- The one capacity every chapter page states: the chapter as tagged (no experiment) on the mix
-- (capacity-mix), its highest round; a page reads one number without repeating the filters.
CREATE VIEW mix_capacity AS
  SELECT tag, chapter_number, capacity_high AS capacity_rps, generator_limited,
         CASE WHEN capacity_high IS NULL THEN 'no offered rate met the objective'
              ELSE (CASE WHEN generator_limited = 1 THEN 'at least ' ELSE '' END) || printf('%,d', capacity_high) END AS capacity_text,
         session_id, machine
  FROM objective_capacity WHERE request_set = 'mix' AND scenario = 'capacity-mix' AND experiment = '';

-- Each subject's capacity on the mix (its highest round) in every complete edition of the
-- comparison machine: one chapter's capacity edition by edition, and what capacity_noise
-- measures a search's spread from. NULL where no rate met the objective; generator_limited
-- where the generator fell behind in the search (the capacity a lower bound, as in objective_capacity).
CREATE VIEW edition_capacities AS
  SELECT p.subject AS tag, p.experiment, e.edition_number, p.session_id, e.started_at, e.harness_commit,
         MAX(CASE WHEN p.meets = 1 THEN p.offered_rate END) AS capacity_rps, MAX(p.generator_behind) AS generator_limited
    FROM capacity_probes p JOIN comparison_editions e ON e.session_id = p.session_id
   WHERE p.request_set = 'mix' AND p.scenario = 'capacity-mix'
   GROUP BY p.session_id, p.subject, p.experiment;

-- How far one capacity search lands from the last, judged as the errata page judges ratios, per
-- complete edition of the comparison machine: every subject with a capacity in it and in the
-- edition before, d = ln(this ÷ previous); spread = √(mean d² ÷ 2), one search's own; band =
-- e^(2√2·spread) − 1, the factor two capacities must differ by beyond 1 to be told apart (two
-- chapters of one edition, or one chapter in two editions). The two editions may differ in
-- harness as well as in day, so the band is, if anything, wider than the search's own noise:
-- a difference that clears it is not the search's. A capacity the generator limited (a lower
-- bound) is left out: how far a bound moves is the generator's, not the search's. No row for an
-- edition that shares no subject with the one before.
CREATE VIEW edition_capacity_noise AS
  SELECT edition_number, pairs, spread, exp(2 * sqrt(2) * spread) - 1 AS band, session_id, previous_session_id
    FROM (SELECT edition_number, COUNT(*) AS pairs, sqrt(AVG(d * d) / 2) AS spread, MAX(session_id) AS session_id, MAX(previous_session_id) AS previous_session_id
            FROM (SELECT l.edition_number, ln(l.capacity_rps / p.capacity_rps) AS d, l.session_id, p.session_id AS previous_session_id
                    FROM edition_capacities l JOIN edition_capacities p ON p.tag = l.tag AND p.experiment = l.experiment AND p.edition_number = l.edition_number - 1
                   WHERE l.capacity_rps > 0 AND p.capacity_rps > 0 AND l.generator_limited = 0 AND p.generator_limited = 0)
           GROUP BY edition_number);

-- The noise the book's comparisons of capacities use: the latest complete edition's against the one before.
CREATE VIEW capacity_noise AS
  SELECT pairs, spread, band, session_id, previous_session_id FROM edition_capacity_noise
   WHERE edition_number = (SELECT MAX(edition_number) FROM comparison_editions);

-- Two capacities of the book's session side by side (each a chapter or an experiment), their
-- ratio and whether capacity_noise tells them apart: 'above', 'below', 'not told apart', or
-- 'no noise measured yet'. A page states a comparison of capacities through this verdict.
CREATE VIEW capacity_comparison AS
  SELECT a.tag, a.experiment, b.tag AS other_tag, b.experiment AS other_experiment,
         a.capacity_high AS capacity_rps, b.capacity_high AS other_capacity_rps, a.capacity_high / b.capacity_high AS ratio, n.band,
         CASE WHEN a.capacity_high IS NULL OR b.capacity_high IS NULL THEN NULL
              WHEN n.band IS NULL THEN 'no noise measured yet'
              WHEN a.capacity_high / b.capacity_high > 1 + n.band THEN 'above'
              WHEN b.capacity_high / a.capacity_high > 1 + n.band THEN 'below'
              ELSE 'not told apart' END AS verdict,
         a.session_id
    FROM objective_capacity a JOIN objective_capacity b ON b.request_set = a.request_set AND b.scenario = a.scenario AND b.session_id = a.session_id
    LEFT JOIN capacity_noise n ON 1
   WHERE a.request_set = 'mix' AND a.scenario = 'capacity-mix';

CREATE VIEW capacity_probe_series AS
  SELECT p.subject AS tag, p.experiment, p.scenario, p.request_set, p.round, p.probe_index, p.offered_rate, p.measured_seconds,
         p.goodput_rps, p.error_rate, p.p99_latency_us, p.p999_latency_us, p.max_latency_us, p.objective_p99_us,
         p.objective_error_rate, p.meets, p.generator_behind, p.verdict, p.max_send_lag_us, p.generator_cpu_share, p.session_id, cm.machine
  FROM capacity_probes p JOIN sessions se ON se.id = p.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint;

-- The latest session's histogram per subject × experiment × scenario × part; share = count / all.
-- The capacity probes' from the cited edition when there is one; the soak's from its own session
-- (a soak is a command of its own, never part of an edition).
CREATE VIEW latency_histogram AS
  SELECT h.subject AS tag, ch.chapter_number, h.experiment, h.scenario, h.part, h.lower_us, h.upper_us,
         h.lower_us / 1000.0 AS lower_ms, h.upper_us / 1000.0 AS upper_ms, SUM(h.count) AS count,
         SUM(h.count) * 1.0 / (SELECT SUM(h3.count) FROM latency_histograms h3 WHERE h3.session_id = h.session_id
           AND h3.subject = h.subject AND h3.experiment = h.experiment AND h3.scenario = h.scenario AND h3.part = h.part) AS share,
         h.session_id, cm.machine
  FROM latency_histograms h JOIN sessions se ON se.id = h.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  LEFT JOIN chapters ch ON ch.tag = h.subject
  WHERE h.session_id = (
    SELECT MAX(h2.session_id) FROM latency_histograms h2 JOIN sessions se2 ON se2.id = h2.session_id
    WHERE h2.subject = h.subject AND h2.experiment = h.experiment AND h2.scenario = h.scenario AND h2.part = h.part
      AND se2.machine_fingerprint = se.machine_fingerprint AND (h2.scenario = 'soak' OR ${inCitedSession('h2.session_id')}))
  GROUP BY h.session_id, h.subject, h.experiment, h.scenario, h.part, h.lower_us, h.upper_us;

CREATE VIEW soak_series AS
  SELECT s.subject AS tag, s.experiment, s.scenario, s.elapsed_seconds, s.offered_rps, s.completed_rps, s.error_rate,
         s.p99_latency_us, s.p999_latency_us, s.max_latency_us, s.server_rss_bytes, s.server_rss_bytes / 1048576.0 AS server_rss_mib,
         s.cache_entries, s.cache_bytes, s.generator_behind, s.run_id, s.session_id, cm.machine
  FROM soak_samples s JOIN sessions se ON se.id = s.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  WHERE s.session_id = (
    SELECT MAX(s2.session_id) FROM soak_samples s2 JOIN sessions se2 ON se2.id = s2.session_id
    WHERE s2.subject = s.subject AND s2.experiment = s.experiment AND s2.scenario = s.scenario
      AND se2.status <> 'withdrawn' AND se2.machine_fingerprint = se.machine_fingerprint);
`;
