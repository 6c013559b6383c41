/**
 * capacity-hot, capacity-mix, capacity-wide: each chapter's capacity against the service's
 * objective (bench/overload/objective.ts: p99 ≤ 50 ms, ≤ 0.1% errors) on one request set —
 * the highest offered rate (open loop) that meets it, found each round by a step search
 * (bench/overload/capacity-search.ts: doubling from 1,000 req/s, or stepping from an edition's seed, then bisecting to 10%). Every probe is a row of
 * capacity_probes, the probe at the capacity a latency histogram (latency_histograms, part
 * 'capacity'); the summary's rps_median and capacity_rps are the capacity over rounds.
 * objectiveCapacity is also the capacity of the open-loop scenarios under `--capacity objective`.
 */
import { DEFAULT_OPEN_LOOP_CONNECTIONS } from '../loadgen/open-loop.ts';
import { DISTURBED_PROBE_REPEATS, searchCapacity, type CapacitySearch, type CapacitySearchOptions, type Probe } from '../overload/capacity-search.ts';
import { DEFAULT_SEARCH, SERVICE_OBJECTIVE } from '../overload/objective.ts';
import { whilePinned } from '../proc/pinning.ts';
import { summarize, type RunOutcome } from '../figures/summarize.ts';
import type { Scenario } from './index.ts';
import type { RoundContext, ScenarioModule } from './module.ts';
import { pathsKey } from './steady.ts';

/** A round's capacity; `runId`: its recorded closed-loop run, when it was measured so; `chapter`: an experiment's, its chapter's (./chapter-capacities.ts). */
export interface Capacity { rps: number; source: 'measured' | 'given' | 'objective' | 'chapter'; runId?: number }

export type RequestSet = 'hot' | 'mix' | 'wide';

/** Probes of 3 s, the first left out of the p99 (a new rate's backlog settling): 2 measured seconds, thousands of requests a probe from 1,000 req/s up. */
export const CAPACITY_SEARCH: CapacitySearchOptions = {
  objective: SERVICE_OBJECTIVE, search: DEFAULT_SEARCH, stepSeconds: 3, settleSeconds: 1, pauseSeconds: 1,
  connections: DEFAULT_OPEN_LOOP_CONNECTIONS, timeoutSeconds: 10,
};

const ms = (us: number | null): string => (us === null ? '—' : `${(us / 1000).toFixed(1)} ms`);

function probeLine(probe: Probe): string {
  return `${probe.rate} req/s: ${probe.meets ? 'meets' : 'misses'} (${probe.verdict}; p99.9 ${ms(probe.p999Us)}, max ${ms(probe.maxUs)}; generator ${ms(probe.maxSendLagUs)} late at worst)`;
}

/**
 * A search started at `seed` (req/s; an edition's: the subject's latest capacity on this
 * machine kind) with a first step of the precision instead of doubling: the answer is the
 * same bound — the highest rate met, a missed one within the precision above — in fewer
 * probes when the seed is near (bench/README.md, "Editions"). Without a seed: `settings`.
 */
export function seededSearch(settings: CapacitySearchOptions, seed: number | undefined): CapacitySearchOptions {
  if (seed === undefined) return settings;
  const search = settings.search ?? DEFAULT_SEARCH;
  const startRate = Math.min(search.maxRate, Math.max(search.minRate, Math.round(seed)));
  return { ...settings, search: { ...search, startRate, firstStep: search.precision } };
}

