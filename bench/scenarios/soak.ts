/**
 * soak: the mix's requests at 80% of their capacity for ten minutes, open loop, so the book
 * can show memory and p99 flat (or not) while the response cache sits at its limit. Each
 * round, per subject:
 *
 *   1. capacity: --capacity when given, else searched against the objective on the mix
 *      (./capacity.ts; its probes and histogram recorded like capacity-mix's);
 *   2. the soak: share × capacity req/s for `seconds`, one soak_samples row a second — offered,
 *      2xx, errors, p99 / p99.9 / max from the intended send time, the server's resident
 *      memory (VmRSS over its processes) and its cache's size (/health data.cache, NULL without);
 *      the whole soak's latency histogram (latency_histograms, part 'soak-r<round>').
 */
import { LatencyHistogram } from '../loadgen/latency-histogram.ts';
import { DEFAULT_OPEN_LOOP_CONNECTIONS } from '../loadgen/open-loop.ts';
import { runOpenLoop } from '../loadgen/open-loop-thread.ts';
import type { OpenLoopSecond } from '../loadgen/open-loop-tally.ts';
import type { CapacitySearchOptions } from '../overload/capacity-search.ts';
import { whilePinned } from '../proc/pinning.ts';
import { summarize, type RunOutcome } from '../figures/summarize.ts';
import type { Scenario } from './index.ts';
import type { RoundContext, ScenarioModule } from './module.ts';
import { CAPACITY_SEARCH, objectiveCapacity, searchKey, searchSettings } from './capacity.ts';
import { pathsKey } from './steady.ts';

export interface SoakSettings {
  seconds: number;
  /** Share of the capacity offered. */
  share: number;
  connections: number;
  timeoutSeconds: number;
  search: CapacitySearchOptions;
}

export const DEFAULT_SOAK: SoakSettings = { seconds: 600, share: 0.8, connections: DEFAULT_OPEN_LOOP_CONNECTIONS, timeoutSeconds: 10, search: CAPACITY_SEARCH };

interface Cache { entries: number | null; bytes: number | null }

/** The response cache's size in a server's report, when it has one (chapters 4 on: data.cache). */
export function cacheOf(report: string | null): Cache {
  if (report === null) return { entries: null, bytes: null };
  const cache = (JSON.parse(report) as { data?: { cache?: { entries?: unknown; bytes?: unknown } } }).data?.cache;
  const count = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  return { entries: count(cache?.entries), bytes: count(cache?.bytes) };
}

interface Reading { second: OpenLoopSecond; rssBytes: number | null; report: Promise<string | null> }

