/**
 * The one schema of the benchmark database, shared by bench/ (which writes it)
 * and generator/ (which reads it).
 *
 * Tables hold what was measured, as measured; each is defined once below (db/table.ts)
 * with its row type beside it, so a new metric is one column here plus its producer.
 * Views expose the names that books query (see docs/spec/directives.md: versions,
 * version_progression, latest_baseline, commits, benchmark_runs, run_results,
 * the *_seconds series, machines, profile_top…; the original BookGen's one-series views,
 * benchmark_results and the *_series names, in db/views/kraft.ts). Nothing here invents a
 * number: a chapter that has no measurement has NULL figures in `versions`, and readers
 * must say so.
 *
 * One machine per comparison: every view that compares chapters takes all its figures
 * from one machine, `comparison_machine` — the one named by meta key
 * 'comparison_machine' when set, otherwise the machine of the most recent complete
 * bench session (or, when no session completed, of the most recent one) — and says
 * which in its `machine` column.
 *
 * Headline throughput (versions.baseline_rps) is defined once, here:
 *   the `rps_median` of the chapter's `hot` scenario summary (default experiment)
 *   from the most recent session on the comparison machine that measured the chapter.
 * improvement_percent compares that to the first chapter's headline, measured the same
 * way (preferring the first chapter from the same session); NULL for the first chapter.
 *
 * Migrations: an older database is upgraded when opened (applySchema): versioned steps
 * for what cannot be derived (a renamed table), then every column a table lacks is
 * added (ALTER TABLE ADD COLUMN).
 */
import type { Database } from 'sql.js';
import { AUTHORING_VIEWS, AUTHORING_VIEWS_SQL } from './views/book.ts';
import { EDITION_MARKS_BACKFILL, EDITION_MARKS_SQL, EDITION_VIEWS, EDITION_VIEWS_SQL, inCitedSession } from './views/edition.ts';
import { KRAFT_BOOK_VIEWS, KRAFT_VIEWS } from './views/kraft.ts';
import { YARDSTICK_VIEW_NAMES, YARDSTICK_VIEWS } from './views/yardsticks.ts';
import { FAIRNESS_VIEW_NAMES, FAIRNESS_VIEWS } from './views/fairness.ts';
import { GATE_TRIAL_VIEW_NAMES, GATE_TRIAL_VIEWS } from './views/gate-trials.ts';
import { addMissingColumns, createTableSql, integer, real, table, text, type NewRow, type Row, type Table } from './table.ts';
import { TAILS_SERIES, TAILS_VIEW_NAMES, TAILS_VIEWS } from './views/tails.ts';

export const SCHEMA_VERSION = 7;

/** The subject name used for the raw node:http reference server's runs (summaries.ratio_* are against it). */
export const REFERENCE_SUBJECT = 'reference';
/** The subject name of the second yardstick's runs: nginx serving the same bytes (bench/reference/nginx.ts). */
export const NGINX_SUBJECT = 'nginx';

export const meta = table('meta', { key: text('PRIMARY KEY'), value: text('NOT NULL') });

/** The chapter list (data/chapters.json), mirrored so queries can join on it. */
export const chapters = table('chapters', {
  tag: text('PRIMARY KEY'),
  chapter_number: integer('NOT NULL UNIQUE'),
  title: text('NOT NULL'),
  technique: text('NOT NULL'),
  summary: text('NOT NULL'),
  commit_hash: text('NOT NULL'),
  commit_message: text(),
  commit_author: text(),
  committed_at: text(),
});

/** A machine as the bench saw it; fingerprint = hash of the identifying fields. (Schema < 3: `machines`, now a view.) */
export const machineInfo = table('machine_info', {
  fingerprint: text('PRIMARY KEY'),
  cpu_model: text('NOT NULL'),
  cores: integer('NOT NULL'),
  memory_bytes: integer('NOT NULL'),
  kernel: text('NOT NULL'),
  os: text('NOT NULL'),
  node_version: text('NOT NULL'),
  details_json: text("NOT NULL DEFAULT '{}'"),
});
export type MachineRow = Row<typeof machineInfo>;

/** One invocation of the bench runner (or of the regression gate). */
export const sessions = table('sessions', {
  id: integer('PRIMARY KEY'),
  kind: text("NOT NULL DEFAULT 'bench'"), // bench | gate
  started_at: text('NOT NULL'), // ISO 8601 UTC
  finished_at: text(),
  status: text("NOT NULL DEFAULT 'running'"), // running | complete | interrupted | failed | abandoned (its process died; marked by the next bench) | withdrawn (measured on a disturbed machine: history, never cited; bench/withdraw.ts)
  harness_commit: text('NOT NULL'),
  harness_dirty: integer('NOT NULL DEFAULT 0'),
  // What the harness was, whatever else the commit changed: sha-256 of `git ls-tree <commit> --
  // bench db simulator package.json package-lock.json` (bench/provenance.ts); NULL when dirty or
  // unknown to git. Two editions with one tree are the same harness measuring twice.
  harness_tree: text(),
  machine_fingerprint: text('NOT NULL REFERENCES machine_info(fingerprint)'),
  tool: text('NOT NULL'),
  tool_version: text('NOT NULL'),
  settings_json: text('NOT NULL'),
  // Schema 3: CPU pinning (taskset lists such as "0" and "1"); NULL when not pinned, pinning_note says why.
  server_cpus: text(),
  loadgen_cpus: text(),
  pinning_note: text(),
});
export type SessionRow = NewRow<typeof sessions>;

/** One measured load run against one subject (a chapter tag, or the reference server). */
export const runs = table('runs', {
  id: integer('PRIMARY KEY'),
  session_id: integer('NOT NULL REFERENCES sessions(id)'),
  subject: text('NOT NULL'), // chapter tag, or a yardstick: 'reference' (node:http), 'nginx'
  commit_hash: text(), // the chapter's commit (NULL for a yardstick)
  experiment: text("NOT NULL DEFAULT ''"), // '' = the chapter as tagged
  scenario: text('NOT NULL'), // hot | mix | close | sweep | …
  settings_key: text('NOT NULL'), // canonical settings, for incremental skipping
  run_index: integer('NOT NULL'), // 0-based repetition number (round)
  sequence: integer('NOT NULL'), // position in the session's interleaved order
  tool: text('NOT NULL'),
  tool_version: text('NOT NULL'),
  connections: integer('NOT NULL'),
  threads: integer(),
  duration_seconds: real('NOT NULL'),
  keep_alive: integer('NOT NULL'),
  started_at: text('NOT NULL'),
  status: text('NOT NULL'), // ok | failed
  failure: text(), // why, when status = failed
  requests_per_second: real(), // successful (2xx) responses per second
  total_requests: integer(),
  successful_requests: integer(),
  non_2xx: integer(),
  socket_errors: integer(),
  timeout_errors: integer(),
  bytes_transferred: integer(),
  avg_latency_us: real(),
  p50_latency_us: real(),
  p90_latency_us: real(),
  p99_latency_us: real(),
  max_latency_us: real(),
  server_cpu_seconds: real(),
  loadgen_cpu_seconds: real(),
  loadgen_saturated: integer(), // 1 when the load generator was the bottleneck
  littles_law_ratio: real(), // (throughput × mean latency) / connections
  raw_output: text(),
  // Schema 5: what the server says of itself (its contract's ready path, e.g. /health, JSON)
  // just before and just after the run — a response cache's hits and misses, say — and the
  // peak resident memory of its processes (VmHWM summed over the process tree) after it.
  // NULL when the server gave no such answer, or for the reference.
  server_report_before: text(),
  server_report_after: text(),
  server_peak_rss_bytes: integer(),
  // Why the slice was disturbed (bench/edition/disturbance.ts: steal time, other processes on
  // the pinned CPUs, the server starved of its share); NULL when clean. A disturbed run carries no ratio.
  disturbance: text(),
});
/** A runs row as written: the schema-5 diagnostics (server report, peak RSS) are optional. */
export type RunRow = Omit<Row<typeof runs>, 'id' | RunDiagnostics> & Partial<Pick<Row<typeof runs>, RunDiagnostics>>;
type RunDiagnostics = 'server_report_before' | 'server_report_after' | 'server_peak_rss_bytes' | 'disturbance';

