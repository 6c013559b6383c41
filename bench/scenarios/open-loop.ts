/**
 * overload, overload-mix, ingest-mix-overload, adaptive-ramp, scaling-ramp: load offered at fixed arrival rates, whatever the
 * server answers (bench/overload/run.ts on the open-loop generator bench/loadgen/open-loop.ts),
 * in steps that are multiples of the subject's capacity. Each round, per subject:
 *
 *   1. capacity: --capacity when given; with --capacity objective the highest offered rate
 *      meeting the objective (./capacity.ts, open loop); else a recorded closed-loop run (the
 *      bench's tool, --connections, --duration) of the same paths: its 2xx per second;
 *   2. the steps, open loop, one row per second: the client's view (offered, 2xx, 503/429,
 *      failed, p50/p99 from the intended send time) and the server's gauges scraped at the
 *      end of the second (RoundContext.serverGauges; NULL columns where the subject has none);
 *   3. overload: each step over its settled seconds into overload_steps; scaling-ramp: the
 *      signal's lead time over the p99 objective, logged (the view scaling_lead_time has it too).
 *      Every row carries the run id of the round's capacity run (none when it was given).
 *
 * A chapter's experiments take the chapter's capacity of the round instead of a capacity run of
 * their own (./chapter-capacities.ts, capacity_source `chapter`; not with a given --capacity):
 * every limit of a chapter faces the same offered rates.
 *
 * The generator is one Node.js event loop in the bench's own process: a second where it sent
 * late is flagged (generator_behind) and is its figure, not the server's.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_LAG_TOLERANCE_MS, DEFAULT_OPEN_LOOP_CONNECTIONS } from '../loadgen/open-loop.ts';
import type { ServerGauges } from '../metrics/gauges.ts';
import { formatRunSummary } from '../overload/format.ts';
import { DEFAULT_MULTIPLIERS } from '../overload/plan.ts';
import { runOverload, type OverloadRun } from '../overload/run.ts';
import { whilePinned } from '../proc/pinning.ts';
import { adaptiveSample, leadTime, scalingSample, serverSecond, stepRow, stressSample, type ServerSecond } from '../overload/samples.ts';
import { summarize, type RunOutcome } from '../figures/summarize.ts';
import { WIDE_WINDOWS, type OpenLoopScenarioName, type Scenario } from './index.ts';
import type { LoadShape, RoundContext, ScenarioModule, ScenarioOptions } from './module.ts';
import { pathsKey } from './steady.ts';
import { CAPACITY_SEARCH, objectiveCapacity, searchKey, searchSettings, type Capacity, type RequestSet } from './capacity.ts';
import { DEFAULT_ZIPF_MIX } from './zipf.ts';
import { ingestProvider, type IngestSettings } from './ingest.ts';
import { ChapterCapacities } from './chapter-capacities.ts';

/** An open-loop part's outcome has no throughput or latency of its own (they are in the series). */
const NO_FIGURES = { requests_per_second: null, avg_latency_us: null, p50_latency_us: null, p90_latency_us: null, p99_latency_us: null, max_latency_us: null } as const;

export interface OpenLoopSettings {
  /** Steps, × capacity, in order. */
  multipliers: number[];
  /** Seconds per step; null: --duration. */
  stepSeconds: number | null;
  /** First seconds of each step left out of its summary; null: min(3, half a step). */
  settleSeconds: number | null;
  /** Most sockets the generator opens. */
  connections: number;
  timeoutSeconds: number;
  /** scaling-ramp: the p99 objective of served requests (client side), ms. */
  p99LimitMs: number;
  /**
   * Seconds without load between the capacity run (or warm-up) and the first step. The
   * scaling-ramp needs more than the scale-out rule's window: otherwise the server's window
   * opens full of the closed-loop run's seconds and the signal is on before the ramp begins.
   */
  quietSeconds: number;
}

