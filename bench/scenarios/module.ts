/**
 * What a scenario is to the runner: a module that owns its steps (what one subject
 * does in one round), its summary, and its part of the settings key. The runner
 * prepares subjects, schedules interleaved rounds, records runs and saves; it knows
 * nothing of any particular scenario.
 */
import type { LoadResult } from '../loadgen/index.ts';
import type { SeriesKind } from '../../db/schema.ts';
import type { SeriesWriter, SummaryFigures } from '../store.ts';
import type { RunOutcome } from '../figures/summarize.ts';
import type { FeedOptions } from '../subject/subject.ts';
import type { Simulator } from '../../simulator/index.ts';
import type { ServerGauges } from '../metrics/gauges.ts';
import type { ThreadSplit } from '../proc/cpu.ts';
import type { SweepLimits } from './index.ts';

/**
 * The run settings a scenario reads: the part of the bench's command-line options
 * (bench/options.ts, whose ScenarioOptions carries them) that shapes a scenario's load.
 */
export interface ScenarioOptions {
  durationSeconds: number;
  connections: number;
  warmupSeconds: number;
  /** Unrecorded seconds of load right before every measured slice (hot, mix, close). */
  settleSeconds: number;
  /** The closed-loop load generator's name (wrk, oha, autocannon). */
  tool: string;
  /** Requests sent at once on each keep-alive connection (wrk); 1 = none. */
  pipeline: number;
  sweep: SweepLimits;
  /** The open-loop scenarios' capacity in req/s; 'objective': searched against the objective each round; null: measured first in each round. */
  capacity: number | 'objective' | null;
}

/** One load run's shape; the runner adds the subject's URL, threads and pinned CPUs. */
export interface LoadShape {
  paths: string[];
  keepAlive: boolean;
  connections: number;
  durationSeconds: number;
  /** Extra request headers (the gzip scenarios' Accept-Encoding); none when absent. */
  headers?: Record<string, string>;
  /** Per-request timeout of the tool (its default, 10 s, when absent); a timed-out request is in no latency percentile. */
  timeoutSeconds?: number;
  /** Requests sent at once on each keep-alive connection (wrk); absent: 1. */
  pipeline?: number;
}

export interface Measured {
  /** What the summary needs of the recorded run (status from the tool's verdict). */
  outcome: RunOutcome;
  result: LoadResult;
  /** The recorded run's id in `runs`. */
  runId: number;
}

/** What a scenario's round may do with its subject. */
export interface RoundContext {
  options: ScenarioOptions;
  /** The subject's label (tag, tag+experiment or 'reference'). */
  label: string;
  /** The subject's base URL (http://127.0.0.1:<port>), for a scenario that drives its own load (the open-loop generator). */
  url: string;
  /** Where the load generator runs (a taskset CPU list), null when not pinned: for a generator in the bench's own process. */
  loadgenCpus: string | null;
  /** Races a step the scenario drives itself against Ctrl-C (rejects with Interrupted), so an interrupt never waits for a long open-loop run. */
  guard?: <T>(step: Promise<T>) => Promise<T>;
  /** One recorded load run of this subject in this round. */
  measure(load: LoadShape): Promise<Measured>;
  /** A load run of this subject that is not recorded (a settle before a measured slice). */
  settle(load: LoadShape): Promise<void>;
  log(line: string): void;
  /** Where a capacity search of this subject starts (an edition's seed: this subject's latest capacity on this machine kind); absent: the search's own start. */
  capacitySeed?: number;
  /** A flag for the end-of-run table (report.ts FLAG_TEXT names the known ones). */
  flag(name: string): void;
  /** A writer of one series table for this subject and scenario (a sample per second, say), optionally tied to a run. */
  series<K extends SeriesKind>(kind: K, runId?: number): SeriesWriter<K>;
  /** The subject's own provider simulator (frozen once the server was ready; the round may thaw it) — only when the scenario asked for one (ScenarioModule.ownProvider). */
  provider?: Simulator;
  /**
   * One scrape of the subject's metrics (chapter 7 on; absent for a subject without them,
   * the reference included): `at` counts from the start of this round's latest recorded
   * run (or the round's start before the first), null when the scrape failed (each
   * distinct failure is logged once).
   */
  serverGauges?: () => Promise<ServerGauges | null>;
  /** The subject's resident memory now, summed over its processes (null when gone; absent where the runner cannot see its processes). */
  serverRssBytes?: () => number | null;
  /** CPU time so far of the subject's event-loop threads and of its other threads (absent where the runner cannot see its processes). */
  serverThreads?: () => ThreadSplit;
  /** The body of the subject's ready path (its /health report: a response cache's size from chapter 4 on), null without one. */
  serverReport?: () => Promise<string | null>;
  /**
   * In an edition: watches a stretch of load the runner does not record as a runs row (a
   * capacity probe) for steal and other processes on the pinned CPUs; finish() says why it
   * was disturbed, or null (bench/edition/disturbance.ts).
   */
  watchLoad?: () => { finish(): string | null };
}

/** A provider of a scenario's own: its subjects are servers of their own, started with this feed and environment. */
export interface OwnProvider {
  feed: FeedOptions;
  /** Server environment the scenario needs (poll timing, say); it wins over an experiment's. */
  env: Record<string, string>;
}

export interface ScenarioModule {
  name: string;
  description: string;
  /** Whether the reference server runs in this scenario's rounds and ratios are taken to it. */
  comparesToReference: boolean;
  /** This scenario's part of the settings key: what must match for a summary to count as measured. */
  settingsKeyParts(options: ScenarioOptions): string[];
  /** What the session's settings record about this scenario. */
  settings(options: ScenarioOptions): Record<string, unknown>;
  /** The unrecorded warm-up load of each subject, or null for none. */
  warmup(options: ScenarioOptions): LoadShape | null;
  /** When set, the scenario runs against servers launched for it alone, with this provider (the shared subjects stay frozen). */
  ownProvider?(options: ScenarioOptions): OwnProvider;
  /** One subject's recorded runs in one round. */
  runRound(context: RoundContext, round: number): Promise<RunOutcome[]>;
  /** A subject's summary from its runs (and the reference's runs of the same rounds, when compared). */
  summarize(runs: RunOutcome[], reference?: RunOutcome[]): SummaryFigures;
  /** How many of a subject's runs count as failures of the session. */
  failures(runs: RunOutcome[]): number;
}