/** Per-second samples of a run, for time-series charts. */
export const runSamples = table(
  'run_samples',
  {
    run_id: integer('NOT NULL REFERENCES runs(id)'),
    second: integer('NOT NULL'),
    requests_per_second: real(),
    p99_latency_us: real(),
    errors: integer(),
  },
  ['PRIMARY KEY (run_id, second)'],
);
export type RunSampleRow = Omit<NewRow<typeof runSamples>, 'run_id'>;

/** Statistics over the runs of one subject × scenario × experiment in one session. */
export const summaries = table(
  'summaries',
  {
    session_id: integer('NOT NULL REFERENCES sessions(id)'),
    subject: text('NOT NULL'),
    experiment: text("NOT NULL DEFAULT ''"),
    scenario: text('NOT NULL'),
    settings_key: text('NOT NULL'),
    runs: integer('NOT NULL'), // successful runs summarised
    failed_runs: integer('NOT NULL'),
    rps_median: real(),
    rps_ci_low: real(), // 95% confidence interval of the median
    rps_ci_high: real(),
    rps_cv: real(), // coefficient of variation (stdev / mean)
    ratio_median: real(), // rps / the node:http reference's rps of the same round; NULL when not comparable (ratio_note). Every yardstick's ratio: yardstick_ratios
    ratio_ci_low: real(),
    ratio_ci_high: real(),
    ratio_cv: real(),
    avg_latency_us: real(), // medians over runs
    p50_latency_us: real(),
    p90_latency_us: real(),
    p99_latency_us: real(),
    max_latency_us: real(),
    capacity_connections: integer(), // sweep: last healthy concurrency
    capacity_rps: real(), // sweep: throughput at that concurrency
    saturated_runs: integer('NOT NULL DEFAULT 0'),
    ratio_note: text(), // schema 3: why there is no ratio (e.g. the load generator was the limit)
    disturbed_runs: integer('NOT NULL DEFAULT 0'), // runs left out because something else took the CPU (runs.disturbance)
  },
  ['PRIMARY KEY (session_id, subject, experiment, scenario, settings_key)'],
);
export type SummaryRow = Row<typeof summaries>;
/** Which summary a row is: the key columns. */
export type SummaryKey = Pick<SummaryRow, 'session_id' | 'subject' | 'experiment' | 'scenario' | 'settings_key'>;
/** The figures of a summary: everything but its key. */
export type SummaryFigures = Omit<SummaryRow, keyof SummaryKey>;

/**
 * Schema 7: a subject's paired ratio (bench/stats/paired-ratio.ts) to each yardstick that ran
 * in the same rounds, one row per yardstick: `yardstick` names it by its runs' subject —
 * 'reference' (the bare node:http server; the same figures as summaries.ratio_*) or 'nginx'.
 * A yardstick has rows against the other ones (nginx against node:http: the machine's headroom).
 */
export const yardstickRatios = table(
  'yardstick_ratios',
  {
    session_id: integer('NOT NULL REFERENCES sessions(id)'),
    subject: text('NOT NULL'),
    experiment: text("NOT NULL DEFAULT ''"),
    scenario: text('NOT NULL'),
    settings_key: text('NOT NULL'),
    yardstick: text('NOT NULL'), // REFERENCE_SUBJECT | NGINX_SUBJECT
    ratio_median: real(), // NULL when not comparable (ratio_note)
    ratio_ci_low: real(),
    ratio_ci_high: real(),
    ratio_cv: real(),
    ratio_note: text(),
  },
  ['PRIMARY KEY (session_id, subject, experiment, scenario, settings_key, yardstick)'],
);
export type YardstickRatioRow = Row<typeof yardstickRatios>;

/** Schema 2: what it cost to get each subject ready in a session, outside the load itself, in seconds. */
export const preparations = table(
  'preparations',
  {
    session_id: integer('NOT NULL REFERENCES sessions(id)'),
    subject: text('NOT NULL'),
    experiment: text("NOT NULL DEFAULT ''"),
    commit_hash: text(),
    worktree_seconds: real(),
    install_seconds: real(),
    install_cache_hit: integer(),
    build_seconds: real(),
    start_seconds: real(), // spawn until the ready answer
    total_seconds: real(),
    status: text('NOT NULL'), // ok | failed | not_run (NOT_RUN)
    failure: text(), // why, when failed or not run
  },
  ['PRIMARY KEY (session_id, subject, experiment)'],
);
export type PreparationRow = Row<typeof preparations>;
/** A subject this machine could not run (an experiment needing root and iptables, say); `failure` holds the reason. */
export const NOT_RUN = 'not_run';

/** What every series sample says about where it comes from (schema 3). */
const seriesContext = {
  run_id: integer('REFERENCES runs(id)'),
  session_id: integer('REFERENCES sessions(id)'),
  subject: text(),
  experiment: text("NOT NULL DEFAULT ''"),
  scenario: text(),
};

/**
 * Series that the open-loop scenarios (bench/scenarios/open-loop.ts: overload,
 * adaptive-ramp, scaling-ramp) record, one row per second; the ingest scenario tags its runs
 * here too. Client-side columns come from the open-loop generator (every latency from the
 * request's intended send time); server-side ones from the subject's metrics port, NULL
 * when the subject exposes none (chapters 1–6, the reference) — never 0.
 */