/** from → to in steps of `by`, both ends included (rounded to hundredths: no 0.30000000000000004). */
export function rampMultipliers(from: number, to: number, by: number): number[] {
  const count = Math.round(Math.abs(to - from) / by);
  const sign = to >= from ? 1 : -1;
  return Array.from({ length: count + 1 }, (_, i) => Math.round((from + sign * i * by) * 100) / 100);
}

const COMMON = { connections: DEFAULT_OPEN_LOOP_CONNECTIONS, timeoutSeconds: 10, p99LimitMs: 50, quietSeconds: 0 };

const OVERLOAD: OpenLoopSettings = { ...COMMON, multipliers: [...DEFAULT_MULTIPLIERS], stepSeconds: null, settleSeconds: null };

export const OPEN_LOOP_DEFAULTS: Record<OpenLoopScenarioName, OpenLoopSettings> = {
  overload: OVERLOAD,
  'overload-mix': OVERLOAD,
  'ingest-mix-overload': OVERLOAD,
  // Up and back down: the limit must rise again once the overload is over. One second a step
  // (2 s until edition 34): the rows are per second either way, and an edition repeats the
  // ramp five times (bench/README.md, "Editions", 7: what the faster ramp changes). The first
  // level is held two seconds, so the ramp's second second is still at half the capacity
  // (chapter 9 reads it; its first second opens the generator's connections).
  'adaptive-ramp': { ...COMMON, multipliers: [0.5, ...rampMultipliers(0.5, 2.5, 0.25), ...rampMultipliers(2.5, 0.5, 0.25).slice(1)], stepSeconds: 1, settleSeconds: 0 },
  // Quiet for longer than chapter 10's rule window (3 s) before the ramp; 1 s a step (was 2).
  'scaling-ramp': { ...COMMON, multipliers: rampMultipliers(0.5, 2.5, 0.1), stepSeconds: 1, settleSeconds: 0, quietSeconds: 5 },
};

/** A run of a round and which part of it: the capacity measurement or the open-loop steps. */
export type PartOutcome = RunOutcome & { part?: 'capacity' | 'open-loop' };


/** Which requests a scenario offers: the mix's, or the wide windows. */
const requestSetOf = (sc: Scenario): RequestSet => (sc.name.endsWith('-mix') || sc.name === 'ingest-mix-overload' ? 'mix' : 'wide');
const isOverload = (name: OpenLoopScenarioName): boolean => name === 'overload' || name === 'overload-mix' || name === 'ingest-mix-overload';

const SCRAPE_TIMEOUT_MS = 2000;

/** One scrape of the server's gauges, bounded: a server too busy to answer in time gives null (NULL columns), never a stale value. */
export function readGauges(read: (() => Promise<ServerGauges | null>) | undefined): Promise<ServerGauges | null> {
  if (!read) return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), SCRAPE_TIMEOUT_MS);
    read().then(resolve, () => resolve(null)).finally(() => clearTimeout(timer));
  });
}

export function capacityLoad(sc: Scenario, options: ScenarioOptions, durationSeconds: number): LoadShape {
  return { paths: sc.paths, keepAlive: sc.keepAlive, connections: options.connections, durationSeconds };
}

/**
 * The capacity of this round: given; against the objective (--capacity objective: the highest
 * offered rate meeting it, searched open loop on the same paths); or a recorded closed-loop
 * run's 2xx per second. Null, with a failed outcome, when none was measured.
 */
export async function roundCapacity(sc: Scenario, context: RoundContext, round: number): Promise<{ capacity: Capacity | null; outcomes: PartOutcome[] }> {
  const { options } = context;
  if (options.capacity === 'objective') {
    const search = await objectiveCapacity(context, sc.paths, requestSetOf(sc), round);
    const failed: PartOutcome = { ...NO_FIGURES, run_index: round, status: 'failed', connections: CAPACITY_SEARCH.connections ?? 0, loadgen_saturated: search.generatorLimited, capacity: true, part: 'capacity' };
    if (search.capacity === null) return { capacity: null, outcomes: [failed] };
    return { capacity: { rps: search.capacity, source: 'objective' }, outcomes: [{ ...failed, status: 'ok', requests_per_second: search.capacity }] };
  }
  if (options.capacity !== null) return { capacity: { rps: options.capacity, source: 'given' }, outcomes: [] };
  const { outcome, result, runId } = await context.measure(capacityLoad(sc, options, options.durationSeconds));
  const rps = result.ok ? result.requestsPerSecond : null;
  if (rps === null || !(rps > 0)) {
    context.log(`${sc.name} ${context.label}: no capacity measured (${result.failure ?? 'no 2xx answer'}): the open-loop steps are not run`);
    return { capacity: null, outcomes: [{ ...outcome, status: 'failed', capacity: true, part: 'capacity' }] };
  }
  return { capacity: { rps, source: 'measured', runId }, outcomes: [{ ...outcome, capacity: true, part: 'capacity' }] };
}