/** One search on this subject, its probes and histogram written; the capacity, or null (logged) when no rate met the objective. */
export async function objectiveCapacity(context: RoundContext, paths: string[], requestSet: RequestSet, round: number, settings: CapacitySearchOptions = CAPACITY_SEARCH): Promise<CapacitySearch> {
  const name = `capacity ${requestSet} ${context.label}`;
  const seeded = seededSearch(settings, context.capacitySeed);
  if (seeded !== settings) context.log(`${name}: from ${seeded.search!.startRate} req/s (the seed), steps of ${seeded.search!.firstStep! * 100}% until a probe misses (or meets), then bisecting`);
  const watched = context.watchLoad ? { ...seeded, watchProbe: context.watchLoad } : seeded;
  const work = whilePinned(context.loadgenCpus, () => searchCapacity(context.url, paths, watched, (probe) => context.log(`${name}: ${probeLine(probe)}`)));
  const { value: searched } = await (context.guard ? context.guard(work) : work);
  // A rate still disturbed after its repeats ends the search: its probes stay recorded, the round has no capacity.
  const search = searched.disturbance === null ? searched : { ...searched, capacity: null, histogram: [] };
  const probes = context.series('capacity_probes');
  for (const p of search.probes) {
    probes.write({
      request_set: requestSet, round, probe_index: p.index, offered_rate: p.rate, measured_seconds: p.measuredSeconds,
      goodput_rps: p.goodputRps, error_rate: p.errorRate, p99_latency_us: p.p99Us, p999_latency_us: p.p999Us, max_latency_us: p.maxUs,
      objective_p99_us: search.objective.p99Ms * 1000, objective_error_rate: search.objective.maxErrorRate,
      meets: p.meets, generator_behind: p.generatorBehind, verdict: p.verdict,
      max_send_lag_us: p.maxSendLagUs, generator_cpu_share: p.generatorCpuShare,
    });
  }
  const histogram = context.series('latency_histogram');
  for (const bucket of search.histogram) histogram.write({ part: `capacity-r${round}`, ...bucket });
  if (search.generatorLimited) context.flag('generator-behind');
  if (search.disturbance !== null) context.flag('disturbed');
  context.log(search.disturbance !== null
    ? `${name}: DISTURBED after ${DISTURBED_PROBE_REPEATS + 1} offers of one rate (${search.disturbance}): no capacity from this round`
    : search.capacity === null
    ? `${name}: no offered rate met the objective (p99 ≤ ${search.objective.p99Ms} ms, ≤ ${search.objective.maxErrorRate * 100}% errors)`
    : `${name}: capacity ${search.capacity} req/s against the objective${search.generatorLimited ? ' (at least: the generator could not offer more on time)' : ''}`);
  return search;
}

export function searchSettings(settings: CapacitySearchOptions): Record<string, unknown> {
  return {
    objective: settings.objective ?? SERVICE_OBJECTIVE,
    method: 'open-loop step search: doubling from the start rate while the objective is met, then bisecting (bench/overload/capacity-search.ts)',
    search: settings.search ?? DEFAULT_SEARCH,
    step_seconds: settings.stepSeconds, settle_seconds: settings.settleSeconds, pause_seconds: settings.pauseSeconds, pause_after: 'a missed probe with a request unanswered (timed out, a socket error, unfinished, a failing status)',
    connections: settings.connections, timeout_seconds: settings.timeoutSeconds,
  };
}

export function searchKey(settings: CapacitySearchOptions): string {
  const objective = settings.objective ?? SERVICE_OBJECTIVE;
  const search = settings.search ?? DEFAULT_SEARCH;
  return `obj${objective.p99Ms}ms-${objective.maxErrorRate}-s${search.startRate}-p${search.precision}-st${settings.stepSeconds}-se${settings.settleSeconds}-ol${settings.connections}`;
}

export function capacityScenario(sc: Scenario, requestSet: RequestSet, settings: CapacitySearchOptions = CAPACITY_SEARCH): ScenarioModule {
  return {
    name: sc.name,
    description: sc.description,
    comparesToReference: false,
    settingsKeyParts: () => [searchKey(settings), pathsKey(sc.paths)],
    settings: () => ({ description: sc.description, request_set: requestSet, ...searchSettings(settings) }),
    warmup: (options) => (options.warmupSeconds > 0 ? { paths: sc.paths, keepAlive: true, connections: options.connections, durationSeconds: options.warmupSeconds } : null),
    runRound: async (context, round) => {
      const search = await objectiveCapacity(context, sc.paths, requestSet, round, settings);
      const at = search.probes.find((p) => p.rate === search.capacity);
      const outcome: RunOutcome = {
        run_index: round, status: at ? 'ok' : 'failed', connections: settings.connections ?? DEFAULT_OPEN_LOOP_CONNECTIONS,
        requests_per_second: at ? at.rate : null, avg_latency_us: null, p50_latency_us: null, p90_latency_us: null,
        p99_latency_us: at?.p99Us ?? null, max_latency_us: at?.maxUs ?? null, loadgen_saturated: search.generatorLimited, capacity: true,
        disturbed: search.disturbance !== null,
      };
      return [outcome];
    },
    summarize: (runs) => summarize(runs),
    failures: (runs) => runs.filter((r) => r.status === 'failed').length,
  };
}