export const stressTestSamples = table('stress_test_samples', {
  ...seriesContext,
  test_type: text('NOT NULL'), // overload | quiet | ingest | ingest-document
  elapsed_seconds: real('NOT NULL'), // overload: end of the second, from the first send
  observed_rps: real(), // 2xx answers in the second
  success_rate: real(), // 2xx / requests that ended in the second
  active_connections: integer(), // closed-loop runs: the tool's connections; NULL for open loop (requests, not sockets, are counted: in_flight)
  rejection_rate: real(), // 503/429 / requests that ended in the second
  avg_latency_us: real(), // mean of the served (2xx) requests
  // Schema 6: the open-loop overload steps (client side).
  offered_rps: real(), // requests whose intended send time fell in the second
  completed_rps: real(), // 2xx
  rejected_rps: real(), // 503/429
  failed_rps: real(), // other status, socket error, timeout
  p50_latency_us: real(), // of the served requests, from their intended send time
  p99_latency_us: real(),
  in_flight: integer(), // offered and unanswered at the end of the second (client side)
  step_multiplier: real(), // × capacity of the step; NULL for a drain second after the last step
  settling: integer(), // 1: one of the step's first seconds, left out of its summary
  max_send_lag_us: real(), // worst delay of a send behind its intended time
  generator_behind: integer(), // 1: the generator sent late in this second: not the server's figure
  p999_latency_us: real(), // the tail beside p99 (issue 23): p99.9 and the slowest served request of the second
  max_latency_us: real(),
});
/** What the open-loop ramps record of the server each second beside the client's view (schema 6). */
const serverSecond = {
  in_flight: integer(), // server: http_requests_in_flight
  offered_rps: real(), // client: requests offered in the second
  p99_latency_us: real(), // client: p99 of the served requests, from the intended send time
  shed_rps: real(), // server: requests shed per second (http_requests_shed_total)
  generator_behind: integer(), // 1: the generator sent late in this second: not the server's figure
  p999_latency_us: real(), // client: p99.9 and the slowest served request of the second
  max_latency_us: real(),
};
export const adaptiveLimiterSamples = table('adaptive_limiter_samples', {
  ...seriesContext,
  elapsed_seconds: real('NOT NULL'),
  connection_limit: integer(), // server: concurrency_limit (the limit in force)
  observed_rps: real(), // client: 2xx per second
  rejection_rate: real(), // client: 503/429 / requests that ended in the second
  active_connections: integer(), // not measured by the open-loop ramps (NULL): in_flight counts requests
  saturation_ratio: real(), // server: in_flight / connection_limit
  action: text(), // the limit against the previous second: increase | decrease | hold (NULL without a limit)
  // Schema 6.
  ...serverSecond,
  no_load_rtt_us: real(), // server: limiter_rtt_noload_seconds
  current_rtt_us: real(), // server: limiter_rtt_seconds
  accepted_rps: real(), // client: 2xx per second (= observed_rps)
  rejected_rps: real(), // client: 503/429 per second
});
export const scalingSignalSamples = table('scaling_signal_samples', {
  ...seriesContext,
  elapsed_seconds: real('NOT NULL'),
  rejection_rate: real(), // client: 503/429 / requests that ended in the second
  saturation_ratio: real(), // server: in_flight / connection_limit
  needs_scaleout: integer(), // server: scale_out_signal (0/1)
  connection_limit: integer(), // server: concurrency_limit
  active_connections: integer(), // not measured by the open-loop ramps (NULL)
  observed_rps: real(), // client: 2xx per second
  // Schema 6.
  ...serverSecond,
  event_loop_utilization: real(), // server: event_loop_utilization over the last second (0..1)
  p99_limit_us: real(), // the scenario's p99 objective (its settings)
  rejected_rps: real(), // client: 503/429 per second
});
/**
 * Schema 6: each step of an `overload` run summarised over its settled seconds
 * (bench/overload/summary.ts), so a page can ask for "2× capacity" directly.
 */
export const overloadSteps = table('overload_steps', {
  ...seriesContext,
  step_index: integer('NOT NULL'),
  step_multiplier: real('NOT NULL'), // × capacity
  capacity_rps: real('NOT NULL'), // the capacity the steps are multiples of
  capacity_source: text('NOT NULL'), // measured (a closed-loop run of this round) | given (--capacity) | objective (searched against the objective, open loop) | chapter (an experiment at its chapter's capacity of the same round)
  offered_rate: real('NOT NULL'), // planned requests per second
  settled_seconds: integer('NOT NULL'),
  offered_rps: real(), // mean over the settled seconds
  goodput_rps: real(), // 2xx per second, mean over the settled seconds
  p99_served_us: real(), // exact p99 of every served latency of the settled seconds
  rejection_rate: real(), // 503/429 / ended requests; NULL when none ended
  failure_rate: real(),
  generator_behind: integer('NOT NULL'), // 1: some settled second was sent late: not the server's figure
  p999_served_us: real(), // exact p99.9 and the slowest served request of the settled seconds
  max_served_us: real(),
});
/**
 * Schema 7: each step of a `fairness` run (bench/scenarios/fairness.ts): a greedy client
 * offering `step_multiplier` × capacity while a polite one sends a search every
 * `polite_interval_ms` on new connections or one kept-alive connection. The greedy client is
 * wrk paced at `target_rps` (bench/loadgen/greedy-client.ts); rows without target_rps came
 * from the open-loop generator. The columns after generator_behind are NULL in those rows.
 */
export const fairnessSteps = table('fairness_steps', {
  ...seriesContext,
  step_multiplier: real('NOT NULL'), // the greedy client's offer, × capacity
  polite_connection: text('NOT NULL'), // new | kept-alive
  capacity_rps: real('NOT NULL'),
  capacity_source: text('NOT NULL'), // measured | given | objective | chapter (an experiment at its chapter's capacity of the same round)
  settled_seconds: integer('NOT NULL'),
  offered_rps: real(), // greedy: what it actually offered (answers of any status per second), mean over the settled seconds
  goodput_rps: real(), // the server's 2xx per second to the greedy client, mean over the settled seconds
  p99_served_us: real(), // greedy, of its served requests (the open-loop generator; NULL from wrk, which times every answer alike)
  rejection_rate: real(), // greedy, 503/429 / ended
  polite_interval_ms: real('NOT NULL'),
  polite_within_ms: real('NOT NULL'), // the polite client's bound: 200 within this many ms of the intended send
  polite_sent: integer('NOT NULL'), // polite requests intended in the settled seconds
  polite_ok_fast: integer('NOT NULL'), // of them, answered 200 within polite_within_ms
  polite_share: real(), // polite_ok_fast / polite_sent
  polite_p99_us: real(), // of every polite answer, from its intended send
  polite_statuses: text(), // JSON: status → count (0: no answer)
  generator_behind: integer('NOT NULL'), // 1: the greedy generator was its own limit (wrk: ≥ 90% of its core; open loop: sent late): not the server's figure
  target_rps: real(), // the rate asked of the greedy client (capacity × step_multiplier)
  greedy_connections: integer(),
  greedy_cpu_share: real(), // the greedy generator's CPU seconds ÷ wall seconds (of its one core)
  greedy_socket_errors: integer(), // connect/read/write errors and timeouts of the whole step
  offered_short: integer(), // 1: offered_rps < 90% of target_rps: the step is not at its level
  polite_share_low: real(), // Wilson 95% interval of polite_share
  polite_share_high: real(),
  polite_send_lag_max_us: real(), // the latest the polite client itself sent a counted request (its lag, not the server's)
  server_cpu_share: real(), // the server's CPU seconds ÷ the step's wall seconds, settle included (/proc per thread)
  loop_thread_share: real(), // of that CPU time, its event-loop threads' (tid = pid) share; the rest is its thread pool's, V8's and workers'
  server_in_flight: real(), // median over the settled seconds of the server's http_requests_in_flight (chapter 7 on; NULL without it)
  server_limit: real(), // median over the settled seconds of its concurrency_limit: at most this many of a turn's batch are served
});
export const SERIES_TABLES = { stress_test: stressTestSamples, adaptive_limiter: adaptiveLimiterSamples, scaling_signals: scalingSignalSamples, overload_steps: overloadSteps, fairness_steps: fairnessSteps, ...TAILS_SERIES } as const;
export type SeriesKind = keyof typeof SERIES_TABLES;
/** The columns saying where a sample comes from, filled in by the store's series writer. */
export type SeriesContext = 'run_id' | 'session_id' | 'subject' | 'experiment' | 'scenario';
export type SeriesSample<K extends SeriesKind> = Omit<NewRow<(typeof SERIES_TABLES)[K]>, SeriesContext>;
export type StressTestSample = SeriesSample<'stress_test'>;
export type AdaptiveLimiterSample = SeriesSample<'adaptive_limiter'>;
export type ScalingSignalSample = SeriesSample<'scaling_signals'>;
export type OverloadStepRow = SeriesSample<'overload_steps'>;
export type FairnessStepRow = SeriesSample<'fairness_steps'>;