/**
 * The capacity of this round for a subject: an experiment's chapter's, when the chapter was
 * measured before it (a capacity not given: measured or searched), else roundCapacity's,
 * remembered for the chapter's experiments.
 */
export async function chapterOrRoundCapacity(chapters: ChapterCapacities, sc: Scenario, context: RoundContext, round: number): Promise<{ capacity: Capacity | null; outcomes: PartOutcome[] }> {
  const shared = typeof context.options.capacity === 'number' ? null : chapters.forExperiment(round, context.label);
  if (shared !== null) {
    context.log(`${sc.name} ${context.label}: the chapter's capacity of this round, ${shared.rps.toFixed(0)} req/s (every limit of the chapter faces the same rates)`);
    return { capacity: shared, outcomes: [] };
  }
  const measured = await roundCapacity(sc, context, round);
  if (measured.capacity !== null) chapters.remember(round, context.label, measured.capacity);
  return measured;
}

/** Where a scenario's capacity comes from, in its settings key: given, searched against the objective, or a closed-loop run (an experiment: its chapter's). */
export function capacityKey(options: ScenarioOptions): string {
  if (typeof options.capacity === 'number') return `cap${options.capacity}`;
  return `${options.capacity === 'objective' ? `capobj-${searchKey(CAPACITY_SEARCH)}` : `capc${options.connections}`}-experiments-at-chapter-rates`;
}

/** Runs the steps, reading the server's gauges just before and at the end of every second. */
async function runSteps(sc: Scenario, settings: OpenLoopSettings, stepSeconds: number, context: RoundContext, capacity: number): Promise<{ run: OverloadRun; server: ServerSecond[] }> {
  if (settings.quietSeconds > 0) await sleep(settings.quietSeconds * 1000);
  const baseline = await readGauges(context.serverGauges);
  const readings: Promise<ServerGauges | null>[] = [];
  const run = await runOverload(context.url, sc.paths, capacity, {
    multipliers: settings.multipliers,
    stepSeconds,
    ...(settings.settleSeconds === null ? {} : { settleSeconds: settings.settleSeconds }),
    connections: settings.connections,
    timeoutSeconds: settings.timeoutSeconds,
  }, (row) => {
    readings[row.second] = readGauges(context.serverGauges);
  });
  const gauges = await Promise.all(run.rows.map((row) => readings[row.second] ?? Promise.resolve(null)));
  return { run, server: gauges.map((current, i) => serverSecond(i === 0 ? baseline : gauges[i - 1], current)) };
}

/**
 * The series rows of one run, in the table of this scenario, each with the run id of the
 * round's capacity run, whose throughput the steps are multiples of (none when the capacity
 * was given or searched: no runs row; the views then number the runs by where their seconds restart).
 */