async function soak(context: RoundContext, paths: string[], rate: number, settings: SoakSettings, round: number): Promise<RunOutcome> {
  const readings: Reading[] = [];
  const histogram = new LatencyHistogram();
  const work = whilePinned(context.loadgenCpus, () => runOpenLoop({
    url: context.url, paths, phases: [{ rate, seconds: settings.seconds }], connections: settings.connections, timeoutSeconds: settings.timeoutSeconds,
  }, (second) => {
    for (const latency of second.servedLatenciesUs) histogram.record(latency);
    // Read at the end of the second: memory at once, the report (an HTTP answer) as it comes.
    readings.push({ second, rssBytes: context.serverRssBytes?.() ?? null, report: context.serverReport?.() ?? Promise.resolve(null) });
  }));
  const { value: result } = await (context.guard ? context.guard(work) : work);
  const samples = context.series('soak');
  for (const { second, rssBytes, report } of readings) {
    const ended = second.completed + second.rejected + second.failed;
    const cache = cacheOf(await report);
    samples.write({
      elapsed_seconds: second.second + 1, offered_rps: second.offered, completed_rps: second.completed,
      error_rate: ended === 0 ? null : (second.rejected + second.failed) / ended,
      p99_latency_us: second.p99LatencyUs, p999_latency_us: second.p999LatencyUs, max_latency_us: second.maxLatencyUs,
      server_rss_bytes: rssBytes, cache_entries: cache.entries, cache_bytes: cache.bytes, generator_behind: second.generatorBehind,
    });
  }
  const buckets = context.series('latency_histogram');
  for (const bucket of histogram.buckets()) buckets.write({ part: `soak-r${round}`, ...bucket });
  const tail = histogram.tail();
  const rss = readings.map((r) => r.rssBytes).filter((v): v is number => v !== null);
  const mib = (bytes: number | undefined) => (bytes === undefined ? '—' : `${(bytes / 1048576).toFixed(0)} MiB`);
  const ms = (us: number | null) => (us === null ? '—' : `${(us / 1000).toFixed(1)} ms`);
  context.log(`soak ${context.label}: ${rate} req/s for ${settings.seconds} s: ${result.totals.completed} served, ${result.totals.offered - result.totals.completed} not; p99 ${ms(tail.p99Us)}, p99.9 ${ms(tail.p999Us)}, max ${ms(tail.maxUs)}; RSS ${mib(rss[0])} → ${mib(rss.at(-1))}`);
  if (!result.generatorKeptUp) context.flag('generator-behind');
  if (!result.ok) context.flag('failed');
  return {
    run_index: round, status: result.ok ? 'ok' : 'failed', connections: settings.connections,
    requests_per_second: result.ok ? result.totals.completed / settings.seconds : null,
    avg_latency_us: null, p50_latency_us: tail.p50Us, p90_latency_us: null, p99_latency_us: tail.p99Us, max_latency_us: tail.maxUs,
    loadgen_saturated: !result.generatorKeptUp,
  };
}

export function soakScenario(sc: Scenario, settings: SoakSettings = DEFAULT_SOAK): ScenarioModule {
  return {
    name: sc.name,
    description: sc.description,
    comparesToReference: false,
    settingsKeyParts: (options) => [
      `soak${settings.seconds}s-x${settings.share}-ol${settings.connections}-to${settings.timeoutSeconds}`,
      typeof options.capacity === 'number' ? `cap${options.capacity}` : `capobj-${searchKey(settings.search)}`,
      pathsKey(sc.paths),
    ],
    settings: (options) => ({
      description: sc.description, seconds: settings.seconds, share_of_capacity: settings.share,
      connections: settings.connections, timeout_seconds: settings.timeoutSeconds,
      capacity: typeof options.capacity === 'number' ? { source: 'given', rps: options.capacity } : { source: 'objective', ...searchSettings(settings.search) },
      per_second: "offered, 2xx, error rate, p99 / p99.9 / max of served requests from the intended send time; the server's VmRSS summed over its processes; /health data.cache entries and bytes (NULL without)",
    }),
    warmup: (options) => (options.warmupSeconds > 0 ? { paths: sc.paths, keepAlive: true, connections: options.connections, durationSeconds: options.warmupSeconds } : null),
    runRound: async (context, round) => {
      const given = typeof context.options.capacity === 'number' ? context.options.capacity : null;
      const capacity = given ?? (await objectiveCapacity(context, sc.paths, 'mix', round, settings.search)).capacity;
      if (capacity === null) {
        context.log(`soak ${context.label}: no capacity against the objective: the soak is not run`);
        return [{ run_index: round, status: 'failed', connections: settings.connections, requests_per_second: null, avg_latency_us: null, p50_latency_us: null, p90_latency_us: null, p99_latency_us: null, max_latency_us: null, loadgen_saturated: false }];
      }
      const rate = Math.max(1, Math.round(capacity * settings.share));
      context.log(`soak ${context.label}: capacity ${capacity} req/s (${given === null ? 'against the objective' : 'given'}); offering ${rate} req/s for ${settings.seconds} s, open loop`);
      return [await soak(context, sc.paths, rate, settings, round)];
    },
    summarize: (runs) => summarize(runs),
    failures: (runs) => runs.filter((r) => r.status === 'failed').length,
  };
}