/**
 * Schema 4: the top functions of a subject's server during one extra, profiled load run
 * (`npm run bench -- --profile`, node --cpu-prof; bench/profile/). Shares are of all
 * sampled time ('(idle)' included); the last rank of a table is the rest summed.
 */
export const profiles = table(
  'profiles',
  {
    session_id: integer('NOT NULL REFERENCES sessions(id)'),
    subject: text('NOT NULL'), // chapter tag
    experiment: text("NOT NULL DEFAULT ''"),
    scenario: text('NOT NULL'),
    process: text("NOT NULL DEFAULT 'main'"), // main | worker-N | all (the merge of several processes)
    rank: integer('NOT NULL'), // 1 = most self time
    function: text('NOT NULL'),
    file: text('NOT NULL'), // repo-relative path, package name, node:…, or a category like '(idle)'
    line: integer(), // 1-based; NULL when unknown
    bundle: text(), // set when `line` is a line of this bundle, not of `file` (a bundle without a source map)
    self_share: real('NOT NULL'), // 0..1
    total_share: real(), // 0..1; NULL for the summed rest
    self_ms: real('NOT NULL'),
  },
  ['PRIMARY KEY (session_id, subject, experiment, scenario, process, rank)'],
);
export type ProfileDbRow = NewRow<typeof profiles>;

/**
 * Each profiled run's CPU by thread (`--profile`, bench/profile/run.ts), from /proc per thread
 * before and after the load: a V8 CPU profile samples each process's event-loop thread alone,
 * so what libuv's pool (zlib) and V8's helpers did on the same pinned CPU is in no row of
 * `profiles`. NULL-free: a run whose threads could not be read has no row.
 */
export const profileThreads = table(
  'profile_threads',
  {
    session_id: integer('NOT NULL REFERENCES sessions(id)'),
    subject: text('NOT NULL'),
    experiment: text("NOT NULL DEFAULT ''"),
    scenario: text('NOT NULL'),
    window_seconds: real('NOT NULL'), // the load's wall time, the profile's window
    loop_cpu_seconds: real('NOT NULL'), // CPU of each process's main thread (tid = pid), where its event loop runs
    other_cpu_seconds: real('NOT NULL'), // CPU of every other thread: libuv's pool, V8's helpers, worker_threads
  },
  ['PRIMARY KEY (session_id, subject, experiment, scenario)'],
);
export type ProfileThreadsRow = NewRow<typeof profileThreads>;

/**
 * Each gate run of a trials session (`npm run trials`, bench/gate/trials.ts; sessions.kind =
 * 'gate-trials'): the real gate run on a case — identical trees, or a head made slower on
 * purpose — and what it said. Every FAIL on identical trees is a false alarm, every FAIL on a
 * slower head a detection; an error is counted as neither. None before 2026-12-07 (the trials
 * before were printed only: bench/gate/README.md).
 */
export const gateTrialRuns = table(
  'gate_trial_runs',
  {
    session_id: integer('NOT NULL REFERENCES sessions(id)'),
    case_name: text('NOT NULL'), // "identical trees", "head −10% throughput (156 iterations per reply)", …
    trial: integer('NOT NULL'), // 1-based, interleaved with the other cases
    slowdown: real('NOT NULL'), // 0 for identical trees; the throughput (or work) the head was made to lose
    verdict: text('NOT NULL'), // pass | fail | inconclusive | error | killed
    decided_by: text(), // instructions | throughput, as the gate said
    instructions_ratio: real(), // head/base instructions per request, when counted
    throughput_ratio: real(), // head/base req/s, the gate's estimate
    throughput_low: real(), // its 95% interval
    throughput_high: real(),
    seconds: real('NOT NULL'), // the gate run's wall time
  },
  ['PRIMARY KEY (session_id, case_name, trial)'],
);
export type GateTrialRunRow = NewRow<typeof gateTrialRuns>;

/**
 * Schema 5: instructions per request under callgrind (`npm run cost -- --record`,
 * bench/cost/), one row per subject × scenario of a cost session (sessions.kind = 'cost').
 * Machine-independent within an architecture: the same binary and inputs give the same
 * count whatever the neighbours do. Startup (start, first poll) is counted apart.
 */
export const costs = table(
  'costs',
  {
    session_id: integer('NOT NULL REFERENCES sessions(id)'),
    subject: text('NOT NULL'), // chapter tag
    experiment: text("NOT NULL DEFAULT ''"),
    commit_hash: text(),
    scenario: text('NOT NULL'), // hot | mix
    requests_per_window: integer('NOT NULL'), // answers counted in each measured window
    windows: integer('NOT NULL'),
    processes: integer('NOT NULL'), // server processes the windows ran in
    instructions_per_request: real('NOT NULL'), // median over the windows
    min_per_request: real('NOT NULL'),
    max_per_request: real('NOT NULL'),
    range: real('NOT NULL'), // (max - min) / median
    cv: real('NOT NULL'), // sample standard deviation / mean of the windows
    startup_instructions: real(), // median over processes: start until ready, first poll included
    node_flags: text('NOT NULL'), // the V8/node flags the server ran with (e.g. --jitless)
    valgrind_version: text('NOT NULL'),
    node_version: text('NOT NULL'),
    windows_json: text('NOT NULL'), // every window's count, as measured
    // Timer work is measured apart, not in a request (bench/cost/README.md): NULL in rows recorded before.
    raw_range: real(), // (max − min) / median of the windows' whole counts, timer work and their own GC inside
    timer_instructions_per_second: real(), // timer-phase instructions per second of wall time during the windows
    gc_per_request: real(), // garbage collection per request over all windows (included in instructions_per_request)
  },
  ['PRIMARY KEY (session_id, subject, experiment, scenario)'],
);
export type CostRow = NewRow<typeof costs>;

/**
 * Demonstrations as captured (@demo): what a command printed, numbered as the original
 * BookGen's books cite them (`@demo:num="3"`) or named (`@demo:name="search-hot"`).
 * `npm run compression-levels -- --capture` writes one (bench/capture.ts); a demo nobody
 * captured, @demo says so in words. A book's own database may hold it in BookGen's shape (demo_number, title,
 * description, output, captured_at): created when absent, never altered (not in TABLES).
 */