function writeSeries(kind: OpenLoopScenarioName, settings: OpenLoopSettings, context: RoundContext, run: OverloadRun, server: ServerSecond[], capacity: Capacity): void {
  const runId = capacity.runId;
  if (isOverload(kind)) {
    const stress = context.series('stress_test', runId);
    for (const row of run.rows) stress.write(stressSample(row));
    const steps = context.series('overload_steps', runId);
    for (const step of run.steps) steps.write(stepRow(step, capacity.rps, capacity.source));
  } else if (kind === 'adaptive-ramp') {
    const adaptive = context.series('adaptive_limiter', runId);
    run.rows.forEach((row, i) => adaptive.write(adaptiveSample(row, server[i], i === 0 ? null : server[i - 1].limit)));
  } else {
    const samples = run.rows.map((row, i) => scalingSample(row, server[i], settings.p99LimitMs * 1000));
    const scaling = context.series('scaling_signals', runId);
    for (const sample of samples) scaling.write(sample);
    const lead = leadTime(samples);
    const at = (seconds: number | null) => (seconds === null ? 'never' : `at ${seconds} s`);
    context.log(`${kind} ${context.label}: p99 over ${settings.p99LimitMs} ms ${at(lead.p99CrossedAt)}, scale-out signal ${at(lead.signalAt)}`
      + (lead.leadSeconds === null ? '' : `: lead ${lead.leadSeconds} s${lead.leadSeconds <= 0 ? ' (the signal did NOT fire first)' : ''}`));
  }
}

function settingsKeyParts(sc: Scenario, settings: OpenLoopSettings, options: ScenarioOptions): string[] {
  return [
    `x${settings.multipliers.join('-')}`,
    `step${settings.stepSeconds ?? 'd'}-settle${settings.settleSeconds ?? 'auto'}`,
    `ol${settings.connections}-to${settings.timeoutSeconds}`,
    capacityKey(options),
    ...(sc.name === 'scaling-ramp' ? [`p99lim${settings.p99LimitMs}`] : []),
    ...(settings.quietSeconds > 0 ? [`quiet${settings.quietSeconds}`] : []),
    pathsKey(sc.paths),
  ];
}

function describeSettings(sc: Scenario, settings: OpenLoopSettings, options: ScenarioOptions): Record<string, unknown> {
  return {
    description: sc.description,
    paths: requestSetOf(sc) === 'mix'
      ? `the mix: seeded Zipf draws over ${DEFAULT_ZIPF_MIX.windows} distinct date ranges`
      : `${WIDE_WINDOWS.count} distinct windows of ${WIDE_WINDOWS.days.min}–${WIDE_WINDOWS.days.max} days (seed ${WIDE_WINDOWS.seed}), in order`,
    multipliers: settings.multipliers,
    step_seconds: settings.stepSeconds ?? options.durationSeconds,
    quiet_seconds_before_the_steps: settings.quietSeconds,
    settle_seconds: settings.settleSeconds ?? 'min(3, half a step)',
    capacity: options.capacity === 'objective'
      ? { source: 'objective', ...searchSettings(CAPACITY_SEARCH) }
      : options.capacity === null
      ? { source: 'measured', method: `each round, a recorded closed-loop run of the same paths (${options.tool}, ${options.connections} connections, ${options.durationSeconds} s): its 2xx per second` }
      : { source: 'given', rps: options.capacity },
    ...(typeof options.capacity === 'number' ? {} : { experiments: "an experiment takes its chapter's capacity of the same round, or of the latest round before (capacity_source chapter): one offered load for every limit of a chapter" }),
    generator: {
      method: 'open loop: undici, one event loop in the bench process (bench/loadgen/open-loop.ts); latencies from the intended send time',
      connections: settings.connections,
      timeout_seconds: settings.timeoutSeconds,
      behind_when_late_by_ms: DEFAULT_LAG_TOLERANCE_MS,
    },
    server_gauges: "the subject's metrics port, scraped just before the steps and at the end of every second; NULL where the subject exposes none",
    ...(sc.name === 'scaling-ramp' ? { p99_limit_ms: settings.p99LimitMs, lead_time: 'first second with p99 of served > p99_limit_ms (generator-behind seconds left out) minus first second with scale_out_signal = 1' } : {}),
  };
}

export function summarizeParts(runs: RunOutcome[]) {
  const parts = runs as PartOutcome[];
  const openLoop = parts.filter((r) => r.part === 'open-loop');
  // The capacity runs are summarised like the sweep's capacity steps: rps_median = capacity_rps.
  const capacityRuns = parts.filter((r) => r.part === 'capacity');
  const base = summarize(capacityRuns);
  // A round with no capacity run of its own (given, or its chapter's) counts as a run once its
  // steps are done: a resumed edition then knows the subject is complete (rps_median stays NULL).
  const measuredRounds = new Set(capacityRuns.map((r) => r.run_index));
  const stepsAlone = openLoop.filter((r) => r.status === 'ok' && !measuredRounds.has(r.run_index)).length;
  return {
    ...base,
    runs: base.runs + stepsAlone,
    failed_runs: base.failed_runs + openLoop.filter((r) => r.status === 'failed').length,
    saturated_runs: base.saturated_runs + openLoop.filter((r) => r.loadgen_saturated).length,
  };
}

/**
 * ingest-mix-overload: the provider thawed for the steps (a document on every poll, the ingest
 * scenario's bulk feed), frozen again after — the capacity was measured before, quiet; a round
 * in which no document was served is flagged (ingest-no-document).
 */
async function duringIngest<T>(context: RoundContext, steps: () => Promise<T>): Promise<T> {
  const provider = context.provider;
  if (!provider) throw new Error(`${context.label}: the runner gave this subject no provider of its own`);
  const before = provider.answers();
  provider.setFaults({});
  try {
    return await steps();
  } finally {
    provider.setFaults({ failRate: 1 });
    const documents = provider.answers() - before;
    context.log(`ingest-mix-overload ${context.label}: ${documents} document(s) served during the steps`);
    if (documents === 0) context.flag('ingest-no-document');
  }
}

export function openLoopScenario(sc: Scenario & { name: OpenLoopScenarioName }, settings: OpenLoopSettings = OPEN_LOOP_DEFAULTS[sc.name], ingest?: IngestSettings): ScenarioModule {
  const chapters = new ChapterCapacities();
  return {
    ...(ingest ? { ownProvider: () => ingestProvider(ingest) } : {}),
    name: sc.name,
    description: sc.description,
    comparesToReference: false,
    settingsKeyParts: (options) => settingsKeyParts(sc, settings, options),
    settings: (options) => describeSettings(sc, settings, options),
    warmup: (options) => (options.warmupSeconds > 0 ? capacityLoad(sc, options, options.warmupSeconds) : null),
    runRound: async (context, round) => {
      const { capacity, outcomes } = await chapterOrRoundCapacity(chapters, sc, context, round);
      if (capacity === null) return outcomes;
      const stepSeconds = settings.stepSeconds ?? context.options.durationSeconds;
      context.log(`${sc.name} ${context.label}: capacity ${capacity.rps.toFixed(1)} req/s (${capacity.source}); offering ${settings.multipliers.join(', ')} × it, ${stepSeconds} s a step, open loop`);
      const pinnedSteps = () => whilePinned(context.loadgenCpus, () => runSteps(sc, settings, stepSeconds, context, capacity.rps));
      const steps = ingest ? duringIngest(context, pinnedSteps) : pinnedSteps();
      const { value: { run, server }, note } = await (context.guard ? context.guard(steps) : steps);
      context.log(`${sc.name} ${context.label}: ${note}`);
      writeSeries(sc.name, settings, context, run, server, capacity);
      for (const line of formatRunSummary(run).split('\n')) context.log(`${sc.name} ${context.label}: ${line}`);
      if (!run.generator.generatorKeptUp) context.flag('generator-behind');
      if (!run.ok) context.flag('failed');
      const openLoop: PartOutcome = {
        run_index: round, status: run.ok ? 'ok' : 'failed', connections: settings.connections, requests_per_second: null,
        avg_latency_us: null, p50_latency_us: null, p90_latency_us: null, p99_latency_us: null, max_latency_us: null,
        loadgen_saturated: !run.generator.generatorKeptUp, capacity: false, part: 'open-loop',
      };
      return [...outcomes, openLoop];
    },
    summarize: summarizeParts,
    failures: (runs) => runs.filter((r) => r.status === 'failed').length,
  };
}