export const demoOutputs = table('demo_outputs', {
  demo_number: integer('PRIMARY KEY'),
  name: text('UNIQUE'),
  title: text('NOT NULL'),
  description: text("NOT NULL DEFAULT ''"),
  command: text(), // what was run, when the output is a command's
  output: text('NOT NULL'),
  captured_at: text('NOT NULL'), // ISO 8601 UTC
});
export type DemoOutputRow = NewRow<typeof demoOutputs>;

export const TABLES: Table[] = [meta, chapters, machineInfo, sessions, runs, runSamples, summaries, yardstickRatios, preparations, stressTestSamples, adaptiveLimiterSamples, scalingSignalSamples, overloadSteps, fairnessSteps, profiles, profileThreads, costs, gateTrialRuns, ...Object.values(TAILS_SERIES)];

// The views pick each subject's latest session with a correlated MAX(session_id) per row: without
// these, latency_histogram scanned its 14,359 rows once per row (4.4 s a chapter page's histogram,
// 50 of a whole book's 53 s to render; 63 ms with its index).
const INDEXES = /* sql */ `
CREATE INDEX IF NOT EXISTS runs_by_subject ON runs(subject, scenario, experiment, session_id);
CREATE INDEX IF NOT EXISTS latency_histograms_by_subject ON latency_histograms(subject, experiment, scenario, part, session_id);
CREATE INDEX IF NOT EXISTS soak_samples_by_subject ON soak_samples(subject, experiment, scenario, session_id);
CREATE INDEX IF NOT EXISTS capacity_probes_by_subject ON capacity_probes(subject, experiment, request_set, session_id);
`;

/** A machine's kind: CPU model · cores (what meta 'comparison_kind' names; bench/comparison-kind.ts). */
export const MACHINE_KIND = `m.cpu_model || ' · ' || m.cores`;

/** A readable name of a machine, for captions: CPU model · cores · architecture. */
const MACHINE_LABEL = `m.cpu_model || ' · ' || m.cores || ' cores · ' || COALESCE(json_extract(m.details_json, '$.arch'), m.os)`;

/** Sessions on the comparison machine (alias se). */
const ON_COMPARISON_MACHINE = `se.machine_fingerprint = (SELECT fingerprint FROM comparison_machine)`;

/**
 * A series table with each row's ramp within its session × subject × experiment × scenario
 * (`ramp`, from 0): the open-loop scenarios write their seconds without a run id, and an
 * edition repeats a ramp, so a ramp starts where the seconds start again (rows in write order).
 */
function withRamp(table: string): string {
  return `(SELECT u.*, SUM(u.restart) OVER (PARTITION BY u.session_id, u.subject, u.experiment, u.scenario ORDER BY u.sample_order) AS ramp
     FROM (SELECT s.*, s.rowid AS sample_order,
                  CASE WHEN s.elapsed_seconds < LAG(s.elapsed_seconds) OVER (PARTITION BY s.session_id, s.subject, s.experiment, s.scenario ORDER BY s.rowid)
                       THEN 1 ELSE 0 END AS restart
             FROM ${table} s) u)`;
}

/** One run of a series view: by session, then run id, else the ramp within the session ("the last ramp" is MAX(run_key)). */
const RUN_KEY = 't.session_id * 1000000000 + COALESCE(t.run_id, t.ramp) AS run_key';

const VIEWS = /* sql */ `
CREATE VIEW machines AS
  SELECT m.fingerprint, ${MACHINE_LABEL} AS machine, m.cpu_model, m.cores, m.memory_bytes, m.kernel, m.os, m.node_version,
         json_extract(m.details_json, '$.arch') AS arch, m.details_json,
         (SELECT COUNT(*) FROM sessions se WHERE se.machine_fingerprint = m.fingerprint) AS sessions,
         (SELECT COUNT(*) FROM sessions se WHERE se.machine_fingerprint = m.fingerprint AND se.status = 'complete') AS complete_sessions,
         (SELECT MIN(se.started_at) FROM sessions se WHERE se.machine_fingerprint = m.fingerprint) AS first_session_at,
         (SELECT MAX(se.started_at) FROM sessions se WHERE se.machine_fingerprint = m.fingerprint) AS last_session_at,
         (SELECT COUNT(*) FROM runs r JOIN sessions se ON se.id = r.session_id WHERE se.machine_fingerprint = m.fingerprint) AS runs,
         (SELECT group_concat(subject, ', ') FROM (SELECT DISTINCT su.subject FROM summaries su JOIN sessions se ON se.id = su.session_id
            WHERE se.machine_fingerprint = m.fingerprint AND su.runs > 0 ORDER BY su.subject)) AS subjects,
         (SELECT group_concat(scenario, ', ') FROM (SELECT DISTINCT su.scenario FROM summaries su JOIN sessions se ON se.id = su.session_id
            WHERE se.machine_fingerprint = m.fingerprint AND su.runs > 0 ORDER BY su.scenario)) AS scenarios,
         m.fingerprint IS (SELECT fingerprint FROM comparison_machine) AS is_comparison_machine
  FROM machine_info m;

-- Books and older fixtures insert machines by this name: keep that working.
CREATE TRIGGER machines_insert INSTEAD OF INSERT ON machines BEGIN
  INSERT INTO machine_info(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version, details_json)
  VALUES (NEW.fingerprint, NEW.cpu_model, NEW.cores, NEW.memory_bytes, NEW.kernel, NEW.os, NEW.node_version, COALESCE(NEW.details_json, '{}'));
END;

CREATE VIEW comparison_machine AS
  SELECT m.fingerprint, ${MACHINE_LABEL} AS machine
  FROM machine_info m
  WHERE m.fingerprint = COALESCE(
    (SELECT value FROM meta WHERE key = 'comparison_machine'),
    -- The machine of the latest complete whole-book edition: a partial edition or a run of a few
    -- chapters on another machine kind does not move the book off the edition it cites. With
    -- meta 'comparison_kind' set (npm run bench -- comparison-kind), only editions of machines
    -- of that kind (CPU model · cores) count: another kind's editions stay as history.
    (SELECT se.machine_fingerprint FROM sessions se JOIN machine_info mk ON mk.fingerprint = se.machine_fingerprint
      WHERE se.kind = 'bench' AND se.status = 'complete' AND json_extract(se.settings_json, '$.edition.whole_book') = 1
        AND ${MACHINE_KIND.replaceAll('m.', 'mk.')} = COALESCE((SELECT value FROM meta WHERE key = 'comparison_kind'), ${MACHINE_KIND.replaceAll('m.', 'mk.')})
      ORDER BY se.started_at DESC, se.id DESC LIMIT 1),
    (SELECT machine_fingerprint FROM sessions WHERE kind = 'bench' AND status = 'complete' ORDER BY started_at DESC, id DESC LIMIT 1),
    (SELECT machine_fingerprint FROM sessions WHERE kind = 'bench' ORDER BY started_at DESC, id DESC LIMIT 1));

CREATE VIEW headline AS
  SELECT s.subject AS tag, s.session_id, s.rps_median, s.rps_ci_low, s.rps_ci_high, s.rps_cv,
         s.ratio_median, s.ratio_note, s.avg_latency_us, s.p50_latency_us, s.p90_latency_us, s.p99_latency_us,
         s.max_latency_us, s.runs, se.machine_fingerprint
  FROM summaries s JOIN sessions se ON se.id = s.session_id
  WHERE s.scenario = 'hot' AND s.experiment = '' AND s.runs > 0 AND s.rps_median IS NOT NULL AND ${ON_COMPARISON_MACHINE}
    AND s.session_id = (
      SELECT MAX(s2.session_id) FROM summaries s2 JOIN sessions se2 ON se2.id = s2.session_id
      WHERE s2.subject = s.subject AND s2.scenario = 'hot' AND s2.experiment = ''
        AND s2.runs > 0 AND s2.rps_median IS NOT NULL AND se2.machine_fingerprint = se.machine_fingerprint
        AND ${inCitedSession('s2.session_id')});

CREATE VIEW versions AS
  SELECT c.tag, c.chapter_number, c.title, c.summary AS description, c.commit_hash,
         h.rps_median AS baseline_rps,
         CASE WHEN h.rps_median IS NULL OR c.chapter_number = (SELECT MIN(chapter_number) FROM chapters) THEN NULL
              ELSE 100.0 * (h.rps_median / COALESCE(
                     (SELECT s1.rps_median FROM summaries s1
                        WHERE s1.session_id = h.session_id AND s1.scenario = 'hot' AND s1.experiment = '' AND s1.runs > 0
                          AND s1.subject = (SELECT tag FROM chapters ORDER BY chapter_number LIMIT 1)),
                     (SELECT h1.rps_median FROM headline h1
                        WHERE h1.tag = (SELECT tag FROM chapters ORDER BY chapter_number LIMIT 1))) - 1.0)
         END AS improvement_percent,
         c.technique,
         h.rps_ci_low, h.rps_ci_high, h.rps_cv, h.ratio_median AS reference_ratio, h.ratio_note,
         h.avg_latency_us, h.p50_latency_us, h.p90_latency_us, h.p99_latency_us, h.max_latency_us,
         h.runs AS measured_runs, h.session_id,
         cm.machine, cm.fingerprint AS machine_fingerprint
  FROM chapters c LEFT JOIN headline h ON h.tag = c.tag LEFT JOIN comparison_machine cm;

CREATE VIEW version_progression AS
  SELECT v.chapter_number, v.tag, v.title, v.technique, v.baseline_rps, v.improvement_percent,
         LAG(v.baseline_rps) OVER (ORDER BY v.chapter_number) AS previous_rps,
         v.baseline_rps - LAG(v.baseline_rps) OVER (ORDER BY v.chapter_number) AS rps_delta,
         v.machine, v.machine_fingerprint
  FROM versions v;

CREATE VIEW latest_baseline AS
  SELECT * FROM versions ORDER BY chapter_number DESC LIMIT 1;

CREATE VIEW commits AS
  SELECT commit_hash AS hash, tag, commit_message AS message, commit_author AS author,
         committed_at AS created_at, committed_at AS timestamp
  FROM chapters;

CREATE VIEW benchmark_runs AS
  SELECT r.id, r.commit_hash, r.scenario AS run_type, m.cpu_model || ' / ' || m.cores || ' cores / ' || m.kernel AS environment,
         r.started_at, r.started_at AS timestamp,
         r.subject || ' on ' || r.scenario || CASE WHEN r.experiment = '' THEN '' ELSE ' (' || r.experiment || ')' END
           || ', ' || r.connections || ' connections, run ' || (r.run_index + 1) || ' of session ' || r.session_id AS description,
         r.duration_seconds, r.threads, r.connections, r.keep_alive,
         r.subject AS tag, r.tool, r.tool_version, r.session_id, r.status,
         ${MACHINE_LABEL} AS machine, m.fingerprint AS machine_fingerprint
  FROM runs r JOIN sessions se ON se.id = r.session_id JOIN machine_info m ON m.fingerprint = se.machine_fingerprint
  WHERE ${ON_COMPARISON_MACHINE};

CREATE VIEW run_results AS
  SELECT r.id AS run_id, r.connections AS concurrency, r.requests_per_second, r.requests_per_second AS requests_per_sec, r.total_requests, r.bytes_transferred,
         r.avg_latency_us, r.p50_latency_us, r.p90_latency_us, r.p99_latency_us, r.max_latency_us,
         r.socket_errors, r.timeout_errors, r.non_2xx, r.subject AS tag, r.scenario, r.session_id,
         cm.machine, cm.fingerprint AS machine_fingerprint
  FROM runs r JOIN sessions se ON se.id = r.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  WHERE r.status = 'ok' AND ${inCitedSession('r.session_id')};

-- The table a page shows of each chapter's profile: the merged table ('all') of a server
-- that ran in several processes, else its one process; the latest session per subject ×
-- experiment × scenario on the comparison machine. Not an edition's part (a profile is
-- evidence of where time goes, not a comparison): a page names the session it shows.
CREATE VIEW profile_top AS
  SELECT p.subject AS tag, p.experiment, p.scenario, p.rank, p.function, p.file, p.line, p.bundle,
         p.self_share, p.total_share, p.self_ms, p.process, p.session_id, cm.machine, cm.fingerprint AS machine_fingerprint
  FROM profiles p JOIN sessions se ON se.id = p.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  WHERE p.process = COALESCE(
      (SELECT 'all' FROM profiles pa WHERE pa.session_id = p.session_id AND pa.subject = p.subject AND pa.experiment = p.experiment
         AND pa.scenario = p.scenario AND pa.process = 'all' LIMIT 1), 'main')
    AND p.session_id = (
      SELECT MAX(p2.session_id) FROM profiles p2 JOIN sessions se2 ON se2.id = p2.session_id
      WHERE p2.subject = p.subject AND p2.experiment = p.experiment AND p2.scenario = p.scenario
        AND se2.machine_fingerprint = se.machine_fingerprint);

-- Beside each profile_top table, what it cannot show: the server's CPU by thread over the same
-- profiled window (table profile_threads; none before 2026-12-07). other_share is the share of
-- the server's CPU on threads a V8 profile does not sample — libuv's pool (zlib), V8's helpers,
-- worker_threads — which on a server pinned to one CPU is time taken from its event loop.
CREATE VIEW profile_cpu_by_thread AS
  SELECT t.subject AS tag, t.experiment, t.scenario, t.session_id, t.window_seconds, t.loop_cpu_seconds, t.other_cpu_seconds,
         CASE WHEN t.loop_cpu_seconds + t.other_cpu_seconds > 0 THEN t.other_cpu_seconds / (t.loop_cpu_seconds + t.other_cpu_seconds) END AS other_share,
         cm.machine
  FROM profile_threads t JOIN sessions se ON se.id = t.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  WHERE t.session_id = (SELECT MAX(p.session_id) FROM profile_top p WHERE p.tag = t.subject AND p.experiment = t.experiment AND p.scenario = t.scenario);

-- Instructions per request of each chapter and of the bare node:http reference: the cost
-- session the cited edition names for it (cost_sessions_json, keyed like a chapter's count:
-- the reference by bench/reference's tree), or, before the first complete edition, the latest
-- cost session per subject × experiment × scenario on the comparison machine (an instruction
-- count belongs to one architecture and one Node.js build). A count the edition reused was
-- made on a machine of its kind, not necessarily the edition's own (a machine is also its
-- kernel: a new kernel is a new fingerprint), so the cited branch asks no machine of it;
-- \`machine\` names the one that counted.
CREATE VIEW chapter_costs AS
  SELECT c.subject AS tag, ch.chapter_number, c.experiment, c.scenario, c.instructions_per_request,
         c.min_per_request, c.max_per_request, c.range, c.cv, c.windows, c.requests_per_window, c.processes,
         c.startup_instructions, c.node_flags, c.valgrind_version, c.node_version, c.raw_range, c.timer_instructions_per_second,
         c.gc_per_request, c.session_id, se.started_at,
         ${MACHINE_LABEL} AS machine, m.fingerprint AS machine_fingerprint
  FROM costs c JOIN sessions se ON se.id = c.session_id JOIN machine_info m ON m.fingerprint = se.machine_fingerprint
  LEFT JOIN chapters ch ON ch.tag = c.subject
  WHERE c.session_id = COALESCE(
    (SELECT json_extract(ce.cost_sessions_json, '$."' || c.subject || '"') FROM cited_edition ce),
    (SELECT MAX(c2.session_id) FROM costs c2 JOIN sessions se2 ON se2.id = c2.session_id
      WHERE c2.subject = c.subject AND c2.experiment = c.experiment AND c2.scenario = c.scenario
        AND se2.machine_fingerprint = (SELECT fingerprint FROM comparison_machine) AND NOT EXISTS (SELECT 1 FROM cited_edition)));

-- Each chapter's ratio to the reference on every machine that measured it (the latest
-- bench session per machine, a withdrawn one never): the evidence that ratios travel across machines.
CREATE VIEW reference_ratios AS
  SELECT s.subject AS tag, ch.chapter_number, s.scenario, s.ratio_median, s.ratio_ci_low, s.ratio_ci_high, s.ratio_note,
         s.rps_median, s.session_id, se.started_at, m.machine, m.fingerprint AS machine_fingerprint
  FROM summaries s JOIN sessions se ON se.id = s.session_id JOIN machines m ON m.fingerprint = se.machine_fingerprint
  JOIN chapters ch ON ch.tag = s.subject
  WHERE s.experiment = '' AND s.runs > 0 AND se.kind = 'bench'
    AND s.session_id = (
      SELECT MAX(s2.session_id) FROM summaries s2 JOIN sessions se2 ON se2.id = s2.session_id
      WHERE s2.subject = s.subject AND s2.experiment = '' AND s2.scenario = s.scenario AND s2.runs > 0
        AND se2.kind = 'bench' AND se2.status <> 'withdrawn' AND se2.machine_fingerprint = se.machine_fingerprint);

-- A response cache's figures over each recorded run, from the server's own report before and
-- after it (chapters whose /health has data.cache): lookups of that run only, and the cache's
-- size and peak at its end; latest session per subject × experiment × scenario, comparison machine.
CREATE VIEW cache_stats AS
  SELECT r.subject AS tag, r.experiment, r.scenario, r.run_index, r.id AS run_id, r.session_id,
         json_extract(r.server_report_after, '$.data.cache.hits') - json_extract(r.server_report_before, '$.data.cache.hits') AS hits,
         json_extract(r.server_report_after, '$.data.cache.misses') - json_extract(r.server_report_before, '$.data.cache.misses') AS misses,
         json_extract(r.server_report_after, '$.data.cache.evictions') - json_extract(r.server_report_before, '$.data.cache.evictions') AS evictions,
         json_extract(r.server_report_after, '$.data.cache.entries') AS entries,
         json_extract(r.server_report_after, '$.data.cache.bytes') AS bytes,
         json_extract(r.server_report_after, '$.data.cache.peakBytes') AS peak_bytes,
         json_extract(r.server_report_after, '$.data.cache.maxBytes') AS max_bytes,
         r.server_peak_rss_bytes, cm.machine
  FROM runs r JOIN sessions se ON se.id = r.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  WHERE r.status = 'ok' AND json_extract(r.server_report_after, '$.data.cache.hits') IS NOT NULL
    AND json_extract(r.server_report_before, '$.data.cache.hits') IS NOT NULL
    AND r.session_id = (
      SELECT MAX(r2.session_id) FROM runs r2 JOIN sessions se2 ON se2.id = r2.session_id
      WHERE r2.subject = r.subject AND r2.experiment = r.experiment AND r2.scenario = r.scenario AND r2.status = 'ok'
        AND r2.server_report_after IS NOT NULL AND se2.machine_fingerprint = se.machine_fingerprint AND ${inCitedSession('r2.session_id')});

CREATE VIEW subjects_not_run AS
  SELECT p.session_id, p.subject, p.experiment, p.failure AS reason, cm.machine
  FROM preparations p JOIN sessions se ON se.id = p.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  WHERE p.status = 'not_run';

-- run_key orders the runs of the seconds views: by session, then run id, else (the ramps, whose
-- seconds carry no run id) the ramp within the session: "the last ramp" is MAX(run_key).
CREATE VIEW stress_test_seconds AS
  SELECT t.test_type, t.elapsed_seconds, t.observed_rps, t.success_rate, t.active_connections, t.rejection_rate, t.avg_latency_us,
         t.offered_rps, t.completed_rps, t.rejected_rps, t.failed_rps, t.p50_latency_us, t.p99_latency_us, t.in_flight,
         t.step_multiplier, t.settling, t.max_send_lag_us, t.generator_behind, t.p999_latency_us, t.max_latency_us,
         t.session_id, t.subject, t.experiment, t.scenario, t.run_id, t.session_id * 1000000000 + COALESCE(t.run_id, 0) AS run_key, cm.machine
  FROM stress_test_samples t JOIN sessions se ON se.id = t.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  WHERE ${inCitedSession('t.session_id')};

CREATE VIEW adaptive_limiter_seconds AS
  SELECT t.elapsed_seconds, t.connection_limit, t.observed_rps, t.rejection_rate, t.active_connections, t.saturation_ratio, t.action,
         t.in_flight, t.no_load_rtt_us, t.current_rtt_us, t.accepted_rps, t.rejected_rps, t.offered_rps, t.p99_latency_us,
         t.shed_rps, t.generator_behind, t.p999_latency_us, t.max_latency_us,
         t.session_id, t.subject, t.experiment, t.scenario, t.run_id, ${RUN_KEY}, cm.machine
  FROM ${withRamp('adaptive_limiter_samples')} t JOIN sessions se ON se.id = t.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  WHERE ${inCitedSession('t.session_id')};

CREATE VIEW scaling_signals_seconds AS
  SELECT t.elapsed_seconds, t.rejection_rate, t.saturation_ratio, t.needs_scaleout, t.connection_limit, t.active_connections, t.observed_rps,
         t.event_loop_utilization, t.p99_latency_us, t.p99_limit_us, t.offered_rps, t.rejected_rps, t.in_flight, t.shed_rps, t.generator_behind,
         t.p999_latency_us, t.max_latency_us,
         t.session_id, t.subject, t.experiment, t.scenario, t.run_id, ${RUN_KEY}, cm.machine
  FROM ${withRamp('scaling_signal_samples')} t JOIN sessions se ON se.id = t.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  WHERE ${inCitedSession('t.session_id')};

-- Each overload step over its settled seconds, the latest session per subject × experiment
-- on the comparison machine: "at 2× capacity" is WHERE step_multiplier = 2. A step where the
-- generator was behind is the generator's figure, not the server's (counts = 0).
CREATE VIEW overload_summary AS
  SELECT o.subject AS tag, o.experiment, o.scenario, o.step_index, o.step_multiplier, o.capacity_rps, o.capacity_source,
         o.offered_rate, o.settled_seconds, o.offered_rps, o.goodput_rps, o.p99_served_us, o.p999_served_us, o.max_served_us, o.rejection_rate, o.failure_rate,
         o.generator_behind, 1 - o.generator_behind AS counts, o.session_id, cm.machine
  FROM overload_steps o JOIN sessions se ON se.id = o.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  WHERE o.session_id = (
    SELECT MAX(o2.session_id) FROM overload_steps o2 JOIN sessions se2 ON se2.id = o2.session_id
    WHERE o2.subject = o.subject AND o2.experiment = o.experiment AND o2.scenario = o.scenario
      AND se2.machine_fingerprint = se.machine_fingerprint AND ${inCitedSession('o2.session_id')});

-- The scale-out signal's lead time in each scaling ramp (session × subject × experiment × run:
-- an edition repeats the ramp, one row per repeat):
-- the first second whose client-side p99 of served requests crossed the p99 objective (seconds
-- where the generator was behind left out) against the first second the server's scale_out
-- signal was on; lead_seconds > 0: the signal fired first. NULL when either never happened.
CREATE VIEW scaling_lead_time AS
  SELECT t.session_id, t.subject AS tag, t.experiment, t.scenario, MAX(t.p99_limit_us) AS p99_limit_us,
         MIN(CASE WHEN t.p99_latency_us > t.p99_limit_us AND COALESCE(t.generator_behind, 0) = 0 THEN t.elapsed_seconds END) AS p99_crossed_at,
         MIN(CASE WHEN t.needs_scaleout = 1 THEN t.elapsed_seconds END) AS signal_at,
         MIN(CASE WHEN t.p99_latency_us > t.p99_limit_us AND COALESCE(t.generator_behind, 0) = 0 THEN t.elapsed_seconds END)
           - MIN(CASE WHEN t.needs_scaleout = 1 THEN t.elapsed_seconds END) AS lead_seconds,
         COUNT(t.needs_scaleout) > 0 AS has_signal, SUM(COALESCE(t.generator_behind, 0)) AS behind_seconds, t.run_id, ${RUN_KEY}, cm.machine
  FROM ${withRamp('scaling_signal_samples')} t JOIN sessions se ON se.id = t.session_id JOIN comparison_machine cm ON cm.fingerprint = se.machine_fingerprint
  WHERE ${inCitedSession('t.session_id')}
  GROUP BY t.session_id, t.subject, t.experiment, t.scenario, t.run_id, t.ramp;
${YARDSTICK_VIEWS}${FAIRNESS_VIEWS}${GATE_TRIAL_VIEWS}`;

/**
 * Versioned steps an automatic "add the missing columns" cannot do, keyed by the
 * version they upgrade to. Each runs once, views already dropped, in order.
 */
const MIGRATIONS: Record<number, (db: Database) => void> = {
  3: (db) => {
    // `machines` becomes a view (each machine and what it measured); its rows move to machine_info.
    if (kindOf(db, 'machines') === 'table' && kindOf(db, 'machine_info') === null) db.run('ALTER TABLE machines RENAME TO machine_info');
  },
};

function kindOf(db: Database, name: string): string | null {
  const rows = db.exec('SELECT type FROM sqlite_master WHERE name = ?', [name]);
  return rows.length === 0 ? null : String(rows[0].values[0][0]);
}

function dropViewsAndTriggers(db: Database): void {
  const objects = db.exec("SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger')")[0]?.values ?? [];
  for (const [type, name] of objects) db.run(`DROP ${String(type).toUpperCase()} IF EXISTS "${String(name)}"`);
}

/** Creates every table and view, or upgrades an older database to this schema. Idempotent. */
export function applySchema(db: Database): void {
  const current = schemaVersionOf(db);
  if (current !== null && current > SCHEMA_VERSION) {
    throw new Error(
      `database schema version ${current} is newer than this code understands (${SCHEMA_VERSION}); update the repository`,
    );
  }
  db.run('PRAGMA foreign_keys = ON');
  db.run('BEGIN');
  try {
    dropViewsAndTriggers(db);
    const from = current ?? (kindOf(db, 'runs') === null ? SCHEMA_VERSION : 1);
    for (let version = from + 1; version <= SCHEMA_VERSION; version++) MIGRATIONS[version]?.(db);
    for (const t of TABLES) {
      db.run(createTableSql(t));
      addMissingColumns(db, t);
    }
    db.run(createTableSql(demoOutputs));
    db.exec(INDEXES);
    db.exec(VIEWS);
    db.exec(EDITION_MARKS_SQL);
    db.exec(EDITION_MARKS_BACKFILL);
    db.exec(EDITION_VIEWS_SQL);
    db.exec(AUTHORING_VIEWS_SQL);
    db.exec(KRAFT_VIEWS);
    db.exec(TAILS_VIEWS);
    db.run("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", [String(SCHEMA_VERSION)]);
    db.run('COMMIT');
  } catch (error) {
    db.run('ROLLBACK');
    throw error;
  }
}

export function schemaVersionOf(db: Database): number | null {
  if (kindOf(db, 'meta') !== 'table') return null;
  const rows = db.exec("SELECT value FROM meta WHERE key = 'schema_version'");
  const value = rows[0]?.values[0]?.[0];
  return value === undefined ? null : Number(value);
}

/** The view names books may query (spec: directives.md). */
export const BOOK_VIEWS = [
  'versions',
  'version_progression',
  'latest_baseline',
  'commits',
  'benchmark_runs',
  'run_results',
  'stress_test_seconds',
  'adaptive_limiter_seconds',
  'scaling_signals_seconds',
  ...KRAFT_BOOK_VIEWS,
  'machines',
  'profile_top',
  'profile_cpu_by_thread',
  'chapter_costs',
  'reference_ratios',
  'cache_stats',
  'overload_summary',
  'scaling_lead_time',
  'subjects_not_run',
  ...EDITION_VIEWS,
  ...AUTHORING_VIEWS,
  ...YARDSTICK_VIEW_NAMES,
  ...FAIRNESS_VIEW_NAMES,
  ...GATE_TRIAL_VIEW_NAMES,
  ...TAILS_VIEW_NAMES,
] as const;
